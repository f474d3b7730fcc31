package render

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
)

// Output is the text|json choice of the commands that print to stdout. It implements
// flag.Value, so an unknown value fails when the flags are parsed.
type Output string

// The outputs; the zero Output is text.
const (
	OutputText Output = "text"
	OutputJSON Output = "json"
)

func (o *Output) String() string {
	if *o == "" {
		return string(OutputText)
	}
	return string(*o)
}

// Set implements flag.Value.
func (o *Output) Set(s string) error {
	switch Output(s) {
	case OutputText, OutputJSON:
		*o = Output(s)
		return nil
	}
	return fmt.Errorf("unknown format %q: want text or json", s)
}

// Print is the one place that picks the layout of what a command prints: doc as indented JSON
// for json, else text.
func (o Output) Print(w io.Writer, doc any, text func(io.Writer) error) error {
	if o == OutputJSON {
		return WriteJSON(w, doc)
	}
	return text(w)
}

// WriteJSON writes v as indented JSON followed by a newline.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// errWriter keeps the first write error so a long print checks it once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// ChangeFormat is the --format of `cucm-audit diff`: text or json on stdout, or report formats
// (pdf,xlsx,md,json,html) written with --out. It implements flag.Value, so an unknown value
// fails when the flags are parsed.
type ChangeFormat string

func (f *ChangeFormat) String() string { return string(*f) }

// Set implements flag.Value.
func (f *ChangeFormat) Set(s string) error {
	if s != string(OutputText) && s != string(OutputJSON) {
		if _, err := ParseFormats(s); err != nil {
			return fmt.Errorf("%w (or text or json on stdout)", err)
		}
	}
	*f = ChangeFormat(s)
	return nil
}

// SetEntityCaps sets the entity caps of the PDF and the Markdown from --pdf-max-entities and
// --md-max-entities, where 0 means all.
func (o *Options) SetEntityCaps(pdfMax, mdMax int) error {
	for _, c := range []struct {
		name string
		v    int
		dst  *int
	}{{"--pdf-max-entities", pdfMax, &o.PDFMaxEntities}, {"--md-max-entities", mdMax, &o.MarkdownMaxEntities}} {
		switch {
		case c.v < 0:
			return fmt.Errorf("%s %d: want 0 (all) or a positive number", c.name, c.v)
		case c.v == 0:
			*c.dst = -1
		default:
			*c.dst = c.v
		}
	}
	return nil
}

// Flags are the report flags of `report` and `run`: --format, --out, --templates,
// --pdf-max-entities and --md-max-entities.
type Flags struct {
	Formats       Formats
	Out           string
	templates     string
	pdfMax, mdMax int
}

// AddFlags registers the report flags on fs.
func AddFlags(fs *flag.FlagSet) *Flags {
	f := &Flags{Formats: Formats{FormatPDF, FormatXLSX, FormatMarkdown, FormatJSON}}
	fs.Var(&f.Formats, "format", "report formats, comma-separated: pdf, xlsx, md, json, html or all")
	fs.StringVar(&f.Out, "out", "reports", "folder the reports are written into (created when missing)")
	fs.StringVar(&f.templates, "templates", "", "folder of Markdown templates (*.tmpl) overriding the built-in ones, whole or block by block")
	fs.IntVar(&f.pdfMax, "pdf-max-entities", DefaultPDFMaxEntities, "entities listed per rule in the PDF, the rest counted and left to the XLSX (0 = all)")
	fs.IntVar(&f.mdMax, "md-max-entities", DefaultMarkdownMaxEntities, "entities listed per rule in the Markdown (0 = all)")
	return f
}

// Options are the renderers' options the flags ask for; its errors are usage errors naming
// the flag.
func (f *Flags) Options() (Options, error) {
	o := Options{TemplatesDir: f.templates}
	return o, o.SetEntityCaps(f.pdfMax, f.mdMax)
}

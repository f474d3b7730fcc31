package cucmsim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

const (
	envOpen  = `<?xml version='1.0' encoding='utf-8'?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>`
	envClose = `</soapenv:Body></soapenv:Envelope>`
)

// escape writes s as XML text the way Axis2 does: only &, < and > are escaped; invalid UTF-8 and control characters become U+FFFD.
func escape(b *bytes.Buffer, s string) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '&':
				b.WriteString("&amp;")
			case c == '<':
				b.WriteString("&lt;")
			case c == '>':
				b.WriteString("&gt;")
			case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
				b.WriteString("\uFFFD")
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
}

// elem writes <name>text</name>, or <name/> when text is empty.
func elem(b *bytes.Buffer, name, text string) {
	b.WriteByte('<')
	b.WriteString(name)
	if text == "" {
		b.WriteString("/>")
		return
	}
	b.WriteByte('>')
	escape(b, text)
	b.WriteString("</")
	b.WriteString(name)
	b.WriteByte('>')
}

// soapFault renders a SOAP 1.1 fault; code is the whole faultcode element, detail raw XML.
func soapFault(code, msg, detail string) []byte {
	var b bytes.Buffer
	b.WriteString(envOpen)
	b.WriteString("<soapenv:Fault>")
	b.WriteString(code)
	elem(&b, "faultstring", msg)
	if detail == "" {
		b.WriteString("<detail/>")
	} else {
		b.WriteString("<detail>" + detail + "</detail>")
	}
	b.WriteString("</soapenv:Fault>")
	b.WriteString(envClose)
	return b.Bytes()
}

// bodyElement finds the first child of soapenv:Body and leaves the decoder positioned on it.
func bodyElement(data []byte) (*xml.Decoder, xml.StartElement, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	depth := 0
	inBody := false
	for {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, xml.StartElement{}, errors.New("no SOAP Body element")
			}
			return nil, xml.StartElement{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if inBody {
				return d, t, nil
			}
			if t.Name.Local == "Envelope" && depth == 1 {
				continue
			}
			if t.Name.Local == "Body" && depth == 2 {
				inBody = true
				continue
			}
			if depth == 1 {
				return nil, xml.StartElement{}, errors.New("root element is not a SOAP Envelope")
			}
		case xml.EndElement:
			depth--
			if inBody {
				return nil, xml.StartElement{}, errors.New("empty SOAP Body")
			}
		}
	}
}

// childNames lists the local names of the direct children in an inner XML fragment.
func childNames(inner string) []string {
	d := xml.NewDecoder(strings.NewReader("<x>" + inner + "</x>"))
	var out []string
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return out
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 {
				out = append(out, t.Name.Local)
			}
		case xml.EndElement:
			depth--
		}
	}
}

// likeMatch implements SQL LIKE with % and _ (case-insensitive), as AXL searchCriteria do.
func likeMatch(pattern, s string) bool {
	p, t := []rune(strings.ToLower(pattern)), []rune(strings.ToLower(s))
	var match func(i, j int) bool
	match = func(i, j int) bool {
		for i < len(p) {
			switch p[i] {
			case '%':
				for k := j; k <= len(t); k++ {
					if match(i+1, k) {
						return true
					}
				}
				return false
			case '_':
				if j >= len(t) {
					return false
				}
			default:
				if j >= len(t) || p[i] != t[j] {
					return false
				}
			}
			i++
			j++
		}
		return j == len(t)
	}
	return match(0, 0)
}

// globMatch matches RisPort SelectItems with * wildcards (case-insensitive).
func globMatch(pattern, s string) bool {
	if pattern == "*" || pattern == "" {
		return true
	}
	if !isUpper(pattern) {
		pattern = strings.ToUpper(pattern)
	}
	if !isUpper(s) {
		s = strings.ToUpper(s)
	}
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, last)
}

func isUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' || c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Package render lays out one results.Report as PDF (for management), XLSX (the worklist),
// Markdown (tickets and chat) and JSON (the machine contract). Each format lives in its own files
// behind the Renderer interface; New is the one place that maps a Format to its Renderer. The PDF
// is split at its seams: pdf.go (the document and its text), pdflayout.go (headings, paragraphs,
// tables and their column widths), pdfcharts.go, pdftitle.go (title page and contents),
// pdfsections.go (summary, data quality, findings, waived, appendix) and pdfchanges.go (the
// change-window comparison); the XLSX likewise: xlsx.go (workbook, sheet recorder, tables),
// xlsxsheets.go (one function per sheet) and xlsxcells.go (typed cells).
// WriteAll writes several formats atomically into a folder, named after the cluster and the
// snapshot time, with a manifest holding the SHA-256 of every file.
//
// What the commands print is laid out here too: Output.Print is the one place that picks text
// or JSON, and the text layouts sit in text*.go (analysis results and the quiet one-liners,
// diff, snapshot list and overview, rules). FindReportSets and Prune handle report sets on disk.
//
// Renderers never query the database: what is not in the Report is not in any report.
// Every value from the cluster is treated as hostile: it may hold control characters, markup,
// formula prefixes, table delimiters or runes no font has, and each renderer neutralises what
// would break its format.
package render

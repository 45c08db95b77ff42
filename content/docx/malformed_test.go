package docx

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// malformedFiles are the shapes of issue 28 item 1 that dereferenced nil,
// and their relatives: content controls without content (block, inline,
// in a cell, around a row), mc:AlternateContent with neither Choice nor
// Fallback (or empty ones), controls nested in controls, and markup that
// points at nothing (a hyperlink, a note, a picture, a list, a style).
func malformedFiles(t testing.TB) map[string][]byte {
	rels := relTo("rId9", "image", "media/none.png")
	out := map[string][]byte{}
	for name, body := range map[string]string{
		"empty block sdt":             `<w:sdt><w:sdtPr><w:alias w:val="x"/></w:sdtPr></w:sdt><w:p><w:r><w:t>正文</w:t></w:r></w:p>`,
		"empty inline sdt":            `<w:p><w:sdt><w:sdtPr/></w:sdt><w:r><w:t>正文</w:t></w:r></w:p>`,
		"empty sdt in a cell":         `<w:tbl><w:tr><w:tc><w:sdt/></w:tc></w:tr></w:tbl><w:p><w:r><w:t>正文</w:t></w:r></w:p>`,
		"empty sdt around a row":      `<w:tbl><w:sdt><w:sdtPr/></w:sdt><w:tr><w:sdt/></w:tr></w:tbl>`,
		"empty sdtContent":            `<w:sdt><w:sdtContent/></w:sdt><w:p><w:sdt><w:sdtContent/></w:sdt></w:p>`,
		"empty AlternateContent":      `<mc:AlternateContent/><w:p><mc:AlternateContent/><w:r><mc:AlternateContent/><w:t>正文</w:t></w:r></w:p>`,
		"empty Choice and Fallback":   `<mc:AlternateContent><mc:Choice Requires="wps"/><mc:Fallback/></mc:AlternateContent><w:p><w:r><mc:AlternateContent><mc:Choice/></mc:AlternateContent></w:r></w:p>`,
		"nested controls":             strings.Repeat(`<w:sdt><w:sdtContent>`, 40) + `<w:p>` + strings.Repeat(`<w:sdt><w:sdtContent>`, 40) + `<w:r><w:t>正文</w:t></w:r>` + strings.Repeat(`</w:sdtContent></w:sdt>`, 40) + `</w:p>` + strings.Repeat(`</w:sdtContent></w:sdt>`, 40),
		"controls in a row and cell":  `<w:tbl><w:sdt><w:sdtContent><w:tr><w:sdt><w:sdtContent><w:tc><w:sdt/><w:p><w:r><w:t>格</w:t></w:r></w:p></w:tc></w:sdtContent></w:sdt></w:tr></w:sdtContent></w:sdt></w:tbl>`,
		"pointers to nothing":         `<w:p><w:hyperlink r:id="rId404"><w:r><w:t>链接</w:t></w:r></w:hyperlink><w:r><w:footnoteReference w:id="7"/><w:endnoteReference/></w:r></w:p>`,
		"picture part missing":        `<w:p><w:r><w:drawing><a:blip xmlns:a="x" r:embed="rId9"/></w:drawing></w:r></w:p>`,
		"picture without blip":        `<w:p><w:r><w:drawing/><w:pict/><w:object/></w:r></w:p>`,
		"list and style to nothing":   `<w:p><w:pPr><w:pStyle w:val="nope"/><w:numPr><w:ilvl w:val="99"/><w:numId w:val="5"/></w:numPr></w:pPr><w:r><w:t>一</w:t></w:r></w:p>`,
		"merged cells out of order":   `<w:tbl><w:tr><w:tc><w:tcPr><w:vMerge/><w:gridSpan w:val="-3"/></w:tcPr></w:tc><w:tc><w:tcPr><w:gridSpan w:val="99999999999"/></w:tcPr></w:tc></w:tr></w:tbl>`,
		"fields out of order":         `<w:p><w:r><w:fldChar w:fldCharType="end"/><w:fldChar w:fldCharType="separate"/><w:t>字段</w:t><w:fldChar w:fldCharType="begin"/></w:r></w:p>`,
		"odd symbols and breaks":      `<w:p><w:r><w:sym w:char="zz"/><w:sym w:char="FFFFFFFF"/><w:sym/><w:br w:type="page"/><w:tab/><w:t/></w:r></w:p>`,
		"text box in a text box":      `<w:p><w:r><w:pict><w:txbxContent><w:p><w:r><w:pict><w:txbxContent><w:p><w:r><w:t>框中框</w:t></w:r></w:p></w:txbxContent></w:pict></w:r></w:p></w:txbxContent></w:pict></w:r></w:p>`,
		"math without text":           `<w:p><m:oMath xmlns:m="m"><m:r/><m:f><m:num/></m:f></m:oMath></w:p>`,
		"no body":                     ``,
		"text outside any paragraph":  `<w:r><w:t>游离</w:t></w:r><w:t>字</w:t>`,
		"table without rows or cells": `<w:tbl/><w:tbl><w:tr/></w:tbl><w:tbl><w:tr><w:tc/></w:tr></w:tbl>`,
		"deleted rows and moved text": `<w:tbl><w:tr><w:trPr><w:del/></w:trPr><w:tc><w:p><w:r><w:t>删</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p><w:moveFrom><w:r><w:t>移</w:t></w:r></w:moveFrom></w:p>`,
	} {
		out[name] = zipDocx(t, body, nil, rels)
	}
	out["no document part"] = zipPart(t, "word/other.xml", "<x/>")
	out["document not XML"] = zipPart(t, "word/document.xml", "\x00\x01 not xml <<<")
	out["document without body"] = zipPart(t, "word/document.xml", `<w:document `+wordNS+`/>`)
	out["empty zip"] = zipPart(t, "x", "")[:22]
	// every fixture cut at a few points: truncated zips
	fixtures, _ := filepath.Glob(filepath.Join("testdata", "*.docx"))
	for _, f := range fixtures {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, cut := range []int{4, 100, len(data) / 3, len(data) / 2, len(data) - 30, len(data) - 1} {
			if cut > 0 && cut < len(data) {
				out[filepath.Base(f)+" cut at "+strconv.Itoa(cut)] = data[:cut]
			}
		}
	}
	return out
}

// Issue 28 "Done when": every .docx under testdata and every malformed
// file goes through the importer without a panic; a refusal is one plain
// line; nothing half-converted comes back with an error.
func TestNoPanicOnAnyFile(t *testing.T) {
	files := malformedFiles(t)
	fixtures, _ := filepath.Glob(filepath.Join("testdata", "*.docx"))
	for _, f := range fixtures {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(f)] = data
	}
	for name, data := range files {
		a, err := readNoPanic(t, data)
		var e *Error
		switch {
		case err != nil && !asError(err, &e):
			t.Errorf("%s: %v is not a refusal", name, err)
		case e != nil && e.Code == "internal":
			t.Errorf("%s: the reader failed: %s", name, e.Msg)
		case e != nil && (strings.Contains(e.Msg, "\n") || strings.Contains(e.Msg, "zip:") || strings.Contains(e.Msg, "xml:")):
			t.Errorf("%s: refusal is not one plain line: %q", name, e.Msg)
		case err != nil && a != nil:
			t.Errorf("%s: an article and an error", name)
		}
	}
}

// readNoPanic reads a file with the reader's own recovery turned into a
// test failure: a panic is reported as code internal.
func readNoPanic(t testing.TB, data []byte) (*Article, error) {
	t.Helper()
	return Read(context.Background(), data, DefaultLimits())
}

func asError(err error, e **Error) bool {
	x, ok := err.(*Error)
	*e = x
	return ok
}

// FuzzRead feeds mutated fixtures and malformed files to the reader: it
// must never fail inside (code internal) nor return an unplain refusal.
//
//	go test -run '^$' -fuzz FuzzRead -fuzztime 60s ./content/docx/
func FuzzRead(f *testing.F) {
	for _, data := range malformedFiles(f) {
		if len(data) < 64<<10 {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := Read(context.Background(), data, DefaultLimits())
		if e, ok := err.(*Error); ok && e.Code == "internal" {
			t.Fatalf("the reader failed on this file")
		}
	})
}

// Issue 28 item 6: a file wrapped by a document-security (DLP) system has
// its own line; a truncated file's line has no Go error text.
func TestPlainRefusals(t *testing.T) {
	report, err := os.ReadFile(filepath.Join("testdata", "report.docx"))
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		data       []byte
		code, says string
	}{
		"dlp":       {append([]byte("%TSD-Header-###%\x00\x13\x9a"), report[:4000]...), "dlp", "解密"},
		"truncated": {report[:len(report)/2], "damaged", "不完整"},
	} {
		_, err := Read(context.Background(), c.data, DefaultLimits())
		var e *Error
		if !asError(err, &e) || e.Code != c.code || !strings.Contains(e.Msg, c.says) || strings.Contains(e.Msg, "zip") {
			t.Errorf("%s: %v, want a %s refusal saying %s", name, err, c.code, c.says)
		}
	}
}

package docx

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/internal/measure"
)

const wordNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ` +
	`xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" ` +
	`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`

// zipDocx packs a minimal .docx: word/document.xml holding body, and any
// other parts given (each relationship of the main part named in rels).
func zipDocx(t testing.TB, body string, parts map[string]string, rels ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, data string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, data); err != nil {
			t.Fatal(err)
		}
	}
	add("[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`+
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>`+
		`<Default Extension="xml" ContentType="application/xml"/></Types>`)
	add("_rels/.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`)
	if len(rels) > 0 {
		add("word/_rels/document.xml.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
			strings.Join(rels, "")+`</Relationships>`)
	}
	add("word/document.xml", `<?xml version="1.0" encoding="UTF-8"?><w:document `+wordNS+`><w:body>`+body+`</w:body></w:document>`)
	for name, data := range parts {
		add(name, data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipPart packs a zip of one part.
func zipPart(t testing.TB, name, data string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err == nil {
		_, err = io.WriteString(w, data)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func relTo(id, kind, target string) string {
	return fmt.Sprintf(`<Relationship Id="%s" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/%s" Target="%s"/>`, id, kind, target)
}

// hostile is a file made to cost the reader as much as it can.
type hostile struct {
	name, code string // the refusal it must get
	data       []byte
}

// hostileFiles are the attacks of issue 25: nesting deep enough to
// overflow a recursive walk, a w:t split into millions of tokens, parts
// of millions of elements (alone and five at once), a footnote that cites
// itself and a note cited a hundred thousand times.
func hostileFiles(t testing.TB) []hostile {
	const deep = 1_000_000
	para := `<w:p><w:r><w:t>青山县召开安全生产工作会议。</w:t></w:r></w:p>`
	wide := strings.Repeat(`<w:p><w:pPr><w:jc w:val="both"/></w:pPr></w:p>`, 600_000)
	part := func(root string) string {
		return `<?xml version="1.0"?><w:` + root + ` ` + wordNS + `>` + strings.Repeat(`<w:style w:type="paragraph" w:styleId="a"><w:name w:val="x"/></w:style>`, 250_000) + `</w:` + root + `>`
	}
	notes := `<?xml version="1.0"?><w:footnotes ` + wordNS + `><w:footnote w:id="1"><w:p><w:r><w:t>注</w:t><w:footnoteReference w:id="1"/></w:r></w:p></w:footnote>` +
		`<w:footnote w:id="2">` + strings.Repeat(`<w:p><w:r><w:t>x</w:t></w:r></w:p>`, 2000) + `</w:footnote></w:footnotes>`
	return []hostile{
		{"2.9 million nested ins in a paragraph", "too_complex", zipPart(t, "word/document.xml", `<document xmlns="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><body><p>`+
			strings.Repeat(`<ins>`, 2_900_000)+`<r><t>x</t></r>`+strings.Repeat(`</ins>`, 2_900_000)+`</p></body></document>`)},
		{"nested w:ins in the body, unclosed", "too_complex", zipDocx(t, strings.Repeat(`<w:ins>`, 3*deep), nil)},
		{"nested content controls", "too_complex", zipDocx(t, strings.Repeat(`<w:sdt><w:sdtContent>`, deep/2)+para, nil)},
		{"nested tables", "too_complex", zipDocx(t, strings.Repeat(`<w:tbl><w:tr><w:tc>`, deep/3)+para, nil)},
		{"one w:t of 4 million tokens", "too_long", zipDocx(t, `<w:p><w:r><w:t>`+strings.Repeat(`a<!---->`, 4_000_000)+`</w:t></w:r></w:p>`, nil)},
		{"one w:t of 4.5 million comments", "too_complex", zipDocx(t, `<w:p><w:r><w:t>`+strings.Repeat(`<!---->`, 4_500_000)+`</w:t></w:r></w:p>`, nil)},
		{"an element of 5 million attributes", "too_complex", zipDocx(t, `<w:p `+strings.Repeat(`a="" `, 5_000_000)+`/>`, nil)},
		{"a part of 1.8 million elements", "too_complex", zipDocx(t, wide, nil)},
		{"five parts of 750,000 elements", "too_complex", zipDocx(t, para,
			map[string]string{"word/styles.xml": part("styles"), "word/numbering.xml": part("numbering"), "word/footnotes.xml": part("footnotes"),
				"word/endnotes.xml": part("endnotes")},
			relTo("s", "styles", "styles.xml"), relTo("n", "numbering", "numbering.xml"), relTo("f", "footnotes", "footnotes.xml"), relTo("e", "endnotes", "endnotes.xml"))},
		{"a footnote citing itself, a note cited 100,000 times", "too_long", zipDocx(t,
			`<w:p><w:r><w:footnoteReference w:id="1"/></w:r></w:p><w:p>`+strings.Repeat(`<w:r><w:footnoteReference w:id="2"/></w:r>`, 100_000)+`</w:p>`,
			map[string]string{"word/footnotes.xml": notes}, relTo("f", "footnotes", "footnotes.xml"))},
	}
}

// Issue 25: every hostile file is refused with its code, a line without
// Go error text, within a bounded allocation: nothing is held whole and
// no recursion gets deep (a Go stack overflow would kill the test binary).
func TestHostileFilesRefused(t *testing.T) {
	for _, h := range hostileFiles(t) {
		t.Run(h.name, func(t *testing.T) {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			began := time.Now()
			_, err := Read(context.Background(), h.data, DefaultLimits())
			took := time.Since(began)
			runtime.ReadMemStats(&after)
			var e *Error
			if !errors.As(err, &e) || e.Code != h.code {
				t.Fatalf("%d KB file: %v, want a %s refusal", len(h.data)>>10, err, h.code)
			}
			if strings.Contains(e.Msg, "\n") || strings.Contains(e.Msg, "xml:") || strings.Contains(e.Msg, "runtime") {
				t.Errorf("refusal is not one plain line: %q", e.Msg)
			}
			alloc := float64(after.TotalAlloc-before.TotalAlloc) / (1 << 20)
			t.Logf("%d KB: %s in %v, %.0f MB allocated", len(h.data)>>10, e.Code, took.Round(time.Millisecond), alloc)
			if alloc > 600 {
				t.Errorf("allocated %.0f MB: the file is not bounded", alloc)
			}
		})
	}
}

// A cancelled context stops the conversion: before it starts, and midway
// (the context is cancelled by the reader after the first reads).
func TestReadStopsWhenCancelled(t *testing.T) {
	data := zipDocx(t, strings.Repeat(`<w:p><w:r><w:t>青山县</w:t></w:r></w:p>`, 1000), nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Read(ctx, data, DefaultLimits()); !isCode(err, "cancelled") {
		t.Errorf("cancelled before: %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	r := &cancelAfter{r: bytes.NewReader(data), after: 4, cancel: cancel}
	if _, err := ReadAt(ctx, r, int64(len(data)), DefaultLimits()); !isCode(err, "cancelled") {
		t.Errorf("cancelled midway: %v", err)
	}
	if _, err := Read(context.Background(), data, DefaultLimits()); err != nil {
		t.Errorf("the same file, not cancelled: %v", err)
	}
}

type cancelAfter struct {
	r      io.ReaderAt
	after  int
	cancel func()
}

func (c *cancelAfter) ReadAt(p []byte, off int64) (int, error) {
	if c.after--; c.after == 0 {
		c.cancel()
	}
	return c.r.ReadAt(p, off)
}

func isCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// BenchmarkHostile reads each hostile file and prints the worst time and
// the peak memory (resident, reset before each file) it cost.
//
//	go test -run '^$' -bench Hostile -benchtime 1x ./content/docx/
func BenchmarkHostile(b *testing.B) {
	files := hostileFiles(b)
	for _, h := range files {
		b.Run(strings.ReplaceAll(h.name, " ", "_"), func(b *testing.B) {
			debug.FreeOSMemory()
			resetPeakRSS()
			base := measure.PeakRSS()
			var worst time.Duration
			for i := 0; i < b.N; i++ {
				began := time.Now()
				if _, err := Read(context.Background(), h.data, DefaultLimits()); !isCode(err, h.code) {
					b.Fatalf("%v, want %s", err, h.code)
				}
				worst = max(worst, time.Since(began))
			}
			peak := float64(measure.PeakRSS()) / (1 << 20)
			b.ReportMetric(worst.Seconds()*1000, "worst-ms")
			b.ReportMetric(peak, "peakRSS-MB")
			b.Logf("%s (%d KB): worst %.0f ms, peak RSS %.0f MB (%.0f MB before)", h.name, len(h.data)>>10, worst.Seconds()*1000, peak, float64(base)/(1<<20))
		})
	}
}

// freeAndReset returns freed memory to the system and resets the peak.
func freeAndReset() {
	debug.FreeOSMemory()
	resetPeakRSS()
}

func itoaT(n int) string { return strconv.Itoa(n) }

func readFixture(name string) ([]byte, error) { return os.ReadFile(filepath.Join("testdata", name)) }

// resetPeakRSS resets this process's peak resident size (Linux: writing 5
// to clear_refs), so that each case's peak is its own.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

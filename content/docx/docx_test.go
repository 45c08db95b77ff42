package docx

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/internal/measure"
)

func read(t testing.TB, name string) (*Article, error) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return Read(context.Background(), data, DefaultLimits())
}

// The same report saved again by LibreOffice Writer (its own styles,
// numbering and drawing markup) reads the same way as python-docx's.
func TestLibreOfficeSavedReport(t *testing.T) {
	a, err := read(t, "report-lo.docx")
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "青山县召开2026年安全生产工作会议" {
		t.Errorf("title %q", a.Title)
	}
	if len(a.Order) != 2 {
		t.Errorf("%d pictures, want 2", len(a.Order))
	}
	for _, want := range []string{"<strong>一、总体要求</strong>", "<strong>全面部署</strong>", "<em>县长李明</em>", "<u>强调要压实责任</u>",
		"<li>开展消防安全专项整治</li>", `colspan="2"`, "[1] 数据来源：青山县应急管理局。", `text-align: right">2026年11月20日`} {
		if !strings.Contains(a.HTML, want) {
			t.Errorf("LibreOffice's report lacks %s:\n%s", want, a.HTML)
		}
	}
	for _, s := range a.Order {
		if !strings.Contains(a.HTML, `src="`+s+`"`) {
			t.Errorf("picture %s not in the body", s)
		}
	}
}

// Each refusal has its code; the 200 MB picture of bomb.docx is refused
// after reading at most its limit, not inflated whole.
func TestRefusalsAndLimits(t *testing.T) {
	for name, code := range map[string]string{"legacy.doc": "legacy", "encrypted.docx": "encrypted", "damaged.docx": "damaged",
		"long.docx": "too_long", "bigpicture.docx": "picture", "bomb.docx": "picture"} {
		_, err := read(t, name)
		e, ok := err.(*Error)
		if !ok || e.Code != code {
			t.Errorf("%s: %v, want a %s refusal", name, err, code)
		}
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := read(t, "bomb.docx"); err == nil {
		t.Fatal("bomb.docx accepted")
	}
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("bomb.docx: %.1f MB allocated", float64(alloc)/(1<<20))
	if alloc > 40<<20 {
		t.Errorf("reading bomb.docx allocated %.0f MB: its picture was not capped", float64(alloc)/(1<<20))
	}
	// a tighter budget refuses before the picture limit
	data, _ := os.ReadFile(filepath.Join("testdata", "report.docx"))
	lim := DefaultLimits()
	lim.MaxTotalBytes = 64 << 10
	if _, err := Read(context.Background(), data, lim); err == nil || !IsRefusal(err) {
		t.Errorf("a 64 KB budget: %v", err)
	}
}

// Direct-formatting headings follow GB/T 9704's numbering; a bold sentence
// is not a heading.
func TestDirectHeading(t *testing.T) {
	for text, want := range map[string]int{"一、总体要求": 1, "（二）严格火源管理": 2, "3. 工作步骤": 3, "（1）动员": 4, "第三章 附则": 1,
		"一、会议要求各乡镇、各部门要坚持人民至上。": 0, "全面部署": 0, "2026年11月20日": 0} {
		if got := directHeading(text, true); got != want {
			t.Errorf("directHeading(%q) = %d, want %d", text, got, want)
		}
	}
	if directHeading("一、总体要求", false) != 0 {
		t.Error("a line that is not bold is not a heading")
	}
}

// BenchmarkImportReport20 imports the 20-page report with 10 pictures and
// 10 tables (testdata/report20.docx) and prints its time and memory
// (the target: under 1 s and 100 MB).
//
//	go test -run '^$' -bench ImportReport20 ./content/docx/
func BenchmarkImportReport20(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "report20.docx"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var worst time.Duration
	for i := 0; i < b.N; i++ {
		began := time.Now()
		a, err := Read(context.Background(), data, DefaultLimits())
		if err != nil {
			b.Fatal(err)
		}
		if len(a.Order) != 10 {
			b.Fatalf("%d pictures, want 10", len(a.Order))
		}
		worst = max(worst, time.Since(began))
	}
	b.StopTimer()
	rss := float64(measure.PeakRSS()) / (1 << 20)
	b.ReportMetric(worst.Seconds()*1000, "worst-ms")
	b.ReportMetric(rss, "peakRSS-MB")
	b.Logf("report20.docx (%d KB, 10 pictures): worst %.0f ms per import, peak RSS %.0f MB", len(data)>>10, worst.Seconds()*1000, rss)
}

// A long title on two centred bold lines is one title, left out of the
// body; the centred 文号 below it (not bold) stays in the body.
func TestTwoLineTitle(t *testing.T) {
	a, err := read(t, "twoline.docx")
	if err != nil {
		t.Fatal(err)
	}
	if want := "青山县人民政府办公室关于印发《青山县2027年森林防火工作方案》的通知"; a.Title != want {
		t.Errorf("title %q, want %q", a.Title, want)
	}
	if strings.Contains(a.HTML, "关于印发") || !strings.Contains(a.HTML, `<p style="text-align: center">青政办发〔2026〕12号</p>`) {
		t.Errorf("body: %s", a.HTML)
	}
}

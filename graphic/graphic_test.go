package graphic

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

func samplePolicy(t testing.TB) *Policy {
	t.Helper()
	b, err := os.ReadFile("../configs/policy.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParsePolicy(b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func checkLines(t *testing.T, lines []string, text string, width int, faceSize float64) {
	t.Helper()
	face, _ := Face(faceSize)
	if got := strings.Join(lines, ""); got != strings.ReplaceAll(text, "\n", "") {
		t.Fatalf("characters lost or doubled:\n in: %q\nout: %q", text, got)
	}
	for i, l := range lines {
		if w := lineWidth(face, l).Ceil(); w > width {
			t.Fatalf("line %d %q is %d px wide, box %d", i, l, w, width)
		}
		if l == "" {
			continue
		}
		first, _ := utf8.DecodeRuneInString(l)
		last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(l, " "))
		if i > 0 && forbiddenStart(first) {
			t.Fatalf("line %d starts with %q: %q", i, first, l)
		}
		if i < len(lines)-1 && forbiddenEnd(last) {
			t.Fatalf("line %d ends with %q: %q", i, last, l)
		}
	}
}

// Random mixes of Chinese, ASCII words, numbers and punctuation, at many widths.
func TestBreakLinesRules(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"政", "策", "补", "贴", "农", "户", "申", "请", "，", "。", "、", "；", "：", "（", "）", "「", "」", "《", "》", "“", "”",
		"3000", "2026", "C", "D", "WeChat", " ", "…", "！", "？", "https://www.gov.cn/zhengce/1.htm"}
	face, _ := Face(32)
	for n := 0; n < 400; n++ {
		var b strings.Builder
		run := 0 // real text has at most a few punctuation marks in a row
		for i := 0; i < 5+rng.IntN(120); i++ {
			p := pieces[rng.IntN(len(pieces))]
			r, _ := utf8.DecodeRuneInString(p)
			if forbiddenStart(r) || forbiddenEnd(r) {
				if run == 3 {
					continue
				}
				run++
			} else {
				run = 0
			}
			b.WriteString(p)
		}
		text := b.String()
		width := 200 + rng.IntN(800)
		checkLines(t, BreakLines(face, text, width), text, width, 32)
	}
}

func TestBreakLinesKeepsWordsAndPushesPunctuation(t *testing.T) {
	face, _ := Face(32)
	// Exactly 10 characters fit; the 11th is a full stop: it must not start line 2.
	w := lineWidth(face, strings.Repeat("政", 10)).Ceil()
	lines := BreakLines(face, strings.Repeat("政", 10)+"。后文", w)
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "政。") {
		t.Fatalf("%q", lines)
	}
	// A number stays whole.
	lines = BreakLines(face, strings.Repeat("政", 8)+"30000元", w)
	for _, l := range lines {
		if strings.Contains(l, "3") && !strings.Contains(l, "30000") {
			t.Fatalf("number split: %q", lines)
		}
	}
}

func TestLayoutSample(t *testing.T) {
	p := samplePolicy(t)
	d, err := Layout(p, DefaultTheme("青山发布"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := 0
	for _, pg := range d.Pages {
		for _, b := range pg.Blocks {
			blocks++
			if b.Kind == "point" || b.Kind == "summary" {
				var body []string
				for _, l := range b.Lines {
					if l.Face == "body" {
						body = append(body, l.Text)
					}
				}
				checkLines(t, body, b.Source, TextWidth, 32)
			}
			for _, l := range b.Lines {
				if l.Width > l.BoxWidth {
					t.Fatalf("%s line %q wider than its box", b.Kind, l.Text)
				}
			}
		}
	}
	// banner, summary, 6 points, guide, QR: each on exactly one page.
	if want := 2 + len(p.Points) + 2; blocks != want {
		t.Fatalf("%d blocks across pages, want %d", blocks, want)
	}
}

func TestLongPolicySplitsAtCardBoundaries(t *testing.T) {
	p := samplePolicy(t)
	p.Points = nil
	for i := 0; i < 30; i++ {
		p.Points = append(p.Points, Point{Heading: fmt.Sprintf("第%d项措施", i+1), Text: strings.Repeat("对符合条件的农户给予补助，", 15),
			Figure: &Figure{Label: "补助", Number: fmt.Sprint(1000 * (i + 1)), Unit: "元"}})
	}
	d, err := Layout(p, DefaultTheme("青山发布"))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Pages) < 3 || len(d.Pages) > MaxPages {
		t.Fatalf("%d pages", len(d.Pages))
	}
	seen := 0
	for i, pg := range d.Pages {
		if pg.Height+footerH > MaxPageH {
			t.Fatalf("page %d is %d px tall", i+1, pg.Height+footerH)
		}
		for _, b := range pg.Blocks {
			if b.Kind == "point" {
				seen++
			}
		}
	}
	if seen != 30 {
		t.Fatalf("%d point cards placed, want 30 (each whole, once)", seen)
	}
	pages, err := d.Render()
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range pages {
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("page %d is not a PNG: %v", i+1, err)
		}
		if img.Bounds().Dx() != Width || img.Bounds().Dy() > MaxPageH+contTitleH {
			t.Fatalf("page %d is %v", i+1, img.Bounds())
		}
		if len(b) > MaxPNGBytes {
			t.Fatalf("page %d is %d bytes", i+1, len(b))
		}
	}
}

func TestQRCodeDecodesToThePolicyURL(t *testing.T) {
	p := samplePolicy(t)
	d, err := Layout(p, DefaultTheme("青山发布"))
	if err != nil {
		t.Fatal(err)
	}
	pages, err := d.Render()
	if err != nil {
		t.Fatal(err)
	}
	last, err := png.Decode(bytes.NewReader(pages[len(pages)-1]))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(last)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("no QR code found on the last page: %v", err)
	}
	if res.GetText() != p.URL {
		t.Fatalf("QR says %q, want %q", res.GetText(), p.URL)
	}
	if os.Getenv("HERALD_WRITE_SAMPLE") != "" { // regenerate docs/policy-graphic-sample-*.png
		for i, b := range pages {
			os.WriteFile(fmt.Sprintf("../docs/policy-graphic-sample-%d.png", i+1), b, 0o644)
		}
	}
	_ = image.Point{}
}

func TestPolicyValidation(t *testing.T) {
	cases := map[string]struct{ yaml, want string }{
		"missing title":  {"issuer: 县政府\nsummary: 概述\npoints: [{heading: 要点, text: 说明}]\nurl: https://x.gov.cn/1", "缺少标题"},
		"point too long": {"title: T\nissuer: 县政府\nsummary: 概述\npoints: [{heading: 要点, text: " + strings.Repeat("长", 201) + "}]\nurl: https://x.gov.cn/1", "第1个要点的说明超过200字：当前201字"},
		"not http":       {"title: T\nissuer: 县政府\nsummary: 概述\npoints: [{heading: 要点, text: 说明}]\nurl: ftp://x.gov.cn/1", "不是 http(s) 网址"},
		"unknown key":    {"title: T\ntitel: x\n", "titel"},
		"no points":      {"title: T\nissuer: 县政府\nsummary: 概述\nurl: https://x.gov.cn/1", "至少需要一个要点"},
	}
	for name, c := range cases {
		_, err := ParsePolicy([]byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	md := "---\ntitle: T\nissuer: 县政府\nsummary: 概述\npoints: [{heading: 要点, text: 说明}]\nurl: https://x.gov.cn/1\n---\n正文说明（忽略）\n"
	if _, err := ParsePolicy([]byte(md)); err != nil {
		t.Errorf("markdown front matter: %v", err)
	}
}

// BenchmarkRenderTenPoints lays out and draws a ten-point policy.
//
//	go test -run '^$' -bench RenderTenPoints ./graphic/
func BenchmarkRenderTenPoints(b *testing.B) {
	p := samplePolicy(b)
	for len(p.Points) < 10 {
		p.Points = append(p.Points, p.Points[len(p.Points)%6])
	}
	if _, err := Face(32); err != nil { // the font is parsed once per process
		b.Fatal(err)
	}
	b.ResetTimer()
	pages := 0
	for i := 0; i < b.N; i++ {
		d, err := Layout(p, DefaultTheme("青山发布"))
		if err != nil {
			b.Fatal(err)
		}
		out, err := d.Render()
		if err != nil {
			b.Fatal(err)
		}
		pages = len(out)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/render")
	b.ReportMetric(float64(pages), "pages")
}

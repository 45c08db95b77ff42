package docx

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/herald-gov/herald/internal/measure"
)

// inOrder fails unless every piece is in html, each after the one before.
func inOrder(t *testing.T, html string, pieces ...string) {
	t.Helper()
	at := 0
	for _, p := range pieces {
		i := strings.Index(html[at:], p)
		if i < 0 {
			t.Errorf("%q missing or out of order in:\n%s", p, html)
			return
		}
		at += i + len(p)
	}
}

// Issue 28 item 2: a GB/T 9704 通知 made with python3-docx in its real
// fonts and sizes. The title (2号 方正小标宋简体, centred, not bold) is found
// past the 发文机关标志 and the 发文字号; 一、 in 黑体 and （一） in 楷体 are
// headings; the body keeps its two-character indent (640 twips at 3号);
// the 发文字号 stays centred, the 落款 and 成文日期 right; 附件 names stay.
func TestGongwenFormat(t *testing.T) {
	a, err := read(t, "gongwen.docx")
	if err != nil {
		t.Fatal(err)
	}
	if want := "青山县人民政府办公室关于做好元旦春节期间安全生产工作的通知"; a.Title != want {
		t.Errorf("title %q, want %q", a.Title, want)
	}
	if strings.Contains(a.HTML, "关于做好元旦") {
		t.Error("the title is also in the body")
	}
	inOrder(t, a.HTML, `<p style="text-align: center">青政办发〔2026〕12号</p>`, "<p>各乡镇人民政府，县政府各部门：</p>",
		`<p style="text-indent: 2em">元旦春节将至`, "<h2><strong>一、提高思想认识</strong></h2>", "<h2><strong>二、突出工作重点</strong></h2>",
		"<h3><strong>（一）道路交通安全</strong></h3>", `<p style="text-indent: 2em">加强重点路段巡查`, "<h3><strong>（二）消防安全</strong></h3>",
		"<h2><strong>三、严格值班值守</strong></h2>", "附件：1．青山县节日期间值班安排表", "2．青山县安全生产检查重点单位名单",
		`<p style="text-align: right">青山县人民政府办公室</p>`, `<p style="text-align: right">2026年12月20日</p>`, "（此件公开发布）",
		"附件1", "青山县节日期间值班安排表", `<td style="border: 1px solid">带班领导</td>`)
	if strings.Contains(a.HTML, "justify") || strings.Contains(a.HTML, "3em") {
		t.Errorf("markup that shows nothing, or an indent of the wrong size:\n%s", a.HTML)
	}
}

// Issue 28 items 3 and 5: what Word 2016+ writes (parts.docx) keeps its
// text: the emoji (its Choice requires w16se, so the Fallback is read),
// rows in a repeating section, both text boxes of a group with the table
// and the control inside the second; a table of deleted rows leaves no
// grid; the chart and the two embedded objects (EMF previews stored as
// .bin) are left out with one line naming them and their page.
func TestWordPartsKept(t *testing.T) {
	a, err := read(t, "parts.docx")
	if err != nil {
		t.Fatal(err)
	}
	inOrder(t, a.HTML, "点赞👍青山发布", "<td style=\"border: 1px solid\">乡镇</td>", "城关镇", "张三", "河口乡", "李四", "删除的表格之后",
		"组合图形：", "第一个文本框", "第二个文本框", "<td>框中表格</td>", "框中控件", "第二页", "第三页的图表：", "嵌入的表格1：", "嵌入的表格2：", "结束。")
	if strings.Contains(a.HTML, "已删") || strings.Count(a.HTML, "<table") != 2 || strings.Count(a.HTML, "第一个文本框") != 1 {
		t.Errorf("deleted rows, an empty grid or a text box twice:\n%s", a.HTML)
	}
	want := []string{"Word 文档中第3页的图表、2个嵌入对象未导入，请另行截图插入"}
	if strings.Join(a.Warnings, "|") != strings.Join(want, "|") || len(a.Order) != 0 {
		t.Errorf("warnings %q (pictures %v), want %q", a.Warnings, a.Order, want)
	}
}

// Issue 28 item 4: 16,000 characters of justified paragraphs and a table
// of indented one-paragraph cells fit: no justify, no paragraph style in a
// cell. With a lower limit the refusal says how many characters are text
// and how many markup.
func TestJustifiedDocumentFits(t *testing.T) {
	a, err := read(t, "justify.docx")
	if err != nil {
		t.Fatal(err)
	}
	n := utf8.RuneCountInString(a.HTML)
	t.Logf("text %d, HTML %d characters", a.text, n)
	if a.text < 15000 || n >= 20000 || strings.Contains(a.HTML, "justify") || regexp.MustCompile(`<td[^>]*><p`).MatchString(a.HTML) {
		t.Errorf("text %d, HTML %d: %.300s", a.text, n, a.HTML)
	}
	lim := DefaultLimits()
	lim.MaxChars = a.text + 100
	_, err = Read(context.Background(), mustRead(t, "justify.docx"), lim)
	var e *Error
	if !asError(err, &e) || e.Code != "too_long" || !strings.Contains(e.Msg, "文字 "+itoaT(a.text)+" 字") || !strings.Contains(e.Msg, "排版标记") {
		t.Errorf("refusal %v", err)
	}
}

// Issue 28 item 7: a table of contents is left out, and the heading
// after it is neither the title nor dropped.
func TestTableOfContentsSkipped(t *testing.T) {
	styles := `<?xml version="1.0"?><w:styles ` + wordNS + `><w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/></w:style>` +
		`<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style></w:styles>`
	body := `<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>年度工作报告</w:t></w:r></w:p>` +
		`<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/></w:docPartObj></w:sdtPr><w:sdtContent>` +
		`<w:p><w:r><w:t>目录</w:t></w:r></w:p><w:p><w:pPr><w:pStyle w:val="TOC1"/></w:pPr><w:r><w:t>一、总体情况 1</w:t></w:r></w:p></w:sdtContent></w:sdt>` +
		`<w:p><w:pPr><w:pStyle w:val="TOC1"/></w:pPr><w:r><w:fldChar w:fldCharType="begin"/><w:instrText>TOC \o "1-3"</w:instrText></w:r><w:r><w:t>二、下步打算 2</w:t></w:r></w:p>` +
		`<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>一、总体情况</w:t></w:r></w:p><w:p><w:r><w:t>正文。</w:t></w:r></w:p>`
	a, err := Read(context.Background(), zipDocx(t, body, map[string]string{"word/styles.xml": styles}, relTo("s", "styles", "styles.xml")), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "年度工作报告" || strings.Contains(a.HTML, "目录") || strings.Contains(a.HTML, " 1<") || !strings.Contains(a.HTML, "<h2><strong>一、总体情况</strong></h2><p>正文。</p>") {
		t.Errorf("title %q body %s", a.Title, a.HTML)
	}
	// a document that opens with its table of contents has no title before it
	a, err = Read(context.Background(), zipDocx(t, body[strings.Index(body, "<w:sdt>"):], map[string]string{"word/styles.xml": styles}, relTo("s", "styles", "styles.xml")), DefaultLimits())
	if err != nil || a.Title != "" || !strings.Contains(a.HTML, "一、总体情况</strong></h2>") {
		t.Errorf("TOC first: %v title %q body %s", err, a.Title, a.HTML)
	}
}

// Issue 28 item 5: a picture is known by its bytes: a JPEG stored as .bin
// is imported as a JPEG.
func TestPictureByBytes(t *testing.T) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 40, 30)), nil); err != nil {
		t.Fatal(err)
	}
	body := `<w:p><w:r><w:drawing><a:blip xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" r:embed="rIdP"/></w:drawing></w:r></w:p>`
	a, err := Read(context.Background(), zipDocx(t, body, map[string]string{"word/media/image1.bin": buf.String()}, relTo("rIdP", "image", "media/image1.bin")), DefaultLimits())
	if err != nil || len(a.Order) != 1 || a.Order[0] != "media/image1.jpg" || len(a.Warnings) != 0 {
		t.Fatalf("%v %v %v", err, a, err)
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	data, err := readFixture(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// BenchmarkHugeDocumentXML reads a 100 KB .docx whose document.xml is
// 31 MB of paragraphs: refused as too long as soon as its text passes the
// limit (issue 28 item 8: < 0.5 s, < 100 MB).
//
//	go test -run '^$' -bench HugeDocumentXML -benchtime 3x ./content/docx/
func BenchmarkHugeDocumentXML(b *testing.B) {
	para := `<w:p><w:pPr><w:jc w:val="both"/><w:ind w:firstLine="640"/></w:pPr><w:r><w:rPr><w:rFonts w:eastAsia="仿宋_GB2312"/><w:sz w:val="32"/></w:rPr><w:t>青山县召开安全生产工作会议，全面部署今冬明春安全生产工作。</w:t></w:r></w:p>`
	data := zipDocx(b, strings.Repeat(para, 31<<20/len(para)), nil)
	benchRefusal(b, data, "too_long", "31 MB document.xml")
}

func benchRefusal(b *testing.B, data []byte, code, what string) {
	b.ReportAllocs()
	freeAndReset()
	b.ResetTimer()
	var worst time.Duration
	for i := 0; i < b.N; i++ {
		began := time.Now()
		if _, err := Read(context.Background(), data, DefaultLimits()); !isCode(err, code) {
			b.Fatalf("%v, want %s", err, code)
		}
		worst = max(worst, time.Since(began))
	}
	rss := float64(measure.PeakRSS()) / (1 << 20)
	b.ReportMetric(worst.Seconds()*1000, "worst-ms")
	b.ReportMetric(rss, "peakRSS-MB")
	b.Logf("%s (%d KB .docx): worst %.0f ms, peak RSS %.0f MB", what, len(data)>>10, worst.Seconds()*1000, rss)
}

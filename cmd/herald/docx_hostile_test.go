package main

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

// hostileDocx packs a .docx whose document.xml is body: small zipped,
// costly to a reader that does not bound depth, elements and work.
func hostileDocx(t *testing.T, body string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, `<?xml version="1.0"?><document xmlns="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><body>`+body+`</body></document>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// Issue 25 item 1: Word files built to overflow the stack (2.9 million
// nested w:ins), to cost quadratic CPU (a w:t of millions of tokens) and
// to fill memory (millions of elements) are posted to the running daemon
// through the API while an article is being delivered. Each is refused
// with one plain line, and the daemon lives on: the article reaches both
// platforms and a second one posted after the attacks reaches them too.
func TestHostileDocxDoesNotStopServe(t *testing.T) {
	p := startPlatformEnv(t, "departments:\n  - {id: xwb, name: 新闻办, office: true}\n")
	code, out, errs := p.herald("token", "create", "--json", "--name", "王芳", "--department", "xwb", "--role", "editor")
	if code != 0 {
		t.Fatalf("token create: %d %s", code, errs)
	}
	var tok struct{ Token string }
	if err := json.Unmarshal([]byte(out), &tok); err != nil {
		t.Fatal(err)
	}
	post := func(req map[string]any) (int, string) {
		t.Helper()
		b, _ := json.Marshal(req)
		hr, _ := http.NewRequest("POST", p.d.URL()+"api/v1/items", bytes.NewReader(b))
		hr.Header.Set("Authorization", "Bearer "+tok.Token)
		hr.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(hr)
		if err != nil {
			t.Fatalf("the daemon stopped answering: %v", err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(raw)
	}
	good, err := os.ReadFile(docxFixture("notice.docx"))
	if err != nil {
		t.Fatal(err)
	}
	if code, raw := post(map[string]any{"kind": "article", "targets": "all", "at": "now", "docx": base64.StdEncoding.EncodeToString(good)}); code != 201 {
		t.Fatalf("the good article: %d %s", code, raw)
	}
	const deep = 2_900_000
	attacks := map[string]string{
		"nested w:ins":  `<p>` + strings.Repeat(`<ins>`, deep) + `<r><t>x</t></r>` + strings.Repeat(`</ins>`, deep) + `</p>`,
		"4M tokens":     `<p><r><t>` + strings.Repeat(`a<!---->`, 4_000_000) + `</t></r></p>`,
		"1.5M elements": strings.Repeat(`<p><pPr><jc val="both"/></pPr></p>`, 500_000),
	}
	for name, body := range attacks {
		code, raw := post(map[string]any{"kind": "article", "targets": "all", "at": "now", "title": "攻击", "docx": hostileDocx(t, body)})
		var ans struct {
			Error struct{ Code, Message string }
		}
		_ = json.Unmarshal([]byte(raw), &ans)
		if code != 422 || ans.Error.Message == "" || strings.ContainsAny(ans.Error.Message, "\n") || !strings.Contains(ans.Error.Message, "Word 文档") {
			t.Errorf("%s: %d %s; want 422 and one line about the Word file", name, code, raw)
		}
		t.Logf("%s: %d %s", name, code, ans.Error.Message)
	}
	art, wb, _ := p.published(t)
	if art.Title != "关于做好冬季森林防火工作的通知" || !strings.Contains(wb.Text, "森林防火") {
		t.Errorf("the good article reached WeChat as %q and Weibo as %q", art.Title, wb.Text)
	}
	if code, raw := post(map[string]any{"kind": "article", "targets": "all", "at": "now", "title": "再次发布",
		"docx": base64.StdEncoding.EncodeToString(good)}); code != 201 {
		t.Fatalf("an article after the attacks: %d %s", code, raw)
	}
	waitFor(t, "the second article on WeChat", func() bool {
		wx := p.sb.Snapshot().WeChat["wxapp000"]
		return len(wx.Published) > 1 && wx.Published[len(wx.Published)-1].Title == "再次发布"
	})
}

// Issue 28: a GB/T 9704 通知 and a Word 2016 document with an emoji, a
// repeating section, a group of text boxes, deleted rows, a chart and two
// embedded objects, each added with `post add --docx`, reach WeChat with
// the 公文's title, its headings as headings and every piece of text in
// order; what was left out is named on the command's output.
func TestDocxFormatsReachThePlatforms(t *testing.T) {
	p := startPlatformEnv(t, "")
	code, _, errs := p.herald("post", "add", "--kind", "article", "--docx", docxFixture("gongwen.docx"), "--to", "all", "--at", "now")
	if code != 0 || errs != "" {
		t.Fatalf("post add gongwen.docx: exit %d: %s", code, errs)
	}
	art, _, _ := p.published(t)
	if art.Title != "青山县人民政府办公室关于做好元旦春节期间安全生产工作的通知" {
		t.Errorf("WeChat title %q", art.Title)
	}
	doc := parseHTML(t, art.Content)
	for _, h := range []struct{ text, tag string }{{"一、提高思想认识", "h2"}, {"（一）道路交通安全", "h3"}, {"三、严格值班值守", "h2"}} {
		if !hasAncestor(ancestorsOf(t, doc, h.text), h.tag, "", "") {
			t.Errorf("%s is not an <%s> on WeChat", h.text, h.tag)
		}
	}
	if !hasAncestor(ancestorsOf(t, doc, "2026年12月20日"), "p", "style", "right") {
		t.Error("the 成文日期 is not right-aligned on WeChat")
	}
	text := textOf(doc)
	at := 0
	for _, s := range []string{"青政办发〔2026〕12号", "各乡镇人民政府", "元旦春节将至", "一、提高思想认识", "（二）消防安全", "附件：1．青山县节日期间值班安排表",
		"2．青山县安全生产检查重点单位名单", "青山县人民政府办公室", "2026年12月20日", "附件1", "带班领导"} {
		i := strings.Index(text[at:], s)
		if i < 0 {
			t.Fatalf("%q missing or out of order in what WeChat received: %s", s, text)
		}
		at += i + len(s)
	}

	code, _, errs = p.herald("post", "add", "--kind", "article", "--docx", docxFixture("parts.docx"), "--to", "all", "--at", "now")
	if code != 0 || strings.TrimSpace(errs) != "注意：Word 文档中第3页的图表、2个嵌入对象未导入，请另行截图插入" {
		t.Fatalf("post add parts.docx: exit %d, stderr %q", code, errs)
	}
	waitFor(t, "parts.docx on WeChat", func() bool {
		wx := p.sb.Snapshot().WeChat["wxapp000"]
		return len(wx.Published) == 2
	})
	art = p.sb.Snapshot().WeChat["wxapp000"].Published[1]
	text = textOf(parseHTML(t, art.Content))
	at = 0
	for _, s := range []string{"点赞👍青山发布", "城关镇", "河口乡", "删除的表格之后", "第一个文本框", "第二个文本框", "框中表格", "框中控件", "嵌入的表格2：", "结束。"} {
		i := strings.Index(text[at:], s)
		if i < 0 {
			t.Fatalf("%q missing or out of order in what WeChat received: %s", s, text)
		}
		at += i + len(s)
	}
	if art.Title != "部件测试" || strings.Contains(text, "已删") {
		t.Errorf("title %q, text %s", art.Title, text)
	}
}

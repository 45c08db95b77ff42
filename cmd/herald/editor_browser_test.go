package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/herald-gov/herald/internal/password"
	"github.com/herald-gov/herald/storage"
)

// TestBrowserEditor drives the 撰稿 page's editor in headless chromium under
// the console's CSP: an editor imports report.docx (made by python3-docx),
// types a paragraph, pastes an HTML fragment as Word puts it on the
// clipboard, watches the live previews, and submits; the sandbox WeChat
// account then holds the article with the document's text, formatting,
// table and both pictures re-hosted, the typed and pasted text cleaned, the
// document's title and its first picture as the cover. Screenshot:
// testdata/screenshots/08-editor.png.
func TestBrowserEditor(t *testing.T) {
	shots := screenshotDir(t)
	p := startPlatformEnv(t, "")
	ctx := context.Background()
	hash, err := password.Hash("qingshan-2026")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.d.store.CreateUser(ctx, storage.User{Name: "editor", Department: "", Role: "editor", PasswordHash: hash}, "test"); err != nil {
		t.Fatal(err)
	}
	docxPath, _ := filepath.Abs(docxFixture("report.docx"))

	browser := startChromium(t, ctx, 1400, 1100)
	var mu sync.Mutex
	var consoleErrors []string
	chromedp.ListenTarget(browser, func(ev any) {
		if s := cspViolation(ev); s != "" {
			mu.Lock()
			consoleErrors = append(consoleErrors, s)
			mu.Unlock()
		}
	})
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		c, cancel := context.WithTimeout(browser, 30*time.Second)
		defer cancel()
		if err := chromedp.Run(c, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	base := p.d.URL() + "console"
	run("log in",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(`#name`, chromedp.ByQuery),
		chromedp.SendKeys(`#name`, "editor", chromedp.ByQuery),
		chromedp.SendKeys(`#password`, "qingshan-2026", chromedp.ByQuery),
		chromedp.Submit(`#password`, chromedp.ByQuery),
		chromedp.WaitVisible(`.days`, chromedp.ByQuery))

	const q = `document.getElementById('editor').quill`
	var status, title string
	run("import the .docx into the editor",
		chromedp.Navigate(base+"/compose?kind=article"),
		chromedp.WaitVisible(`#editor .ql-editor`, chromedp.ByQuery),
		chromedp.SetUploadFiles(`#docx`, []string{docxPath}, chromedp.ByQuery),
		chromedp.WaitVisible(`#editor .ql-editor img`, chromedp.ByQuery),
		chromedp.Text(`#docx-status`, &status, chromedp.ByQuery),
		chromedp.Value(`#title`, &title, chromedp.ByQuery))
	if !strings.Contains(status, "2 张图片") || title != "青山县召开2026年安全生产工作会议" {
		t.Fatalf("after the upload: status %q, title %q", status, title)
	}
	run("type a paragraph at the end",
		chromedp.Evaluate(q+`.setSelection(`+q+`.getLength(), 0)`, nil),
		chromedp.KeyEvent("\r"),
		chromedp.KeyEvent("编辑器中输入的结束语。"))
	// what Word puts on the clipboard: mso styles, black runs, <o:p>, and a script
	const pasted = `<p class=MsoNormal style="text-align:center;mso-line-height-alt:12pt"><b><span style="color:windowtext;mso-bidi-font-family:宋体">粘贴的加粗标语</span></b><o:p></o:p></p>` +
		`<p class=MsoNormal style="text-indent:2em"><span style="color:#C00000">粘贴的红色文字</span>和<i>斜体</i></p><script>window.pwned=1</script>`
	run("paste an HTML fragment",
		chromedp.Evaluate(q+`.setSelection(`+q+`.getLength(), 0)`, nil),
		chromedp.Evaluate(`(function(){var dt=new DataTransfer();dt.setData('text/html',`+jsString(pasted)+`);dt.setData('text/plain','x');`+
			q+`.root.dispatchEvent(new ClipboardEvent('paste',{clipboardData:dt,bubbles:true,cancelable:true}));})()`, nil),
		chromedp.Sleep(300*time.Millisecond))
	var weiboText, wechatPreview string
	run("live previews",
		chromedp.WaitVisible(`#live`, chromedp.ByQuery),
		chromedp.Poll(`document.getElementById('live-wechat').innerText.includes('粘贴的红色文字')`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Text(`#live-weibo`, &weiboText, chromedp.ByQuery),
		chromedp.InnerHTML(`#live-wechat`, &wechatPreview, chromedp.ByQuery),
		chromedp.ActionFunc(func(c context.Context) error {
			var buf []byte
			if err := chromedp.FullScreenshot(&buf, 100).Do(c); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, "08-editor.png"), buf, 0o644)
		}))
	if !strings.Contains(weiboText, "青山县召开2026年安全生产工作会议") || !strings.Contains(wechatPreview, "<img") {
		t.Errorf("previews: weibo %q; wechat has no picture: %.200s", weiboText, wechatPreview)
	}
	var itemURL string
	run("submit", chromedp.Click(`#target-all`, chromedp.ByQuery), chromedp.Click(`#submit`, chromedp.ByQuery), chromedp.WaitVisible(`#state`, chromedp.ByQuery), chromedp.Location(&itemURL))
	t.Logf("submitted: %s", itemURL)

	art, _, wx := p.published(t)
	if art.Title != "青山县召开2026年安全生产工作会议" {
		t.Errorf("title %q", art.Title)
	}
	if strings.Contains(art.Content, "\t") || !regexp.MustCompile(`text-indent: ?2em[^>]*>(<[^>]+>)*粘贴的红色文字`).MatchString(art.Content) {
		t.Errorf("the pasted 2-character indent is not kept as 2em without a tab: %s", art.Content)
	}
	doc := parseHTML(t, art.Content)
	text := textOf(doc)
	pos := 0
	for _, s := range []string{"（2026年11月20日）", "一、总体要求", "图为会议现场", "开展消防安全专项整治", "城关镇", "合计（两乡镇）",
		"青山县安全生产委员会办公室", "编辑器中输入的结束语。", "粘贴的加粗标语", "粘贴的红色文字"} {
		i := strings.Index(text[pos:], s)
		if i < 0 {
			t.Fatalf("%q missing or out of order on WeChat: %s", s, art.Content)
		}
		pos += i + len(s)
	}
	for _, c := range []struct{ text, tag, attr, contains string }{
		{"一、总体要求", "strong", "", ""}, {"全面部署", "strong", "", ""}, {"县长李明", "em", "", ""},
		{"强调要压实责任", "u", "", ""}, {"守住安全底线", "span", "style", "color"}, {"开展消防安全专项整治", "ul", "", ""},
		{"动员部署阶段", "ol", "", ""}, {"城关镇", "td", "", ""}, {"青山县安全生产委员会办公室", "p", "style", "text-align: right"},
		{"粘贴的加粗标语", "strong", "", ""}, {"粘贴的加粗标语", "p", "style", "text-align: center"},
		{"粘贴的红色文字", "span", "style", "color"}, {"斜体", "em", "", ""},
	} {
		if !hasAncestor(ancestorsOf(t, doc, c.text), c.tag, c.attr, c.contains) {
			t.Errorf("%q is not inside <%s %s~%q>: %s", c.text, c.tag, c.attr, c.contains, art.Content)
		}
	}
	for _, bad := range []string{"windowtext", "mso-", "MsoNormal", "<script", "pwned", "o:p", "class="} {
		if strings.Contains(art.Content, bad) {
			t.Errorf("the paste was not cleaned: %q reached WeChat", bad)
		}
	}
	media := mediaOf(t, docxFixture("report.docx"))
	want := map[string]bool{}
	for _, h := range media {
		want[h] = true
	}
	srcs := regexpAll(`<img[^>]*src="([^"]+)"`, art.Content)
	if len(srcs) != 2 {
		t.Errorf("%d pictures on WeChat, want the document's 2", len(srcs))
	}
	for _, src := range srcs {
		if !want[wx.BodyImageSHA256[src]] {
			t.Errorf("picture %s is not a re-hosted picture of the document", src)
		}
	}
	if art.ThumbSHA256 != media["word/media/image1.png"] {
		t.Errorf("the cover is not the document's first picture")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(consoleErrors) > 0 {
		t.Errorf("the page broke its CSP: %v", consoleErrors)
	}
}

// cspViolation returns the text of a console message about the
// Content-Security-Policy (a blocked script or style), "" for any other event.
func cspViolation(ev any) string {
	switch e := ev.(type) {
	case *cdplog.EventEntryAdded:
		if strings.Contains(e.Entry.Text, "Content Security Policy") {
			return e.Entry.Text
		}
	case *cdpruntime.EventExceptionThrown:
		return "uncaught exception: " + e.ExceptionDetails.Text + " " + exceptionText(e.ExceptionDetails)
	}
	return ""
}

func exceptionText(d *cdpruntime.ExceptionDetails) string {
	if d.Exception != nil {
		return d.Exception.Description
	}
	return ""
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

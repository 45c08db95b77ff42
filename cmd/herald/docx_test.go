package main

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/graphic"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/queue"
)

// Word fixtures: made by content/docx/testdata/make_fixtures.py
// (python3-docx and LibreOffice).
func docxFixture(name string) string {
	return filepath.Join("..", "..", "content", "docx", "testdata", name)
}

// platformEnv is a running daemon in front of the sandbox platforms.
type platformEnv struct {
	*env
	sb *sandbox.Server
	d  *daemon
}

// startPlatformEnv runs the daemon over one WeChat and one Weibo account;
// extraConfig is appended to the config (review: none unless it says).
func startPlatformEnv(t *testing.T, extraConfig string) *platformEnv {
	t.Helper()
	if !strings.Contains(extraConfig, "review:") {
		extraConfig += "review: {levels: []}\n"
	}
	e := newEnv(t, testenv.Options{WeChat: 1, Weibo: 1, Sandbox: sandbox.Options{Seed: 14},
		YAML: "listen: 127.0.0.1:0\ngraphic: {footer: 青山发布}\n" + extraConfig})
	p := &platformEnv{env: e, sb: e.Sandbox}
	e.startDaemon(func(d *daemon) { p.d = d })
	return p
}

// published waits for the WeChat article and the Weibo post of one item.
func (p *platformEnv) published(t *testing.T) (sandbox.Article, sandbox.WeiboPost, sandbox.WeChatState) {
	t.Helper()
	var wx sandbox.WeChatState
	var wb sandbox.WeiboState
	testenv.Eventually(t, "publication on both platforms", func() bool {
		snap := p.sb.Snapshot()
		wx, wb = snap.WeChat["wxapp000"], snap.Weibo["100000"]
		return len(wx.Published) > 0 && len(wb.Posts) > 0
	})
	return wx.Published[len(wx.Published)-1], wb.Posts[len(wb.Posts)-1], wx
}

// mediaOf returns the sha256 of every picture in a .docx's word/media.
func mediaOf(t *testing.T, path string) map[string]string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string]string{}
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "word/media/") {
			continue
		}
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		sum := sha256.Sum256(b)
		out[f.Name] = hex.EncodeToString(sum[:])
	}
	return out
}

// ancestorsOf finds the text node that is s (else holds s) in parsed HTML and returns its
// ancestors, nearest first.
func ancestorsOf(t *testing.T, doc *html.Node, s string) []*html.Node {
	t.Helper()
	var found *html.Node
	var walk func(n *html.Node, match func(string) bool)
	walk = func(n *html.Node, match func(string) bool) {
		if found != nil {
			return
		}
		if n.Type == html.TextNode && match(n.Data) {
			found = n
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, match)
		}
	}
	walk(doc, func(d string) bool { return strings.TrimSpace(d) == s }) // a whole text first
	walk(doc, func(d string) bool { return strings.Contains(d, s) })
	if found == nil {
		t.Fatalf("%q is not in what the platform received", s)
	}
	var out []*html.Node
	for n := found.Parent; n != nil; n = n.Parent {
		out = append(out, n)
	}
	return out
}

func hasAncestor(anc []*html.Node, tag, attr, contains string) bool {
	for _, n := range anc {
		if n.Type != html.ElementNode || n.Data != tag {
			continue
		}
		if attr == "" {
			return true
		}
		for _, a := range n.Attr {
			if a.Key == attr && strings.Contains(a.Val, contains) {
				return true
			}
		}
	}
	return false
}

func parseHTML(t *testing.T, s string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// The report made by python3-docx, imported with `post add --docx`, reaches
// WeChat with every paragraph in order, its formatting, lists, table,
// footnote and both pictures re-hosted, the Title paragraph as the title
// and the first picture as the cover; Weibo gets the derived text.
func TestDocxImportReachesThePlatforms(t *testing.T) {
	p := startPlatformEnv(t, "")
	code, out, errs := p.herald("post", "add", "--kind", "article", "--docx", docxFixture("report.docx"), "--to", "all", "--at", "now")
	if code != 0 {
		t.Fatalf("post add --docx: exit %d: %s", code, errs)
	}
	t.Logf("item %s", strings.TrimSpace(out))
	art, post, wx := p.published(t)

	const title = "青山县召开2026年安全生产工作会议"
	if art.Title != title {
		t.Errorf("title = %q, want the document's Title paragraph %q", art.Title, title)
	}
	doc := parseHTML(t, art.Content)
	text := textOf(doc)
	if strings.HasPrefix(strings.TrimSpace(text), title) {
		t.Errorf("the title paragraph is repeated at the top of the body: %.80q", text)
	}
	// every paragraph's text, in the document's order
	order := []string{"（2026年11月20日）", "11月20日上午，青山县召开", "全面部署", "今冬明春安全生产工作。", "县长李明", "强调要压实责任", "守住安全底线",
		"一、总体要求", "会议要求，各乡镇、各部门要坚持人民至上", "图为会议现场", "重点任务", "开展消防安全专项整治", "排查道路交通隐患",
		"工作步骤", "动员部署阶段", "排查整治阶段", "总结验收阶段", "各乡镇隐患排查情况如下表：", "乡镇", "排查隐患", "已整改",
		"城关镇", "12", "河口乡", "合计（两乡镇）", "18", "会后，与会人员实地察看了城关镇", "的整改现场。",
		"青山县安全生产委员会办公室", "2026年11月20日", "数据来源：青山县应急管理局。"}
	pos := 0
	for _, s := range order {
		i := strings.Index(text[pos:], s)
		if i < 0 {
			t.Fatalf("%q missing or out of order in what WeChat received (after byte %d): %s", s, pos, art.Content)
		}
		pos += i + len(s)
	}
	checks := []struct {
		text, tag, attr, contains, what string
	}{
		{"一、总体要求", "strong", "", "", "the bold 一、 line is a bold heading"},
		{"一、总体要求", "h2", "", "", "the bold 一、 line is a heading"},
		{"重点任务", "h2", "", "", "Heading 1 is a heading"},
		{"重点任务", "strong", "", "", "Heading 1 is bold"},
		{"工作步骤", "h3", "", "", "Heading 2 is a second-level heading"},
		{"全面部署", "strong", "", "", "bold run"},
		{"县长李明", "em", "", "", "italic run"},
		{"强调要压实责任", "u", "", "", "underlined run"},
		{"守住安全底线", "span", "style", "color", "coloured run"},
		{"（2026年11月20日）", "p", "style", "text-align: center", "centred caption"},
		{"图为会议现场", "p", "style", "text-align: center", "centred caption"},
		{"青山县安全生产委员会办公室", "p", "style", "text-align: right", "right-aligned 落款"},
		{"2026年11月20日", "p", "style", "text-align: right", "right-aligned date"},
		{"11月20日上午", "p", "style", "text-indent: 2em", "first-line indent"},
		{"开展消防安全专项整治", "ul", "", "", "bulleted list"},
		{"排查道路交通隐患", "li", "", "", "bulleted list item"},
		{"动员部署阶段", "ol", "", "", "numbered list"},
		{"城关镇", "td", "", "", "table cell"},
		{"18", "td", "", "", "table cell"},
		{"合计（两乡镇）", "td", "colspan", "2", "merged cell keeps its span"},
	}
	for _, c := range checks {
		if !hasAncestor(ancestorsOf(t, doc, c.text), c.tag, c.attr, c.contains) {
			t.Errorf("%s: %q is not inside <%s %s~%q> in %s", c.what, c.text, c.tag, c.attr, c.contains, art.Content)
		}
	}
	if !strings.Contains(art.Content, "<sup>[1]</sup>") {
		t.Errorf("footnote marker missing: %s", art.Content)
	}
	// pictures: each re-hosted through uploadimg, the bytes of the document's own
	media := mediaOf(t, docxFixture("report.docx"))
	srcs := regexpAll(`<img[^>]*src="([^"]+)"`, art.Content)
	if len(srcs) != len(media) || len(media) != 2 {
		t.Fatalf("WeChat received %d pictures, the document has %d", len(srcs), len(media))
	}
	want := map[string]bool{}
	for _, h := range media {
		want[h] = true
	}
	for _, src := range srcs {
		h, ok := wx.BodyImageSHA256[src]
		if !ok {
			t.Errorf("picture %s is not on WeChat's image host (uploadimg)", src)
		}
		if !want[h] {
			t.Errorf("picture %s is not one of the document's pictures", src)
		}
	}
	if wx.StrippedImages != 0 {
		t.Errorf("WeChat stripped %d pictures", wx.StrippedImages)
	}
	if art.ThumbSHA256 != media["word/media/image1.png"] {
		t.Errorf("the cover is not the document's first picture")
	}
	if !strings.Contains(post.Text, title) {
		t.Errorf("Weibo text %q does not carry the title", post.Text)
	}
}

func regexpAll(pattern, s string) []string {
	var out []string
	for _, m := range regexp.MustCompile(pattern).FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// A document with no picture and a centred bold first paragraph: that
// paragraph is the title, the bold 一、 lines are headings, and the cover is
// the card herald draws from the title in the office's colours.
func TestDocxWithoutPictureGetsACoverCard(t *testing.T) {
	p := startPlatformEnv(t, "")
	if code, _, errs := p.herald("post", "add", "--kind", "article", "--docx", docxFixture("notice.docx"), "--to", "all", "--at", "now"); code != 0 {
		t.Fatalf("post add --docx: exit %d: %s", code, errs)
	}
	art, _, _ := p.published(t)
	const title = "关于做好冬季森林防火工作的通知"
	if art.Title != title {
		t.Fatalf("title = %q, want %q", art.Title, title)
	}
	if strings.Contains(art.Content, title) {
		t.Errorf("the title paragraph is left in the body")
	}
	doc := parseHTML(t, art.Content)
	for _, h := range []string{"一、提高思想认识", "二、严格火源管理"} {
		if a := ancestorsOf(t, doc, h); !hasAncestor(a, "strong", "", "") || !hasAncestor(a, "h2", "", "") {
			t.Errorf("%q is not a bold heading: %s", h, art.Content)
		}
	}
	if !hasAncestor(ancestorsOf(t, doc, "青山县森林防灭火指挥部"), "p", "style", "text-align: right") {
		t.Errorf("the 落款 is not right-aligned")
	}
	cfg, err := configs.Load(p.cfg)
	if err != nil {
		t.Fatal(err)
	}
	theme, err := queue.GraphicTheme(cfg)
	if err != nil {
		t.Fatal(err)
	}
	card, err := graphic.Cover(title, theme)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(card)
	if art.ThumbSHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("the cover is not the card drawn from the title")
	}
}

// Bad Word files are refused with one line saying what to do; nothing is
// added, no image is stored.
func TestDocxRefusals(t *testing.T) {
	e := newEnv(t, cliOptions())
	cases := []struct{ file, says string }{
		{"legacy.doc", "另存为"},
		{"encrypted.docx", "密码"},
		{"damaged.docx", "已损坏"},
		{"long.docx", "拆分"},
		{"bigpicture.docx", "压缩图片"},
		{"bomb.docx", "压缩图片"},
	}
	for _, c := range cases {
		code, out, errs := e.herald("post", "add", "--kind", "article", "--docx", docxFixture(c.file), "--to", "fabu", "--at", "now")
		lines := strings.Split(strings.TrimSpace(errs), "\n")
		if code != 1 || out != "" || len(lines) != 1 || !strings.Contains(errs, c.says) || strings.Contains(errs, "--body-file") || strings.Contains(errs, "zip:") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 1 and one line saying %q", c.file, code, out, errs, c.says)
		}
		t.Logf("%s: %s", c.file, strings.TrimSpace(errs))
	}
	code, out, _ := e.herald("post", "list", "--json")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("refused documents left items: %s", out)
	}
	var files []string
	filepath.WalkDir(filepath.Join(e.dir, "data"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(path, "media") {
			files = append(files, path)
		}
		return nil
	})
	if len(files) != 0 {
		t.Errorf("refused documents left images: %v", files)
	}
}

// `post edit --docx` replaces the body, the title and the cover.
func TestDocxEdit(t *testing.T) {
	e := newEnv(t, cliOptions())
	id := e.addArticle("--to", "fabu", "--at", "now", "--draft")
	code, _, errs := e.herald("post", "edit", "--docx", docxFixture("notice.docx"), fmt.Sprint(id))
	if code != 0 {
		t.Fatalf("post edit --docx: exit %d: %s", code, errs)
	}
	body := e.show(id).Revision.Body
	if !strings.Contains(body, "一、提高思想认识") || strings.Contains(body, "常务会议") {
		t.Errorf("the body is not the document's: %s", body)
	}
	if code, _, errs := e.herald("post", "edit", "--docx", docxFixture("legacy.doc"), fmt.Sprint(id)); code != 1 || !strings.Contains(errs, "另存为") {
		t.Errorf("edit with a .doc: exit %d %q", code, errs)
	}
}

// publish.sign_off: the article that reaches WeChat ends with the 编辑/审核/
// 终审 line from its review record.
func TestSignOffOnArticles(t *testing.T) {
	p := startPlatformEnv(t, "publish: {sign_off: true}\nreview:\n  levels: [初审, 终审]\n  reviewers: {初审: [张敏], 终审: [刘建国]}\n")
	code, out, errs := p.herald("post", "add", "--kind", "article", "--docx", docxFixture("notice.docx"), "--to", "wx000", "--at", "now", "--as", "李文")
	if code != 0 {
		t.Fatalf("post add: exit %d: %s", code, errs)
	}
	id := strings.TrimSpace(out)
	if code, _, errs := p.herald("post", "approve", "--as", "张敏", id); code != 0 {
		t.Fatalf("approve 初审: %s", errs)
	}
	if code, _, errs := p.herald("post", "approve", "--as", "刘建国", "--secrecy-ok", id); code != 0 {
		t.Fatalf("approve 终审: %s", errs)
	}
	testenv.Eventually(t, "the article to be published", func() bool { return len(p.sb.Snapshot().WeChat["wxapp000"].Published) > 0 })
	art := p.sb.Snapshot().WeChat["wxapp000"].Published[0]
	if want := "<p>编辑：李文　审核：张敏　终审：刘建国</p>"; !strings.HasSuffix(art.Content, want) {
		t.Errorf("the article does not end with %s: …%s", want, art.Content[max(0, len(art.Content)-200):])
	}
	if show := p.show(mustInt(id)); strings.Contains(show.Revision.Body, "终审") {
		t.Errorf("the sign-off was written into the approved revision")
	}
}

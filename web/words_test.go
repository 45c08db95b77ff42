package web

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/herald-gov/herald/content"
)

// visibleText is what a reader sees of a page: its text (not scripts or
// styles) and the placeholders and button labels of its fields.
func visibleText(t *testing.T, page string) string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "head":
				return
			case "input":
				for _, a := range n.Attr {
					if a.Key == "placeholder" {
						b.WriteString(a.Val + "\n")
					}
				}
			}
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data + "\n")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return b.String()
}

// internalWords matches what a clerk must never read: state, role and
// audit-action keys, account, department and group ids, and command lines.
func (e *apiEnv) internalWords() *regexp.Regexp {
	var words []string
	for _, s := range content.ItemStates {
		words = append(words, string(s))
	}
	for _, s := range content.DeliveryStates {
		words = append(words, string(s))
	}
	words = append(words, "retracted", "unverified", "admin", "editor", "reviewer", "viewer", "wechat", "weibo")
	for a := range auditActionNames {
		words = append(words, a)
	}
	for _, a := range e.Config.Accounts {
		words = append(words, a.ID)
	}
	for _, d := range e.Config.Departments {
		words = append(words, d.ID)
	}
	for _, g := range e.Config.Groups {
		if g.Title != "" {
			words = append(words, g.Name)
		}
	}
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(`(?:^|[^A-Za-z0-9_-])(` + strings.Join(words, "|") + `)(?:$|[^A-Za-z0-9_-])|herald [a-z]+|group:|--[a-z]|attempt`)
}

// TestConsoleWords visits every console page, with items in every stage of
// their life (draft, in review after a rejection and an edit, cancelled),
// as each role, and fails on any internal word in the text a clerk reads.
func TestConsoleWords(t *testing.T) {
	e := newAPI(t)
	admin, err := e.Store.CreateTokenExpiring(context.Background(), "管理员", "xwb", "admin", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	e.tokens["admin"] = admin
	ids := map[string]string{}
	create := func(name, who string, body map[string]any) {
		code, m, raw := e.do("POST", "/api/v1/items", who, body)
		if code != 201 {
			t.Fatalf("%s: %d %s", name, code, raw)
		}
		ids[name] = fmt.Sprint(m["id"])
	}
	create("reworked", "editor", article("fabu", "<p>县政府召开常务会议，研究部署冬季安全生产工作。</p>"))
	if code, _, raw := e.do("POST", "/api/v1/items/"+ids["reworked"]+"/reject", "reviewer", map[string]any{"comment": "请补充会议时间", "revision": 1}); code != 200 {
		t.Fatalf("reject: %d %s", code, raw)
	}
	if code, _, raw := e.do("POST", "/api/v1/items/"+ids["reworked"]+"/edit", "editor",
		map[string]any{"body": "<p>11月20日，县政府召开常务会议，研究部署冬季安全生产工作。</p>"}); code != 200 {
		t.Fatalf("edit: %d %s", code, raw)
	}
	if code, _, raw := e.do("POST", "/api/v1/items/"+ids["reworked"]+"/submit", "editor", nil); code != 200 {
		t.Fatalf("submit: %d %s", code, raw)
	}
	draft := article("fabu", "<p>草稿</p>")
	draft["draft"] = true
	create("draft", "editor", draft)
	create("cancelled", "scj-editor", article("scj-wx", "<p>市场检查</p>"))
	if code, _, raw := e.do("POST", "/api/v1/items/"+ids["cancelled"]+"/cancel", "scj-editor", nil); code != 200 {
		t.Fatalf("cancel: %d %s", code, raw)
	}

	internal := e.internalWords()
	pages := []string{"/console/calendar", "/console/compose", "/console/compose?kind=graphic", "/console/compose?kind=broadcast",
		"/console/compose?kind=short", "/console/review", "/console/accounts", "/console/stats", "/console/stats/fabu", "/console/stats/scj-wx", "/console/patrol", "/console/policies", "/console/users", "/console/compose?edit=1"}
	for _, id := range ids {
		pages = append(pages, "/console/items/"+id, "/console/review/"+id)
	}
	for _, who := range []string{"admin", "editor", "reviewer", "viewer", "scj-editor"} {
		b := e.browser()
		b.login(e.tokens[who])
		for _, p := range pages {
			code, page := b.get(p)
			if code != 200 && code != 403 && code != 404 {
				t.Fatalf("%s as %s: %d", p, who, code)
			}
			text := regexp.MustCompile(`https?://[^\s）)]+`).ReplaceAllString(visibleText(t, page), "")
			if m := internal.FindStringSubmatch(text); m != nil {
				i := strings.Index(text, m[0])
				t.Errorf("%s as %s shows %q: …%s…", p, who, m[0], text[max(0, i-80):min(len(text), i+80)])
			}
		}
	}
	// The page of the edited item shows what changed since the rejection.
	b := e.browser()
	b.login(e.tokens["reviewer"])
	if _, page := b.get("/console/review/" + ids["reworked"]); !strings.Contains(page, "<ins>11月20日，</ins>") || !strings.Contains(page, "请补充会议时间") {
		t.Fatalf("the review page does not show the change since the rejection:\n%s", page)
	}
}

// TestConsoleEditAndTargets: 撰稿 has no target chosen and refuses a form
// without one; several groups and accounts become one account list; an
// item is edited in the editor (a new revision, back to review) with its
// pictures kept.
func TestConsoleEditAndTargets(t *testing.T) {
	e := newAPI(t)
	ed := e.browser()
	ed.login(e.tokens["editor"])
	if _, page := ed.get("/console/compose"); strings.Contains(page, "checked> 全部账号") || strings.Contains(page, `value="all" id="target-all" checked`) {
		t.Fatal("撰稿 chooses a target by default")
	}
	csrf := ed.csrf("/console/compose")
	if code, page := ed.post("/console/compose", map[string][]string{"csrf": {csrf}, "kind": {"short"}, "body": {"无目标"}, "when": {"now"}}); code != 422 || !strings.Contains(page, "发布到") {
		t.Fatalf("no target: %d", code)
	}
	code, page := ed.post("/console/compose", map[string][]string{"csrf": {csrf}, "kind": {"article"}, "title": {"两个账号"}, "body": {"<p>两个账号的正文</p>"}, "when": {"at"},
		"at_time": {"2099-11-23T09:00"}, "target": {"fabu", "scj-wx"}})
	if code != 200 || !strings.Contains(page, "青山发布") || !strings.Contains(page, "青山市场监管") || !strings.Contains(page, "2099-11-23 09:00") {
		t.Fatalf("two accounts at a time: %d %s", code, visibleText(t, page))
	}
	// Edit an article with a picture in its body: the new revision keeps it.
	_, m, raw := e.do("POST", "/api/v1/items", "editor", map[string]any{"kind": "article", "title": "原标题", "targets": "fabu", "at": "now",
		"body": `<p>原正文</p><p><img src="a.png"></p>`, "body_images": map[string]string{"a.png": coverB64()}, "images": []string{coverB64()}})
	id := fmt.Sprint(m["id"])
	if id == "<nil>" {
		t.Fatalf("create: %s", raw)
	}
	_, form := ed.get("/console/compose?edit=" + id)
	if !strings.Contains(form, "原正文") || !strings.Contains(form, "data:image/png;base64,") || !strings.Contains(form, "保存为新版本") {
		t.Fatalf("edit form: %s", visibleText(t, form))
	}
	body := regexp.MustCompile(`(?s)<textarea id="body" name="body">(.*?)</textarea>`).FindStringSubmatch(form)[1]
	body = html.UnescapeString(body)
	code, page = ed.post("/console/compose", map[string][]string{"csrf": {csrf}, "edit": {id}, "title": {"新标题"},
		"body": {strings.Replace(body, "原正文", "改过的正文", 1)}, "when": {"now"}})
	if code != 200 || !strings.Contains(page, "已保存为新版本") {
		t.Fatalf("edit: %d %s", code, visibleText(t, page))
	}
	n, _ := strconv.ParseInt(id, 10, 64)
	it, err := e.Store.Item(context.Background(), n)
	if err != nil || it.Revision.Number != 2 || it.Revision.Title != "新标题" || !strings.Contains(it.Revision.Body, "改过的正文") ||
		!strings.Contains(it.Revision.Body, content.ImageSrcPrefix) || it.State != content.ItemInReview {
		t.Fatalf("after the edit: %+v %v", it, err)
	}
}

// TestCalendarMonths: 日程 shows a month (this one by default) with links
// to the months before and after; an item appears on its day.
func TestCalendarMonths(t *testing.T) {
	e := newAPI(t)
	b := e.browser()
	b.login(e.tokens["editor"])
	now := time.Now().In(e.Config.Location)
	at := time.Date(now.Year(), now.Month()+1, 10, 9, 0, 0, 0, e.Config.Location)
	body := article("fabu", "<p>下月的稿件</p>")
	body["at"] = at.Format("2006-01-02") + " 09:00"
	body["title"] = "下月的稿件"
	if code, _, raw := e.do("POST", "/api/v1/items", "editor", body); code != 201 {
		t.Fatalf("create: %d %s", code, raw)
	}
	_, page := b.get("/console/calendar")
	if strings.Contains(page, "下月的稿件") || !strings.Contains(page, fmt.Sprintf("%d年%d月", time.Now().In(e.Config.Location).Year(), time.Now().In(e.Config.Location).Month())) {
		t.Fatalf("this month's calendar: %s", visibleText(t, page))
	}
	next := regexp.MustCompile(`href="(/console/calendar\?month=[0-9-]+)[^"]*" id="next-month"`).FindStringSubmatch(page)
	if next == nil {
		t.Fatal("no link to the next month")
	}
	_, page = b.get(next[1])
	if !strings.Contains(page, "下月的稿件") || !strings.Contains(page, fmt.Sprintf("%d年%d月", at.Year(), at.Month())) {
		t.Fatalf("next month's calendar: %s", visibleText(t, page))
	}
}

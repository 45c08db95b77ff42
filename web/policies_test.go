package web

import (
	"context"
	"encoding/json"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

func TestConsolePoliciesPage(t *testing.T) {
	e := newAPI(t)
	ctx := context.Background()
	pid, _, err := e.Store.SavePolicy(ctx, storage.Policy{URL: "https://www.qingshan.gov.cn/zwgk/zcwj/202611/t1.html", Source: "https://www.qingshan.gov.cn/zwgk/zcwj/",
		Title: "青山县人民政府办公室关于印发《青山县2026年农村危房改造实施方案》的通知", Issuer: "青山县人民政府办公室", DocNumber: "青政办发〔2026〕15号",
		PublishedDate: "2026-11-10", Body: "为保障农村低收入群体住房安全，制定本方案。\n一、补助标准\n每户补助3万元。", ContentHash: "h1"})
	if err != nil {
		t.Fatal(err)
	}
	q := e.Queue
	add := func(dept string, kind content.Kind) int64 {
		d := queue.Draft{Kind: kind, Title: "危房改造政策解读", Body: "<p>解读正文，解读正文。</p>", Targets: "fabu", When: "now", KeepDraft: true}
		d.Images = [][]byte{pngFile(40, 30)}
		if kind == content.KindShort {
			d.Body = "短讯"
		}
		if dept == "scj" {
			d.Targets = "scj-wx"
		}
		id, err := q.Add(ctx, queue.Actor{Name: "编辑", Department: dept}, d)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	article, short, other := add("xwb", content.KindArticle), add("xwb", content.KindShort), add("scj", content.KindArticle)

	ed := e.browser()
	ed.login(e.tokens["editor"])
	code, page := ed.get("/console/policies")
	if code != 200 || !strings.Contains(page, "青政办发〔2026〕15号") || !strings.Contains(page, "已逾期") || !strings.Contains(page, `href="/console/policies"`) {
		t.Fatalf("policies page: %d %s", code, page)
	}
	link := "/console/policies/" + strconv.FormatInt(pid, 10) + "/link"
	csrf := ed.csrf("/console/policies")
	for _, c := range []struct {
		item int64
		want string
	}{{short, "只有图文"}} {
		if code, page := ed.post(link, url.Values{"csrf": {csrf}, "item": {strconv.FormatInt(c.item, 10)}}); code != 422 || !strings.Contains(page, c.want) {
			t.Fatalf("link item %d: %d, want 422 with %q", c.item, code, c.want)
		}
	}
	if code, _ := ed.post(link, url.Values{"item": {strconv.FormatInt(article, 10)}}); code != 403 {
		t.Fatalf("link without csrf: %d", code)
	}
	code, page = ed.post(link, url.Values{"csrf": {csrf}, "item": {strconv.FormatInt(article, 10)}})
	if code != 200 || !strings.Contains(page, "已将稿件") || !strings.Contains(page, `href="/console/items/`+strconv.FormatInt(article, 10)+`">解读`) {
		t.Fatalf("link article: %d %s", code, page)
	}
	// A department's clerk links only the department's own items.
	scj := e.browser()
	scj.login(e.tokens["scj-editor"])
	if code, page := scj.post(link, url.Values{"csrf": {scj.csrf("/console/policies")}, "item": {strconv.FormatInt(short, 10)}}); code != 422 || !strings.Contains(page, "不属于您的部门") {
		t.Fatalf("scj links the office's item: %d", code)
	}
	if code, _ := scj.post(link, url.Values{"csrf": {scj.csrf("/console/policies")}, "item": {strconv.FormatInt(other, 10)}}); code != 200 {
		t.Fatalf("scj links its own article: %d", code)
	}
	links, _ := e.Store.PolicyLinks(ctx)
	if len(links[pid]) != 2 || links[pid][0].ItemID != article || links[pid][1].ItemID != other {
		t.Fatalf("links stored: %+v", links)
	}
	code, yaml := ed.get("/console/policies/" + strconv.FormatInt(pid, 10) + "/draft")
	if code != 200 || !strings.Contains(yaml, "title: 青山县2026年农村危房改造实施方案") || !strings.Contains(yaml, "number: \"3\"") {
		t.Fatalf("draft download: %d %s", code, yaml)
	}
	// Make the graphic from the policy's page: the draft, edited, rendered
	// and added as a graphic linked to the policy.
	gpath := "/console/policies/" + strconv.FormatInt(pid, 10) + "/graphic"
	code, form := ed.get(gpath)
	m := regexp.MustCompile(`(?s)<textarea id="yaml" name="yaml"[^>]*>(.*?)</textarea>`).FindStringSubmatch(form)
	if code != 200 || m == nil {
		t.Fatalf("graphic form: %d %s", code, form)
	}
	draft := strings.Replace(html.UnescapeString(m[1]), "title: 青山县2026年农村危房改造实施方案", "title: 一图读懂农村危房改造补助", 1)
	if code, page := ed.post(gpath, url.Values{"csrf": {csrf}, "yaml": {"title: 缺要点\n"}, "targets": {"fabu"}, "at": {"now"}}); code != 422 || !strings.Contains(page, "缺少") {
		t.Fatalf("bad description: %d %s", code, page)
	}
	code, page = ed.post(gpath, url.Values{"csrf": {csrf}, "yaml": {draft}, "targets": {"fabu"}, "at": {"now"}})
	if code != 200 || !strings.Contains(page, "稿件已提交") || !strings.Contains(page, "一图读懂农村危房改造补助") {
		t.Fatalf("graphic from policy: %d %s", code, page)
	}
	links, _ = e.Store.PolicyLinks(ctx)
	gl := links[pid][len(links[pid])-1]
	if gl.Kind != "graphic" || gl.Title != "一图读懂农村危房改造补助" {
		t.Fatalf("graphic link: %+v", gl)
	}
	if it, err := e.Store.Item(ctx, gl.ItemID); err != nil || len(it.Revision.Images) == 0 || it.Revision.SourceURL != "https://www.qingshan.gov.cn/zwgk/zcwj/202611/t1.html" {
		t.Fatalf("graphic item: %v %+v", err, it.Revision)
	}

	// The API lists the same, and takes policy_id when adding an item.
	code, _, raw := e.do("GET", "/api/v1/policies", "viewer", nil)
	var listed []struct {
		ID        int64  `json:"id"`
		DocNumber string `json:"doc_number"`
		Status    string `json:"status"`
		Items     []struct {
			ID   int64  `json:"id"`
			Kind string `json:"kind"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(raw), &listed); code != 200 || err != nil || len(listed) != 1 || listed[0].DocNumber != "青政办发〔2026〕15号" ||
		listed[0].Status != "overdue" || len(listed[0].Items) != 3 {
		t.Fatalf("GET /api/v1/policies: %d %v %s", code, err, raw)
	}
	code, m2, raw := e.do("POST", "/api/v1/items", "editor", map[string]any{"kind": "short", "body": "短讯", "targets": "fabu", "draft": true, "policy_id": pid})
	if code != 422 || !strings.Contains(raw, "只有图文") {
		t.Fatalf("API short linked to a policy: %d %v", code, m2)
	}

	viewer := e.browser()
	viewer.login(e.tokens["viewer"])
	if code, page := viewer.get("/console/policies"); code != 200 || strings.Contains(page, "/link") {
		t.Fatalf("viewer sees the link form: %d", code)
	}
	if code, _ := viewer.get("/console/policies/" + strconv.FormatInt(pid, 10) + "/draft"); code != 403 {
		t.Fatalf("viewer downloads a draft: %d", code)
	}
}

// A 图解 or attachment-only policy says on the 政策 page that it has no text,
// with the names of its pictures or files.
func TestConsolePoliciesPageTellsNoText(t *testing.T) {
	e := newAPI(t)
	ctx := context.Background()
	for _, p := range []storage.Policy{
		{URL: "https://www.qingshan.gov.cn/zcjd/t1.html", Title: "一图读懂《青山县2026年农村危房改造实施方案》", NoText: "picture",
			Attachments: []string{"一图读懂《青山县2026年农村危房改造实施方案》"}, ContentHash: "h1"},
		{URL: "https://www.qingshan.gov.cn/czxx/t2.html", Title: "青山县2026年县级部门预算公开", NoText: "attachment",
			Attachments: []string{"预算公开表.pdf", "“三公”经费预算表.xls"}, ContentHash: "h2"},
	} {
		p.Source = "https://www.qingshan.gov.cn/"
		if _, _, err := e.Store.SavePolicy(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	ed := e.browser()
	ed.login(e.tokens["editor"])
	code, page := ed.get("/console/policies")
	page = html.UnescapeString(page)
	for _, want := range []string{"页面只有图片，没有文字：一图读懂《青山县2026年农村危房改造实施方案》", "页面只有附件，没有文字：预算公开表.pdf、“三公”经费预算表.xls"} {
		if code != 200 || !strings.Contains(page, want) {
			t.Errorf("policies page lacks %q: %d", want, code)
		}
	}
}

package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// 政策 (page and API) shows a department only its own unpublished linked
// items: the news office's draft 解读 is not listed to 市场监管局.
func TestPoliciesShowOnlyOwnUnpublishedItems(t *testing.T) {
	e := newAPI(t)
	ctx := context.Background()
	pid, _, err := e.Store.SavePolicy(ctx, storage.Policy{URL: "https://www.qingshan.gov.cn/zwgk/zcwj/202611/t2.html", Source: "https://www.qingshan.gov.cn/zwgk/zcwj/",
		Title: "关于做好冬季食品安全工作的通知", Issuer: "青山县人民政府办公室", PublishedDate: "2026-11-10", Body: "正文", ContentHash: "h2"})
	if err != nil {
		t.Fatal(err)
	}
	add := func(dept, targets, title string) int64 {
		id, err := e.Queue.Add(ctx, queue.Actor{Name: "编辑", Department: dept}, queue.Draft{Kind: content.KindArticle, Title: title,
			Body: "<p>解读正文。</p>", Images: [][]byte{pngFile(40, 30)}, Targets: targets, When: "now", KeepDraft: true, PolicyID: pid})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	office := add("xwb", "fabu", "新闻办内部草稿解读")
	own := add("scj", "scj-wx", "市场监管局的解读")
	_, _, raw := e.do("GET", "/api/v1/policies", "scj-editor", nil)
	if strings.Contains(raw, "新闻办内部草稿解读") || !strings.Contains(raw, "市场监管局的解读") {
		t.Fatalf("API policies for 市场监管局: %s", raw)
	}
	_, raw = e.browser().loginAnd(e.tokens["scj-editor"], "/console/policies")
	if strings.Contains(raw, "/console/items/"+strconv.FormatInt(office, 10)+`"`) || !strings.Contains(raw, "/console/items/"+strconv.FormatInt(own, 10)+`"`) {
		t.Fatalf("政策 page for 市场监管局 lists the office's draft:\n%s", raw)
	}
	// The office still sees both.
	if _, _, raw := e.do("GET", "/api/v1/policies", "editor", nil); !strings.Contains(raw, "新闻办内部草稿解读") || !strings.Contains(raw, "市场监管局的解读") {
		t.Fatalf("API policies for the office: %s", raw)
	}
}

// /status, open to anyone, has a strict CSP and cannot be framed.
func TestStatusHasCSP(t *testing.T) {
	e := newAPI(t)
	resp, err := http.Get(e.srv.URL + "/status")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != 200 || !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Fatalf("status CSP: %d %q", resp.StatusCode, csp)
	}
}

func (b *browser) loginAnd(token, path string) (int, string) {
	b.t.Helper()
	b.login(token)
	return b.get(path)
}

// The digest (which goes out on WeChat) is shown to the reviewer on the
// review page and on the item page.
func TestReviewerSeesTheDigest(t *testing.T) {
	e := newAPI(t)
	a := article("fabu", "<p>县政府召开常务会议。</p>")
	a["digest"] = "摘要里的一句话审核人也要看到"
	_, m, raw := e.do("POST", "/api/v1/items", "editor", a)
	id, ok := m["id"].(float64)
	if !ok {
		t.Fatalf("create: %s", raw)
	}
	b := e.browser()
	b.login(e.tokens["reviewer"])
	for _, path := range []string{"/console/review/", "/console/items/"} {
		if _, page := b.get(path + strconv.Itoa(int(id))); !strings.Contains(page, "摘要里的一句话审核人也要看到") {
			t.Errorf("%s does not show the digest", path)
		}
	}
}

package policies

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/herald-gov/herald/storage"
)

// mirrorSite serves the county's documents the way real sites link them:
// the list links each as ?from=list (one also without), a second column
// lists one of them under another address, a third lists a 图解 page. Its
// mode turns every document into an error page served with HTTP 200
// ("soft404") or into a notice that the text was withdrawn ("stripped").
type mirrorSite struct {
	srv      *httptest.Server
	mu       sync.Mutex
	mode     string
	requests []string
}

func newMirrorSite(t *testing.T) *mirrorSite {
	m := &mirrorSite{}
	soft404, err := os.ReadFile(filepath.Join("testdata", "real", "soft404.html"))
	if err != nil {
		t.Fatal(err)
	}
	tujie, err := os.ReadFile(filepath.Join("testdata", "real", "hanweb_tujie_picture.html"))
	if err != nil {
		t.Fatal(err)
	}
	m.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		mode := m.mode
		m.requests = append(m.requests, r.URL.RequestURI())
		m.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		doc := func(name string) {
			switch mode {
			case "soft404":
				fmt.Fprint(w, strings.NewReplacer("{{HEAD}}", "", "{{FOOT}}", "").Replace(string(soft404)))
			case "stripped":
				fmt.Fprint(w, `<html><head><title>青山县人民政府文件_青山县人民政府</title></head><body><div class="main"><h1>青山县人民政府文件</h1>
<div id="zoom"><p>本文件已根据有关规定调整公开方式，如需查阅请与青山县人民政府办公室联系，联系电话0731-1111111。</p></div></div></body></html>`)
			default:
				fmt.Fprint(w, sitePage(name, "{{BODY}}", ""))
			}
		}
		switch r.URL.Path {
		case "/zwgk/zcwj/":
			fmt.Fprint(w, `<html><body><ul class="list">
<li class="top"><a href="./202611/t20261110_1001.html">【置顶】青山县人民政府办公室关于印发《青山县2026年农村危房改造实施方案》的通知</a></li>
<li><a href="./202611/t20261110_1001.html?from=list">青山县人民政府办公室关于印发《青山县2026年农村危房改造实施方案》的通知</a></li>
<li><a href="./202610/t20261030_1003.html?from=list&amp;utm_source=wx">关于进一步做好2026年冬春农村困难群众救助工作的通知</a></li>
</ul></body></html>`)
		case "/zwgk/gfxwj/":
			fmt.Fprint(w, `<html><body><ul class="list">
<li><a href="/zwgk/gfxwj/202611/t20261110_1001.html">青山县人民政府办公室关于印发《青山县2026年农村危房改造实施方案》的通知</a></li>
<li><a href="/zwgk/gfxwj/202611/t20261120_1010.html">一图读懂《青山县2026年农村危房改造实施方案》</a></li>
</ul></body></html>`)
		case "/zwgk/zcwj/202611/t20261110_1001.html", "/zwgk/gfxwj/202611/t20261110_1001.html":
			doc("t20261110_1001.html")
		case "/zwgk/zcwj/202610/t20261030_1003.html":
			doc("t20261030_1003.html")
		case "/zwgk/gfxwj/202611/t20261120_1010.html":
			if mode == "" {
				w.Write(tujie)
			} else {
				doc("")
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(m.srv.Close)
	return m
}

func (m *mirrorSite) setMode(mode string) {
	m.mu.Lock()
	m.mode, m.requests = mode, nil
	m.mu.Unlock()
}

// Issue 26 item 6: the same document under several addresses is stored
// once; error pages and pages that lost the document's fields change
// nothing and are reported.
func TestSyncKeysDocumentsAndRefusesPagesThatLostThem(t *testing.T) {
	ctx := context.Background()
	site := newMirrorSite(t)
	dir := t.TempDir()
	st := openStore(t, dir)
	// A policy stored by an earlier herald under its ?from=list address.
	old := site.srv.URL + "/zwgk/zcwj/202610/t20261030_1003.html?from=list"
	oldID, _, err := st.SavePolicy(ctx, storage.Policy{URL: old, Source: site.srv.URL + "/zwgk/zcwj/", Title: "关于进一步做好2026年冬春农村困难群众救助工作的通知",
		DocNumber: "青民发〔2026〕21号", Body: "旧的正文", ContentHash: "old"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, dir, site.srv.URL+"/zwgk/zcwj/", site.srv.URL+"/zwgk/gfxwj/")
	sy := NewSyncer(cfg, st, nil, Options{Delay: 1})

	res, err := sy.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.New) != 2 || len(res.Updated) != 1 || res.Unchanged != 1 || len(res.Problems) != 0 {
		t.Fatalf("first sync: new %v updated %v unchanged %d problems %q; want 2 new (1001, the 图解), 1 updated (1003), 1 unchanged (1001 again)",
			res.New, res.Updated, res.Unchanged, res.Problems)
	}
	if res.Updated[0] != oldID {
		t.Errorf("updated policy %d, want %d (stored under ?from=list)", res.Updated[0], oldID)
	}
	wantNote := site.srv.URL + "/zwgk/gfxwj/202611/t20261120_1010.html：页面只有图片，没有文字，已保存标题等信息和图片名称：一图读懂《青山县2026年农村危房改造实施方案》"
	if len(res.Notes) != 1 || !strings.HasSuffix(res.Notes[0], wantNote) {
		t.Errorf("notes = %q, want one ending %q", res.Notes, wantNote)
	}
	// Each address read once: the ?from=list and plain links are one.
	want := "/zwgk/zcwj/ /zwgk/zcwj/202611/t20261110_1001.html /zwgk/zcwj/202610/t20261030_1003.html " +
		"/zwgk/gfxwj/ /zwgk/gfxwj/202611/t20261110_1001.html /zwgk/gfxwj/202611/t20261120_1010.html"
	if got := strings.Join(site.requests, " "); got != want {
		t.Errorf("requests:\n got %s\nwant %s", got, want)
	}
	all, err := st.Policies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Fatalf("%d policies stored, want 3 (1001, 1003, the 图解): %+v", len(all), all)
	}
	byTitle := map[string]storage.Policy{}
	for _, p := range all {
		full, err := st.Policy(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		byTitle[p.Title] = full
	}
	p1 := byTitle["青山县人民政府办公室关于印发《青山县2026年农村危房改造实施方案》的通知"]
	if p1.URL != site.srv.URL+"/zwgk/zcwj/202611/t20261110_1001.html" || p1.DocNumber != "青政办发〔2026〕15号" {
		t.Errorf("1001 stored as %s %s", p1.URL, p1.DocNumber)
	}
	p3 := byTitle["关于进一步做好2026年冬春农村困难群众救助工作的通知"]
	if p3.ID != oldID || p3.URL != old || !strings.Contains(p3.Body, "摸清底数") {
		t.Errorf("1003 stored as id %d url %s, want id %d under its old address, updated", p3.ID, p3.URL, oldID)
	}
	tj := byTitle["一图读懂《青山县2026年农村危房改造实施方案》"]
	if tj.NoText != "picture" || tj.Body != "" || strings.Join(tj.Attachments, "|") != "一图读懂《青山县2026年农村危房改造实施方案》" || tj.Issuer != "县住建局" {
		t.Errorf("图解 stored as %+v", tj)
	}

	for _, mode := range []string{"soft404", "stripped"} {
		site.setMode(mode)
		res, err := sy.Sync(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.New)+len(res.Updated) != 0 || len(res.Problems) != 4 {
			t.Fatalf("%s: new %v updated %v problems %q; want nothing saved, 4 problems", mode, res.New, res.Updated, res.Problems)
		}
		for _, p := range res.Problems {
			switch mode {
			case "soft404":
				if !strings.HasSuffix(p, "：页面提示文件不存在或已删除（网站仍答复正常），已保存的版本不变") {
					t.Errorf("soft404 problem %q", p)
				}
			case "stripped":
				if !strings.Contains(p, "像是错误页或不完整的页面，已保留已保存的版本") {
					t.Errorf("stripped problem %q", p)
				}
			}
		}
		if mode == "stripped" {
			want := site.srv.URL + "/zwgk/zcwj/202611/t20261110_1001.html：新读到的页面没有了原有的文号（青政办发〔2026〕15号）、没有了原有的索引号（11431100MB1A23456X/2026-01001）、标题变成了「青山县人民政府文件」、正文只剩 53 字（原 613 字），像是错误页或不完整的页面，已保留已保存的版本（政策 "
			if !strings.HasPrefix(res.Problems[0], "政策文件 "+want) {
				t.Errorf("problem:\n got %s\nwant %s…", res.Problems[0], want)
			}
		}
		after, _ := st.Policies(ctx)
		if len(after) != 3 {
			t.Fatalf("%s: %d policies, want 3", mode, len(after))
		}
		for _, p := range after {
			full, _ := st.Policy(ctx, p.ID)
			was := byTitle[p.Title]
			if full.ContentHash != was.ContentHash || full.Body != was.Body || full.DocNumber != was.DocNumber || !full.UpdatedAt.Equal(was.UpdatedAt) {
				t.Errorf("%s changed policy %d (%s)", mode, p.ID, p.Title)
			}
		}
	}
}

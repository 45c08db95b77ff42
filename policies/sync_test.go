package policies

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/herald-gov/herald/storage"
)

func TestSyncReadsTheCountySite(t *testing.T) {
	ctx := context.Background()
	site := newCountySite(t)
	dir := t.TempDir()
	cfg := testConfig(t, dir, site.url("/zwgk/zcwj/"))
	st := openStore(t, dir)
	sy := NewSyncer(cfg, st, nil, Options{Delay: 1})

	res, err := sy.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.New) != 3 || len(res.Updated) != 0 {
		t.Fatalf("first sync: new %v updated %v problems %v; want 3 new", res.New, res.Updated, res.Problems)
	}
	// The only problem is the document that redirects to another host.
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0], "t20261020_1004.html") || !strings.Contains(res.Problems[0], "其他网站") {
		t.Fatalf("problems = %q, want one line refusing the redirect to another host", res.Problems)
	}
	if n := site.otherHit.Load(); n != 0 {
		t.Fatalf("the other host was asked %d times; herald must not read it", n)
	}
	// Only the list and the documents inside it: no navigation, pager,
	// side column or footer link was followed.
	wantPaths := "/zwgk/zcwj/ /zwgk/zcwj/202611/t20261110_1001.html /zwgk/zcwj/202611/t20261105_1002.html " +
		"/zwgk/zcwj/202610/t20261030_1003.html /zwgk/zcwj/202610/t20261020_1004.html"
	if got := strings.Join(site.requests, " "); got != wantPaths {
		t.Errorf("requests:\n got %s\nwant %s", got, wantPaths)
	}
	if len(site.agents) != 1 || !strings.Contains(strings.Join(keys(site.agents), ""), "herald") {
		t.Errorf("User-Agents = %v, want one naming herald", site.agents)
	}
	if site.maxConc.Load() != 1 {
		t.Errorf("at most %d requests at once, want 1", site.maxConc.Load())
	}

	// Meta tags and the 信息公开 table.
	p1 := policyByURL(t, st, site.url("/zwgk/zcwj/202611/t20261110_1001.html"))
	want1 := storage.Policy{Title: "青山县人民政府办公室关于印发《青山县2026年农村危房改造实施方案》的通知", Issuer: "青山县人民政府办公室",
		DocNumber: "青政办发〔2026〕15号", IndexNumber: "11431100MB1A23456X/2026-01001", WrittenDate: "2026-11-08", PublishedDate: "2026-11-10"}
	checkFields(t, p1, want1)
	for _, s := range []string{"为保障农村低收入群体", "（一）D级危房拆除重建。原址或异地新建的，每户补助3万元。", "县住建局村镇建设股 0731-1234567。"} {
		if !strings.Contains(p1.Body, s) {
			t.Errorf("body of 1001 lacks %q:\n%s", s, p1.Body)
		}
	}
	for _, s := range []string{"网站地图", "当前位置", "分享到", "索引号", "政务公开"} {
		if strings.Contains(p1.Body, s) {
			t.Errorf("body of 1001 holds page chrome %q:\n%s", s, p1.Body)
		}
	}
	// The table alone, in a GBK page.
	p2 := policyByURL(t, st, site.url("/zwgk/zcwj/202611/t20261105_1002.html"))
	checkFields(t, p2, storage.Policy{Title: "青山县财政局关于做好2026年度农业保险保费补贴工作的通知", Issuer: "青山县财政局",
		DocNumber: "青财农〔2026〕8号", IndexNumber: "11431100MB1A23456X/2026-01002", WrittenDate: "2026-11-03", PublishedDate: "2026-11-05"})
	// No meta tags, no table: the 文号 only in the text, the issuer and date
	// from the signature, the title from the heading.
	p3 := policyByURL(t, st, site.url("/zwgk/zcwj/202610/t20261030_1003.html"))
	checkFields(t, p3, storage.Policy{Title: "关于进一步做好2026年冬春农村困难群众救助工作的通知", Issuer: "青山县民政局",
		DocNumber: "青民发〔2026〕21号", WrittenDate: "2026-10-28", PublishedDate: "2026-10-30"})

	// Sync again: nothing stored twice, nothing changed.
	before, _ := st.Policies(ctx)
	res, err = sy.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := st.Policies(ctx)
	if len(res.New) != 0 || len(res.Updated) != 0 || res.Unchanged != 3 || len(after) != len(before) {
		t.Fatalf("second sync: new %v updated %v unchanged %d, %d policies (was %d)", res.New, res.Updated, res.Unchanged, len(after), len(before))
	}

	// A new document in the list and a changed page.
	site.mu.Lock()
	site.extra = `<li><a href="./202611/t20261120_1005.html">青山县人力资源和社会保障局关于印发《青山县2026年度就业创业补...</a><span>2026-11-20</span></li>`
	site.body3 = "结合民政部最新要求，"
	site.mu.Unlock()
	res, err = sy.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.New) != 1 || len(res.Updated) != 1 || res.Unchanged != 2 {
		t.Fatalf("third sync: new %v updated %v unchanged %d problems %q", res.New, res.Updated, res.Unchanged, res.Problems)
	}
	if res.Updated[0] != p3.ID {
		t.Errorf("updated policy %d, want %d (the changed page)", res.Updated[0], p3.ID)
	}
	p3b := policyByURL(t, st, p3.URL)
	if !strings.Contains(p3b.Body, "结合民政部最新要求") || p3b.ID != p3.ID {
		t.Errorf("changed page not updated in place: %+v", p3b)
	}
	p5 := policyByURL(t, st, site.url("/zwgk/zcwj/202611/t20261120_1005.html"))
	checkFields(t, p5, storage.Policy{Title: "青山县人力资源和社会保障局关于印发《青山县2026年度就业创业补贴申领办法》的通知",
		Issuer: "青山县人力资源和社会保障局", PublishedDate: "2026-11-20"})
	all, _ := st.Policies(ctx)
	if len(all) != 4 {
		t.Fatalf("%d policies stored, want 4", len(all))
	}
}

func TestBadSourcesReportedOneLineEach(t *testing.T) {
	ctx := context.Background()
	site := newCountySite(t)
	dir := t.TempDir()
	st := openStore(t, dir)
	good := testConfig(t, dir, site.url("/zwgk/zcwj/"))
	if _, err := NewSyncer(good, st, nil, Options{Delay: 1}).Sync(ctx); err != nil {
		t.Fatal(err)
	}
	before, _ := st.Policies(ctx)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/zcwj/"
	ln.Close()
	bad := testConfig(t, dir, closed, site.url("/lxwm/"), site.url("/zwgk/gfxwj/"))
	res, err := NewSyncer(bad, st, nil, Options{Delay: 1}).Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 3 {
		t.Fatalf("problems = %q, want 3 lines", res.Problems)
	}
	for i, want := range []string{closed + "：无法读取", site.url("/lxwm/") + "：页面上找不到政策文件列表", "/zwgk/gfxwj/2026/t1.html：无法读取（HTTP 404"} {
		if !strings.Contains(res.Problems[i], want) || strings.Contains(res.Problems[i], "\n") {
			t.Errorf("problem %d = %q, want one line with %q", i, res.Problems[i], want)
		}
	}
	after, _ := st.Policies(ctx)
	if len(after) != len(before) {
		t.Fatalf("%d policies after bad sources, were %d", len(after), len(before))
	}
	for i := range before {
		if after[i].ContentHash != before[i].ContentHash || !after[i].UpdatedAt.Equal(before[i].UpdatedAt) {
			t.Errorf("policy %d changed by a bad source", before[i].ID)
		}
	}
}

func checkFields(t *testing.T, got, want storage.Policy) {
	t.Helper()
	for _, f := range []struct{ name, got, want string }{
		{"title", got.Title, want.Title}, {"issuer", got.Issuer, want.Issuer}, {"doc_number", got.DocNumber, want.DocNumber},
		{"index_number", got.IndexNumber, want.IndexNumber}, {"written", got.WrittenDate, want.WrittenDate},
		{"published", got.PublishedDate, want.PublishedDate},
	} {
		if f.got != f.want {
			t.Errorf("%s: %s = %q, want %q", got.URL, f.name, f.got, f.want)
		}
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestFeedsAndLinkPattern(t *testing.T) {
	ctx := context.Background()
	site := newCountySite(t)
	dir := t.TempDir()
	st := openStore(t, dir)
	cfg := testConfig(t, dir, site.url("/zwgk/zcwj/rss.xml"), site.url("/zwgk/zcwj/atom.xml"))
	res, err := NewSyncer(cfg, st, nil, Options{Delay: 1}).Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.New) != 3 || len(res.Problems) != 0 || site.otherHit.Load() != 0 {
		t.Fatalf("feeds: new %v problems %q, other host asked %d times", res.New, res.Problems, site.otherHit.Load())
	}
	p2 := policyByURL(t, st, site.url("/zwgk/zcwj/202611/t20261105_1002.html"))
	if p2.DocNumber != "青财农〔2026〕8号" || p2.Source != site.url("/zwgk/zcwj/atom.xml") {
		t.Errorf("from the Atom feed: %+v", p2)
	}

	dir2 := t.TempDir()
	st2 := openStore(t, dir2)
	cfg2 := testConfig(t, dir2, site.url("/zwgk/zcwj/"))
	cfg2.Policies.Sources[0].LinkPattern = `/2026(11)/t\d+_100[12]\.html$`
	site.requests = nil
	res, err = NewSyncer(cfg2, st2, nil, Options{Delay: 1}).Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.New) != 2 || len(res.Problems) != 0 {
		t.Fatalf("link_pattern: new %v problems %q", res.New, res.Problems)
	}
	cfg2.Policies.Sources[0].LinkPattern = `/nothing/`
	res, _ = NewSyncer(cfg2, st2, nil, Options{Delay: 1}).Sync(ctx)
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0], "link_pattern") {
		t.Fatalf("a pattern matching nothing: %q", res.Problems)
	}
}

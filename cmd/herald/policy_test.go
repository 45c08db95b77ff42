package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/graphic"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/policies"
)

// policySite serves two documents of the county-shaped test site
// (policies/testdata/site) under a small 政策文件 list.
func policySite(t *testing.T) *httptest.Server {
	t.Helper()
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "..", "policies", "testdata", "site", name))
		if err != nil {
			t.Fatal(err)
		}
		return strings.NewReplacer("{{HEAD}}", "", "{{FOOT}}", "", "{{BODY}}", "").Replace(string(b))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/zcwj/":
			fmt.Fprint(w, `<html><body><div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开栏目</a></div><ul class="list">
<li><a href="/zcwj/1001.html">青山县人民政府办公室关于印发《青山县2026年农村危房改...</a></li>
<li><a href="/zcwj/1003.html">关于进一步做好2026年冬春农村困难群众救助...</a></li></ul>
<div class="pagination"><a href="/zcwj/index_1.html">下一页</a></div></body></html>`)
		case "/zcwj/1001.html":
			fmt.Fprint(w, read("t20261110_1001.html"))
		case "/zcwj/1003.html":
			fmt.Fprint(w, read("t20261030_1003.html"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// robot is a group-robot webhook that records what it was told.
type robot struct {
	mu   sync.Mutex
	msgs []string
}

func (rb *robot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var m struct {
		Text struct {
			Content string `json:"content"`
		} `json:"text"`
	}
	json.NewDecoder(r.Body).Decode(&m)
	rb.mu.Lock()
	rb.msgs = append(rb.msgs, m.Text.Content)
	rb.mu.Unlock()
	fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`)
}

// all returns the policy reminders the robot got (the daemon tells it
// about publications too).
func (rb *robot) all() []string {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	var out []string
	for _, m := range rb.msgs {
		if strings.Contains(m, "政策解读提醒") {
			out = append(out, m)
		}
	}
	return out
}

type policyJSON struct {
	ID        int64  `json:"id"`
	URL       string `json:"url"`
	Title     string `json:"title"`
	Issuer    string `json:"issuer"`
	DocNumber string `json:"doc_number"`
	Date      string `json:"date"`
	Items     []struct {
		ID    int64  `json:"id"`
		Kind  string `json:"kind"`
		State string `json:"state"`
	} `json:"items"`
	Status string `json:"status"`
}

// The whole loop: sync the site, draft the graphic, publish it linked to
// the policy through the sandbox, and watch the policy's coverage move.
func TestPolicyPipelineThroughTheCLI(t *testing.T) {
	site := policySite(t)
	rb := &robot{}
	hook := httptest.NewServer(rb)
	defer hook.Close()
	e := newEnv(t, testenv.Options{WeChat: 1, Sandbox: sandbox.Options{Seed: 5}, YAML: fmt.Sprintf(`listen: 127.0.0.1:0
review: {levels: []}
reports: {webhook_url: %q}
policies:
  interpret_within: 3
  sources:
    - url: %s/zcwj/
`, hook.URL+"/cgi-bin/webhook/send?key=SECRETKEY", site.URL)})
	sb, dir := e.Sandbox, e.dir

	code, out, errs := e.herald("policy", "sync")
	if code != 0 || !strings.Contains(out, "新增 2") {
		t.Fatalf("policy sync: exit %d: %s %s", code, out, errs)
	}
	code, out, _ = e.herald("policy", "sync")
	if code != 0 || !strings.Contains(out, "新增 0，更新 0，未变 2") {
		t.Fatalf("second policy sync: exit %d: %s", code, out)
	}
	list := func() map[string]policyJSON {
		t.Helper()
		code, out, errs := e.herald("policy", "list", "--json")
		if code != 0 {
			t.Fatalf("policy list: %d %s", code, errs)
		}
		var ps []policyJSON
		if err := json.Unmarshal([]byte(out), &ps); err != nil {
			t.Fatalf("policy list --json: %v\n%s", err, out)
		}
		m := map[string]policyJSON{}
		for _, p := range ps {
			m[strings.TrimPrefix(p.URL, site.URL)] = p
		}
		return m
	}
	ps := list()
	p1 := ps["/zcwj/1001.html"]
	if len(ps) != 2 || p1.Title != "青山县人民政府办公室关于印发《青山县2026年农村危房改造实施方案》的通知" || p1.Issuer != "青山县人民政府办公室" ||
		p1.DocNumber != "青政办发〔2026〕15号" || p1.Date != "2026-11-10" || len(p1.Items) != 0 || p1.Status == "" {
		t.Fatalf("policy list: %+v", ps)
	}

	// Draft the graphic; it renders.
	draft := filepath.Join(dir, "图解.yaml")
	id1 := strconv.FormatInt(p1.ID, 10)
	if code, out, errs := e.herald("policy", "draft", "--out", draft, id1); code != 0 || !strings.Contains(out, "7 个要点") {
		t.Fatalf("policy draft: %d %s %s", code, out, errs)
	}
	if code, _, errs := e.herald("policy", "draft", "--out", draft, id1); code != 1 || !strings.Contains(errs, "已存在") {
		t.Fatalf("policy draft over an existing file: %d %s", code, errs)
	}
	if code, _, errs := e.herald("policy", "draft", "--out", filepath.Join(dir, "x.yaml"), "999"); code != 1 || !strings.Contains(errs, "政策 999 不存在") {
		t.Fatalf("policy draft of an unknown policy: %d %s", code, errs)
	}
	if code, out, errs := e.herald("graphic", "render", "--in", draft, "--out", filepath.Join(dir, "pages")); code != 0 || len(strings.Fields(out)) < 2 {
		t.Fatalf("graphic render of the draft: %d %s %s", code, out, errs)
	}
	b, err := os.ReadFile(draft)
	if err != nil {
		t.Fatal(err)
	}
	gp, err := graphic.ParsePolicy(b)
	if err != nil || gp.Points[1].Figure == nil || gp.Points[1].Figure.Number != "3" || gp.Points[1].Figure.Unit != "万元" {
		t.Fatalf("draft: %v %+v", err, gp)
	}

	// Bad links are refused with one line, nothing added.
	if code, _, errs := e.herald("post", "add", "--kind", "short", "--text", "短讯", "--to", "wx000", "--policy", id1); code != 1 || !strings.Contains(errs, "只有图文") {
		t.Fatalf("short post linked to a policy: %d %s", code, errs)
	}
	if code, _, errs := e.herald("post", "add", "--kind", "graphic", "--from-policy", draft, "--to", "wx000", "--policy", "999"); code != 1 || !strings.Contains(errs, "政策 999 不存在") {
		t.Fatalf("graphic linked to an unknown policy: %d %s", code, errs)
	}
	if code, out, _ := e.herald("post", "list", "--json"); code != 0 || strings.TrimSpace(out) != "[]" {
		t.Fatalf("a refused link left an item: %s", out)
	}

	// The daemon publishes the linked graphic through the sandbox.
	var d *daemon
	e.startDaemon(func(x *daemon) { d = x })
	cfg := e.Config

	// Before: pending within the working days, overdue after (fixed clocks).
	loc := cfg.Location
	views := func(now time.Time) map[int64]policies.View {
		t.Helper()
		vs, err := policies.List(context.Background(), cfg, d.store, now)
		if err != nil {
			t.Fatal(err)
		}
		m := map[int64]policies.View{}
		for _, v := range vs {
			m[v.ID] = v
		}
		return m
	}
	// 2026-11-10 (Tue) + 3 working days = Fri 13th; overdue from Sat 14th.
	if v := views(time.Date(2026, 11, 13, 23, 0, 0, 0, loc))[p1.ID]; v.Status != policies.StatusPending || v.Deadline != "2026-11-13" {
		t.Fatalf("before the deadline: %s (deadline %s), want pending", v.Status, v.Deadline)
	}
	if v := views(time.Date(2026, 11, 14, 0, 0, 0, 0, loc))[p1.ID]; v.Status != policies.StatusOverdue {
		t.Fatalf("after the deadline: %s, want overdue", v.Status)
	}

	code, out, errs = e.herald("post", "add", "--kind", "graphic", "--from-policy", draft, "--to", "wx000", "--at", "now", "--policy", id1)
	if code != 0 {
		t.Fatalf("post add --policy: %d %s", code, errs)
	}
	item := mustInt(strings.TrimSpace(out))
	ps = list()
	if it := ps["/zcwj/1001.html"].Items; len(it) != 1 || it[0].ID != item || it[0].Kind != "graphic" {
		t.Fatalf("linked items: %+v", it)
	}
	testenv.Eventually(t, "the linked graphic to reach the sandbox", func() bool { return len(sb.Snapshot().WeChat["wxapp000"].Published) > 0 })
	pub := sb.Snapshot().WeChat["wxapp000"].Published[0]
	if pub.Title != "青山县2026年农村危房改造实施方案" {
		t.Fatalf("sandbox published %q", pub.Title)
	}
	testenv.Eventually(t, "the policy to be covered once its graphic was published", func() bool {
		return views(time.Date(2026, 11, 20, 0, 0, 0, 0, loc))[p1.ID].Status == policies.StatusCovered
	})
	ps = list()
	if p := ps["/zcwj/1001.html"]; p.Status != "covered" || p.Items[0].State != "done" {
		t.Fatalf("policy list after publication: %+v", p)
	}
	if p := ps["/zcwj/1003.html"]; p.Status != "overdue" {
		t.Fatalf("the other policy: %+v, want overdue (dated 2026-10-30, nothing linked)", p)
	}
	if code, out, _ := e.herald("policy", "list"); code != 0 || !strings.Contains(out, "已解读") || !strings.Contains(out, "已逾期") ||
		!strings.Contains(out, fmt.Sprintf("%d(done)", item)) || !strings.Contains(out, "青政办发〔2026〕15号") {
		t.Fatalf("policy list: %s", out)
	}
	if code, out, _ := e.herald("policy", "list", "--status", "overdue", "--json"); code != 0 || strings.Contains(out, "1001.html") || !strings.Contains(out, "1003.html") {
		t.Fatalf("policy list --status overdue: %s", out)
	}

	// The robot was told once about each policy lacking its 解读/图解, and
	// nothing is repeated while nothing changes.
	msgs := rb.all()
	if len(msgs) != 1 || !strings.Contains(msgs[0], "青山县2026年农村危房改造实施方案") || !strings.Contains(msgs[0], "关于进一步做好2026年冬春农村困难群众救助工作的通知") {
		t.Fatalf("robot messages: %q", msgs)
	}
	if code, _, errs := e.herald("policy", "sync"); code != 0 || len(rb.all()) != 1 {
		t.Fatalf("sync after coverage: %d %s, %d messages", code, errs, len(rb.all()))
	}
}

func TestPolicySyncReportsBadSourcesAndExitsOne(t *testing.T) {
	site := policySite(t)
	e := newEnv(t, testenv.Options{YAML: fmt.Sprintf("policies:\n  sources:\n    - url: %s/nothing/\n    - url: %s/zcwj/\n", site.URL, site.URL)})
	code, out, errs := e.herald("policy", "sync")
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	if code != 1 || len(lines) != 2 || !strings.Contains(lines[0], site.URL+"/nothing/：无法读取（HTTP 404") || !strings.Contains(out, "新增 2") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
}

// serve reads the sources by itself: shortly after start, then every
// policies.interval.
func TestServeSyncsPolicies(t *testing.T) {
	site := policySite(t)
	e := newEnv(t, testenv.Options{YAML: fmt.Sprintf("listen: 127.0.0.1:0\npolicies:\n  interval: 1m\n  sources:\n    - url: %s/zcwj/\n", site.URL)})
	var d *daemon
	e.startDaemon(func(x *daemon) { x.policyFirst = 50 * time.Millisecond; d = x })
	testenv.Eventually(t, "serve to store the site's 2 policies", func() bool {
		ps, err := d.store.Policies(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return len(ps) == 2
	})
	if s := (&startThenEvery{first: time.Unix(100, 0), every: time.Hour}); !s.Next(time.Unix(50, 0)).Equal(time.Unix(100, 0)) || !s.Next(time.Unix(100, 0)).Equal(time.Unix(3700, 0)) {
		t.Fatal("startThenEvery: first at start, then every interval")
	}
}

// The clerk's side of pages herald cannot read as text: a 图解 page is a
// note on stdout and a policy marked 仅图片; an error page served with 200
// and a list drawn by script are one line each on stderr, exit 1; the
// draft of a picture-only policy says what it lacks.
func TestPolicySyncTellsPicturesErrorPagesAndScriptLists(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "..", "policies", "testdata", "real", name))
		if err != nil {
			t.Fatal(err)
		}
		return strings.NewReplacer("{{HEAD}}", "", "{{FOOT}}", "").Replace(string(b))
	}
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/zcjd/":
			fmt.Fprint(w, `<html><body><ul class="list"><li><a href="/zcjd/tujie.html?from=list">一图读懂《青山县2026年农村危房改造实施方案》</a></li>
<li><a href="/zcjd/gone.html?from=list">关于做好2026年春节期间农民工工资支付工作的通知</a></li></ul></body></html>`)
		case "/zcjd/tujie.html":
			fmt.Fprint(w, read("hanweb_tujie_picture.html"))
		case "/zcjd/gone.html":
			fmt.Fprint(w, read("soft404.html"))
		case "/script/":
			fmt.Fprint(w, read("list_script_drawn.html"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer site.Close()
	e := newEnv(t, testenv.Options{YAML: fmt.Sprintf("policies:\n  sources:\n    - url: %s/zcjd/\n    - url: %s/script/\n", site.URL, site.URL)})
	code, out, errs := e.herald("policy", "sync")
	problems := strings.Split(strings.TrimSpace(errs), "\n")
	if code != 1 || len(problems) != 3 ||
		problems[0] != "政策文件 "+site.URL+"/zcjd/gone.html：页面提示文件不存在或已删除（网站仍答复正常），已保存的版本不变" ||
		problems[1] != "政策来源 "+site.URL+"/script/：页面上的列表由脚本生成，网页本身没有文件链接（link_pattern 也读不到），请改用该网站的 RSS 订阅（"+site.URL+"/rss/zcjd.xml）或信息公开目录页面（"+site.URL+"/zwgk/xxgkml/）作为来源，已保存的政策不变" ||
		problems[2] != "herald policy sync: 2 处无法读取或被拒绝（见上），相关的已保存政策不变" {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	wantNote := "政策文件 " + site.URL + "/zcjd/tujie.html：页面只有图片，没有文字，已保存标题等信息和图片名称：一图读懂《青山县2026年农村危房改造实施方案》\n"
	if !strings.HasPrefix(out, wantNote) || !strings.Contains(out, "新增 1") {
		t.Fatalf("stdout %q, want the note first", out)
	}
	code, out, _ = e.herald("policy", "list")
	if code != 0 || !strings.Contains(out, "［仅图片］一图读懂") {
		t.Fatalf("policy list: %d %s", code, out)
	}
	code, out, _ = e.herald("policy", "list", "--json")
	var ps []struct {
		ID          int64    `json:"id"`
		URL         string   `json:"url"`
		Issuer      string   `json:"issuer"`
		Date        string   `json:"date"`
		NoText      string   `json:"no_text"`
		Attachments []string `json:"attachments"`
	}
	if err := json.Unmarshal([]byte(out), &ps); err != nil || len(ps) != 1 {
		t.Fatalf("policy list --json: %v %s", err, out)
	}
	if p := ps[0]; p.URL != site.URL+"/zcjd/tujie.html" || p.NoText != "picture" || p.Issuer != "县住建局" || p.Date != "2026-11-12" ||
		strings.Join(p.Attachments, "|") != "一图读懂《青山县2026年农村危房改造实施方案》" {
		t.Fatalf("policy: %+v", p)
	}
	code, _, errs = e.herald("policy", "draft", "--out", filepath.Join(e.dir, "图解.yaml"), strconv.FormatInt(ps[0].ID, 10))
	if code != 0 || !strings.Contains(errs, "的页面只有图片（一图读懂《青山县2026年农村危房改造实施方案》），没有文字") {
		t.Fatalf("policy draft of a picture: %d %s", code, errs)
	}
}

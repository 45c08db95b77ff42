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
	"sync/atomic"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/storage"
)

// countySite is a local county website in the common shape: a 政策文件 list
// with navigation, breadcrumbs, a side column, a pager and a footer around
// it, truncated titles in the list, and document pages of three kinds.
type countySite struct {
	t        *testing.T
	srv      *httptest.Server
	other    *httptest.Server // another host
	otherHit atomic.Int32

	mu       sync.Mutex
	extra    string // more list entries (a new document)
	body3    string // changes document 1003's text
	requests []string
	agents   map[string]bool
	inFlight atomic.Int32
	maxConc  atomic.Int32
}

func newCountySite(t *testing.T) *countySite {
	s := &countySite{t: t, agents: map[string]bool{}}
	s.other = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.otherHit.Add(1)
		fmt.Fprint(w, "<html><body><h1>其他网站</h1><div class=content><p>不应被读取的页面内容，不应被读取的页面内容。</p></div></body></html>")
	}))
	t.Cleanup(s.other.Close)
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// sitePage is a page of the test site with its navigation and footer.
func sitePage(name string, repl ...string) string {
	b, _ := os.ReadFile(filepath.Join("testdata", "site", name))
	head, _ := os.ReadFile(filepath.Join("testdata", "site", "_chrome_head.html"))
	foot, _ := os.ReadFile(filepath.Join("testdata", "site", "_chrome_foot.html"))
	return strings.NewReplacer(append([]string{"{{HEAD}}", string(head), "{{FOOT}}", string(foot), "{{BODY}}", ""}, repl...)...).Replace(string(b))
}

func (s *countySite) file(name string) string {
	b, err := os.ReadFile(filepath.Join("testdata", "site", name))
	if err != nil {
		s.t.Fatal(err)
	}
	head, _ := os.ReadFile(filepath.Join("testdata", "site", "_chrome_head.html"))
	foot, _ := os.ReadFile(filepath.Join("testdata", "site", "_chrome_foot.html"))
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.NewReplacer("{{HEAD}}", string(head), "{{FOOT}}", string(foot), "{{OTHER}}", s.other.URL,
		"{{EXTRA}}", s.extra, "{{BODY}}", s.body3).Replace(string(b))
}

func (s *countySite) serve(w http.ResponseWriter, r *http.Request) {
	if n := s.inFlight.Add(1); n > s.maxConc.Load() {
		s.maxConc.Store(n)
	}
	defer s.inFlight.Add(-1)
	s.mu.Lock()
	s.requests = append(s.requests, r.URL.Path)
	s.agents[r.UserAgent()] = true
	s.mu.Unlock()
	html := func(name string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, s.file(name))
	}
	switch r.URL.Path {
	case "/zwgk/zcwj/", "/zwgk/zcwj/index.html":
		html("list.html")
	case "/zwgk/zcwj/202611/t20261110_1001.html":
		html("t20261110_1001.html")
	case "/zwgk/zcwj/202611/t20261105_1002.html":
		gbk, err := simplifiedchinese.GBK.NewEncoder().String(s.file("t20261105_1002.gbk.html"))
		if err != nil {
			s.t.Error(err)
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, gbk)
	case "/zwgk/zcwj/202610/t20261030_1003.html":
		html("t20261030_1003.html")
	case "/zwgk/zcwj/202610/t20261020_1004.html":
		http.Redirect(w, r, s.other.URL+"/qzqd/2026.html", http.StatusFound)
	case "/zwgk/zcwj/202611/t20261120_1005.html":
		html("t20261120_1005.html")
	case "/zwgk/zcwj/rss.xml":
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>政策文件</title>
<item><title>青山县人民政府办公室关于印发…</title><link>%[1]s/zwgk/zcwj/202611/t20261110_1001.html</link></item>
<item><title>关于进一步做好…</title><link>%[1]s/zwgk/zcwj/202610/t20261030_1003.html</link></item>
<item><title>市政府</title><link>%[2]s/zcjd/1.html</link></item>
</channel></rss>`, s.srv.URL, s.other.URL)
	case "/zwgk/zcwj/atom.xml":
		w.Header().Set("Content-Type", "application/atom+xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>政策文件</title>
<entry><title>财政局</title><link rel="alternate" href="/zwgk/zcwj/202611/t20261105_1002.html"/></entry></feed>`)
	case "/lxwm/":
		html("notalist.html")
	case "/zwgk/gfxwj/":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><body><ul class="list"><li><a href="/zwgk/gfxwj/2026/t1.html">青山县规范性文件第一号的通知</a></li>
<li><a href="/zwgk/zcwj/202611/t20261110_1001.html">青山县人民政府办公室关于印发实施方案的通知</a></li></ul></body></html>`)
	default:
		http.NotFound(w, r)
	}
}

func (s *countySite) url(path string) string { return s.srv.URL + path }

// testConfig is a config with the given policy sources.
func testConfig(t *testing.T, dir string, sources ...string) *configs.Config {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "data_dir: %s\npolicies:\n  interpret_within: 3\n  sources:\n", dir)
	for _, s := range sources {
		fmt.Fprintf(&b, "    - url: %s\n", s)
	}
	cfg, err := configs.Parse([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func openStore(t *testing.T, dir string) *storage.Store {
	t.Helper()
	st, err := storage.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func policyByURL(t *testing.T, st *storage.Store, u string) storage.Policy {
	t.Helper()
	ps, err := st.Policies(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.URL == u {
			full, err := st.Policy(context.Background(), p.ID)
			if err != nil {
				t.Fatal(err)
			}
			return full
		}
	}
	t.Fatalf("no policy stored for %s", u)
	return storage.Policy{}
}

package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/storage"
)

// emptyDept is webOptions with a department that owns no account.
func emptyDept() testenv.Options {
	o := webOptions()
	o.YAML += "  - {id: dag, name: 档案局}\n"
	return o
}

func TestStatusWithoutLoginShowsNoTitleAccountOrComment(t *testing.T) {
	e := newAPI(t)
	_, m, _ := e.do("POST", "/api/v1/items", "editor", map[string]any{"kind": "article", "title": "关于干部任免的内部通知",
		"body": "<p>正文</p>", "targets": "all", "at": "now", "images": []string{coverB64()}})
	id := itoa(int64(m["id"].(float64)))
	if code, _, raw := e.do("POST", "/api/v1/items/"+id+"/reject", "reviewer", map[string]any{"comment": "第三段涉密，删去", "revision": 1}); code != 200 {
		t.Fatalf("reject: %d %s", code, raw)
	}
	e.do("POST", "/api/v1/items", "scj-editor", map[string]any{"kind": "article", "title": "市场监管局草稿标题",
		"body": "<p>正文</p>", "targets": "scj-wx", "at": "now", "images": []string{coverB64()}})
	code, page := e.browser().get("/status")
	if code != 200 {
		t.Fatalf("status: %d", code)
	}
	for _, secret := range []string{"干部任免", "涉密", "市场监管局草稿", "青山发布", "青山市场监管", "scj-wx", "fabu"} {
		if strings.Contains(page, secret) {
			t.Errorf("the status page shows %q to anyone", secret)
		}
	}
	// It still says how much is in the queue.
	if !regexp.MustCompile(`草稿</td><td class="n">1<`).MatchString(page) || !regexp.MustCompile(`审核中</td><td class="n">1<`).MatchString(page) {
		t.Fatalf("the status page lost its counts:\n%s", page)
	}
}

func TestDepartmentWithoutAccountsGetsNoStatistics(t *testing.T) {
	e := newAPIWith(t, emptyDept())
	ctx := context.Background()
	n := int64(15991)
	if _, err := e.Store.UpsertDailyStats(ctx, []storage.DailyStat{{Account: "fabu", Date: "2026-11-01", Followers: &n},
		{Account: "scj-wx", Date: "2026-11-01", Followers: &n}}); err != nil {
		t.Fatal(err)
	}
	tok, err := e.Store.CreateTokenExpiring(ctx, "档案员", "dag", "viewer", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	e.tokens["dag"] = tok
	for _, format := range []string{"json", "csv"} {
		code, _, raw := e.do("GET", "/api/v1/stats?from=2026-11-01&to=2026-11-02&format="+format, "dag", nil)
		if code != 200 || strings.Contains(raw, "fabu") || strings.Contains(raw, "15991") {
			t.Fatalf("API %s for a department with no accounts: %d %s", format, code, raw)
		}
	}
	b := e.browser()
	b.login(tok)
	if code, raw := b.get("/console/export?from=2026-11-01&to=2026-11-02&format=csv"); code != 200 || strings.Contains(raw, "fabu") || strings.Contains(raw, "15991") {
		t.Fatalf("console export for a department with no accounts: %d %s", code, raw)
	}
	// The office still gets every account.
	code, _, raw := e.do("GET", "/api/v1/stats?from=2026-11-01&to=2026-11-02", "viewer", nil)
	var rows []storage.DailyStat
	if code != 200 || json.Unmarshal([]byte(raw), &rows) != nil || len(rows) != 2 {
		t.Fatalf("office stats: %d %s", code, raw)
	}
}

func TestMediaIsScopedToTheDepartment(t *testing.T) {
	e := newAPI(t)
	_, m, raw := e.do("POST", "/api/v1/items", "editor", article("fabu", "<p>正文</p>"))
	if m["id"] == nil {
		t.Fatal(raw)
	}
	full, err := e.Store.Item(context.Background(), int64(m["id"].(float64)))
	if err != nil || len(full.Revision.Images) == 0 {
		t.Fatalf("item: %v %+v", err, full.Revision)
	}
	path := "/console/media/" + full.Revision.Images[0].SHA256
	office := e.browser()
	office.login(e.tokens["viewer"])
	if code, _ := office.get(path); code != 200 {
		t.Fatalf("the office cannot see its own image: %d", code)
	}
	dept := e.browser()
	dept.login(e.tokens["scj-editor"])
	if code, body := dept.get(path); code != 404 || strings.Contains(body, "PNG") {
		t.Fatalf("another department got the office's image: %d", code)
	}
	if code, _ := dept.get("/console/media/" + strings.Repeat("0", 64)); code != 404 {
		t.Fatalf("missing image: %d", code)
	}
}

// Reviewers see the body's images on the item page.
func TestItemPageShowsBodyImages(t *testing.T) {
	e := newAPI(t)
	code, m, raw := e.do("POST", "/api/v1/items", "editor", map[string]any{"kind": "article", "title": "县政府常务会议",
		"body": `<p>会场</p><img src="photos/1.png">`, "targets": "all", "at": "now", "images": []string{coverB64()},
		"body_images": map[string]string{"photos/1.png": base64.StdEncoding.EncodeToString(pngFile(31, 17))}})
	if code != 201 {
		t.Fatalf("%d %s", code, raw)
	}
	full, err := e.Store.Item(context.Background(), int64(m["id"].(float64)))
	if err != nil {
		t.Fatal(err)
	}
	body := full.Revision.ImagesByRole("body")
	if len(body) != 1 {
		t.Fatalf("body images: %+v", full.Revision.Images)
	}
	b := e.browser()
	b.login(e.tokens["reviewer"])
	_, page := b.get("/console/items/" + itoa(full.ID))
	if !strings.Contains(page, `<img src="/console/media/`+body[0].SHA256+`"`) {
		t.Fatalf("the item page does not show the body image:\n%s", page)
	}
	if code, _ := b.get("/console/media/" + body[0].SHA256); code != 200 {
		t.Fatalf("the body image does not load: %d", code)
	}
}

// The CSRF token counts only in the form body, never in the URL (where it
// would leak through logs and Referer headers).
func TestCSRFTokenOnlyFromTheFormBody(t *testing.T) {
	e := newAPI(t)
	_, m, _ := e.do("POST", "/api/v1/items", "editor", article("all", "<p>正文</p>"))
	id := itoa(int64(m["id"].(float64)))
	r := e.browser()
	r.login(e.tokens["reviewer"])
	tok := r.csrf("/console/review")
	if code, _ := r.post("/console/review/"+id+"?csrf="+url.QueryEscape(tok), url.Values{"action": {"approve"}}); code != 403 {
		t.Fatalf("a CSRF token in the query string was accepted: %d", code)
	}
	if code, _ := r.post("/console/review/"+id, url.Values{"action": {"approve"}, "revision": {"1"}, "csrf": {tok}}); code != 200 {
		t.Fatalf("the token in the form body: %d", code)
	}
}

var itemNumbers = regexp.MustCompile(`稿件 \d+|items/\d+`)

// Another department's item is answered exactly like a missing one.
func TestOtherDepartmentsItemLooksMissing(t *testing.T) {
	e := newAPI(t)
	_, m, _ := e.do("POST", "/api/v1/items", "editor", article("all", "<p>正文</p>"))
	id := int64(m["id"].(float64))
	missing := id + 1000
	codeA, _, rawA := e.do("GET", "/api/v1/items/"+itoa(id), "scj-editor", nil)
	codeB, _, rawB := e.do("GET", "/api/v1/items/"+itoa(missing), "scj-editor", nil)
	if codeA != codeB || itemNumbers.ReplaceAllString(rawA, "N") != itemNumbers.ReplaceAllString(rawB, "N") {
		t.Fatalf("other department's item: %d %s; missing item: %d %s", codeA, rawA, codeB, rawB)
	}
	b := e.browser()
	b.login(e.tokens["scj-editor"])
	codeA, pageA := b.get("/console/items/" + itoa(id))
	codeB, pageB := b.get("/console/items/" + itoa(missing))
	if codeA != codeB || itemNumbers.ReplaceAllString(pageA, "N") != itemNumbers.ReplaceAllString(pageB, "N") {
		t.Fatalf("console: %d vs %d\n%s\n----\n%s", codeA, codeB, pageA, pageB)
	}
}

// The session cookie is Secure behind a TLS proxy: by http.secure_cookies,
// or when a trusted proxy says X-Forwarded-Proto: https (and only then).
func TestSessionCookieSecureBehindProxy(t *testing.T) {
	cookieSecure := func(e *apiEnv, forwarded string) bool {
		req, _ := http.NewRequest("GET", e.srv.URL+"/console/login", nil)
		if forwarded != "" {
			req.Header.Set("X-Forwarded-Proto", forwarded)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		cs := resp.Cookies()
		if len(cs) == 0 {
			t.Fatal("no cookie")
		}
		return cs[0].Secure
	}
	plain := newAPI(t)
	if cookieSecure(plain, "") || cookieSecure(plain, "https") {
		t.Fatal("Secure without TLS, setting or trusted proxy (X-Forwarded-Proto from anyone)")
	}
	o := webOptions()
	o.YAML += "http: {secure_cookies: true}\n"
	set := newAPIWith(t, o)
	if !cookieSecure(set, "") {
		t.Fatal("http.secure_cookies did not make the cookie Secure")
	}
	o = webOptions()
	o.YAML += "http: {trusted_proxies: [127.0.0.1]}\n"
	proxied := newAPIWith(t, o)
	if !cookieSecure(proxied, "https") || cookieSecure(proxied, "") {
		t.Fatal("a trusted proxy's X-Forwarded-Proto was not followed")
	}
}

// A trusted proxy carries many users' connections: the per-address cap
// does not apply to it.
func TestTrustedProxyIsNotCapped(t *testing.T) {
	for _, tc := range []struct {
		proxies []string
		served  bool
	}{{nil, false}, {[]string{"127.0.0.0/8"}, true}} {
		cfg := testenv.New(t, webOptions()).Config
		cfg.Listen, cfg.HTTP.MaxConnsPerIP, cfg.HTTP.TrustedProxies = "127.0.0.1:0", 1, tc.proxies
		ln, err := Listen(cfg)
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })}
		go srv.Serve(ln)
		first, _ := net.Dial("tcp", ln.Addr().String())
		second, _ := net.Dial("tcp", ln.Addr().String())
		fmt.Fprintf(second, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		second.SetReadDeadline(time.Now().Add(3 * time.Second))
		b, _ := io.ReadAll(second)
		if served := len(b) > 0; served != tc.served {
			t.Errorf("proxies %v: second connection served = %v", tc.proxies, served)
		}
		first.Close()
		second.Close()
		srv.Close()
	}
}

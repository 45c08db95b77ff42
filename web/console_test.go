package web

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// browser is a cookie-keeping client that follows the console's forms.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func (e *apiEnv) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: e.t, base: e.srv.URL, c: &http.Client{Jar: jar}}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (b *browser) csrf(path string) string {
	b.t.Helper()
	_, page := b.get(path)
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatalf("no csrf field on %s", path)
	}
	return m[1]
}

func (b *browser) post(path string, form url.Values) (int, string) {
	b.t.Helper()
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (b *browser) login(token string) {
	b.t.Helper()
	code, page := b.post("/console/login", url.Values{"csrf": {b.csrf("/console/login")}, "token": {token}})
	if code != 200 || !strings.Contains(page, "日程") {
		b.t.Fatalf("login: %d %s", code, page[:min(300, len(page))])
	}
}

func pngFile(w, h int) []byte {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, w, h)))
	return buf.Bytes()
}

func TestConsoleLoginComposeReview(t *testing.T) {
	e := newAPI(t)
	if code, page := e.browser().get("/console/calendar"); code != 200 || !strings.Contains(page, "API 令牌") {
		t.Fatalf("not logged in: %d", code)
	}
	bad := e.browser()
	if code, _ := bad.post("/console/login", url.Values{"csrf": {bad.csrf("/console/login")}, "token": {"hrld_wrong"}}); code != 401 {
		t.Fatalf("bad token login: %d", code)
	}
	ed := e.browser()
	ed.login(e.tokens["editor"])

	// Compose a policy graphic with two images (multipart, as the form sends it).
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range map[string]string{"csrf": ed.csrf("/console/compose?kind=graphic"), "kind": "graphic", "title": "医保新政<script>alert(1)</script>",
		"source_url": "https://www.qingshan.gov.cn/zcjd/1.html", "targets": "all", "at": "now"} {
		mw.WriteField(k, v)
	}
	for i := 0; i < 2; i++ {
		w, _ := mw.CreateFormFile("images", "page.png")
		w.Write(pngFile(30+i, 20))
	}
	mw.Close()
	resp, err := ed.c.Post(e.srv.URL+"/console/compose", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "稿件已提交") || strings.Contains(string(page), "<script>alert") {
		t.Fatalf("compose: %d %s", resp.StatusCode, page)
	}
	itemURL := resp.Request.URL.Path

	// The editor cannot review; the reviewers sign in turn.
	if code, _ := ed.get("/console/review"); code != 403 {
		t.Fatalf("editor on the review page: %d", code)
	}
	r1 := e.browser()
	r1.login(e.tokens["reviewer"])
	code, inbox := r1.get("/console/review")
	if code != 200 || !strings.Contains(inbox, "待初审") {
		t.Fatalf("inbox: %d", code)
	}
	id := strings.TrimPrefix(itemURL, "/console/items/")
	// A form without the session's CSRF token is refused.
	if code, _ := r1.post("/console/review/"+id, url.Values{"action": {"approve"}}); code != 403 {
		t.Fatalf("approve without csrf: %d", code)
	}
	// A link cannot put text of its sender's choosing on the console.
	if _, page := r1.get("/console/review?flash=" + url.QueryEscape("令牌已过期，请到某网站重新登录")); strings.Contains(page, "令牌已过期") {
		t.Fatal("the console shows text from the URL")
	}
	if code, page := r1.post("/console/review/"+id, url.Values{"action": {"approve"}, "revision": {"1"}, "csrf": {r1.csrf("/console/review")}}); code != 200 || !strings.Contains(page, "已处理") {
		t.Fatalf("初审: %d %s", code, page)
	}
	r2 := e.browser()
	r2.login(e.tokens["final"])
	if code, page := r2.post("/console/review/"+id, url.Values{"action": {"approve"}, "revision": {"1"}, "csrf": {r2.csrf("/console/review")}}); code != 422 || !strings.Contains(page, "保密审查") {
		t.Fatalf("终审 without secrecy: %d", code)
	}
	if code, page := r2.post("/console/review/"+id, url.Values{"action": {"approve"}, "revision": {"1"}, "secrecy_ok": {"1"}, "csrf": {r2.csrf("/console/review")}}); code != 200 || !strings.Contains(page, "已处理") {
		t.Fatalf("终审: %d %s", code, page)
	}
	code, item := ed.get(itemURL)
	if code != 200 || !strings.Contains(item, `data-state="scheduled"`) || strings.Contains(item, "<script>alert") {
		t.Fatalf("item page: %d", code)
	}
	for _, p := range []string{"/console/accounts", "/console/stats", "/console/calendar"} {
		if code, page := ed.get(p); code != 200 || strings.Contains(page, "<script>alert") {
			t.Fatalf("%s: %d", p, code)
		}
	}
}

func TestConsoleDepartmentScope(t *testing.T) {
	e := newAPI(t)
	if code, _, raw := e.do("POST", "/api/v1/items", "editor", article("fabu", "<p>县里的消息</p>")); code != 201 {
		t.Fatalf("office item: %d %s", code, raw)
	}
	scj := e.browser()
	scj.login(e.tokens["scj-editor"])
	if _, page := scj.get("/console/accounts"); strings.Contains(page, ">青山发布<") || !strings.Contains(page, ">青山市场监管<") {
		t.Fatal("a department sees another department's accounts")
	}
	if _, page := scj.get("/console/compose"); strings.Contains(page, `value="fabu"`) {
		t.Fatal("a department is offered another department's account")
	}
	if code, page := scj.post("/console/compose", url.Values{"csrf": {scj.csrf("/console/compose")}, "kind": {"short"}, "body": {"越权"},
		"targets": {"fabu"}, "at": {"now"}}); code != 422 || !strings.Contains(page, "只能向本部门账号发布") {
		t.Fatalf("department targeting another's account: %d", code)
	}
	if code, _ := scj.get("/console/items/1"); code != 404 {
		t.Fatalf("department opening the office's item: %d", code)
	}
}

package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/queue"
)

// webOptions is the web tests' world: two review levels, the news office
// and one department, each with a WeChat account. The departments come last
// in YAML, so that a test can append one.
func webOptions() testenv.Options { return testenv.Office(testenv.Options{}, "初审", "终审") }

type apiEnv struct {
	*testenv.Env
	t      *testing.T
	srv    *httptest.Server
	tokens map[string]string
}

func newAPI(t *testing.T) *apiEnv {
	t.Helper()
	return newAPIWith(t, webOptions())
}

// newAPIWith is newAPI in a world of the test's own.
func newAPIWith(t *testing.T, o testenv.Options) *apiEnv {
	t.Helper()
	env := testenv.New(t, o)
	h := New(env.Config, env.Store, env.Queue, env.Log, nil)
	h.Retract = func(ctx context.Context, actor queue.Actor, id int64) (queue.RetractReport, error) {
		return env.Queue.Retract(ctx, actor, id, env.Registry, nil)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e := &apiEnv{Env: env, t: t, srv: srv, tokens: map[string]string{}}
	for _, tk := range [][3]string{{"editor", "编辑", "xwb"}, {"reviewer", "张敏", "xwb"}, {"viewer", "统计员", "xwb"},
		{"scj-editor", "赵磊", "scj"}, {"final", "刘建国", "xwb"}} {
		role := strings.TrimPrefix(tk[0], "scj-")
		if tk[0] == "final" {
			role = "reviewer"
		}
		tok, err := env.Store.CreateTokenExpiring(context.Background(), tk[1], tk[2], role, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[tk[0]] = tok
	}
	return e
}

func (e *apiEnv) do(method, path, who string, body any) (int, map[string]any, string) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, rd)
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[who])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return resp.StatusCode, m, string(raw)
}

func coverB64() string {
	var b bytes.Buffer
	png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 20, 10)))
	return base64.StdEncoding.EncodeToString(b.Bytes())
}

func article(targets, body string) map[string]any {
	return map[string]any{"kind": "article", "title": "县政府常务会议", "body": body, "targets": targets, "at": "now", "images": []string{coverB64()}}
}

func TestAuthBeforeBody(t *testing.T) {
	e := newAPI(t)
	if code, m, _ := e.do("GET", "/api/v1/items", "", nil); code != 401 || m["error"].(map[string]any)["code"] != "unauthorized" {
		t.Fatalf("no token: %d %v", code, m)
	}
	e.tokens["bogus"] = "hrld_not-a-token"
	if code, _, _ := e.do("GET", "/api/v1/items", "bogus", nil); code != 401 {
		t.Fatalf("bad token: %d", code)
	}
	// A viewer's write is refused before its (broken) body is read: 403, not 400.
	if code, m, _ := e.do("POST", "/api/v1/items", "viewer", "{this is not json"); code != 403 || m["error"].(map[string]any)["code"] != "forbidden" {
		t.Fatalf("viewer write: %d %v", code, m)
	}
}

func TestRoles(t *testing.T) {
	e := newAPI(t)
	code, m, raw := e.do("POST", "/api/v1/items", "editor", article("all", "<p>正文</p>"))
	if code != 201 {
		t.Fatalf("editor create: %d %s", code, raw)
	}
	id := int64(m["id"].(float64))
	path := "/api/v1/items/" + itoa(id)
	if code, _, _ := e.do("POST", path+"/approve", "editor", nil); code != 403 {
		t.Fatalf("editor approve: %d", code)
	}
	if code, _, _ := e.do("POST", path+"/cancel", "viewer", nil); code != 403 {
		t.Fatalf("viewer cancel: %d", code)
	}
	if code, _, raw := e.do("POST", path+"/approve", "reviewer", map[string]int{"revision": 1}); code != 200 {
		t.Fatalf("初审 by 张敏: %d %s", code, raw)
	}
	if code, m, _ := e.do("POST", path+"/approve", "final", map[string]any{"secrecy_ok": false, "revision": 1}); code != 422 || !strings.Contains(m["error"].(map[string]any)["message"].(string), "保密审查") {
		t.Fatalf("终审 without secrecy: %d %v", code, m)
	}
	if code, m, _ := e.do("POST", path+"/approve", "final", map[string]any{"secrecy_ok": true, "revision": 1}); code != 200 || m["state"] != "scheduled" {
		t.Fatalf("终审: %d %v", code, m)
	}
}

func TestDepartmentScope(t *testing.T) {
	e := newAPI(t)
	code, m, _ := e.do("POST", "/api/v1/items", "scj-editor", article("fabu", "<p>检查</p>"))
	if code != 403 || !strings.Contains(m["error"].(map[string]any)["message"].(string), "只能向本部门账号发布") {
		t.Fatalf("department targeting the office's account: %d %v", code, m)
	}
	_, office, _ := e.do("POST", "/api/v1/items", "editor", article("fabu", "<p>县里的稿件</p>"))
	officeID := itoa(int64(office["id"].(float64)))
	if code, _, _ := e.do("GET", "/api/v1/items/"+officeID, "scj-editor", nil); code == 200 {
		t.Fatal("a department read the office's item")
	}
	_, _, raw := e.do("GET", "/api/v1/items", "scj-editor", nil)
	if strings.Contains(raw, "县里的稿件") || strings.Contains(raw, `"id":`+officeID) {
		t.Fatalf("the office's item is listed to a department: %s", raw)
	}
	_, _, raw = e.do("GET", "/api/v1/accounts", "scj-editor", nil)
	if strings.Contains(raw, `"fabu"`) || !strings.Contains(raw, `"scj-wx"`) {
		t.Fatalf("accounts a department sees: %s", raw)
	}
	if code, _, raw := e.do("POST", "/api/v1/items", "scj-editor", article("scj-wx", "<p>本部门</p>")); code != 201 {
		t.Fatalf("department to its own account: %d %s", code, raw)
	}
}

func TestScriptNeverReachesAPage(t *testing.T) {
	e := newAPI(t)
	code, m, raw := e.do("POST", "/api/v1/items", "editor", map[string]any{"kind": "article", "title": "<script>alert('t')</script>标题",
		"body": `<p onclick="steal()">正文<script>alert('b')</script></p>`, "targets": "all", "at": "now", "images": []string{coverB64()}})
	if code != 201 {
		t.Fatalf("%d %s", code, raw)
	}
	_, item, _ := e.do("GET", "/api/v1/items/"+itoa(int64(m["id"].(float64))), "viewer", nil)
	body := item["item"].(map[string]any)["revision"].(map[string]any)["body"].(string)
	if strings.Contains(body, "<script") || strings.Contains(body, "onclick") {
		t.Fatalf("stored body not sanitized: %s", body)
	}
	_, page := e.browser().get("/status")
	if strings.Contains(page, "<script>alert") || strings.Contains(page, "&lt;script&gt;") {
		t.Fatalf("status page shows the title")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestEditAuditStatsDormant(t *testing.T) {
	e := newAPI(t)
	_, m, _ := e.do("POST", "/api/v1/items", "editor", article("all", "<p>初稿</p>"))
	id := itoa(int64(m["id"].(float64)))
	if code, _, _ := e.do("POST", "/api/v1/items/"+id+"/approve", "reviewer", map[string]int{"revision": 1}); code != 200 {
		t.Fatal("初审")
	}
	title := "县政府常务会议（修订）"
	code, res, raw := e.do("POST", "/api/v1/items/"+id+"/edit", "editor", map[string]any{"title": title})
	if code != 200 || res["revision"].(float64) != 2 || res["state"] != "in_review" {
		t.Fatalf("edit: %d %s", code, raw)
	}
	if code, _, _ := e.do("POST", "/api/v1/items/"+id+"/edit", "viewer", map[string]any{"title": "x"}); code != 403 {
		t.Fatalf("viewer edit: %d", code)
	}
	code, _, raw = e.do("GET", "/api/v1/audit?item="+id, "viewer", nil)
	if code != 200 || !strings.Contains(raw, `"action":"edit"`) || !strings.Contains(raw, "作废此前1个审核签字") {
		t.Fatalf("audit: %d %s", code, raw)
	}
	if code, _, _ := e.do("GET", "/api/v1/audit", "scj-editor", nil); code != 403 {
		t.Fatalf("department reading the whole log: %d", code)
	}
	if code, _, raw := e.do("GET", "/api/v1/audit?item="+id, "scj-editor", nil); code == 200 {
		t.Fatalf("department reading the office's item log: %s", raw)
	}
	if code, _, raw := e.do("GET", "/api/v1/stats?from=2026-11-01&to=2026-11-02", "viewer", nil); code != 200 || strings.TrimSpace(raw) != "[]" {
		t.Fatalf("stats: %d %s", code, raw)
	}
	if code, _, _ := e.do("GET", "/api/v1/stats?from=2026-11&to=2026-11-02", "viewer", nil); code != 400 {
		t.Fatalf("bad date: %d", code)
	}
	code, _, raw = e.do("GET", "/api/v1/reports/dormant", "scj-editor", nil)
	if code != 200 || !strings.Contains(raw, `"scj-wx"`) || strings.Contains(raw, `"fabu"`) {
		t.Fatalf("dormant for a department: %d %s", code, raw)
	}
}

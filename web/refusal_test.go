package web

import (
	"net/url"
	"strings"
	"testing"
)

// Each kind of refusal gets its own status through the API, with its code
// and the input it concerns, and a message that names no command-line flag.
func TestAPIRefusalsByCode(t *testing.T) {
	e := newAPI(t)
	_, m, _ := e.do("POST", "/api/v1/items", "editor", article("all", "<p>初稿</p>"))
	id := itoa(int64(m["id"].(float64)))
	for _, c := range []struct {
		name, method, path, who string
		body                    any
		status                  int
		code, field             string
	}{
		{"department denial", "POST", "/api/v1/items", "scj-editor", article("fabu", "<p>检查</p>"), 403, "denied", "targets"},
		{"no such item", "POST", "/api/v1/items/99999/submit", "editor", nil, 404, "not_found", ""},
		{"web picture in the body", "POST", "/api/v1/items", "editor", article("all", `<p><img src="http://example.com/a.png"></p>`), 422, "content", "body"},
		{"time already past", "POST", "/api/v1/items", "editor", map[string]any{"kind": "article", "title": "旧闻", "body": "<p>正文</p>",
			"targets": "all", "at": "2001-01-01 09:00", "images": []string{coverB64()}}, 422, "input", "at"},
		{"submitting an item already in review", "POST", "/api/v1/items/" + id + "/submit", "editor", nil, 409, "state", ""},
		{"rejecting without a reason", "POST", "/api/v1/items/" + id + "/reject", "reviewer", map[string]any{"comment": " ", "revision": 1}, 422, "input", "comment"},
	} {
		code, m, raw := e.do(c.method, c.path, c.who, c.body)
		er, _ := m["error"].(map[string]any)
		field, _ := er["field"].(string)
		msg, _ := er["message"].(string)
		if code != c.status || er["code"] != c.code || field != c.field || msg == "" || strings.Contains(msg, "--") {
			t.Errorf("%s: %d %s; want %d %s field %q", c.name, code, raw, c.status, c.code, c.field)
		}
	}
}

// The console words a refusal with the form field's label, never a flag.
func TestConsoleRefusalNamesTheFormField(t *testing.T) {
	e := newAPI(t)
	_, m, _ := e.do("POST", "/api/v1/items", "editor", article("all", "<p>初稿</p>"))
	id := itoa(int64(m["id"].(float64)))
	r1 := e.browser()
	r1.login(e.tokens["reviewer"])
	code, page := r1.post("/console/review/"+id, url.Values{"action": {"reject"}, "revision": {"1"}, "comment": {""}, "csrf": {r1.csrf("/console/review")}})
	if code != 422 || !strings.Contains(page, "退回须写明原因") || !strings.Contains(page, "「退回原因」") || strings.Contains(page, "--comment") {
		t.Fatalf("reject without a reason: %d %s", code, page)
	}
	if i := strings.Index(page, "退回须写明原因"); strings.Contains(page[i:i+200], "--") {
		t.Fatalf("a flag in the console's line: %s", page[i:i+200])
	}
}

package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// API and console signatures name the revision: one without it is refused,
// one of a revision that is no longer current is 409 with one line, and the
// console's form carries the revision it shows.
func TestSignaturesNameTheRevision(t *testing.T) {
	e := newAPI(t)
	_, m, _ := e.do("POST", "/api/v1/items", "editor", article("all", "<p>初稿</p>"))
	id := itoa(int64(m["id"].(float64)))
	if code, m, _ := e.do("POST", "/api/v1/items/"+id+"/approve", "reviewer", nil); code != http.StatusUnprocessableEntity || !strings.Contains(m["error"].(map[string]any)["message"].(string), "第几版") {
		t.Fatalf("approve without a revision: %d %v", code, m)
	}
	// The reviewer opens the item's review page (revision 1) …
	e.addUser("张敏", "xwb", "reviewer", "chushen-2026")
	b := e.browser()
	b.signIn("张敏", "chushen-2026")
	_, page := b.get("/console/review/" + id)
	if !strings.Contains(page, `name="revision" value="1"`) {
		t.Fatalf("review form does not carry the revision:\n%s", page)
	}
	csrf := csrfField.FindStringSubmatch(page)[1]
	// … the editor saves revision 2 …
	if code, _, raw := e.do("POST", "/api/v1/items/"+id+"/edit", "editor", map[string]any{"body": "<p>改后的正文</p>"}); code != 200 {
		t.Fatalf("edit: %d %s", code, raw)
	}
	// … and the signature of revision 1 is refused everywhere.
	code, m, _ := e.do("POST", "/api/v1/items/"+id+"/approve", "reviewer", map[string]int{"revision": 1})
	msg, _ := m["error"].(map[string]any)["message"].(string)
	if code != http.StatusConflict || !strings.Contains(msg, "已修改") || strings.Contains(msg, "\n") {
		t.Fatalf("stale approve: %d %v", code, m)
	}
	if code, _, _ := e.do("POST", "/api/v1/items/"+id+"/reject", "reviewer", map[string]any{"revision": 1, "comment": "请核实"}); code != http.StatusConflict {
		t.Fatalf("stale reject: %d", code)
	}
	if code, page := b.post("/console/review/"+id, url.Values{"csrf": {csrf}, "action": {"approve"}, "revision": {"1"}}); code != http.StatusUnprocessableEntity || !strings.Contains(page, "已修改") {
		t.Fatalf("stale console signature: %d", code)
	}
	if code, _ := b.post("/console/review/"+id, url.Values{"csrf": {csrf}, "action": {"approve"}}); code != http.StatusUnprocessableEntity {
		t.Fatalf("console signature without a revision: %d", code)
	}
	if _, m, _ := e.do("GET", "/api/v1/items/"+id, "viewer", nil); m["item"].(map[string]any)["state"] != "in_review" {
		t.Fatalf("signed anyway: %v", m)
	}
	if code, _, raw := e.do("POST", "/api/v1/items/"+id+"/approve", "reviewer", map[string]int{"revision": 2}); code != 200 {
		t.Fatalf("current revision: %d %s", code, raw)
	}
}

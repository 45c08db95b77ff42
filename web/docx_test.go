package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func docxBase64(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "content", "docx", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// POST /api/v1/items takes a Word document as base64: the title, the body
// and the cover come from it; a legacy .doc is refused with its line.
func TestAPICreateFromDocx(t *testing.T) {
	e := newAPI(t)
	code, out, raw := e.do("POST", "/api/v1/items", "editor", map[string]any{"kind": "article", "targets": "fabu", "at": "now",
		"docx": docxBase64(t, "report.docx")})
	if code != 201 {
		t.Fatalf("create from docx: %d %s", code, raw)
	}
	it, err := e.Store.Item(context.Background(), int64(out["id"].(float64)))
	if err != nil {
		t.Fatal(err)
	}
	if it.Revision.Title != "青山县召开2026年安全生产工作会议" || !strings.Contains(it.Revision.Body, "<strong>一、总体要求</strong>") {
		t.Errorf("revision %q: %s", it.Revision.Title, it.Revision.Body)
	}
	if n := len(it.Revision.Images); n != 3 { // the cover and the two body pictures
		t.Errorf("%d images, want 3", n)
	}
	code, _, raw = e.do("POST", "/api/v1/items", "editor", map[string]any{"kind": "article", "targets": "fabu", "at": "now",
		"docx": docxBase64(t, "legacy.doc")})
	if code != 422 || !strings.Contains(raw, "另存为") {
		t.Errorf("legacy .doc: %d %s", code, raw)
	}
	code, _, raw = e.do("POST", "/api/v1/items/"+itoa(it.ID)+"/edit", "editor", map[string]any{"docx": docxBase64(t, "notice.docx")})
	if code != 200 {
		t.Fatalf("edit from docx: %d %s", code, raw)
	}
	it, _ = e.Store.Item(context.Background(), it.ID)
	if it.Revision.Title != "关于做好冬季森林防火工作的通知" || !strings.Contains(it.Revision.Body, "二、严格火源管理") {
		t.Errorf("edited revision %q: %s", it.Revision.Title, it.Revision.Body)
	}
}

// The editor's files are served from the binary, without listings.
func TestConsoleStaticFiles(t *testing.T) {
	e := newAPI(t)
	for path, want := range map[string]int{"/console/static/quill/quill.js": 200, "/console/static/compose.js": 200,
		"/console/static/quill/": 404, "/console/static/": 404, "/console/static/../web.go": 404} {
		resp, err := http.Get(e.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
		if want == 200 && !strings.Contains(resp.Header.Get("Content-Type"), "javascript") {
			t.Errorf("GET %s: Content-Type %q", path, resp.Header.Get("Content-Type"))
		}
	}
}

// Issue 28 item 5: what a Word document's article leaves out is told in
// the API's answer (create and edit) and to the console after an upload.
func TestDocxWarningsAnswered(t *testing.T) {
	e := newAPI(t)
	const want = "Word 文档中第3页的图表、2个嵌入对象未导入，请另行截图插入"
	code, out, raw := e.do("POST", "/api/v1/items", "editor", map[string]any{"kind": "article", "targets": "fabu", "at": "now", "draft": true,
		"docx": docxBase64(t, "parts.docx")})
	if ws, _ := out["warnings"].([]any); code != 201 || len(ws) != 1 || ws[0] != want {
		t.Fatalf("create from parts.docx: %d %s", code, raw)
	}
	id := int64(out["id"].(float64))
	code, out, raw = e.do("POST", "/api/v1/items/"+itoa(id)+"/edit", "editor", map[string]any{"docx": docxBase64(t, "notice.docx")})
	if ws, ok := out["warnings"].([]any); code != 200 || !ok || len(ws) != 0 {
		t.Errorf("edit from notice.docx: %d %s", code, raw)
	}
	code, out, raw = e.do("POST", "/api/v1/items/"+itoa(id)+"/edit", "editor", map[string]any{"docx": docxBase64(t, "parts.docx")})
	if ws, _ := out["warnings"].([]any); code != 200 || len(ws) != 1 || ws[0] != want {
		t.Errorf("edit from parts.docx: %d %s", code, raw)
	}

	ed := e.browser()
	ed.login(e.tokens["editor"])
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", ed.csrf("/console/compose?kind=article"))
	w, _ := mw.CreateFormFile("docx", "parts.docx")
	b, _ := base64.StdEncoding.DecodeString(docxBase64(t, "parts.docx"))
	w.Write(b)
	mw.Close()
	resp, err := ed.c.Post(e.srv.URL+"/console/compose/docx", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ans struct {
		Title    string
		Warnings []string
	}
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil || resp.StatusCode != 200 || ans.Title != "部件测试" || len(ans.Warnings) != 1 || ans.Warnings[0] != want {
		t.Errorf("console upload: %d %+v %v", resp.StatusCode, ans, err)
	}
}

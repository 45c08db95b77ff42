package web

import (
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/herald-gov/herald/channels/weibo"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/content/docx"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// staticFS holds the console's scripts and styles: the vendored Quill
// editor (static/quill, built files from npm) and the compose page's own
// script. Served from /console/static/ so the CSP can stay script-src 'self'.
//
//go:embed static
var staticFS embed.FS

// composeRoutes are the 撰稿 editor's own endpoints.
func (s *Server) composeRoutes() {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	files := http.StripPrefix("/console/static/", http.FileServerFS(sub))
	s.mux.Handle("GET /console/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r) // files only, no listings
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	}))
	s.mux.HandleFunc("POST /console/compose/docx", s.session(writers, s.composeDocx))
	s.mux.HandleFunc("POST /console/compose/preview", s.session(writers, s.composePreview))
}

// composeDocx converts an uploaded .docx for the editor: the title, and the
// body with its pictures inline as data: URLs (they are imported like any
// pasted picture when the form is submitted).
func (s *Server) composeDocx(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	var data []byte
	if r.MultipartForm != nil {
		if fhs := r.MultipartForm.File["docx"]; len(fhs) > 0 {
			f, err := fhs[0].Open()
			if err != nil {
				s.fail(w, err)
				return
			}
			data, err = io.ReadAll(f)
			f.Close()
			if err != nil {
				s.fail(w, err)
				return
			}
		}
	}
	if len(data) == 0 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "请选择一个 Word 文档（.docx）"})
		return
	}
	a, err := docx.Read(r.Context(), data, docx.DefaultLimits())
	if err != nil {
		if docx.IsRefusal(err) {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": err.Error()})
			return
		}
		s.fail(w, err)
		return
	}
	body, err := content.RewriteImageSources(a.HTML, func(src string) string {
		if b, ok := a.Pictures[src]; ok {
			return dataURL(b)
		}
		return src
	})
	if err != nil {
		s.fail(w, err)
		return
	}
	warnings := a.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"title": a.Title, "html": body, "pictures": len(a.Order), "warnings": warnings})
}

func dataURL(b []byte) string {
	return "data:" + http.DetectContentType(b) + ";base64," + base64.StdEncoding.EncodeToString(b)
}

// inlineImages takes the pictures pasted or uploaded into the editor
// (data: URLs) out of the body: each becomes a body image named
// editor-N.ext, imported like --body-file's.
func inlineImages(body string) (string, map[string][]byte, []string, error) {
	imgs := map[string][]byte{}
	var order []string
	byURL := map[string]string{}
	var bad error
	out, err := content.RewriteImageSources(body, func(src string) string {
		if !strings.HasPrefix(src, "data:") {
			return src
		}
		if name, ok := byURL[src]; ok {
			return name
		}
		meta, payload, ok := strings.Cut(strings.TrimPrefix(src, "data:"), ",")
		if !ok || !strings.HasSuffix(meta, ";base64") {
			bad = fmt.Errorf("正文中的第%d张图片无法读取：请重新插入", len(order)+1)
			return src
		}
		b, err := base64.StdEncoding.DecodeString(payload)
		if err != nil {
			bad = fmt.Errorf("正文中的第%d张图片无法读取：请重新插入", len(order)+1)
			return src
		}
		ext := ".img"
		if info, err := content.SniffImage(b); err == nil {
			ext = info.Ext()
		}
		name := fmt.Sprintf("editor-%d%s", len(order)+1, ext)
		byURL[src], imgs[name] = name, b
		order = append(order, name)
		return name
	})
	if err != nil {
		return "", nil, nil, err
	}
	return out, imgs, order, bad
}

// composePreview answers the editor's live previews: the body as WeChat
// will show it (sanitized, pictures kept inline), the Weibo text derived
// from it, and the wording hits.
func (s *Server) composePreview(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	kind := content.Kind(r.FormValue("kind"))
	body, imgs, _, err := inlineImages(r.FormValue("body"))
	if err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": err.Error()})
		return
	}
	rev := content.Revision{Title: r.FormValue("title"), Digest: r.FormValue("digest"), SourceURL: r.FormValue("source_url")}
	if kind == content.KindShort {
		rev.Body = strings.TrimSpace(r.FormValue("body"))
	} else {
		rev.Body = content.SanitizeHTML(body)
	}
	shown, err := content.RewriteImageSources(rev.Body, func(src string) string {
		if b, ok := imgs[src]; ok {
			return dataURL(b)
		}
		return src
	})
	if err != nil {
		shown = ""
	}
	out := map[string]any{"wechat": shown, "title": rev.Title}
	for _, a := range s.cfg.Accounts {
		if a.Platform == configs.PlatformWeibo {
			out["weibo"] = weibo.BuildText(kind, &rev, a.LinkURL)
			break
		}
	}
	var hits []string
	for _, h := range s.queue.WordingHits(kind, &rev) {
		hits = append(hits, h.Message())
	}
	out["hits"] = hits
	writeJSON(w, http.StatusOK, out)
}

// editorBody prepares a compose form's body for the queue: pictures
// pasted or uploaded into the editor become body images, and an article
// without a cover gets its first picture, else a card drawn from its title.
func (s *Server) editorBody(d *queue.Draft) error {
	if d.Kind != content.KindArticle {
		return nil
	}
	body, imgs, order, err := inlineImages(d.Body)
	if err != nil {
		return &queue.Refusal{Code: queue.RefusedContent, Field: "body", Msg: err.Error()}
	}
	d.Body = body
	if d.BodyImages == nil {
		d.BodyImages = map[string][]byte{}
	}
	for k, v := range imgs {
		d.BodyImages[k] = v
	}
	if len(d.Images) == 0 && strings.TrimSpace(d.Body) != "" {
		var first []byte
		if len(order) > 0 {
			first = imgs[order[0]]
		}
		cover, err := s.queue.CoverFor(d.Title, first)
		if err != nil {
			return err
		}
		d.Images = [][]byte{cover}
	}
	return nil
}

// composeData backs the 撰稿 form, its preview and its errors.
type composeData struct {
	Form         map[string]string
	Targets      targetChoice
	Preview      template.HTML
	WeiboPreview string
	Hits         []content.Hit
	Marked       template.HTML
	// Edit is the item being edited (a new revision), nil for a new one.
	Edit *content.Item
	// EditTargets names the edited item's accounts (they do not change).
	EditTargets string
}

// targetChoice is what 发布到 offers: every account, groups, and the
// accounts one by one, grouped, by name; nothing is chosen by default.
type targetChoice struct {
	Groups   []targetOption
	Sets     []accountSet
	Selected map[string]bool // "all", "group:NAME" and account ids
}

type targetOption struct{ Value, Label string }

// accountSet is a group's accounts (or those in no group) as choices.
type accountSet struct {
	Title    string
	Accounts []targetOption
}

func (s *Server) targetChoice(r *http.Request, sess *storage.Session, selected []string) targetChoice {
	accounts, _ := s.visibleAccounts(r, sess)
	c := targetChoice{Selected: map[string]bool{}}
	for _, v := range selected {
		c.Selected[v] = true
	}
	var names []string
	for _, g := range s.cfg.Groups {
		names = append(names, g.Name)
	}
	for _, a := range accounts {
		for _, g := range a.Groups {
			if !slices.Contains(names, g) {
				names = append(names, g)
			}
		}
	}
	placed := map[string]bool{}
	for _, g := range names {
		set := accountSet{Title: groupTitle(s.cfg, g)}
		for _, a := range accounts {
			if slices.Contains(a.Groups, g) && !placed[a.ID] {
				placed[a.ID] = true
				set.Accounts = append(set.Accounts, targetOption{a.ID, a.Name + "（" + platformLabel(a.Platform) + "）"})
			}
		}
		if len(set.Accounts) > 0 {
			c.Groups = append(c.Groups, targetOption{"group:" + g, groupTitle(s.cfg, g)})
			c.Sets = append(c.Sets, set)
		}
	}
	other := accountSet{Title: "其他账号"}
	for _, a := range accounts {
		if !placed[a.ID] {
			other.Accounts = append(other.Accounts, targetOption{a.ID, a.Name + "（" + platformLabel(a.Platform) + "）"})
		}
	}
	if len(other.Accounts) > 0 {
		c.Sets = append(c.Sets, other)
	}
	return c
}

// formTargets makes a TARGETS spec of the boxes ticked in 发布到: all; one
// group alone (resolved again at publication, like the CLI's group:NAME);
// otherwise the accounts of every ticked group and every ticked account.
// A form (or script) may also send targets as the CLI writes them.
func (s *Server) formTargets(r *http.Request, sess *storage.Session) (string, []string) {
	ticked := r.Form["target"]
	if len(ticked) == 0 {
		return strings.TrimSpace(r.FormValue("targets")), nil
	}
	var groups, ids []string
	for _, v := range ticked {
		switch {
		case v == "all":
			return "all", ticked
		case strings.HasPrefix(v, "group:"):
			groups = append(groups, strings.TrimPrefix(v, "group:"))
		default:
			ids = append(ids, v)
		}
	}
	if len(groups) == 1 && len(ids) == 0 {
		return "group:" + groups[0], ticked
	}
	accounts, _ := s.visibleAccounts(r, sess)
	for _, a := range accounts {
		for _, g := range groups {
			if slices.Contains(a.Groups, g) && !slices.Contains(ids, a.ID) {
				ids = append(ids, a.ID)
			}
		}
	}
	return strings.Join(ids, ","), ticked
}

// formWhen is the publication time: 审核通过后立即 (now), the date-time
// picker's value, or a time typed as the CLI takes it.
func formWhen(r *http.Request) string {
	switch r.FormValue("when") {
	case "now":
		return "now"
	case "at":
		return strings.Replace(strings.TrimSpace(r.FormValue("at_time")), "T", " ", 1)
	}
	return strings.TrimSpace(r.FormValue("at"))
}

func (s *Server) composeForm(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	if v := r.URL.Query().Get("edit"); v != "" {
		s.editForm(w, r, sess, v)
		return
	}
	kind := r.URL.Query().Get("kind")
	if kind == "" {
		kind = "article"
	}
	s.render(w, http.StatusOK, "compose", page{Title: "撰稿", User: sess, Nav: "compose",
		Data: composeData{Form: map[string]string{"kind": kind, "when": "now"}, Targets: s.targetChoice(r, sess, nil)}})
}

func (s *Server) compose(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	if r.FormValue("edit") != "" {
		s.editSubmit(w, r, sess)
		return
	}
	form := map[string]string{}
	for _, k := range []string{"kind", "title", "body", "digest", "source_url", "when", "at_time", "priority", "date", "unit", "address", "result", "findings"} {
		form[k] = r.FormValue(k)
	}
	if r.FormValue("notify") != "" {
		form["notify"] = "on"
	}
	targets, ticked := s.formTargets(r, sess)
	when := formWhen(r)
	if when != "now" && form["when"] == "" {
		form["when"], form["at_time"] = "at", strings.Replace(when, " ", "T", 1)
	}
	data := composeData{Form: form, Targets: s.targetChoice(r, sess, ticked)}
	if targets == "" {
		s.render(w, http.StatusUnprocessableEntity, "compose", page{Title: "撰稿", User: sess, Nav: "compose", Data: data,
			Error: "请在「发布到」中选择分组或账号。"})
		return
	}
	d := queue.Draft{Kind: content.Kind(form["kind"]), Title: form["title"], Body: form["body"], Digest: form["digest"],
		SourceURL: form["source_url"], Targets: targets, When: when, Priority: content.Priority(form["priority"]),
		Notify: form["notify"] != "", KeepDraft: r.FormValue("draft") != ""}
	if d.Kind == content.KindBroadcast {
		d.Broadcast = &content.Broadcast{Date: form["date"], Unit: form["unit"], Address: form["address"], Result: form["result"], Findings: form["findings"]}
		if d.Broadcast.Date == "" {
			d.Broadcast.Date = s.now().In(s.cfg.Location).Format("2006-01-02")
		}
	}
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["images"] {
			if fh.Size > content.WeChatMaterialMax {
				s.render(w, http.StatusUnprocessableEntity, "compose", page{Title: "撰稿", User: sess, Nav: "compose", Data: data,
					Error: fmt.Sprintf("图片 %s 超过10MB", fh.Filename)})
				return
			}
			f, err := fh.Open()
			if err != nil {
				s.fail(w, err)
				return
			}
			b, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				s.fail(w, err)
				return
			}
			if len(b) > 0 {
				d.Images = append(d.Images, b) // the type is sniffed from the bytes when stored
			}
		}
	}
	if r.FormValue("preview") != "" {
		s.preview(&data, d)
		s.render(w, http.StatusOK, "compose", page{Title: "撰稿预览", User: sess, Nav: "compose", Data: data,
			Flash: "预览：图片会在提交时上传；以下为清理后的正文和微博文字。"})
		return
	}
	err := s.editorBody(&d)
	var id int64
	if err == nil {
		id, err = s.queue.Add(r.Context(), actorOf(sess), d)
	}
	if err != nil {
		if queue.IsRefusal(err) {
			s.preview(&data, d)
			s.render(w, http.StatusUnprocessableEntity, "compose", page{Title: "撰稿", User: sess, Nav: "compose", Data: data, Error: refusalText(err)})
			return
		}
		s.fail(w, err)
		return
	}
	if s.Wake != nil {
		s.Wake()
	}
	http.Redirect(w, r, fmt.Sprintf("/console/items/%d?flash=created", id), http.StatusSeeOther)
}

// preview fills the WeChat-like and Weibo-like previews and the wording
// hits, highlighted in the plain text.
func (s *Server) preview(data *composeData, d queue.Draft) {
	rev := content.Revision{Title: d.Title, Body: d.Body, Digest: d.Digest, SourceURL: d.SourceURL, Broadcast: d.Broadcast}
	if d.Kind == content.KindBroadcast && d.Broadcast != nil {
		rev.Body = content.RenderBroadcastHTML(d.Broadcast, "", nil)
	} else if d.Kind != content.KindShort {
		rev.Body = content.SanitizeHTML(d.Body)
	}
	if d.Kind != content.KindShort {
		data.Preview = template.HTML(rev.Body) // sanitized above: bluemonday's policy, no scripts or handlers
	}
	link := ""
	for _, a := range s.cfg.Accounts {
		if a.Platform == configs.PlatformWeibo {
			link = a.LinkURL
			break
		}
	}
	if link != "" {
		data.WeiboPreview = weibo.BuildText(d.Kind, &rev, link)
	}
	data.Hits = s.queue.WordingHits(d.Kind, &rev)
	data.Marked = markHits(content.PlainText(rev.Body), data.Hits)
}

// markHits escapes text and wraps each body hit in <mark>.
func markHits(text string, hits []content.Hit) template.HTML {
	runes := []rune(text)
	type span struct{ from, to int }
	var spans []span
	for _, h := range hits {
		if h.Field == "body" {
			spans = append(spans, span{h.Offset - 1, h.Offset - 1 + h.Length})
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].from < spans[j].from })
	var b strings.Builder
	pos := 0
	for _, sp := range spans {
		if sp.from < pos || sp.to > len(runes) {
			continue
		}
		b.WriteString(template.HTMLEscapeString(string(runes[pos:sp.from])))
		b.WriteString("<mark>" + template.HTMLEscapeString(string(runes[sp.from:sp.to])) + "</mark>")
		pos = sp.to
	}
	b.WriteString(template.HTMLEscapeString(string(runes[pos:])))
	return template.HTML(b.String())
}

// targetOptions are the choices of a one-target drop-down (the policy
// graphic form): every account, each group, each account, by name.
func (s *Server) targetOptions(r *http.Request, sess *storage.Session) []targetOption {
	c := s.targetChoice(r, sess, nil)
	opts := append([]targetOption{{"all", "全部账号"}}, c.Groups...)
	for i := range opts[1:] {
		opts[i+1].Label = "分组：" + opts[i+1].Label
	}
	for _, set := range c.Sets {
		opts = append(opts, set.Accounts...)
	}
	return opts
}

package web

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/herald-gov/herald/channels/weibo"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/reports"
	"github.com/herald-gov/herald/storage"
)

const (
	sessionCookie = "herald_session"
	loginCookie   = "herald_login"
	maxUpload     = 60 << 20 // a compose form with up to 20 images
)

// page is what every console template gets.
type page struct {
	Title   string
	User    *storage.Session
	Nav     string
	Flash   string
	Error   string
	CSRF    string
	Data    any
	Product string
	// Replica is the replica's status line (admins, accounts page).
	Replica string
}

func (s *Server) consoleRoutes() {
	s.mux.HandleFunc("GET /console/login", s.loginForm)
	s.mux.HandleFunc("POST /console/login", s.login)
	s.mux.HandleFunc("POST /console/logout", s.session(anyRole, s.logout))
	s.mux.HandleFunc("GET /console/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/calendar", http.StatusSeeOther)
	})
	s.mux.HandleFunc("GET /console/calendar", s.session(anyRole, s.calendar))
	s.mux.HandleFunc("GET /console/compose", s.session(writers, s.composeForm))
	s.mux.HandleFunc("POST /console/compose", s.session(writers, s.compose))
	s.mux.HandleFunc("GET /console/review", s.session(reviewers, s.reviewInbox))
	s.mux.HandleFunc("POST /console/review/{id}", s.session(reviewers, s.review))
	s.mux.HandleFunc("GET /console/items/{id}", s.session(anyRole, s.itemPage))
	s.mux.HandleFunc("POST /console/items/{id}/cancel", s.session(writers, s.cancelItem))
	s.mux.HandleFunc("GET /console/accounts", s.session(anyRole, s.accountsPage))
	s.mux.HandleFunc("GET /console/stats", s.session(anyRole, s.statsPage))
	s.mux.HandleFunc("GET /console/patrol", s.session(anyRole, s.patrolPage)) // patrol.go
	s.mux.HandleFunc("GET /console/export", s.session(anyRole, s.export))
	s.mux.HandleFunc("GET /console/media/{sha}", s.session(anyRole, s.media))
	s.composeRoutes()
}

type consoleHandler func(w http.ResponseWriter, r *http.Request, sess *storage.Session)

// session requires a logged-in user with one of roles; POSTs must carry the
// session's CSRF token.
func (s *Server) session(roles []string, h consoleHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			http.Redirect(w, r, "/console/login", http.StatusSeeOther)
			return
		}
		sess, err := s.store.SessionFor(r.Context(), c.Value)
		if err != nil {
			http.Redirect(w, r, "/console/login", http.StatusSeeOther)
			return
		}
		if !slices.Contains(roles, sess.Role) {
			s.render(w, http.StatusForbidden, "error", page{Title: "无权访问", User: &sess, Error: "您的角色（" + sess.Role + "）无权使用此页面。"})
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
			if err := r.ParseMultipartForm(32 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
				s.render(w, http.StatusBadRequest, "error", page{Title: "请求有误", User: &sess, Error: "表单无法读取：" + err.Error()})
				return
			}
			if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(sess.CSRF)) != 1 {
				s.render(w, http.StatusForbidden, "error", page{Title: "请求被拒绝", User: &sess, Error: "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试。"})
				return
			}
		}
		h(w, r, &sess)
	}
}

func (s *Server) render(w http.ResponseWriter, status int, name string, p page) {
	t, ok := s.pages[name]
	if !ok {
		http.Error(w, "no page "+name, http.StatusInternalServerError)
		return
	}
	if p.User != nil {
		p.CSRF = p.User.CSRF
	}
	p.Product = "herald"
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.log.Error("console template", "page", name, "err", err)
		http.Error(w, "页面生成失败", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

func randomString() string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func actorOf(sess *storage.Session) queue.Actor {
	return queue.Actor{Name: sess.Name, Department: sess.Department}
}

// visibleAccounts are the accounts a user's department may see.
func (s *Server) visibleAccounts(r *http.Request, sess *storage.Session) ([]storage.Account, error) {
	return s.queue.Accounts(r.Context(), actorOf(sess))
}

func (s *Server) visibleItems(r *http.Request, sess *storage.Session, states ...content.ItemState) ([]content.Item, error) {
	return s.queue.Items(r.Context(), actorOf(sess), storage.ItemFilter{Limit: 500, States: states})
}

// calendarDay is one day of the 日程 page.
type calendarDay struct {
	Date  string
	Today bool
	Items []calendarEntry
}

type calendarEntry struct {
	ID    int64
	Title string
	Kind  string
	State content.ItemState
	Time  string
}

func (s *Server) calendar(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	loc := s.cfg.Location
	group, account := r.URL.Query().Get("group"), r.URL.Query().Get("account")
	items, err := s.visibleItems(r, sess)
	if err != nil {
		s.fail(w, err)
		return
	}
	now := time.Now().In(loc)
	start := time.Date(now.Year(), now.Month(), now.Day()-7, 0, 0, 0, 0, loc)
	days := make([]calendarDay, 21)
	for i := range days {
		d := start.AddDate(0, 0, i)
		days[i] = calendarDay{Date: d.Format("01-02 ") + weekday(d.Weekday()), Today: i == 7}
	}
	accounts, _ := s.visibleAccounts(r, sess)
	for _, it := range items {
		ds, err := s.store.Deliveries(r.Context(), it.ID)
		if err != nil {
			s.fail(w, err)
			return
		}
		if !matchesFilter(ds, accounts, group, account) {
			continue
		}
		when := it.PublishAt
		for _, d := range ds {
			if d.PublishedAt != nil && (when == nil || d.PublishedAt.Before(*when)) {
				when = d.PublishedAt
			}
		}
		if when == nil && it.PublishNow {
			when = &it.CreatedAt
		}
		if when == nil {
			continue
		}
		i := int(time.Date(when.In(loc).Year(), when.In(loc).Month(), when.In(loc).Day(), 0, 0, 0, 0, loc).Sub(start).Hours() / 24)
		if i < 0 || i >= len(days) {
			continue
		}
		days[i].Items = append(days[i].Items, calendarEntry{it.ID, it.Revision.Label(), it.Kind.Label(), it.State, when.In(loc).Format("15:04")})
	}
	groups := map[string]bool{}
	for _, a := range accounts {
		for _, g := range a.Groups {
			groups[g] = true
		}
	}
	var groupList []string
	for g := range groups {
		groupList = append(groupList, g)
	}
	sort.Strings(groupList)
	s.render(w, http.StatusOK, "calendar", page{Title: "日程", User: sess, Nav: "calendar",
		Data: map[string]any{"Days": days, "Groups": groupList, "Accounts": accounts, "Group": group, "Account": account}})
}

func matchesFilter(ds []content.Delivery, accounts []storage.Account, group, account string) bool {
	if group == "" && account == "" {
		return true
	}
	inGroup := map[string]bool{}
	for _, a := range accounts {
		if group != "" && a.InGroup(group) {
			inGroup[a.ID] = true
		}
	}
	for _, d := range ds {
		if d.Account == account || inGroup[d.Account] {
			return true
		}
	}
	return false
}

// composeData backs the 撰稿 form, its preview and its errors.
type composeData struct {
	Form         map[string]string
	Targets      []targetOption
	Preview      template.HTML
	WeiboPreview string
	Hits         []content.Hit
	Marked       template.HTML
}

type targetOption struct{ Value, Label string }

func (s *Server) targetOptions(r *http.Request, sess *storage.Session) []targetOption {
	accounts, _ := s.visibleAccounts(r, sess)
	opts := []targetOption{{"all", "全部账号"}}
	seen := map[string]bool{}
	for _, g := range s.cfg.Groups {
		seen[g.Name] = true
		opts = append(opts, targetOption{"group:" + g.Name, "分组：" + firstNonEmpty(g.Title, g.Name)})
	}
	for _, a := range accounts {
		for _, g := range a.Groups {
			if !seen[g] {
				seen[g] = true
				opts = append(opts, targetOption{"group:" + g, "分组：" + g})
			}
		}
	}
	for _, a := range accounts {
		opts = append(opts, targetOption{a.ID, a.Name + "（" + a.Platform + "）"})
	}
	return opts
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (s *Server) composeForm(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	kind := r.URL.Query().Get("kind")
	if kind == "" {
		kind = "article"
	}
	s.render(w, http.StatusOK, "compose", page{Title: "撰稿", User: sess, Nav: "compose",
		Data: composeData{Form: map[string]string{"kind": kind, "at": "now", "targets": "all"}, Targets: s.targetOptions(r, sess)}})
}

func (s *Server) compose(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	form := map[string]string{}
	for _, k := range []string{"kind", "title", "body", "digest", "source_url", "targets", "at", "priority", "date", "unit", "address", "result", "findings"} {
		form[k] = r.FormValue(k)
	}
	if r.FormValue("notify") != "" {
		form["notify"] = "on"
	}
	data := composeData{Form: form, Targets: s.targetOptions(r, sess)}
	d := queue.Draft{Kind: content.Kind(form["kind"]), Title: form["title"], Body: form["body"], Digest: form["digest"],
		SourceURL: form["source_url"], Targets: form["targets"], When: strings.TrimSpace(form["at"]), Priority: content.Priority(form["priority"]),
		Notify: form["notify"] != "", KeepDraft: r.FormValue("draft") != ""}
	if d.Kind == content.KindBroadcast {
		d.Broadcast = &content.Broadcast{Date: form["date"], Unit: form["unit"], Address: form["address"], Result: form["result"], Findings: form["findings"]}
		if d.Broadcast.Date == "" {
			d.Broadcast.Date = time.Now().In(s.cfg.Location).Format("2006-01-02")
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

// inboxItem is one item waiting for the user's signature.
type inboxItem struct {
	content.Item
	Level    string
	Last     bool
	Approved []content.Approval
}

func (s *Server) reviewInbox(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	s.renderInbox(w, r, sess, http.StatusOK, flashText(r), "")
}

func (s *Server) renderInbox(w http.ResponseWriter, r *http.Request, sess *storage.Session, status int, flash, errMsg string) {
	items, err := s.visibleItems(r, sess, content.ItemInReview)
	if err != nil {
		s.fail(w, err)
		return
	}
	levels := s.cfg.Review.Levels
	var inbox []inboxItem
	for _, it := range items {
		full, err := s.store.Item(r.Context(), it.ID)
		if err != nil {
			continue
		}
		n, signed, err := s.queue.NextLevel(r.Context(), &full)
		if err != nil || n > len(levels) {
			continue
		}
		level := levels[n-1]
		if !s.cfg.MayReview(level, sess.Name) && sess.Role != "admin" {
			continue
		}
		inbox = append(inbox, inboxItem{full, level, n == len(levels), signed})
	}
	s.render(w, status, "review", page{Title: "审核", User: sess, Nav: "review", Data: inbox, Flash: flash, Error: errMsg})
}

// previewItem sends the item's current revision to the WeChat ID the
// reviewer typed, through the daemon's WeChat channel.
func (s *Server) previewItem(w http.ResponseWriter, r *http.Request, sess *storage.Session, id int64) {
	it, err := s.queue.Item(r.Context(), actorOf(sess), id)
	if err != nil && !queue.IsRefusal(err) {
		s.fail(w, err)
		return
	}
	if err == nil {
		if s.Preview == nil {
			err = errors.New("此服务未连接微信，无法发送预览")
		} else {
			var msg string
			if msg, err = s.Preview(r.Context(), actorOf(sess), it, "", r.FormValue("wxname")); err == nil {
				s.renderInbox(w, r, sess, http.StatusOK, msg, "")
				return
			}
		}
	}
	s.renderInbox(w, r, sess, http.StatusUnprocessableEntity, "", "预览未发送："+refusalText(err))
}

func (s *Server) review(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	id, ok := itemID(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	var err error
	switch r.FormValue("action") {
	case "approve":
		err = s.queue.Approve(r.Context(), actorOf(sess), id, r.FormValue("secrecy_ok") != "")
	case "reject":
		err = s.queue.Reject(r.Context(), actorOf(sess), id, r.FormValue("comment"))
	case "preview":
		s.previewItem(w, r, sess, id)
		return
	default:
		err = errors.New("未知的审核操作")
	}
	if err != nil && !queue.IsRefusal(err) {
		s.fail(w, err)
		return
	}
	if err != nil { // refused: show the inbox again with the reason
		s.renderInbox(w, r, sess, http.StatusUnprocessableEntity, "", "未签署："+refusalText(err))
		return
	}
	if s.Wake != nil {
		s.Wake()
	}
	http.Redirect(w, r, "/console/review?flash=reviewed", http.StatusSeeOther)
}

// flashText turns a fixed flash code into its message: a link can never
// make the console show text of its sender's choosing.
func flashText(r *http.Request) string {
	switch r.URL.Query().Get("flash") {
	case "created":
		return "稿件已提交。"
	case "reviewed":
		return "已处理。"
	case "user_added":
		return "已添加用户。"
	case "user_disable":
		return "已停用，该用户的会话已结束。"
	case "user_enable":
		return "已启用。"
	case "user_password":
		return "已重设密码，该用户的会话已结束。"
	}
	return ""
}

func (s *Server) itemPage(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	id, ok := itemID(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.renderItem(w, r, sess, id, http.StatusOK, flashText(r), "")
}

// cancelItem withdraws an item and shows its page with the same message
// the CLI prints: what went out, what may have, what was stopped.
func (s *Server) cancelItem(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	id, ok := itemID(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	rep, err := s.queue.Cancel(r.Context(), actorOf(sess), id)
	if err != nil && !queue.IsRefusal(err) {
		s.fail(w, err)
		return
	}
	if err != nil {
		s.renderItem(w, r, sess, id, http.StatusUnprocessableEntity, "", "未撤销："+refusalText(err))
		return
	}
	if s.Wake != nil {
		s.Wake()
	}
	s.renderItem(w, r, sess, id, http.StatusOK, rep.Message(), "")
}

func (s *Server) renderItem(w http.ResponseWriter, r *http.Request, sess *storage.Session, id int64, status int, flash, errMsg string) {
	it, err := s.queue.Item(r.Context(), actorOf(sess), id)
	if err != nil {
		if queue.IsRefusal(err) {
			s.render(w, http.StatusNotFound, "error", page{Title: "稿件", User: sess, Error: refusalText(err)})
			return
		}
		s.fail(w, err)
		return
	}
	ds, _ := s.store.Deliveries(r.Context(), id)
	_ = s.store.MarkRetractions(r.Context(), id, ds)
	audit, _ := s.store.AuditLog(r.Context(), id, 0)
	approvals, _ := s.store.Approvals(r.Context(), id)
	cancellable := content.CheckItemTransition(it.State, content.ItemCancelled) == nil && slices.Contains(writers, sess.Role)
	if it.State == content.ItemPublishing {
		if again, err := s.store.CancelRequested(r.Context(), id); err == nil && again {
			cancellable = false
		}
	}
	s.render(w, status, "item", page{Title: "稿件 " + strconv.FormatInt(id, 10), User: sess, Nav: "calendar", Flash: flash, Error: errMsg,
		Data: map[string]any{"Item": it, "Deliveries": ds, "Audit": audit, "Approvals": approvals, "Cancellable": cancellable,
			"Body": template.HTML(s.mediaURLs(it.Revision.Body))}}) // stored bodies are sanitized on the way in
}

// mediaURLs points herald-image: sources at the console's media route (so
// reviewers see the body's images), then sanitizes the result for display.
func (s *Server) mediaURLs(body string) string {
	out, err := content.RewriteImageSources(body, func(src string) string {
		if sha, ok := strings.CutPrefix(src, content.ImageSrcPrefix); ok {
			return "/console/media/" + url.PathEscape(sha)
		}
		return src
	})
	if err != nil {
		return template.HTMLEscapeString(body)
	}
	return content.SanitizeHTML(out)
}

// media serves a stored image to a user whose department may see an item
// that uses it (the office sees all); anything else is "not found", the
// same answer as for a missing image.
func (s *Server) media(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	sha := r.PathValue("sha")
	if !s.queue.SeesAll(actorOf(sess)) {
		ok, err := s.store.ImageOfDepartment(r.Context(), sha, sess.Department)
		if err != nil {
			s.fail(w, err)
			return
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
	}
	b, im, err := s.store.ImageBytes(r.Context(), sha)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", im.MIME)
	w.Header().Set("Cache-Control", "private, max-age=86400")
	_, _ = w.Write(b)
}

type accountRow struct {
	storage.Account
	LastPublished string
	DaysSince     string
	Level         string
	TokenDays     string
}

func (s *Server) accountsPage(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	accounts, err := s.visibleAccounts(r, sess)
	if err != nil {
		s.fail(w, err)
		return
	}
	dormant, err := reports.Dormant(r.Context(), s.cfg, s.store, time.Now())
	if err != nil {
		s.fail(w, err)
		return
	}
	byID := map[string]reports.DormantRow{}
	for _, d := range dormant {
		byID[d.Account] = d
	}
	var rows []accountRow
	for _, a := range accounts {
		row := accountRow{Account: a, LastPublished: "从未发布", DaysSince: "-", Level: byID[a.ID].Level, TokenDays: "-"}
		if d := byID[a.ID]; d.LastPublished != nil {
			row.LastPublished = d.LastPublished.Format("2006-01-02 15:04")
			row.DaysSince = strconv.Itoa(*d.DaysSince)
		}
		if c, ok := s.cfg.Account(a.ID); ok {
			if days, ok := weibo.TokenDaysLeft(c, time.Now(), s.cfg.Location); ok {
				row.TokenDays = strconv.Itoa(days)
			}
		}
		rows = append(rows, row)
	}
	p := page{Title: "账号", User: sess, Nav: "accounts", Data: rows}
	if s.Replica != nil && sess.Role == "admin" {
		p.Replica = s.Replica()
	}
	s.render(w, http.StatusOK, "accounts", p)
}

func (s *Server) statsPage(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	accounts, err := s.visibleAccounts(r, sess)
	if err != nil {
		s.fail(w, err)
		return
	}
	ids := make([]string, len(accounts))
	for i, a := range accounts {
		ids[i] = a.ID
	}
	loc := s.cfg.Location
	now := time.Now().In(loc)
	to := time.Date(now.Year(), now.Month(), now.Day()-1, 0, 0, 0, 0, loc)
	from := to.AddDate(0, 0, -29)
	rows, err := s.store.DailyStats(r.Context(), from.Format("2006-01-02"), to.Format("2006-01-02"), ids)
	if err != nil {
		s.fail(w, err)
		return
	}
	var days []string
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		days = append(days, d.Format("2006-01-02"))
	}
	byAccount := map[string][]storage.DailyStat{}
	for _, r := range rows {
		byAccount[r.Account] = append(byAccount[r.Account], r)
	}
	groupTitle := map[string]string{}
	for _, g := range s.cfg.Groups {
		groupTitle[g.Name] = firstNonEmpty(g.Title, g.Name)
	}
	followers := map[string]map[string]float64{}
	reads := map[string]map[string]float64{}
	type rank struct {
		Account, Name, Platform string
		Index                   float64
		Reads                   int64
	}
	var ranking []rank
	for _, a := range accounts {
		for _, g := range a.Groups {
			t := firstNonEmpty(groupTitle[g], g)
			if followers[t] == nil {
				followers[t], reads[t] = map[string]float64{}, map[string]float64{}
			}
			for _, r := range byAccount[a.ID] {
				if r.Followers != nil {
					followers[t][r.Date] += float64(*r.Followers)
				}
				if r.Reads != nil {
					reads[t][r.Date] += float64(*r.Reads)
				}
			}
		}
		var total int64
		for _, r := range byAccount[a.ID] {
			if r.Reads != nil {
				total += *r.Reads
			}
		}
		idx := reports.WCIFromDaily(byAccount[a.ID])
		if a.Platform == configs.PlatformWeibo {
			var posts int64
			for _, r := range byAccount[a.ID] {
				if r.Posts != nil {
					posts += *r.Posts
				}
			}
			rp, cm, lk, err := s.store.PostTotals(r.Context(), a.ID, from.Format("2006-01-02"), to.Format("2006-01-02"))
			if err != nil {
				s.fail(w, err)
				return
			}
			idx = reports.BCI(float64(posts), float64(rp), float64(cm), float64(lk))
		}
		ranking = append(ranking, rank{a.ID, a.Name, a.Platform, float64(int64(idx*100)) / 100, total})
	}
	sort.SliceStable(ranking, func(i, j int) bool { return ranking[i].Index > ranking[j].Index })
	// WCI and BCI are different scales: rank each platform on its own.
	var wechatRank, weiboRank []rank
	for _, r := range ranking {
		if r.Platform == configs.PlatformWeibo {
			weiboRank = append(weiboRank, r)
		} else {
			wechatRank = append(wechatRank, r)
		}
	}
	s.render(w, http.StatusOK, "stats", page{Title: "统计", User: sess, Nav: "stats", Data: map[string]any{
		"From": from.Format("2006-01-02"), "To": to.Format("2006-01-02"),
		"FollowersChart": lineChart("各分组粉丝数", days, followers), "ReadsChart": lineChart("各分组阅读数", days, reads),
		"WeChatRanking": wechatRank, "WeiboRanking": weiboRank, "Rows": len(rows), "Approximations": reports.WCIApproximations}})
}

// export streams the visible accounts' daily rows as CSV or XLSX.
func (s *Server) export(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	q := r.URL.Query()
	from, to, format := q.Get("from"), q.Get("to"), q.Get("format")
	if _, err := time.Parse("2006-01-02", from); err != nil {
		s.render(w, http.StatusBadRequest, "error", page{Title: "导出", User: sess, Error: "起始日期应写成 2026-11-01"})
		return
	}
	if _, err := time.Parse("2006-01-02", to); err != nil {
		s.render(w, http.StatusBadRequest, "error", page{Title: "导出", User: sess, Error: "结束日期应写成 2026-11-30"})
		return
	}
	accounts, err := s.visibleAccounts(r, sess)
	if err != nil {
		s.fail(w, err)
		return
	}
	ids := make([]string, len(accounts))
	platforms := map[string]string{}
	for i, a := range accounts {
		ids[i] = a.ID
		platforms[a.ID] = a.Platform
	}
	each := func(fn func(storage.DailyStat) error) error {
		return s.store.EachDailyStat(r.Context(), from, to, ids, fn)
	}
	name := fmt.Sprintf("herald-stats-%s-%s.%s", from, to, format)
	var buf bytes.Buffer
	switch format {
	case "csv":
		_, err = reports.WriteCSV(&buf, each, platforms)
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	case "xlsx":
		_, err = reports.WriteXLSX(&buf, reports.ExportTitle(s.cfg, from, to), each, platforms)
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	default:
		s.render(w, http.StatusBadRequest, "error", page{Title: "导出", User: sess, Error: "格式只能是 csv 或 xlsx"})
		return
	}
	if err != nil {
		s.fail(w, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, _ = buf.WriteTo(w)
}

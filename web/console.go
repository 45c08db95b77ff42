package web

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/queue"
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
	s.mux.HandleFunc("GET /console/review/{id}", s.session(reviewers, s.reviewPage))
	s.mux.HandleFunc("POST /console/review/{id}", s.session(reviewers, s.review))
	s.mux.HandleFunc("GET /console/items/{id}", s.session(anyRole, s.itemPage))
	s.mux.HandleFunc("POST /console/items/{id}/cancel", s.session(writers, s.cancelItem))
	s.mux.HandleFunc("POST /console/items/{id}/retract", s.session(writers, s.retractItem))
	s.mux.HandleFunc("POST /console/items/{id}/submit", s.session(writers, s.submitItem))
	s.mux.HandleFunc("POST /console/items/{id}/preview", s.session(reviewersAndWriters, s.itemPreview))
	s.mux.HandleFunc("GET /console/accounts", s.session(anyRole, s.accountsPage))
	s.mux.HandleFunc("GET /console/stats", s.session(anyRole, s.statsPage))
	s.mux.HandleFunc("GET /console/stats/{account}", s.session(anyRole, s.accountStats))
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
			s.render(w, http.StatusForbidden, "error", page{Title: "无权访问", User: &sess, Error: "您的角色（" + roleLabel(sess.Role) + "）无权使用此页面。"})
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

// flashText turns a fixed flash code into its message: a link can never
// make the console show text of its sender's choosing.
func flashText(r *http.Request) string {
	switch r.URL.Query().Get("flash") {
	case "created":
		return "稿件已提交。"
	case "edited":
		return "已保存为新版本，须重新审核。"
	case "reviewed":
		return "已处理。"
	case "user_added":
		return "已添加用户。"
	case "user_disable":
		return "已停用，该用户的会话已结束。"
	case "user_enable":
		return "已启用。"
	case "user_password":
		return "已重设密码并解除登录锁定，该用户的会话已结束。"
	case "user_unlock":
		return "已解除登录锁定。"
	case "user_role":
		return "已修改角色和部门，该用户须重新登录。"
	}
	return ""
}

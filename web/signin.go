package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/herald-gov/herald/internal/password"
	"github.com/herald-gov/herald/storage"
)

// Sign-in limits. A name is locked after nameLimit wrong passwords within
// lockWindow, an address after addrLimit failures (passwords or API tokens);
// the lock lasts lockWindow from the last failure.
const (
	nameLimit  = 5
	addrLimit  = 20
	lockWindow = 15 * time.Minute
)

// Console sessions end after sessionIdle without a request and sessionMax
// after sign-in, whichever comes first.
const (
	sessionIdle = 2 * time.Hour
	sessionMax  = 12 * time.Hour
)

// dummyHash is verified against when a name is unknown, so that an unknown
// name takes as long to refuse as a wrong password.
var dummyHash, _ = password.Hash("herald-no-such-user")

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// lockedUntil says until when any of subjects is locked (zero: not locked).
func (s *Server) lockedUntil(ctx context.Context, subjects map[string]int) (time.Time, error) {
	now := time.Now()
	var until time.Time
	for sub, limit := range subjects {
		n, last, err := s.store.LoginFailures(ctx, sub, now.Add(-lockWindow))
		if err != nil {
			return time.Time{}, err
		}
		if n >= limit && last.Add(lockWindow).After(until) {
			until = last.Add(lockWindow)
		}
	}
	return until, nil
}

// failSignIn records a failed sign-in for subjects and audits it; if the
// failure locks a subject, the lock is audited too.
func (s *Server) failSignIn(ctx context.Context, actor, detail string, subjects map[string]int) {
	subs := make([]string, 0, len(subjects))
	for sub := range subjects {
		subs = append(subs, sub)
	}
	if err := s.store.LoginFailure(ctx, actor, detail, subs...); err != nil {
		s.log.Error("sign-in failure not recorded", "err", err)
		return
	}
	if until, err := s.lockedUntil(ctx, subjects); err == nil && !until.IsZero() {
		_ = s.store.AddAudit(ctx, storage.AuditEntry{Actor: actor, Action: "login_locked",
			Detail: fmt.Sprintf("连续登录失败，锁定至 %s（%s）", until.In(s.cfg.Location).Format("15:04"), detail)})
	}
}

// retryAfter sets the Retry-After header for a lock that lasts until and
// returns the message that says when to try again.
func (s *Server) retryAfter(w http.ResponseWriter, until time.Time) string {
	wait := max(time.Until(until).Round(time.Minute), time.Minute)
	w.Header().Set("Retry-After", strconv.Itoa(int(time.Until(until).Seconds())+1))
	return fmt.Sprintf("登录失败次数过多，已暂时锁定：请在 %s 之后（约 %d 分钟后）再试；忘记密码请找管理员重设（herald user passwd）。",
		until.In(s.cfg.Location).Format("15:04"), int(wait.Minutes()))
}

// loginForm sets a double-submit cookie so the login form has CSRF
// protection before any session exists.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	s.renderLogin(w, r, http.StatusOK, "", "")
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, name, msg string) {
	tok := randomString()
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: tok, Path: "/console", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure(r)})
	s.render(w, status, "login", page{Title: "登录", CSRF: tok, Error: msg, Data: name})
}

// login signs in with a name and password (or, for scripts and the demo's
// printed tokens, an API token), with guessing stopped by locks.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
	c, err := r.Cookie(loginCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) != 1 {
		s.renderLogin(w, r, http.StatusForbidden, "", "登录表单已过期，请刷新页面后重试。")
		return
	}
	ctx := r.Context()
	addr := clientAddr(r)
	name := strings.TrimSpace(r.PostFormValue("name"))
	pw := r.PostFormValue("password")
	token := strings.TrimSpace(r.PostFormValue("token"))
	subjects := map[string]int{"addr:" + addr: addrLimit}
	if name != "" {
		subjects["name:"+name] = nameLimit
	}
	until, err := s.lockedUntil(ctx, subjects)
	if err != nil {
		s.fail(w, err)
		return
	}
	if !until.IsZero() {
		_ = s.store.AddAudit(ctx, storage.AuditEntry{Actor: name, Action: "login_refused_locked", Detail: "锁定期间尝试登录，地址 " + addr})
		s.renderLogin(w, r, http.StatusTooManyRequests, name, s.retryAfter(w, until))
		return
	}
	var who storage.APIToken
	var userID int64
	switch {
	case name != "" && pw != "":
		u, err := s.store.UserByName(ctx, name)
		hash := u.PasswordHash
		if err != nil {
			hash = dummyHash
		}
		verr := password.Verify(pw, hash)
		if err != nil || verr != nil {
			if err != nil && !errors.Is(err, storage.ErrNotFound) {
				s.fail(w, err)
				return
			}
			s.failSignIn(ctx, name, "密码错误或无此用户，地址 "+addr, subjects)
			if until, _ := s.lockedUntil(ctx, subjects); !until.IsZero() {
				s.renderLogin(w, r, http.StatusTooManyRequests, name, s.retryAfter(w, until))
				return
			}
			s.renderLogin(w, r, http.StatusUnauthorized, name, "姓名或密码不对，请重试；连续输错 5 次将锁定 15 分钟。")
			return
		}
		if u.Disabled {
			s.renderLogin(w, r, http.StatusForbidden, name, "此账号已停用，请联系管理员。")
			return
		}
		who, userID = u.Token(), u.ID
	case token != "":
		who, err = s.store.TokenFor(ctx, token)
		if err != nil {
			s.failSignIn(ctx, "", "API 令牌无效，地址 "+addr, subjects)
			s.renderLogin(w, r, http.StatusUnauthorized, "", "令牌无效、已过期或已吊销：请向管理员索取。")
			return
		}
	default:
		s.renderLogin(w, r, http.StatusBadRequest, name, "请填写姓名和密码。")
		return
	}
	if name != "" {
		_ = s.store.ClearLoginFailures(ctx, "name:"+name, time.Now().Add(-24*time.Hour))
	}
	cookie, _, err := s.store.StartSession(ctx, who, userID, storage.SessionLimits{Idle: sessionIdle, Absolute: sessionMax})
	if err != nil {
		s.fail(w, err)
		return
	}
	_ = s.store.AddAudit(ctx, storage.AuditEntry{Actor: who.Name, Action: "login", Detail: "登录控制台，地址 " + addr})
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: cookie, Path: "/console", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: s.secure(r), MaxAge: int(sessionMax.Seconds())})
	http.Redirect(w, r, "/console/calendar", http.StatusSeeOther)
}

// logout ends the session on the server, not just the cookie.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		_ = s.store.EndSession(r.Context(), c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/console", MaxAge: -1, HttpOnly: true})
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

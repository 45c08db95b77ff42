package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
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

// clientAddr is the address of the client a request comes from: the
// connection's peer, or, when the peer is one of http.trusted_proxies, the
// rightmost address in X-Forwarded-For that is not a trusted proxy (what the
// nearest untrusted hop was seen as; addresses left of it are the client's
// own say and could be forged). Locks and the audit use it.
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !contains(s.proxies, peer.Unmap()) {
		return host
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		for _, a := range strings.Split(h, ",") {
			if a = strings.TrimSpace(a); a != "" {
				hops = append(hops, a)
			}
		}
	}
	client := peer.Unmap().String()
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(hops[i])
		if err != nil {
			// A hop the proxies did not write: the last good one stands.
			break
		}
		client = a.Unmap().String()
		if !contains(s.proxies, a.Unmap()) {
			break
		}
	}
	return client
}

// lockedUntil says until when any of subjects is locked (zero: not locked).
func (s *Server) lockedUntil(ctx context.Context, subjects map[string]int) (time.Time, error) {
	now := s.now()
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

// failSignIn records a failed sign-in for subjects and audits it. A subject
// this failure locks is audited as locked: "login_locked" for a name (the
// robot tells the group), "addr_locked" for an address.
func (s *Server) failSignIn(ctx context.Context, actor, detail string, subjects map[string]int) {
	subs := make([]string, 0, len(subjects))
	for sub := range subjects {
		subs = append(subs, sub)
	}
	if err := s.store.LoginFailure(ctx, actor, detail, subs...); err != nil {
		s.log.Error("sign-in failure not recorded", "err", err)
		return
	}
	now := s.now()
	for sub, limit := range subjects {
		n, last, err := s.store.LoginFailures(ctx, sub, now.Add(-lockWindow))
		if err != nil || n != limit {
			continue
		}
		until := last.Add(lockWindow).In(s.cfg.Location).Format("15:04")
		if name, ok := strings.CutPrefix(sub, "name:"); ok {
			_ = s.store.AddAudit(ctx, storage.AuditEntry{Actor: name, Action: "login_locked",
				Detail: fmt.Sprintf("%s 连续 %d 次密码错误，登录锁定至 %s（%s）", name, n, until, detail)})
		} else {
			_ = s.store.AddAudit(ctx, storage.AuditEntry{Actor: actor, Action: "addr_locked",
				Detail: fmt.Sprintf("地址 %s 连续 %d 次登录失败，锁定至 %s（%s）", strings.TrimPrefix(sub, "addr:"), n, until, detail)})
		}
	}
}

// retryAfter sets the Retry-After header for a lock that lasts until and
// returns the message that says when to try again.
func (s *Server) retryAfter(w http.ResponseWriter, until time.Time) string {
	wait := max(time.Until(until).Round(time.Minute), time.Minute)
	w.Header().Set("Retry-After", strconv.Itoa(int(time.Until(until).Seconds())+1))
	return fmt.Sprintf("登录失败次数过多，已暂时锁定：请在 %s 之后（约 %d 分钟后）再试；忘记密码请找管理员重设密码或解除锁定。",
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
	addr := s.clientAddr(r)
	name := strings.TrimSpace(r.PostFormValue("name"))
	pw := r.PostFormValue("password")
	token := strings.TrimSpace(r.PostFormValue("token"))
	usePassword := name != "" && pw != ""
	if !usePassword && token == "" {
		s.renderLogin(w, r, http.StatusBadRequest, name, "请填写姓名和密码。")
		return
	}
	// The address is always counted; the name only for a password sign-in
	// and not from an address the name signed in from before (so that a
	// stranger's guesses cannot keep its owner out).
	subjects := map[string]int{"addr:" + addr: addrLimit}
	if usePassword {
		known, err := s.store.KnownSignInAddress(ctx, name, addr)
		if err != nil {
			s.fail(w, err)
			return
		}
		if !known {
			subjects["name:"+name] = nameLimit
		}
	} else {
		name = ""
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
	if usePassword {
		u, err := s.store.UserByName(ctx, name)
		hash := u.PasswordHash
		if err != nil {
			hash = dummyHash
		}
		verr := password.Verify(pw, hash)
		// A disabled account is refused like a wrong password: the answer
		// does not say whether the password was right.
		if err != nil || verr != nil || u.Disabled {
			if err != nil && !errors.Is(err, storage.ErrNotFound) {
				s.fail(w, err)
				return
			}
			detail := "密码错误或无此用户，地址 " + addr
			if err == nil && verr == nil {
				detail = "账号已停用，地址 " + addr
			}
			s.failSignIn(ctx, name, detail, subjects)
			if until, _ := s.lockedUntil(ctx, subjects); !until.IsZero() {
				s.renderLogin(w, r, http.StatusTooManyRequests, name, s.retryAfter(w, until))
				return
			}
			s.renderLogin(w, r, http.StatusUnauthorized, name, "姓名或密码不对，或账号已停用，请重试；连续输错 5 次将锁定 15 分钟。")
			return
		}
		who, userID = u.Token(), u.ID
		// Only the right password clears the name's failures and makes the
		// address known.
		_ = s.store.ClearLoginFailures(ctx, "name:"+name, s.now().Add(-24*time.Hour))
		if err := s.store.RememberSignInAddress(ctx, name, addr); err != nil {
			s.log.Error("sign-in address not remembered", "err", err)
		}
	} else {
		who, err = s.store.TokenFor(ctx, token)
		if err != nil {
			s.failSignIn(ctx, "", "API 令牌无效，地址 "+addr, subjects)
			s.renderLogin(w, r, http.StatusUnauthorized, "", "令牌无效、已过期或已吊销：请向管理员索取。")
			return
		}
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

package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/herald-gov/herald/internal/password"
	"github.com/herald-gov/herald/storage"
)

func (e *apiEnv) addUser(name, dept, role, pw string) {
	e.t.Helper()
	hash, err := password.Hash(pw)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.Store.CreateUser(context.Background(), storage.User{Name: name, Department: dept, Role: role, PasswordHash: hash}, "test"); err != nil {
		e.t.Fatal(err)
	}
}

func (b *browser) signIn(name, pw string) (int, string) {
	b.t.Helper()
	return b.post("/console/login", url.Values{"csrf": {b.csrf("/console/login")}, "name": {name}, "password": {pw}})
}

func (b *browser) cookie() *http.Cookie {
	u, _ := url.Parse(b.base + "/console/")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == sessionCookie {
			return c
		}
	}
	return nil
}

func auditActions(t *testing.T, st *storage.Store) map[string]int {
	t.Helper()
	log, err := st.AuditLog(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, e := range log {
		n[e.Action]++
	}
	return n
}

func TestPasswordSignInAndLock(t *testing.T) {
	// 张敏 signs in from 198.51.100.1; the guesses come from elsewhere (an
	// address the name signed in from is not held by the name's lock).
	e := proxied(t)
	e.addUser("张敏", "xwb", "reviewer", "qingshan-2026")

	ok := e.browserVia("198.51.100.1")
	if code, page := ok.signIn("张敏", "qingshan-2026"); code != 200 || !strings.Contains(page, "日程") {
		t.Fatalf("right password: %d", code)
	}
	if code, page := e.browser().signIn("张敏", "qingshan-2025"); code != 401 || !strings.Contains(page, "姓名或密码不对") {
		t.Fatalf("wrong password: %d", code)
	}
	if code, _ := e.browser().signIn("无此人", "qingshan-2026"); code != 401 {
		t.Fatalf("unknown name: %d", code)
	}
	for range nameLimit - 1 {
		e.browser().signIn("张敏", "guess-guess")
	}
	// Locked now: even the right password is refused, with when to retry.
	b := e.browser()
	b.csrf("/console/login")
	resp, err := b.c.PostForm(b.base+"/console/login", url.Values{"csrf": {b.csrf("/console/login")}, "name": {"张敏"}, "password": {"qingshan-2026"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("locked name with the right password: %d", resp.StatusCode)
	}
	if ra, _ := strconv.Atoi(resp.Header.Get("Retry-After")); ra < 60 || ra > int(lockWindow.Seconds())+1 {
		t.Fatalf("Retry-After = %q", resp.Header.Get("Retry-After"))
	}
	acts := auditActions(t, e.Store)
	if acts["login_failed"] != nameLimit+1 || acts["login_locked"] == 0 || acts["login_refused_locked"] != 1 {
		t.Fatalf("audit: %v", acts)
	}
	// Another name from the same address is not locked by 张敏's lock.
	e.addUser("刘建国", "xwb", "reviewer", "zhongshen-2026")
	if code, _ := e.browser().signIn("刘建国", "zhongshen-2026"); code != 200 {
		t.Fatalf("other user: %d", code)
	}
}

func TestSessionsEnd(t *testing.T) {
	e := newAPI(t)
	e.addUser("编辑甲", "xwb", "editor", "bianji-2026")
	reuse := func(c *http.Cookie) int {
		req, _ := http.NewRequest("GET", e.srv.URL+"/console/calendar", nil)
		req.AddCookie(c)
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	// Logout ends the session on the server: the old cookie is dead.
	b := e.browser()
	b.signIn("编辑甲", "bianji-2026")
	c := b.cookie()
	if reuse(c) != 200 {
		t.Fatal("session not live")
	}
	b.post("/console/logout", url.Values{"csrf": {b.csrf("/console/calendar")}})
	if got := reuse(c); got != http.StatusSeeOther {
		t.Fatalf("cookie after logout: %d", got)
	}

	// A password change ends every session of the user.
	b1, b2 := e.browser(), e.browser()
	b1.signIn("编辑甲", "bianji-2026")
	b2.signIn("编辑甲", "bianji-2026")
	hash, _ := password.Hash("bianji-2027")
	if err := e.Store.SetPassword(context.Background(), "编辑甲", hash, "test"); err != nil {
		t.Fatal(err)
	}
	if reuse(b1.cookie()) != http.StatusSeeOther || reuse(b2.cookie()) != http.StatusSeeOther {
		t.Fatal("sessions survive a password change")
	}
	// Disabling ends sessions and refuses sign-in.
	b3 := e.browser()
	if code, _ := b3.signIn("编辑甲", "bianji-2027"); code != 200 {
		t.Fatalf("new password: %d", code)
	}
	if err := e.Store.SetUserDisabled(context.Background(), "编辑甲", true, "test"); err != nil {
		t.Fatal(err)
	}
	if reuse(b3.cookie()) != http.StatusSeeOther {
		t.Fatal("session survives disable")
	}
	if code, _ := e.browser().signIn("编辑甲", "bianji-2027"); code != http.StatusUnauthorized {
		t.Fatalf("disabled user signs in: %d", code)
	}

	// A revoked token gets 401 on the API and loses its console session.
	tb := e.browser()
	tb.login(e.tokens["viewer"])
	if code, _, _ := e.do("GET", "/api/v1/items", "viewer", nil); code != 200 {
		t.Fatalf("token before revoke: %d", code)
	}
	if _, err := e.Store.RevokeTokens(context.Background(), "统计员"); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := e.do("GET", "/api/v1/items", "viewer", nil); code != 401 {
		t.Fatalf("revoked token on the API: %d", code)
	}
	if reuse(tb.cookie()) != http.StatusSeeOther {
		t.Fatal("revoked token's console session survives")
	}
}

func TestTokenGuessingLocked(t *testing.T) {
	e := newAPI(t)
	var last int
	for i := range addrLimit + 1 {
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/items", nil)
		req.Header.Set("Authorization", "Bearer hrld_guess"+strconv.Itoa(i))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		last = resp.StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("after %d bad tokens: %d", addrLimit+1, last)
	}
	// While the address is locked, a good token is refused too.
	if code, _, _ := e.do("GET", "/api/v1/items", "viewer", nil); code != http.StatusTooManyRequests {
		t.Fatalf("good token from a locked address: %d", code)
	}
}

func TestAdminManagesUsers(t *testing.T) {
	e := newAPI(t)
	e.addUser("管理员", "xwb", "admin", "guanli-2026")
	adm := e.browser()
	adm.signIn("管理员", "guanli-2026")
	csrf := adm.csrf("/console/users")
	if code, _ := adm.post("/console/users", url.Values{"csrf": {csrf}, "name": {"王强"}, "department": {"xwb"}, "role": {"reviewer"}, "password": {"short"}}); code != http.StatusUnprocessableEntity {
		t.Fatalf("short password accepted: %d", code)
	}
	if code, page := adm.post("/console/users", url.Values{"csrf": {csrf}, "name": {"王强"}, "department": {"xwb"}, "role": {"reviewer"}, "password": {"fushen-2026"}}); code != 200 || !strings.Contains(page, "王强") {
		t.Fatalf("add user: %d", code)
	}
	if code, _ := e.browser().signIn("王强", "fushen-2026"); code != 200 {
		t.Fatalf("new user signs in: %d", code)
	}
	// Not for an editor.
	e.addUser("编辑乙", "xwb", "editor", "bianji-2026")
	ed := e.browser()
	ed.signIn("编辑乙", "bianji-2026")
	if code, _ := ed.get("/console/users"); code != http.StatusForbidden {
		t.Fatalf("editor on the users page: %d", code)
	}
}

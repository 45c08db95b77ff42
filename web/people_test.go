package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A department's administrator manages that department's users only: the
// office's users are not listed, cannot be reset, and no office user (an
// office admin least of all) can be added or made — on 用户 and the API.
func TestDepartmentAdminIsNotTheOfficeAdmin(t *testing.T) {
	e := newAPI(t)
	ctx := context.Background()
	e.addUser("管理员", "xwb", "admin", "guanli-2026")
	e.addUser("市场管理员", "scj", "admin", "shichang-2026")
	e.addUser("赵磊", "scj", "editor", "zhaolei-2026")
	dep := e.browser()
	if code, _ := dep.signIn("市场管理员", "shichang-2026"); code != 200 {
		t.Fatalf("sign in: %d", code)
	}
	_, page := dep.get("/console/users")
	if strings.Contains(page, `aria-label="管理员 的新密码"`) || !strings.Contains(page, "赵磊") {
		t.Fatalf("department admin's 用户 lists other departments or misses its own:\n%s", page)
	}
	csrf := dep.csrf("/console/users")
	if code, _ := dep.post("/console/users", url.Values{"csrf": {csrf}, "name": {"王强"}, "department": {"xwb"}, "role": {"admin"}, "password": {"wangqiang-2026"}}); code != http.StatusForbidden {
		t.Fatalf("department admin adds an office admin: %d", code)
	}
	if code, _ := dep.post("/console/users/管理员/password", url.Values{"csrf": {csrf}, "password": {"taken-over-2026"}}); code != http.StatusNotFound {
		t.Fatalf("department admin resets the office admin's password: %d", code)
	}
	if code, _ := dep.post("/console/users/赵磊/role", url.Values{"csrf": {csrf}, "department": {"xwb"}, "role": {"admin"}}); code != http.StatusForbidden {
		t.Fatalf("department admin moves a clerk into the office: %d", code)
	}
	if code, _ := dep.post("/console/users", url.Values{"csrf": {csrf}, "name": {"钱芳"}, "department": {"scj"}, "role": {"editor"}, "password": {"qianfang-2026"}}); code != http.StatusOK {
		t.Fatalf("department admin adds its own clerk: %d", code)
	}
	if u, err := e.Store.UserByName(ctx, "管理员"); err != nil || u.Role != "admin" || u.Department != "xwb" {
		t.Fatalf("office admin changed: %+v %v", u, err)
	}
	if code, _ := e.browser().signIn("管理员", "guanli-2026"); code != 200 {
		t.Fatal("office admin's password changed")
	}
	// The same through the API with the department's admin token.
	tok, err := e.Store.CreateTokenExpiring(ctx, "市场管理员", "scj", "admin", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	e.tokens["scj-admin"] = tok
	code, m, raw := e.do("GET", "/api/v1/users", "scj-admin", nil)
	if code != 200 || strings.Contains(raw, `"name":"管理员"`) || !strings.Contains(raw, "赵磊") {
		t.Fatalf("API users for a department admin: %d %s", code, raw)
	}
	_ = m
	if code, _, raw := e.do("POST", "/api/v1/users", "scj-admin", map[string]string{"name": "王强", "department": "xwb", "role": "admin", "password": "wangqiang-2026"}); code != http.StatusForbidden {
		t.Fatalf("API: department admin adds an office admin: %d %s", code, raw)
	}
	if code, _, raw := e.do("POST", "/api/v1/users/管理员/password", "scj-admin", map[string]string{"password": "taken-over-2026"}); code != http.StatusNotFound {
		t.Fatalf("API: department admin resets the office admin: %d %s", code, raw)
	}
	if _, err := e.Store.UserByName(ctx, "王强"); err == nil {
		t.Fatal("王强 was added")
	}
}

var roleSelect = regexp.MustCompile(`(?s)<select id="role"[^>]*>(.*?)</select>`)

// The office admin sees a locked name on 用户 and lifts the lock, a reset
// lifts it too, role and department are changed there, and the add form's
// role has no default.
func TestAdminUnlocksAndChangesPeople(t *testing.T) {
	// 陈晓 signs in from a new address each time (an address a name
	// signed in from is not held by the name's lock).
	e := proxied(t)
	e.addUser("管理员", "xwb", "admin", "guanli-2026")
	e.addUser("陈晓", "xwb", "editor", "chenxiao-2026")
	n := 0
	chen := func() *browser { n++; return e.browserVia("198.51.100." + strconv.Itoa(n)) }
	adm := e.browser()
	adm.signIn("管理员", "guanli-2026")
	_, page := adm.get("/console/users")
	m := roleSelect.FindStringSubmatch(page)
	if m == nil || !strings.Contains(m[1], `<option value="" selected disabled>`) || strings.Count(m[1], "selected") != 1 {
		t.Fatalf("the add form's role select has a default: %v", m)
	}
	lock := func() {
		for range nameLimit {
			e.browserVia("203.0.113.5").signIn("陈晓", "guess-guess")
		}
		if code, _ := chen().signIn("陈晓", "chenxiao-2026"); code != http.StatusTooManyRequests {
			t.Fatalf("not locked: %d", code)
		}
	}
	lock()
	_, page = adm.get("/console/users")
	if !strings.Contains(page, "登录已锁定至") || !strings.Contains(page, "/unlock\"") {
		t.Fatalf("locked name not shown:\n%s", page)
	}
	csrf := adm.csrf("/console/users")
	if code, page := adm.post("/console/users/陈晓/unlock", url.Values{"csrf": {csrf}}); code != 200 || !strings.Contains(page, "已解除登录锁定") || strings.Contains(page, "登录已锁定至") {
		t.Fatalf("unlock: %d", code)
	}
	if code, _ := chen().signIn("陈晓", "chenxiao-2026"); code != 200 {
		t.Fatalf("after unlock: %d", code)
	}
	lock()
	if code, _ := adm.post("/console/users/陈晓/password", url.Values{"csrf": {csrf}, "password": {"chenxiao-2027"}}); code != 200 {
		t.Fatalf("reset: %d", code)
	}
	if code, _ := chen().signIn("陈晓", "chenxiao-2027"); code != 200 {
		t.Fatalf("after a reset: %d", code)
	}
	if code, _ := adm.post("/console/users/陈晓/role", url.Values{"csrf": {csrf}, "department": {"scj"}, "role": {"reviewer"}}); code != 200 {
		t.Fatalf("role change: %d", code)
	}
	if u, _ := e.Store.UserByName(context.Background(), "陈晓"); u.Role != "reviewer" || u.Department != "scj" {
		t.Fatalf("role change not stored: %+v", u)
	}
	if code, _ := adm.post("/console/users", url.Values{"csrf": {csrf}, "name": {"王强"}, "department": {"xwb"}, "password": {"wangqiang-2026"}}); code != http.StatusUnprocessableEntity {
		t.Fatalf("a user added without a role: %d", code)
	}
	// The API: the lock shown, lifted, the role changed.
	tok, _ := e.Store.CreateTokenExpiring(context.Background(), "管理员", "xwb", "admin", time.Time{})
	e.tokens["admin"] = tok
	lock()
	if code, _, raw := e.do("GET", "/api/v1/users", "admin", nil); code != 200 || !strings.Contains(raw, `"locked_until":"`) {
		t.Fatalf("API users: %d %s", code, raw)
	}
	if code, _, raw := e.do("POST", "/api/v1/users/陈晓/unlock", "admin", nil); code != 200 {
		t.Fatalf("API unlock: %d %s", code, raw)
	}
	if code, _, raw := e.do("GET", "/api/v1/users", "admin", nil); code != 200 || strings.Contains(raw, `"locked_until":"`) {
		t.Fatalf("API users after unlock: %d %s", code, raw)
	}
	if code, _, raw := e.do("POST", "/api/v1/users/陈晓/role", "admin", map[string]string{"role": "viewer"}); code != 200 {
		t.Fatalf("API role: %d %s", code, raw)
	}
	if code, _, _ := e.do("GET", "/api/v1/users", "editor", nil); code != http.StatusForbidden {
		t.Fatalf("an editor lists users: %d", code)
	}
}

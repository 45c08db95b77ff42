package web

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/herald-gov/herald/internal/password"
)

// forwarded adds the X-Forwarded-For a proxy would send for its client.
type forwarded struct{ xff string }

func (f forwarded) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", f.xff)
	return http.DefaultTransport.RoundTrip(r)
}

// browserVia is a browser whose requests come through the (trusted) proxy
// on 127.0.0.1 with X-Forwarded-For: xff.
func (e *apiEnv) browserVia(xff string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: e.t, base: e.srv.URL, c: &http.Client{Jar: jar, Transport: forwarded{xff}}}
}

// proxied is the web tests' world behind a proxy on 127.0.0.1.
func proxied(t *testing.T) *apiEnv {
	o := webOptions()
	o.YAML += "http: {trusted_proxies: [127.0.0.1, 10.0.0.0/8]}\n"
	return newAPIWith(t, o)
}

func (e *apiEnv) apiVia(xff, token string) int {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/items", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("X-Forwarded-For", xff)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Behind a trusted proxy, one outsider's guesses lock the outsider's
// address, not the proxy's: everyone else still gets in, and the audit
// names the outsider. A forged X-Forwarded-For entry left of the proxy's
// does not move the lock.
func TestProxiedGuessesLockTheOutsiderOnly(t *testing.T) {
	e := proxied(t)
	e.addUser("张敏", "xwb", "reviewer", "qingshan-2026")
	for i := range addrLimit {
		// The outsider rotates names and forges a left-hand entry; the
		// proxies (10.1.2.3 is one, trusted) append what they saw.
		b := e.browserVia("192.0.2." + string(rune('1'+i%9)) + ", 203.0.113.9, 10.1.2.3")
		b.signIn("猜"+string(rune('A'+i)), "guess-guess")
	}
	if code := e.apiVia("203.0.113.9", e.tokens["viewer"]); code != http.StatusTooManyRequests {
		t.Fatalf("the outsider's address after %d failures: %d", addrLimit, code)
	}
	if code := e.apiVia("198.51.100.7, 203.0.113.9", e.tokens["viewer"]); code != http.StatusTooManyRequests {
		t.Fatalf("the outsider forging a left-hand address: %d", code)
	}
	if code := e.apiVia("198.51.100.7", e.tokens["viewer"]); code != http.StatusOK {
		t.Fatalf("another client behind the same proxy: %d", code)
	}
	if code, _ := e.browserVia("198.51.100.7").signIn("张敏", "qingshan-2026"); code != http.StatusOK {
		t.Fatalf("a user behind the same proxy: %d", code)
	}
	log, _ := e.Store.AuditLog(context.Background(), 0, 0)
	var locked, signedIn bool
	for _, a := range log {
		locked = locked || a.Action == "addr_locked" && strings.Contains(a.Detail, "203.0.113.9")
		signedIn = signedIn || a.Action == "login" && strings.Contains(a.Detail, "198.51.100.7")
	}
	if !locked || !signedIn {
		t.Fatalf("audit does not name the client addresses: %+v", log)
	}
	// Without a trusted proxy, X-Forwarded-For is the client's say: ignored.
	e2 := newAPI(t)
	for range addrLimit {
		e2.apiVia("198.51.100.1", "hrld_guess")
	}
	if code := e2.apiVia("198.51.100.2", e2.tokens["viewer"]); code != http.StatusTooManyRequests {
		t.Fatalf("an untrusted X-Forwarded-For escaped the lock: %d", code)
	}
}

// A token sign-in naming someone does not clear that name's failures.
func TestTokenSignInDoesNotResetAName(t *testing.T) {
	e := newAPI(t)
	e.addUser("刘建国", "xwb", "reviewer", "zhongshen-2026")
	for i := range 2 * nameLimit {
		if code, _ := e.browser().signIn("刘建国", "guess-guess"); code == http.StatusTooManyRequests {
			if i < nameLimit-1 {
				t.Fatalf("locked after %d guesses", i+1)
			}
			return
		}
		b := e.browser()
		b.post("/console/login", url.Values{"csrf": {b.csrf("/console/login")}, "name": {"刘建国"}, "token": {e.tokens["viewer"]}})
	}
	t.Fatalf("%d guesses, each followed by a token sign-in naming the user, never locked the name", 2*nameLimit)
}

// A stranger's guesses lock the name, but not from the address its owner
// signed in from before; elsewhere the owner is let in again by an unlock
// or a password reset; the robot is told of the lock.
func TestLockedNameStillSignsInFromItsKnownAddress(t *testing.T) {
	e := proxied(t)
	ctx := context.Background()
	e.addUser("管理员", "xwb", "admin", "guanli-2026")
	if code, _ := e.browserVia("198.51.100.20").signIn("管理员", "guanli-2026"); code != 200 {
		t.Fatalf("first sign-in: %d", code)
	}
	for range nameLimit {
		e.browserVia("203.0.113.66").signIn("管理员", "guess-guess")
	}
	if code, _ := e.browserVia("203.0.113.66").signIn("管理员", "guanli-2026"); code != http.StatusTooManyRequests {
		t.Fatalf("the stranger's address: %d", code)
	}
	if code, _ := e.browserVia("198.51.100.21").signIn("管理员", "guanli-2026"); code != http.StatusTooManyRequests {
		t.Fatalf("a new address while locked: %d", code)
	}
	if code, _ := e.browserVia("198.51.100.20").signIn("管理员", "guanli-2026"); code != http.StatusOK {
		t.Fatalf("the admin's own address while the name is locked: %d", code)
	}
	if err := e.Store.UnlockUser(ctx, "管理员", "test"); err != nil {
		t.Fatal(err)
	}
	if code, _ := e.browserVia("198.51.100.21").signIn("管理员", "guanli-2026"); code != http.StatusOK {
		t.Fatalf("a new address after unlock: %d", code)
	}
	// A password reset lifts a lock too.
	for range nameLimit {
		e.browserVia("203.0.113.66").signIn("管理员", "guess-guess")
	}
	hash, _ := password.Hash("guanli-2027")
	if err := e.Store.SetPassword(ctx, "管理员", hash, "test"); err != nil {
		t.Fatal(err)
	}
	if code, _ := e.browserVia("198.51.100.22").signIn("管理员", "guanli-2027"); code != http.StatusOK {
		t.Fatalf("a new address after a reset: %d", code)
	}
}

// A disabled account answers the right password as it answers a wrong
// one: nobody learns from it that the password was right.
func TestDisabledAccountAnswersLikeAWrongPassword(t *testing.T) {
	e := newAPI(t)
	e.addUser("编辑甲", "xwb", "editor", "bianji-2026")
	if err := e.Store.SetUserDisabled(context.Background(), "编辑甲", true, "test"); err != nil {
		t.Fatal(err)
	}
	right, rightPage := e.browser().signIn("编辑甲", "bianji-2026")
	wrong, wrongPage := e.browser().signIn("编辑甲", "bianji-2025")
	msg := func(p string) string { return errorDiv.FindString(p) }
	if right != wrong || msg(rightPage) != msg(wrongPage) {
		t.Fatalf("right password %d, wrong %d:\n%s\n%s", right, wrong, msg(rightPage), msg(wrongPage))
	}
}

var errorDiv = regexp.MustCompile(`<div class="error">[^<]*</div>`)

package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/internal/testenv"
)

// deadPlatform answers WeChat token requests for the apps it knows (so the
// calls after them carry an access_token in their URL) and drops the
// connection of every other request: every platform call, the group robot's
// included, fails at the transport level.
type deadPlatform struct {
	tokens map[string]string // appid -> access token it hands out
	mu     sync.Mutex
	seen   []string // request URIs, to prove which paths were exercised
}

func (p *deadPlatform) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.seen = append(p.seen, r.URL.RequestURI()+" "+r.Header.Get("Authorization"))
	p.mu.Unlock()
	if r.URL.Path == "/cgi-bin/token" {
		if tok, ok := p.tokens[r.URL.Query().Get("appid")]; ok {
			fmt.Fprintf(w, `{"access_token":%q,"expires_in":7200}`, tok)
			return
		}
	}
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

func (p *deadPlatform) saw(part string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.seen {
		if strings.Contains(s, part) {
			return true
		}
	}
	return false
}

// No credential reaches a log line, a command's output, the database (other
// than the token cache's own column), its WAL or a backup when every platform
// call fails at the transport level: serve, stats collect, accounts check,
// the group robot, config show.
func TestNoSecretLeaksWhenEveryPlatformCallFails(t *testing.T) {
	const (
		wxSecretA = "WXSECRETaaa111"
		wxSecretB = "WXSECRETbbb222"
		wbToken   = "WBTOKENccc333"
		robotKey  = "ROBOTKEYddd444"
		robotSign = "DINGSIGNfff666" // DingTalk 加签 secret
		wxToken   = "WXACCESSeee555" // handed out by the platform, cached in kv only
	)
	dead := &deadPlatform{tokens: map[string]string{"wxa": wxToken}}
	srv := httptest.NewServer(dead)
	defer srv.Close()

	dir := t.TempDir()
	expires := time.Now().AddDate(0, 3, 0).Format("2006-01-02")
	cfgText := fmt.Sprintf(`data_dir: %s
listen: 127.0.0.1:0
wechat: {api_base: %q, timeout: 2s}
weibo: {api_base: %q, timeout: 2s}
notify: {webhook_url: "%s/cgi-bin/webhook/send?key=%s", secret: %s}
review: {levels: []}
delivery: {workers: 4}
accounts:
  - {id: fabu, name: 青山发布, platform: wechat, groups: [county], app_id: wxa, app_secret: %s}
  - {id: scj, name: 青山市场监管, platform: wechat, groups: [county], app_id: wxb, app_secret: %s}
  - {id: fabu-wb, name: 青山发布微博, platform: weibo, groups: [county], uid: "42", access_token: %s, token_expires: %s, link_url: "https://www.qingshan.gov.cn/"}
`, filepath.Join(dir, "data"), srv.URL, srv.URL, srv.URL, robotKey, robotSign, wxSecretA, wxSecretB, wbToken, expires)
	cfgPath := filepath.Join(dir, "herald.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, dir: dir, cfg: cfgPath}
	newEnvFiles(t, dir)
	secrets := []string{wxSecretA, wxSecretB, wbToken, robotKey, robotSign}
	everything := append(append([]string{}, secrets...), wxToken)
	var outputs []string // every command's stdout and stderr, and serve's log

	// serve: deliver an article to every account; every call fails.
	cfg, err := configs.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	var logBuf syncBuffer
	log := slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	d, err := newDaemon(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- d.run(ctx, log) }()
	id := e.addArticle("--to", "group:county", "--at", "now")
	testenv.Eventually(t, "the daemon to try every platform", func() bool {
		return dead.saw("access_token="+wxToken) && dead.saw("appid=wxb") && dead.saw("/2/statuses/share.json")
	})
	testenv.Eventually(t, "every delivery's failure to be written (and logged)", func() bool {
		ds, err := d.store.Deliveries(ctx, id)
		for _, x := range ds {
			if x.Error == "" || x.State == content.DeliverySending {
				return false
			}
		}
		return err == nil && len(ds) > 0
	})
	d.checkDormant(ctx, log) // the group robot
	if !dead.saw("/cgi-bin/webhook/send") {
		t.Fatal("the group robot was never called")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	outputs = append(outputs, logBuf.String())
	if !strings.Contains(logBuf.String(), "webhook") {
		t.Fatalf("serve logged no robot failure:\n%s", logBuf.String())
	}

	for _, args := range [][]string{
		{"post", "show", "--json", strconv.FormatInt(id, 10)},
		{"stats", "collect"},
		{"stats", "collect", "--json"},
		{"accounts", "check"},
		{"accounts", "check", "--json"},
		{"patrol"},
		{"patrol", "--json"},
		{"config", "show"},
		{"backup", "--out", filepath.Join(dir, "backup.db")},
	} {
		_, out, errs := e.herald(args...)
		outputs = append(outputs, strings.Join(args, " ")+"\n"+out+errs)
	}
	if !dead.saw("/2/users/") || !dead.saw("/datacube/") {
		t.Fatalf("stats collect or accounts check did not reach the platform: %v", dead.seen)
	}
	// The failures must have been seen as failures (the test proves nothing
	// if no error text was produced at all).
	if all := strings.Join(outputs, "\n"); !strings.Contains(all, "EOF") && !strings.Contains(all, "无法访问") && !strings.Contains(all, "no answer") {
		t.Fatalf("no transport failure was reported anywhere:\n%s", all)
	}

	for i, out := range outputs {
		for _, s := range everything {
			if strings.Contains(out, s) {
				t.Errorf("output %d holds the secret %s:\n%s", i, s, excerpt(out, s))
			}
		}
	}
	// Raw files: the database, its WAL and shared memory, and the backup hold
	// none of the configured secrets.
	files, _ := filepath.Glob(filepath.Join(dir, "data", "*"))
	files = append(files, filepath.Join(dir, "backup.db"))
	for _, f := range files {
		if fi, err := os.Stat(f); err != nil || fi.IsDir() {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds the secret %s", filepath.Base(f), s)
			}
		}
	}
	// The platform's access token lives in the token cache and nowhere else.
	for _, f := range []string{filepath.Join(dir, "backup.db")} {
		for _, where := range columnsHolding(t, f, wxToken) {
			if where != "kv.value" {
				t.Errorf("%s: the access token is stored in %s", filepath.Base(f), where)
			}
		}
	}
}

// columnsHolding lists table.column of every text column in the SQLite file
// that holds s.
func columnsHolding(t *testing.T, file, s string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type='table'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var out []string
	for _, tb := range tables {
		cols, err := db.Query(`SELECT name FROM pragma_table_info(?)`, tb)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for cols.Next() {
			var n string
			cols.Scan(&n)
			names = append(names, n)
		}
		cols.Close()
		for _, c := range names {
			var n int
			q := fmt.Sprintf(`SELECT count(*) FROM %q WHERE instr(CAST(%q AS TEXT), ?) > 0`, tb, c)
			if err := db.QueryRow(q, s).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n > 0 {
				out = append(out, tb+"."+c)
			}
		}
	}
	return out
}

func excerpt(s, sub string) string {
	i := strings.Index(s, sub)
	return s[max(0, i-200):min(len(s), i+len(sub)+100)]
}

// syncBuffer is a bytes.Buffer safe for the daemon's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

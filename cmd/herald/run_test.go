package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/storage"
)

// cliOptions is the CLI tests' world: the office world (testenv.Office)
// with two review levels.
func cliOptions() testenv.Options { return testenv.Office(testenv.Options{}, "初审", "终审") }

// env runs herald commands against a testenv's config file; dir also
// holds cover.png and body.html.
type env struct {
	*testenv.Env
	t   *testing.T
	dir string
	cfg string // the config file
}

func newEnv(t *testing.T, o testenv.Options) *env {
	t.Helper()
	te := testenv.New(t, o)
	newEnvFiles(t, te.Dir)
	return &env{Env: te, t: t, dir: te.Dir, cfg: te.ConfigPath}
}

// startDaemon runs serve's daemon in-process on the env's config until
// stop (at the latest when the test ends); tune, if not nil, adjusts it
// before it runs. HERALD_TEST_VERBOSE=1 shows its log.
func (e *env) startDaemon(tune func(*daemon)) (stop func()) {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := e.Log
	if os.Getenv("HERALD_TEST_VERBOSE") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	d, err := newDaemon(ctx, e.Config, log)
	if err != nil {
		cancel()
		e.t.Fatal(err)
	}
	if tune != nil {
		tune(d)
	}
	done := make(chan error, 1)
	go func() { done <- d.run(ctx, log) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	e.t.Cleanup(stop)
	return stop
}

// idleDaemon builds the daemon without running it, for tests that call its
// daily jobs themselves; it is closed when the test ends.
func (e *env) idleDaemon() *daemon {
	e.t.Helper()
	d, err := newDaemon(context.Background(), e.Config, e.Log)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { d.ln.Close(); d.store.Close(); d.lock.Unlock() })
	return d
}

// newEnvFiles writes cover.png and body.html into dir.
func newEnvFiles(t *testing.T, dir string) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 64, 48))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cover.png"), buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	body := `<p>青山县召开县政府常务会议。</p><script>alert(1)</script>`
	if err := os.WriteFile(filepath.Join(dir, "body.html"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// herald runs the command in-process with --config inserted after the command name.
func (e *env) herald(args ...string) (code int, stdout, stderr string) {
	e.t.Helper()
	n := 1
	if len(args) > 1 && !strings.HasPrefix(args[1], "-") {
		if _, _, ok := lookup(args[:2]); ok && strings.Contains(commandName(args), " ") {
			n = 2
		}
	}
	full := append(append(append([]string{}, args[:n]...), "--config", e.cfg), args[n:]...)
	var out, errb bytes.Buffer
	code = run(full, &out, &errb)
	return code, out.String(), errb.String()
}

func commandName(args []string) string {
	c, _, _ := lookup(args)
	return c.name
}

func (e *env) addArticle(extra ...string) int64 {
	e.t.Helper()
	args := append([]string{"post", "add", "--kind", "article", "--title", "县政府常务会议", "--body-file", filepath.Join(e.dir, "body.html"),
		"--image", filepath.Join(e.dir, "cover.png")}, extra...)
	code, out, errs := e.herald(args...)
	if code != 0 {
		e.t.Fatalf("post add: exit %d: %s", code, errs)
	}
	id, err := strconv.ParseInt(strings.TrimSpace(out), 10, 64)
	if err != nil {
		e.t.Fatalf("post add printed %q", out)
	}
	return id
}

type shown struct {
	ID          int64  `json:"id"`
	State       string `json:"state"`
	StateReason string `json:"state_reason"`
	Deliveries  []struct {
		Account string `json:"account"`
		State   string `json:"state"`
		URL     string `json:"url"`
		Error   string `json:"error"`
	} `json:"deliveries"`
	Revision struct {
		Body string `json:"body"`
	} `json:"revision"`
}

func (e *env) show(id int64) shown {
	e.t.Helper()
	code, out, errs := e.herald("post", "show", "--json", strconv.FormatInt(id, 10))
	if code != 0 {
		e.t.Fatalf("post show: %d %s", code, errs)
	}
	var s shown
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		e.t.Fatalf("post show --json: %v\n%s", err, out)
	}
	return s
}

func TestPostAddToGroupMakesOnePendingDeliveryPerAccount(t *testing.T) {
	e := newEnv(t, cliOptions())
	id := e.addArticle("--to", "group:county", "--at", "now")
	s := e.show(id)
	if s.ID != id || s.State != "in_review" {
		t.Fatalf("item: %+v", s)
	}
	got := map[string]string{}
	for _, d := range s.Deliveries {
		got[d.Account] = d.State
	}
	if len(got) != 2 || got["fabu"] != "pending" || got["fabu-wb"] != "pending" {
		t.Fatalf("deliveries: %+v", s.Deliveries)
	}
	if strings.Contains(s.Revision.Body, "<script") {
		t.Fatalf("script kept in body: %s", s.Revision.Body)
	}
}

func TestPostAddJSONAndList(t *testing.T) {
	e := newEnv(t, cliOptions())
	code, out, errs := e.herald("post", "add", "--json", "--kind", "short", "--text", "今日县城天气晴好。", "--to", "fabu-wb", "--at", "now")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var added struct{ ID int64 }
	if err := json.Unmarshal([]byte(out), &added); err != nil || added.ID == 0 {
		t.Fatalf("post add --json: %q %v", out, err)
	}
	e.addArticle("--to", "fabu", "--draft")
	code, out, _ = e.herald("post", "list", "--json")
	var rows []struct {
		ID    int64  `json:"id"`
		State string `json:"state"`
		Kind  string `json:"kind"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 2 {
		t.Fatalf("post list --json: %d %s", code, out)
	}
	if rows[0].State != "draft" || rows[1].Kind != "short" || rows[1].State != "in_review" {
		t.Fatalf("rows: %+v", rows)
	}
	code, out, _ = e.herald("post", "list")
	if code != 0 || !strings.Contains(out, "草稿") || !strings.Contains(out, "审核中") {
		t.Fatalf("post list: %s", out)
	}
}

func TestReviewFlowThroughCLI(t *testing.T) {
	e := newEnv(t, cliOptions())
	id := e.addArticle("--to", "group:county", "--at", "now")
	ids := strconv.FormatInt(id, 10)
	if code, _, errs := e.herald("post", "approve", "--as", "刘建国", ids); code != 1 || !strings.Contains(errs, "无权签署初审") {
		t.Fatalf("wrong reviewer: %d %q", code, errs)
	}
	if code, _, errs := e.herald("post", "approve", "--as", "张敏", ids); code != 0 {
		t.Fatalf("初审: %s", errs)
	}
	if code, _, errs := e.herald("post", "approve", "--as", "刘建国", ids); code != 1 || !strings.Contains(errs, "--secrecy-ok") || strings.Count(errs, "\n") != 1 {
		t.Fatalf("final without secrecy: %d %q", code, errs)
	}
	if code, _, errs := e.herald("post", "approve", "--as", "刘建国", "--secrecy-ok", ids); code != 0 {
		t.Fatalf("终审: %s", errs)
	}
	if s := e.show(id); s.State != "scheduled" {
		t.Fatalf("state after final approval: %s", s.State)
	}
	// Reject path on a second item.
	id2 := strconv.FormatInt(e.addArticle("--to", "fabu", "--at", "now"), 10)
	if code, _, errs := e.herald("post", "reject", "--as", "张敏", "--comment", "标题需更正", id2); code != 0 {
		t.Fatalf("reject: %s", errs)
	}
	if s := e.show(mustInt(id2)); s.State != "draft" || !strings.Contains(s.StateReason, "标题需更正") {
		t.Fatalf("after reject: %+v", s)
	}
}

func TestDepartmentCannotTargetOtherAccounts(t *testing.T) {
	e := newEnv(t, cliOptions())
	code, _, errs := e.herald("post", "add", "--department", "scj", "--kind", "short", "--text", "检查", "--to", "fabu-wb", "--at", "now")
	if code != 1 || !strings.Contains(errs, "只能向本部门账号发布") {
		t.Fatalf("department targeting other account: %d %q", code, errs)
	}
}

func TestNoReviewGoesStraightToScheduled(t *testing.T) {
	o := cliOptions()
	o.YAML = strings.Replace(o.YAML, "  levels: [初审, 终审]\n  reviewers:\n    初审: [张敏]\n    终审: [刘建国]\n", "  levels: []\n", 1)
	e := newEnv(t, o)
	id := e.addArticle("--to", "group:county", "--at", "now")
	if s := e.show(id); s.State != "scheduled" || len(s.Deliveries) != 2 {
		t.Fatalf("%+v", s)
	}
}

func TestBadConfigExitsTwoWithOneLine(t *testing.T) {
	cases := map[string]struct{ yaml, want string }{
		"malformed":      {"accounts: [\n  - id: x\n", "YAML 格式错误"},
		"unknown key":    {"review: {levels: []}\ndelivery:\n  wokers: 3\n", "delivery.wokers"},
		"missing secret": {"review: {levels: []}\naccounts:\n  - {id: fabu, name: 青山发布, platform: wechat, app_id: wx1}\n", "accounts[0].app_secret"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			e := &env{t: t, dir: dir, cfg: filepath.Join(dir, "herald.yaml")}
			if err := os.WriteFile(e.cfg, []byte("data_dir: "+filepath.Join(dir, "data")+"\n"+c.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			code, _, errs := e.herald("post", "list")
			if code != 2 {
				t.Fatalf("exit %d, want 2: %s", code, errs)
			}
			if strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, c.want) {
				t.Fatalf("stderr %q, want one line naming %s", errs, c.want)
			}
		})
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"frobnicate"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "未知的命令") {
		t.Fatalf("unknown command: %d %s", code, errb.String())
	}
	e := newEnv(t, cliOptions())
	if code, _, errs := e.herald("post", "add", "--bogus"); code != 2 || !strings.Contains(errs, "没有 --bogus 这个选项") || strings.Contains(errs, "flag provided") {
		t.Fatalf("bad flag: %d %s", code, errs)
	}
	if code, _, errs := e.herald("post", "list", "--limit", "x"); code != 2 || !strings.Contains(errs, "选项 --limit 的值 \"x\" 无效") {
		t.Fatalf("bad flag value: %d %s", code, errs)
	}
	if code, _, errs := e.herald("post", "add", "--kind", "article"); code != 2 || !strings.Contains(errs, "--to") {
		t.Fatalf("missing --to: %d %s", code, errs)
	}
	missing := filepath.Join(t.TempDir(), "no-such-folder", "report.xlsx")
	if code, _, errs := e.herald("report", "monthly", "--month", "2026-11", "--out", missing); code != 2 || !strings.Contains(errs, "不存在") {
		t.Fatalf("report into a missing folder: %d %s", code, errs)
	}
	if code, _, _ := e.herald("post", "show", "abc"); code != 2 {
		t.Fatalf("bad id: %d", code)
	}
	if code, _, errs := e.herald("post", "show", "42"); code != 1 || !strings.Contains(errs, "不存在") {
		t.Fatalf("missing item: %d %s", code, errs)
	}
	out.Reset()
	if code := run([]string{"version"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "herald") {
		t.Fatalf("version: %d %s", code, out.String())
	}
}

func TestRemoteImageRefused(t *testing.T) {
	e := newEnv(t, cliOptions())
	os.WriteFile(filepath.Join(e.dir, "remote.html"), []byte(`<p>x</p><img src="https://example.com/a.jpg">`), 0o600)
	code, _, errs := e.herald("post", "add", "--kind", "article", "--title", "t", "--body-file", filepath.Join(e.dir, "remote.html"),
		"--image", filepath.Join(e.dir, "cover.png"), "--to", "fabu", "--at", "now")
	if code != 1 || !strings.Contains(errs, "网络图片") {
		t.Fatalf("%d %q", code, errs)
	}
	if code, out, _ := e.herald("post", "list", "--json"); code != 0 || strings.TrimSpace(out) != "[]" {
		t.Fatalf("refused item was half-written: %s", out)
	}
}

func TestBackupWritesAHeraldDatabase(t *testing.T) {
	e := newEnv(t, cliOptions())
	id := e.addArticle("--to", "fabu", "--at", "now")
	out := filepath.Join(e.dir, "backup.db")
	if code, _, errs := e.herald("backup", "--out", out); code != 0 {
		t.Fatalf("backup: %s", errs)
	}
	st, err := storage.OpenFile(context.Background(), out, t.TempDir())
	if err != nil {
		t.Fatalf("backup does not open as a herald database: %v", err)
	}
	defer st.Close()
	if _, err := st.Item(context.Background(), id); err != nil {
		t.Fatalf("item not in backup: %v", err)
	}
}

func TestConfigShowMasksSecrets(t *testing.T) {
	e := newEnv(t, cliOptions())
	code, out, _ := e.herald("config", "show")
	if code != 0 || strings.Contains(out, "app_secret: s1") || !strings.Contains(out, "********") {
		t.Fatalf("%d\n%s", code, out)
	}
}

func mustInt(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

func TestTokenCreate(t *testing.T) {
	e := newEnv(t, cliOptions())
	code, out, errs := e.herald("token", "create", "--name", "张敏", "--department", "xwb", "--role", "reviewer")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || !strings.HasPrefix(lines[len(lines)-1], "hrld_") {
		t.Fatalf("token create: %d %q %s", code, out, errs)
	}
	code, out, _ = e.herald("token", "create", "--json", "--name", "x", "--department", "scj", "--role", "viewer")
	var j struct{ Token string }
	if code != 0 || json.Unmarshal([]byte(out), &j) != nil || !strings.HasPrefix(j.Token, "hrld_") {
		t.Fatalf("--json: %s", out)
	}
	if code, _, _ := e.herald("token", "create", "--name", "x", "--department", "nope", "--role", "viewer"); code != 2 {
		t.Fatalf("unknown department: %d", code)
	}
	if code, _, _ := e.herald("token", "create", "--name", "x", "--department", "xwb", "--role", "god"); code != 2 {
		t.Fatalf("unknown role: %d", code)
	}
}

func TestGraphicRenderAndAddFromPolicy(t *testing.T) {
	e := newEnv(t, cliOptions())
	out := filepath.Join(e.dir, "pages")
	code, stdout, errs := e.herald("graphic", "render", "--in", "../../configs/policy.example.yaml", "--out", out)
	if code != 0 {
		t.Fatalf("graphic render: %d %s", code, errs)
	}
	paths := strings.Fields(stdout)
	if len(paths) < 2 {
		t.Fatalf("printed %q", stdout)
	}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width != 1080 {
			t.Fatalf("%s: %v %d", p, err, cfg.Width)
		}
	}
	code, stdout, errs = e.herald("post", "add", "--kind", "graphic", "--from-policy", "../../configs/policy.example.yaml", "--to", "fabu", "--at", "now")
	if code != 0 {
		t.Fatalf("post add --from-policy: %d %s", code, errs)
	}
	s := e.show(mustInt(strings.TrimSpace(stdout)))
	code, raw, _ := e.herald("post", "show", "--json", strings.TrimSpace(stdout))
	if code != 0 || s.State != "in_review" || !strings.Contains(raw, "青山县2026年农村危房改造补助政策") ||
		!strings.Contains(raw, "https://www.qingshan.gov.cn/zwgk/zcwj/2026/15.html") || strings.Count(raw, `"role": "image"`)+strings.Count(raw, `"role": "cover"`) != len(paths) {
		t.Fatalf("graphic item: %s", raw)
	}
	os.WriteFile(filepath.Join(e.dir, "bad.yaml"), []byte("title: T\nurl: ftp://x\n"), 0o600)
	if code, _, errs := e.herald("graphic", "render", "--in", filepath.Join(e.dir, "bad.yaml"), "--out", out); code != 1 || !strings.Contains(errs, "http(s)") {
		t.Fatalf("bad policy: %d %s", code, errs)
	}
}

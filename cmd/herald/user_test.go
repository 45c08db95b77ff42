package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestUserCommands(t *testing.T) {
	e := newEnv(t, cliOptions())
	pwFile := filepath.Join(e.dir, "pw")
	if err := os.WriteFile(pwFile, []byte("qingshan-2026\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := e.herald("user", "add", "--name", "张敏", "--department", "xwb", "--role", "reviewer", "--password-file", pwFile); code != 0 {
		t.Fatalf("user add: %d %s", code, errs)
	}
	if code, _, errs := e.herald("user", "add", "--name", "张敏", "--department", "xwb", "--role", "reviewer", "--password-file", pwFile); code != 1 || !strings.Contains(errs, "已存在") {
		t.Fatalf("duplicate user: %d %s", code, errs)
	}
	if code, _, errs := e.herald("user", "add", "--name", "王强", "--department", "nope", "--role", "reviewer", "--password-file", pwFile); code != 2 || !strings.Contains(errs, "nope") {
		t.Fatalf("unknown department: %d %s", code, errs)
	}
	short := filepath.Join(e.dir, "short")
	os.WriteFile(short, []byte("abc\n"), 0o600)
	if code, _, errs := e.herald("user", "add", "--name", "王强", "--department", "xwb", "--role", "reviewer", "--password-file", short); code != 1 || !strings.Contains(errs, "至少 8") {
		t.Fatalf("short password: %d %s", code, errs)
	}
	if code, _, errs := e.herald("user", "disable", "张敏"); code != 0 {
		t.Fatalf("disable: %d %s", code, errs)
	}
	code, out, _ := e.herald("user", "list", "--json")
	var users []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &users) != nil || len(users) != 1 || users[0]["name"] != "张敏" || users[0]["disabled"] != true {
		t.Fatalf("user list: %d %s", code, out)
	}
	if strings.Contains(out, "argon2") || strings.Contains(out, "qingshan") {
		t.Fatalf("user list shows the password or its hash: %s", out)
	}
}

func TestTokenListRevoke(t *testing.T) {
	e := newEnv(t, cliOptions())
	_, out, _ := e.herald("token", "create", "--name", "统计员", "--department", "xwb", "--role", "viewer", "--expires", "90d")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	token := lines[len(lines)-1]
	if !strings.HasPrefix(token, "hrld_") {
		t.Fatalf("token create: %s", out)
	}
	if code, _, errs := e.herald("token", "create", "--name", "x", "--department", "xwb", "--role", "viewer", "--expires", "2001-01-01"); code != 2 {
		t.Fatalf("expiry in the past: %d %s", code, errs)
	}
	code, out, _ := e.herald("token", "list", "--json")
	var toks []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &toks) != nil || len(toks) != 1 || toks[0]["name"] != "统计员" || toks[0]["expires_at"] == nil {
		t.Fatalf("token list: %d %s", code, out)
	}
	_, table, _ := e.herald("token", "list")
	for _, o := range []string{out, table} {
		if strings.Contains(o, token) || strings.Contains(o, token[5:15]) {
			t.Fatalf("token list prints the token: %s", o)
		}
	}
	if code, out, errs := e.herald("token", "revoke", "统计员"); code != 0 || !strings.Contains(out, "1 个") {
		t.Fatalf("revoke: %d %s %s", code, out, errs)
	}
	if code, _, errs := e.herald("token", "revoke", "统计员"); code != 1 {
		t.Fatalf("revoke again: %d %s", code, errs)
	}
	_, out, _ = e.herald("token", "list")
	if !strings.Contains(out, "已吊销") {
		t.Fatalf("revoked token not shown as such: %s", out)
	}
}

// The password comes from stdin when there is no --password-file (a real
// subprocess, as a clerk's shell would run it).
func TestUserAddPasswordOnStdin(t *testing.T) {
	bin := buildHerald(t)
	e := newEnv(t, cliOptions())
	cmd := exec.Command(bin, "user", "add", "--config", e.cfg, "--name", "刘建国", "--department", "xwb", "--role", "reviewer")
	cmd.Stdin = strings.NewReader("zhongshen-2026\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("user add with stdin: %v %s", err, out)
	}
	if code, out, _ := e.herald("user", "list"); code != 0 || !strings.Contains(out, "刘建国") {
		t.Fatalf("user list: %s", out)
	}
}

// herald user unlock lifts a lock on a name; an unknown name exits 1.
func TestUserUnlock(t *testing.T) {
	e := newEnv(t, cliOptions())
	pwFile := filepath.Join(e.dir, "pw")
	if err := os.WriteFile(pwFile, []byte("guanli-2026\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := e.herald("user", "add", "--name", "管理员", "--department", "xwb", "--role", "admin", "--password-file", pwFile); code != 0 {
		t.Fatalf("user add: %d %s", code, errs)
	}
	if code, out, errs := e.herald("user", "unlock", "管理员"); code != 0 || !strings.Contains(out, "已解除") {
		t.Fatalf("unlock: %d %s %s", code, out, errs)
	}
	if code, _, errs := e.herald("user", "unlock", "无此人"); code != 1 || !strings.Contains(errs, "没有用户") {
		t.Fatalf("unlock an unknown name: %d %s", code, errs)
	}
	code, out, _ := e.herald("audit", "--json")
	if code != 0 || !strings.Contains(out, "user_unlocked") {
		t.Fatalf("unlock not audited: %s", out)
	}
}

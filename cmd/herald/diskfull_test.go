package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// On a full disk, post add and report monthly say so in serve's Chinese
// line, naming the disk, not SQLite's "database or disk is full (13)". The
// data directory is a small tmpfs of its own, which only root may mount.
func TestFullDiskLineOnTheCLI(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("the full-disk test mounts a 2 MB tmpfs as the data disk and could not (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", dir).Run() })
	data := filepath.Join(dir, "data")
	cfgPath := filepath.Join(t.TempDir(), "herald.yaml")
	cfg := fmt.Sprintf(`data_dir: %s
review: {levels: []}
accounts:
  - {id: wb0, name: 微博0, platform: weibo, groups: [all], uid: "1", access_token: t, link_url: "https://www.qingshan.gov.cn/"}
`, data)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	herald := func(args ...string) (int, string) {
		var out, errs bytes.Buffer
		code := run(append(args[:2:2], append([]string{"--config", cfgPath}, args[2:]...)...), &out, &errs)
		return code, errs.String()
	}
	add := []string{"post", "add", "--kind", "short", "--title", "满盘", "--text", "磁盘已满时的稿件", "--to", "wb0", "--at", "2027-01-01 09:00"}
	if code, errs := herald(add...); code != 0 {
		t.Fatalf("post add before the disk is full: %d %s", code, errs)
	}
	// Fill the disk.
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			break
		}
	}
	f.Close()

	code, errs := herald(add...)
	want := "数据目录 " + data + " 所在磁盘已满，无法写入数据库：请先清理磁盘后重试"
	if code != 1 || !strings.Contains(errs, want) || strings.Contains(errs, "(13)") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("post add on a full disk: exit %d\n%s\nwant one line: %s", code, errs, want)
	}
	code, errs = herald("report", "monthly", "--month", "2026-11", "--out", filepath.Join(dir, "月报.xlsx"))
	if code != 1 || !strings.Contains(errs, "所在磁盘已满") || strings.Contains(errs, "(13)") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("report monthly on a full disk: exit %d\n%s", code, errs)
	}
	t.Logf("%s", strings.TrimSpace(errs))
}

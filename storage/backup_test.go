package storage

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A backup carries no live WeChat access token (README promises none): the
// cached tokens are left out of the copy, and no byte of one is left in it.
func TestBackupLeavesOutLiveTokens(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	const token = "78_LiveAccessTokenForWx1abcdefghijklmnopqrstuvwxyz"
	must(t, s.SetValue(ctx, "wechat:access_token_wx1", token, time.Hour))
	must(t, s.SetValue(ctx, "notify:audit-cursor", "42", 0))
	out := filepath.Join(t.TempDir(), "backup.db")
	must(t, s.Backup(ctx, out))
	raw, err := os.ReadFile(out)
	must(t, err)
	if bytes.Contains(raw, []byte(token)) || bytes.Contains(raw, []byte("LiveAccessToken")) {
		t.Fatal("the backup holds a live WeChat access token")
	}
	b, err := OpenFile(ctx, out, t.TempDir())
	must(t, err)
	defer b.Close()
	if v, err := b.GetValue(ctx, "notify:audit-cursor"); err != nil || v != "42" {
		t.Fatalf("other values lost: %q %v", v, err)
	}
	if _, err := s.GetValue(ctx, "wechat:access_token_wx1"); err != nil {
		t.Fatalf("the live database lost its token: %v", err)
	}
}

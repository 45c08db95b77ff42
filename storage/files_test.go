package storage

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// The database, its WAL and shared memory, images and backups hold live
// platform tokens and session secrets: only herald's user may read them.
func TestFilesAreOwnerOnly(t *testing.T) {
	old := syscall.Umask(0o022) // the usual umask, whatever the test runner's
	defer syscall.Umask(old)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SetValue(ctx, "k", "v", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutImage(ctx, pngBytes(t, 8, 8)); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := s.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	want := map[string]os.FileMode{dir: 0o700, filepath.Join(dir, "media"): 0o700, backup: 0o600}
	for _, f := range []string{DBFile, DBFile + "-wal", DBFile + "-shm"} {
		want[filepath.Join(dir, f)] = 0o600
	}
	_ = filepath.Walk(filepath.Join(dir, "media"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && p != filepath.Join(dir, "media") {
			want[p] = map[bool]os.FileMode{true: 0o700, false: 0o600}[fi.IsDir()]
		}
		return nil
	})
	for p, mode := range want {
		fi, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if got := fi.Mode().Perm(); got != mode {
			t.Errorf("%s has mode %o, want %o", p, got, mode)
		}
	}
}

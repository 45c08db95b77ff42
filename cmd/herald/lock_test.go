package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/storage"
)

// A second daemon on the same data directory is refused: it would turn the
// first one's live deliveries into unknown and run the daily jobs twice. It
// exits 1 naming the first one's PID, and leaves the first one running.
func TestSecondServeOnTheSameDataDirIsRefused(t *testing.T) {
	c := newCancelEnv(t, testenv.Options{})
	c.serve() // the first daemon, in this process
	type result struct {
		code      int
		out, errs string
	}
	second := make(chan result, 1)
	go func() {
		code, out, errs := c.herald("serve")
		second <- result{code, out, errs}
	}()
	var r result
	select {
	case r = <-second:
	case <-time.After(10 * time.Second):
		t.Fatal("a second serve on the same data dir is still running after 10 s")
	}
	code, out, errs := r.code, r.out, r.errs
	if code != 1 {
		t.Fatalf("second serve: exit %d, want 1\nstdout: %s\nstderr: %s", code, out, errs)
	}
	pid := strconv.Itoa(os.Getpid())
	if !strings.Contains(errs, "PID "+pid) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("second serve should say in one line that PID %s holds the data dir: %q", pid, errs)
	}
	t.Logf("second serve said: %s", strings.TrimSpace(errs))
	// A stray rm of the lock file does not let a second daemon in: the lock
	// is held on the data directory itself.
	if err := os.Remove(filepath.Join(c.Config.DataDir, storage.LockFile)); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := c.herald("serve"); code != 1 || !strings.Contains(errs, "只能运行一个 herald serve") {
		t.Fatalf("serve after rm herald.lock: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	// The first daemon still works: an item goes out.
	c.addArticle("--to", "wx000", "--at", "now")
	waitFor(t, "the first daemon to publish", func() bool { return len(c.Sandbox.Snapshot().WeChat["wxapp000"].Published) == 1 })
	// Once it stops, the lock is free again.
	c.stop()
	c.stop = nil
	l, err := storage.LockDir(c.Config.DataDir)
	if err != nil {
		t.Fatalf("lock after the daemon stopped: %v", err)
	}
	l.Unlock()
}

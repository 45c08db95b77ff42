package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/internal/testenv"
)

// buildHerald compiles the herald binary for subprocess tests.
func buildHerald(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "herald")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestSIGKILLMidFanOutPublishesExactlyOncePerAccount(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess crash test")
	}
	bin := buildHerald(t)
	t.Run("4 workers, killed once", func(t *testing.T) { sigkillFanOut(t, bin, 24, 8, 4, 60*time.Millisecond, 6) })
	// 32 workers: the delivery path's writes are committed in groups (claims,
	// progress, answers and the upload records that ride along), so the kills
	// land while a group is being committed.
	t.Run("32 workers, killed twice", func(t *testing.T) { sigkillFanOut(t, bin, 96, 16, 32, 30*time.Millisecond, 20, 60) })
}

// sigkillFanOut adds an article for every account with the CLI, runs `herald
// serve`, SIGKILLs it once the platform has published killAt[0], then
// killAt[1], ... publications, runs it to the end, and checks on the
// sandbox that every account has exactly one publication.
func sigkillFanOut(t *testing.T, bin string, wechat, weibo, workers int, latency time.Duration, killAt ...int) {
	e := newEnv(t, testenv.Options{WeChat: wechat, Weibo: weibo, Workers: workers, Delivery: "settle_window: 1s", Timeout: 5 * time.Second,
		YAML: "listen: " + freeAddr(t) + "\nreview: {levels: []}", Sandbox: sandbox.Options{Seed: 5, Faults: sandbox.Faults{Latency: latency}}})
	sb, cfg, cfgPath, st := e.Sandbox, e.Config, e.cfg, e.Store
	id := e.addArticle("--to", "all", "--at", "now")

	published := func() int {
		n := 0
		snap := sb.Snapshot()
		for _, w := range snap.WeChat {
			n += len(w.Published)
		}
		for _, w := range snap.Weibo {
			n += len(w.Posts)
		}
		return n
	}
	serve := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve", "--config", cfgPath)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if os.Getenv("HERALD_TEST_VERBOSE") == "" {
			cmd.Stdout, cmd.Stderr = nil, nil
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}

	for _, at := range killAt {
		daemon := serve()
		t.Cleanup(func() { _ = daemon.Process.Kill() }) // if the wait below fails
		testenv.Eventually(t, fmt.Sprintf("%d publications before the kill", at), func() bool { return published() >= at })
		if err := daemon.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = daemon.Wait()
		killedAt := published()
		if killedAt >= len(cfg.Accounts) {
			t.Fatalf("everything was published before the kill (%d); the test proves nothing", killedAt)
		}
		inFlight := 0
		ds, _ := st.Deliveries(context.Background(), id)
		for _, d := range ds {
			if d.State == content.DeliverySending {
				inFlight++
			}
		}
		t.Logf("killed with %d of %d published on the platform, %d deliveries in sending", killedAt, len(cfg.Accounts), inFlight)
	}

	second := serve()
	t.Cleanup(func() { _ = second.Process.Kill() }) // if the wait below fails
	var it content.Item
	testenv.Eventually(t, "the item to settle after the restart", func() bool {
		var err error
		if it, err = st.Item(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		return it.State.Final()
	})
	if it.State != content.ItemDone {
		t.Errorf("item ended %s: %s", it.State, it.StateReason)
	}
	// SIGTERM: exits 0 within 15 s.
	start := time.Now()
	if err := second.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := second.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v", err)
	}
	if took := time.Since(start); took > 15*time.Second {
		t.Fatalf("serve took %s to stop", took)
	}

	// On the platform: exactly one publication per account.
	snap := sb.Snapshot()
	for _, a := range cfg.Accounts {
		n := 0
		if a.Platform == configs.PlatformWeChat {
			n = len(snap.WeChat[a.AppID].Published)
		} else {
			n = len(snap.Weibo[a.UID].Posts)
		}
		if n != 1 {
			t.Errorf("%s: %d publications on the platform, want exactly 1", a.ID, n)
		}
	}
}

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/configs"
)

// An item the CLI adds while serve runs starts delivering within 2 seconds
// (design.md): the daemon notices the other connection's commit.
func TestItemAddedByCLIStartsWithinTwoSeconds(t *testing.T) {
	sb := sandbox.New(sandbox.Options{Seed: 3})
	srv := httptest.NewServer(sb)
	defer srv.Close()
	dir := t.TempDir()
	cfgText := fmt.Sprintf(`data_dir: %s
listen: 127.0.0.1:0
wechat: {api_base: %q}
review: {levels: []}
accounts:
  - {id: fabu, name: 青山发布, platform: wechat, app_id: wx1, app_secret: s}
`, filepath.Join(dir, "data"), srv.URL)
	cfgPath := filepath.Join(dir, "herald.yaml")
	os.WriteFile(cfgPath, []byte(cfgText), 0o600)
	cfg, err := configs.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	registerAccounts(sb, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := newDaemon(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- d.run(ctx, log) }()
	defer func() { cancel(); <-done }()
	time.Sleep(300 * time.Millisecond) // the daemon is idle, waiting

	e := &env{t: t, dir: dir, cfg: cfgPath}
	newEnvFiles(t, dir)
	added := time.Now()
	e.addArticle("--to", "fabu", "--at", "now")
	for {
		if calls := sb.Snapshot().WeChat["wx1"].Calls; len(calls) > 0 {
			t.Logf("first platform call %s after the CLI added the item", time.Since(added).Round(time.Millisecond))
			break
		}
		if time.Since(added) > 2*time.Second {
			t.Fatal("nothing reached the platform within 2 s of the CLI adding a due item")
		}
		time.Sleep(20 * time.Millisecond)
	}

}

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/configs"
)

// The daemon's daily patrol (run after the statistics) reads what was
// published by hand and tells the robot of the finding once, and of a
// repost task nearing its due time.
func TestDaemonDailyPatrolTellsTheRobot(t *testing.T) {
	robot := &testRobot{}
	rs := httptest.NewServer(robot)
	defer rs.Close()
	sb := sandbox.New(sandbox.Options{Seed: 6})
	srv := httptest.NewServer(sb)
	defer srv.Close()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "herald.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`data_dir: %s
listen: 127.0.0.1:0
wechat: {api_base: %q}
review:
  leaders: [{name: 王建国, title: 县委书记}]
notify: {webhook_url: %q}
accounts:
  - {id: fabu, name: 青山发布, platform: wechat, app_id: wx1, app_secret: s}
`, filepath.Join(dir, "data"), srv.URL, rs.URL)), 0o600)
	cfg, err := configs.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	registerAccounts(sb, cfg)
	art, err := sb.PlaceArticle("wx1", sandbox.HandArticle{Title: "县委常委会召开", Content: "<p>县委书记王建华主持。</p>", At: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := newDaemon(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { d.ln.Close(); d.store.Close(); d.lock.Unlock() }()
	if _, err := d.patrol.AddTask(ctx, "学习贯彻全会精神", "", time.Now().Add(2*time.Hour), "all"); err != nil {
		t.Fatal(err)
	}
	d.runPatrol(ctx, log)
	d.runPatrol(ctx, log)
	robot.mu.Lock()
	defer robot.mu.Unlock()
	if len(robot.msgs) != 2 {
		t.Fatalf("robot got %d messages: %q", len(robot.msgs), robot.msgs)
	}
	all := strings.Join(robot.msgs, "\n")
	for _, want := range []string{"巡检", "「王建华」应为「王建国」", art.URL, "转载任务提醒", "学习贯彻全会精神", "青山发布（fabu）"} {
		if !strings.Contains(all, want) {
			t.Errorf("robot messages lack %q:\n%s", want, all)
		}
	}
}

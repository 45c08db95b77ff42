package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/internal/testenv"
)

// The daemon's daily patrol (run after the statistics) reads what was
// published by hand and tells the robot of the finding once, and of a
// repost task nearing its due time.
func TestDaemonDailyPatrolTellsTheRobot(t *testing.T) {
	robot := &testRobot{}
	rs := httptest.NewServer(robot)
	defer rs.Close()
	e := newEnv(t, testenv.Options{WeChat: 1, Sandbox: sandbox.Options{Seed: 6},
		YAML: fmt.Sprintf("listen: 127.0.0.1:0\nreview:\n  leaders: [{name: 王建国, title: 县委书记}]\nnotify: {webhook_url: %q}", rs.URL)})
	sb, cfg := e.Sandbox, e.Config
	art, err := sb.PlaceArticle("wxapp000", sandbox.HandArticle{Title: "县委常委会召开", Content: "<p>县委书记王建华主持。</p>", At: time.Now().Add(-time.Hour)})
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
	for _, want := range []string{"巡检", "「王建华」应为「王建国」", art.URL, "转载任务提醒", "学习贯彻全会精神", "公众号0（wx000）"} {
		if !strings.Contains(all, want) {
			t.Errorf("robot messages lack %q:\n%s", want, all)
		}
	}
}

package main

import (
	"context"
	"fmt"
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
	sb := e.Sandbox
	art, err := sb.PlaceArticle("wxapp000", sandbox.HandArticle{Title: "县委常委会召开", Content: "<p>县委书记王建华主持。</p>", At: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, log := context.Background(), e.Log
	d := e.idleDaemon()
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

// After its daily patrol the daemon empties the texts older than
// patrol.keep_text_days; the rows stay, so nothing is fetched again.
func TestDaemonPrunesOldPatrolTexts(t *testing.T) {
	e := newEnv(t, testenv.Options{WeChat: 1, Sandbox: sandbox.Options{Seed: 7},
		YAML: "listen: 127.0.0.1:0\npatrol: {days: 30, keep_text_days: 30}"})
	sb := e.Sandbox
	old, err := sb.PlaceArticle("wxapp000", sandbox.HandArticle{Title: "旧文", Content: "<p>四十天前的正文。</p>", At: time.Now().AddDate(0, 0, -40)})
	if err != nil {
		t.Fatal(err)
	}
	recent, err := sb.PlaceArticle("wxapp000", sandbox.HandArticle{Title: "新文", Content: "<p>昨天的正文。</p>", At: time.Now().Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, log := context.Background(), e.Log
	d := e.idleDaemon()
	// `herald patrol --from` 45 days back read the old article too.
	if _, err := d.patrol.Run(ctx, time.Now().AddDate(0, 0, -45), time.Now().AddDate(0, 0, 1), nil); err != nil {
		t.Fatal(err)
	}
	d.runPatrol(ctx, log)
	pubs, err := d.store.Publications(ctx, []string{"wx000"}, time.Now().AddDate(0, 0, -45), time.Now().AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string]string{}
	for _, p := range pubs {
		texts[p.Title] = p.Text
	}
	if _, ok := texts["旧文"]; !ok || texts["旧文"] != "" || !strings.Contains(texts["新文"], "昨天的正文") {
		t.Fatalf("after the daily patrol: old %q, new %q", texts["旧文"], texts["新文"])
	}
	// Each text was handed out by the platform once: nothing read again.
	served := sb.Snapshot().WeChat["wxapp000"].ContentServed
	if served[old.URL] != 1 || served[recent.URL] != 1 {
		t.Fatalf("texts handed out: %v", served)
	}
}

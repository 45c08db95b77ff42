package notify

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/queue"
)

// messages returns what the notifier would tell the robot for every audit
// entry written so far, in order.
func messages(t *testing.T, n *Notifier) []string {
	t.Helper()
	entries, err := n.store.AuditAfter(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if m, ok := n.message(context.Background(), e); ok {
			out = append(out, m)
		}
	}
	return out
}

// The final signature given after the publication time expires the item:
// the robot says so instead of 「将按计划发布」.
func TestLastSignatureAfterThePublicationTimeIsToldAsExpired(t *testing.T) {
	ctx := context.Background()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, loc)
	e := testenv.New(t, testenv.Options{WeChat: 1, Start: start, YAML: `review:
  levels: [初审, 终审]
  reviewers: {初审: [张敏], 终审: [刘建国]}`})
	n := NewNotifier(e.Config, e.Store, NewRobot(configs.Notify{WebhookURL: "http://127.0.0.1:1/unused"}, nil), e.Log)
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, image.NewRGBA(image.Rect(0, 0, 900, 383))); err != nil {
		t.Fatal(err)
	}
	cover := pngBuf.Bytes()
	add := func(title, at string) int64 {
		id, err := e.Queue.Add(ctx, queue.Actor{Name: "陈晓"}, queue.Draft{Kind: content.KindArticle, Title: title,
			Body: "<p>青山县召开县政府常务会议。</p>", Images: [][]byte{cover}, Targets: "all", When: at})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	sign := func(id int64, who string, last bool) {
		if err := e.Queue.Approve(ctx, queue.Actor{Name: who}, id, last); err != nil && !strings.Contains(err.Error(), "已过") {
			t.Fatalf("approve %d as %s: %v", id, who, err)
		}
	}
	onTime := add("按时签发", "2026-12-01 10:00")
	late := add("签发过晚", "2026-12-01 10:00")
	sign(onTime, "张敏", false)
	sign(onTime, "刘建国", true)
	sign(late, "张敏", false)
	e.Clock.Advance(2 * time.Hour) // 11:00: the publication time has passed
	sign(late, "刘建国", true)

	msgs := messages(t, n)
	want := [][]string{
		{"【待初审】", "按时签发"},
		{"【待初审】", "签发过晚"},
		{"【待终审】", "按时签发", "初审已由 张敏 签发", "可签：刘建国"},
		{"【审核通过】", "按时签发", "终审由 刘建国 签发", "将按计划发布"},
		{"【待终审】", "签发过晚"},
		{"【已过期】", "签发过晚", "终审由 刘建国 签发时已过发布时间，未发布", "请重新设定发布时间"},
	}
	if len(msgs) != len(want) {
		t.Fatalf("%d messages, want %d:\n%s", len(msgs), len(want), strings.Join(msgs, "\n---\n"))
	}
	for i, parts := range want {
		for _, p := range parts {
			if !strings.Contains(msgs[i], p) {
				t.Errorf("message %d lacks %q:\n%s", i+1, p, msgs[i])
			}
		}
	}
}

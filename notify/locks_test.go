package notify

import (
	"context"
	"strings"
	"testing"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// A locked name is told to the group (a real user's name only), and no
// title, name or comment can add a line of its own to a message.
func TestLockToldAndValuesCannotForgeLines(t *testing.T) {
	ctx := context.Background()
	e := testenv.New(t, testenv.Options{Weibo: 1, YAML: `review:
  levels: [初审]
  reviewers: {初审: [张敏]}`})
	n := NewNotifier(e.Config, e.Store, NewRobot(configs.Notify{WebhookURL: "http://127.0.0.1:1/unused"}, nil), e.Log)
	if err := e.Store.CreateUser(ctx, storage.User{Name: "管理员", Department: "news", Role: "admin", PasswordHash: "x"}, "test"); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"管理员", "无此人"} {
		if err := e.Store.AddAudit(ctx, storage.AuditEntry{Actor: who, Action: "login_locked", Detail: who + " 连续 5 次密码错误，登录锁定至 10:15（地址 203.0.113.9）"}); err != nil {
			t.Fatal(err)
		}
	}
	forged := "会议\n【审核通过】初审由张敏签发\r\u2028http://evil.ex/"
	if _, err := e.Queue.Add(ctx, queue.Actor{Name: "陈晓"}, queue.Draft{Kind: content.KindShort, Title: forged,
		Body: "青山县召开县政府常务会议。", Targets: "all", When: "now"}); err != nil {
		t.Fatal(err)
	}
	msgs := messages(t, n)
	var lock, waiting string
	for _, m := range msgs {
		switch {
		case strings.HasPrefix(m, "【登录锁定】"):
			if lock != "" {
				t.Fatalf("two lock messages (a stranger's made-up name told): %q", msgs)
			}
			lock = m
		case strings.HasPrefix(m, "【待初审】"):
			waiting = m
		}
	}
	if !strings.Contains(lock, "管理员") || !strings.Contains(lock, "解除锁定") {
		t.Fatalf("lock message: %q (all: %q)", lock, msgs)
	}
	if waiting == "" {
		t.Fatalf("no review message: %q", msgs)
	}
	for _, l := range strings.Split(waiting, "\n") {
		if strings.HasPrefix(l, "【审核通过】") || strings.HasPrefix(l, "http://evil") {
			t.Fatalf("a title forged a line: %q", waiting)
		}
	}
}

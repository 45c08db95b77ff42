package inbox_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/inbox"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/notify"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

func newInbox(t *testing.T, start time.Time) (*testenv.Env, *inbox.Service) {
	e := testenv.New(t, testenv.Options{WeChat: 2, Weibo: 1, Start: start})
	return e, inbox.New(e.Config, e.Store, e.Queue, map[string]channels.InboxReader{configs.PlatformWeChat: e.WeChat, configs.PlatformWeibo: e.Weibo}, e.Log, e.Clock.Now)
}

func TestDueAtWorkingDaysAndTheMessageWindow(t *testing.T) {
	_, ib := newInbox(t, time.Date(2026, 12, 7, 10, 0, 0, 0, shanghai))
	cases := []struct {
		name          string
		received, due time.Time
		window        bool
	}{
		// Friday afternoon: two working days are Monday and Tuesday.
		{"over a weekend", time.Date(2026, 12, 11, 15, 0, 0, 0, shanghai), time.Date(2026, 12, 16, 0, 0, 0, 0, shanghai), false},
		// National Day: 1–7 October off; 8 and 9 October are the two working days.
		{"over the holiday", time.Date(2026, 9, 30, 9, 0, 0, 0, shanghai), time.Date(2026, 10, 10, 0, 0, 0, 0, shanghai), false},
		// A message on Friday: WeChat's 48 h window (less the margin) comes first.
		{"message window", time.Date(2026, 12, 11, 15, 0, 0, 0, shanghai), time.Date(2026, 12, 13, 13, 0, 0, 0, shanghai), true},
	}
	for _, c := range cases {
		var by time.Time
		if c.window {
			by = c.received.Add(48 * time.Hour)
		}
		if got := ib.DueAt(c.received, by); !got.Equal(c.due) {
			t.Errorf("%s: due %v, want %v", c.name, got.In(shanghai), c.due)
		}
	}
}

// robot is a WeCom robot on httptest: it keeps what it was sent.
type robot struct {
	mu   sync.Mutex
	msgs []string
}

func (r *robot) serve(t *testing.T) *notify.Robot {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var m struct {
			Text struct {
				Content string `json:"content"`
			} `json:"text"`
		}
		_ = json.NewDecoder(req.Body).Decode(&m)
		r.mu.Lock()
		r.msgs = append(r.msgs, m.Text.Content)
		r.mu.Unlock()
		w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	}))
	t.Cleanup(srv.Close)
	return notify.NewRobot(configs.Notify{WebhookURL: srv.URL + "/cgi-bin/webhook/send?key=k"}, nil)
}

func (r *robot) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.msgs
	r.msgs = nil
	return out
}

func comment(acct *configs.Account, key, text string, at time.Time) channels.Incoming {
	return channels.Incoming{Kind: channels.KindComment, Key: key, FromID: "o-" + key, Text: text, At: at, Target: "1/0/" + key}
}

func TestRobotBatchesNewRemindsAndWarns(t *testing.T) {
	start := time.Date(2026, 12, 7, 10, 0, 0, 0, shanghai) // a Monday
	e, ib := newInbox(t, start)
	rb := &robot{}
	sender := rb.serve(t)
	ctx := context.Background()
	wx0, _ := e.Config.Account("wx000")
	wx1, _ := e.Config.Account("wx001")
	for i, text := range []string{"第一条", "第二条", "第三条"} {
		if _, err := ib.Add(ctx, wx0, []channels.Incoming{comment(wx0, string(rune('1'+i)), text, start)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ib.Add(ctx, wx1, []channels.Incoming{comment(wx1, "9", "另一个账号", start)}); err != nil {
		t.Fatal(err)
	}
	count := func(want int, what string, contains ...string) {
		t.Helper()
		n, err := ib.Notify(ctx, sender)
		msgs := rb.take()
		if err != nil || n != want || len(msgs) != want {
			t.Fatalf("%s: %d messages (%v), want %d: %q", what, n, err, want, msgs)
		}
		for _, c := range contains {
			if !strings.Contains(strings.Join(msgs, "\n"), c) {
				t.Fatalf("%s: no %q in %q", what, c, msgs)
			}
		}
	}
	count(2, "new entries: one message per account", "【互动】公众号0 收到 3 条", "【互动】公众号1 收到 1 条")
	count(0, "told once")
	// Due at the end of Wednesday (two working days); reminded 4 h before.
	e.Clock.Set(time.Date(2026, 12, 9, 21, 0, 0, 0, shanghai))
	count(2, "reminder", "【互动提醒】")
	count(0, "reminded once")
	e.Clock.Set(time.Date(2026, 12, 10, 0, 0, 1, 0, shanghai))
	count(2, "overdue", "【互动超期】")
	count(0, "overdue told once")
	// Left open for two months: the department; for ten weeks: the office.
	e.Clock.Set(start.Add(61 * 24 * time.Hour))
	count(2, "two months", "【互动预警】公众号0")
	e.Clock.Set(start.Add(71 * 24 * time.Hour))
	count(2, "ten weeks", "请新闻办督办")
	count(0, "warned once")
}

// TestOlderArticlesReadHourly: an article's comments are read at every sync
// for its first three days, then at most once an hour.
func TestOlderArticlesReadHourly(t *testing.T) {
	start := time.Date(2026, 12, 7, 10, 0, 0, 0, shanghai)
	e, ib := newInbox(t, start.AddDate(0, 0, -10))
	ctx := context.Background()
	if err := publishDay(ctx, e, 0, 2); err != nil { // published ten days before start, by the store's clock
		t.Fatal(err)
	}
	e.Clock.Set(start)
	if err := publishDay(ctx, e, 1, 2); err != nil { // published at start
		t.Fatal(err)
	}
	ids := []string{"wx000"}
	calls := func() int {
		return e.Sandbox.Snapshot().WeChat["wxapp000"].Calls["/cgi-bin/comment/list"]
	}
	ib.Sync(ctx, ids)
	if n := calls(); n != 2 {
		t.Fatalf("first sync: %d comment/list calls, want 2 (both articles)", n)
	}
	e.Clock.Advance(10 * time.Minute)
	ib.Sync(ctx, ids)
	if n := calls(); n != 3 {
		t.Fatalf("ten minutes later: %d calls, want 3 (only the fresh article again)", n)
	}
	e.Clock.Advance(time.Hour)
	ib.Sync(ctx, ids)
	if n := calls(); n != 5 {
		t.Fatalf("an hour later: %d calls, want 5 (both again)", n)
	}
}

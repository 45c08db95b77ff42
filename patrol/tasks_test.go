package patrol

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
	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/notify"
	"github.com/herald-gov/herald/storage"
)

// robotServer is a test group robot that keeps every message it was sent.
type robotServer struct {
	mu   sync.Mutex
	msgs []string
	at   []time.Time
}

func newRobotServer(t *testing.T, clock *testenv.Clock) (*robotServer, *notify.Robot) {
	rs := &robotServer{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct {
			MsgType string `json:"msgtype"`
			Text    struct {
				Content string `json:"content"`
			} `json:"text"`
		}
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil || m.MsgType != "text" {
			http.Error(w, "bad message", http.StatusBadRequest)
			return
		}
		rs.mu.Lock()
		rs.msgs = append(rs.msgs, m.Text.Content)
		rs.at = append(rs.at, clock.Now())
		rs.mu.Unlock()
		_, _ = w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	}))
	t.Cleanup(srv.Close)
	return rs, notify.NewRobot(configs.Notify{WebhookURL: srv.URL + "/cgi-bin/webhook/send?key=secret"}, nil)
}

func TestRepostTaskDoneForWhoPostedItMissingForOthersWithReminder(t *testing.T) {
	e := newEnv(t, 2, 2, "")
	ctx := context.Background()
	rs, robot := newRobotServer(t, e.Clock)
	title := "国务院关于进一步优化政务服务提升行政效能的指导意见"
	src := "https://www.gov.cn/zhengce/content/2026-11/20/content_7000001.htm"
	due := e.Clock.Now().Add(48 * time.Hour)
	id, err := e.p.AddTask(ctx, title, src, due, "all")
	if err != nil {
		t.Fatal(err)
	}

	// wb000: herald posts it through its Weibo channel; wx000: a clerk reposts it by hand.
	acct, _ := e.Config.Account("wb000")
	rev := content.Revision{Title: title, Body: "【" + title + "】转发学习。"}
	rev.Hash = rev.ContentHash(content.KindShort)
	item, err := e.Store.CreateItem(ctx, storage.NewItem{Item: content.Item{Kind: content.KindShort, State: content.ItemPublishing, Priority: content.PriorityNormal},
		Revision: rev, Targets: []storage.Target{{Account: "wb000", Platform: configs.PlatformWeibo}}, Actor: "t"})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := e.Store.Deliveries(ctx, item)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Store.UpdateDelivery(ctx, storage.DeliveryUpdate{ID: ds[0].ID, From: content.DeliveryPending, To: content.DeliverySending, AttemptID: "a1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Weibo.Publish(ctx, acct, channels.Publication{DeliveryID: ds[0].ID, AttemptID: "a1", AttemptStarted: e.Clock.Now(), Kind: content.KindShort, Revision: rev}); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(time.Hour)
	place(t, e, "wxapp000", sandbox.HandArticle{Title: title, Content: "<p>转载。</p>", SourceURL: src})
	// wx001 posts something else.
	place(t, e, "wxapp001", sandbox.HandArticle{Title: "我县召开安全生产会议", Content: "<p>会议要求……</p>"})

	// Two days before: nothing to remind yet, and the platforms are not asked.
	before := e.Sandbox.Snapshot().WeChat["wxapp000"].Calls["/cgi-bin/freepublish/batchget"]
	if n, err := e.p.Remind(ctx, robot); err != nil || n != 0 {
		t.Fatalf("early remind: %d %v", n, err)
	}
	if after := e.Sandbox.Snapshot().WeChat["wxapp000"].Calls["/cgi-bin/freepublish/batchget"]; after != before {
		t.Fatalf("a reminder check with nothing due read the platform: %d calls", after-before)
	}
	// Twelve hours before the due time: one reminder naming the two that have not.
	e.Clock.Set(due.Add(-12 * time.Hour))
	if n, err := e.p.Remind(ctx, robot); err != nil || n != 1 {
		t.Fatalf("remind: %d %v", n, err)
	}
	if n, err := e.p.Remind(ctx, robot); err != nil || n != 0 {
		t.Fatalf("a second reminder went out: %d %v", n, err)
	}
	if len(rs.msgs) != 1 || !rs.at[0].Before(due) {
		t.Fatalf("robot got %v at %v", rs.msgs, rs.at)
	}
	msg := rs.msgs[0]
	for _, want := range []string{"转载任务提醒", title, "wx001", "wb001"} {
		if !strings.Contains(msg, want) {
			t.Errorf("reminder lacks %q: %s", want, msg)
		}
	}
	for _, done := range []string{"（wx000）", "（wb000）"} {
		if strings.Contains(msg, done) {
			t.Errorf("reminder names %s, which reposted already: %s", done, msg)
		}
	}

	// Past the due time: done for the two that posted, missing for the others.
	e.Clock.Set(due.Add(time.Hour))
	if n, err := e.p.Remind(ctx, robot); err != nil || n != 1 {
		t.Fatalf("overdue notice: %d %v", n, err)
	}
	task, err := e.Store.Task(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"wx000": storage.TaskDone, "wb000": storage.TaskDone, "wx001": storage.TaskMissing, "wb001": storage.TaskMissing}
	for _, a := range task.Accounts {
		if a.State != want[a.Account] {
			t.Errorf("%s: %s, want %s", a.Account, a.State, want[a.Account])
		}
		if a.State == storage.TaskDone && a.URL == "" {
			t.Errorf("%s done without the publication's URL", a.Account)
		}
	}
	st := e.Sandbox.Snapshot()
	if len(st.Weibo["100000"].Posts) != 1 || st.Weibo["100000"].Posts[0].ByHand {
		t.Fatalf("wb000's post is not herald's: %+v", st.Weibo["100000"].Posts)
	}
	if !strings.Contains(rs.msgs[1], "wx001") || strings.Contains(rs.msgs[1], "（wx000）") {
		t.Errorf("overdue notice: %s", rs.msgs[1])
	}

	// A title cut to WeChat's 32 characters still counts; a short general one does not.
	long := "关于印发《青山县进一步优化营商环境提升政务服务效能若干措施（2026—2028年）》的通知"
	lid, err := e.p.AddTask(ctx, long, "", e.Clock.Now().Add(24*time.Hour), "wx000,wx001")
	if err != nil {
		t.Fatal(err)
	}
	place(t, e, "wxapp000", sandbox.HandArticle{Title: string([]rune(long)[:32]), Content: "<p>转载。</p>"})
	place(t, e, "wxapp001", sandbox.HandArticle{Title: "工作动态", Content: "<p>x</p>"})
	if _, _, err := e.p.UpdateTasks(ctx); err != nil {
		t.Fatal(err)
	}
	lt, _ := e.Store.Task(ctx, lid)
	for _, a := range lt.Accounts {
		if want := map[string]string{"wx000": storage.TaskDone, "wx001": storage.TaskPending}[a.Account]; a.State != want {
			t.Errorf("long-titled task, %s: %s, want %s", a.Account, a.State, want)
		}
	}

	// wx001 reposts late: late, not done.
	e.Clock.Advance(time.Hour)
	place(t, e, "wxapp001", sandbox.HandArticle{Title: "转载：" + title, Content: "<p>补转。</p>"})
	if _, _, err := e.p.UpdateTasks(ctx); err != nil {
		t.Fatal(err)
	}
	first, _ := e.Store.Task(ctx, id)
	for _, a := range first.Accounts {
		if a.Account == "wx001" && a.State != storage.TaskLate {
			t.Errorf("wx001 reposted after the due time: %s, want late", a.State)
		}
	}
}

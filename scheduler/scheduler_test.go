package scheduler

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

type harness struct {
	t        testing.TB
	stopOnce sync.Once
	env      *testenv.Env
	reg      channels.Registry
	sb       *sandbox.Server
	cfg      *configs.Config
	st       *storage.Store
	q        *queue.Service
	sched    *Scheduler
	stop     context.CancelFunc
	done     chan error
}

var quiet = slog.New(slog.DiscardHandler)

// newHarness is a scheduler over a testenv without review, with short
// delivery timings; o.Delivery adds to them.
func newHarness(t testing.TB, o testenv.Options) *harness {
	t.Helper()
	if o.Workers == 0 {
		o.Workers = 8
	}
	if o.Sandbox.Seed == 0 {
		o.Sandbox.Seed = 77
	}
	o.Timeout = 5 * time.Second
	o.Delivery = strings.TrimSuffix("max_attempts: 30, settle_window: 1ms, "+o.Delivery, ", ")
	o.YAML = "review: {levels: []}\n" + o.YAML
	e := testenv.New(t, o)
	h := &harness{t: t, env: e, sb: e.Sandbox, cfg: e.Config, st: e.Store, q: e.Queue, reg: e.Registry}
	h.sched = New(e.Config, e.Store, e.Queue, e.Registry, quiet, Options{BackoffBase: 5 * time.Millisecond, BackoffMax: 50 * time.Millisecond,
		LookupEvery: 20 * time.Millisecond, PollEvery: 20 * time.Millisecond})
	return h
}

func (h *harness) start() {
	ctx, cancel := context.WithCancel(context.Background())
	h.stop = cancel
	h.done = make(chan error, 1)
	go func() { h.done <- h.sched.Run(ctx, nil) }()
	h.t.Cleanup(h.shutdown)
}

// shutdown stops the scheduler and waits for it, once.
func (h *harness) shutdown() {
	h.stopOnce.Do(func() {
		h.stop()
		<-h.done
	})
}

func pngBytes(c color.RGBA) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 40))
	img.Set(0, 0, c)
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

func (h *harness) add(d queue.Draft) int64 {
	h.t.Helper()
	if d.Kind == "" {
		d.Kind = content.KindArticle
	}
	if d.Body == "" && d.Kind == content.KindArticle {
		d.Body = "<p>正文</p><img src=\"a.png\">"
		d.BodyImages = map[string][]byte{"a.png": pngBytes(color.RGBA{1, 2, 3, 255})}
	}
	if d.Images == nil {
		d.Images = [][]byte{pngBytes(color.RGBA{200, 0, 0, 255})}
	}
	if d.Targets == "" {
		d.Targets = "all"
	}
	if d.When == "" && d.Cron == "" {
		d.When = "now"
	}
	id, err := h.q.Add(context.Background(), queue.Actor{Name: "test"}, d)
	if err != nil {
		h.t.Fatal(err)
	}
	h.sched.Wake()
	return id
}

// waitSettled waits until every item is in a final state (limit is kept
// for the callers' wording; testenv.Eventually bounds the wait).
func (h *harness) waitSettled(ids []int64, limit time.Duration) {
	h.t.Helper()
	testenv.Eventually(h.t, fmt.Sprintf("%d items to settle", len(ids)), func() bool {
		for _, id := range ids {
			it, err := h.st.Item(context.Background(), id)
			if err != nil {
				h.t.Fatal(err)
			}
			if !it.State.Final() {
				return false
			}
		}
		return true
	})
}

// onePerAccount asserts, on the platform, that every account has exactly
// want publications titled title.
func onePerAccount(t testing.TB, sb *sandbox.Server, cfg *configs.Config, title string) {
	t.Helper()
	snap := sb.Snapshot()
	for _, a := range cfg.Accounts {
		n := 0
		if a.Platform == configs.PlatformWeChat {
			for _, p := range snap.WeChat[a.AppID].Published {
				if p.Title == title {
					n++
				}
			}
		} else {
			for _, p := range snap.Weibo[a.UID].Posts {
				if strings.Contains(p.Text, title) {
					n++
				}
			}
		}
		if n != 1 {
			t.Errorf("%s has %d publications of %q on the platform, want exactly 1", a.ID, n, title)
		}
	}
}

func TestFanOutUnderTransientErrorsAndLostAnswers(t *testing.T) {
	h := newHarness(t, testenv.Options{WeChat: 12, Weibo: 6, Sandbox: sandbox.Options{Faults: sandbox.Faults{TransientRate: 0.2, LostRate: 0.2}}})
	h.start()
	id := h.add(queue.Draft{Title: "容错测试"})
	h.waitSettled([]int64{id}, 30*time.Second)
	it, _ := h.st.Item(context.Background(), id)
	if it.State != content.ItemDone {
		ds, _ := h.st.Deliveries(context.Background(), id)
		t.Fatalf("item %s (%s): %+v", it.State, it.StateReason, ds)
	}
	onePerAccount(t, h.sb, h.cfg, "容错测试")
	// Each delivery names the publication the platform made, lost answers included.
	snap := h.sb.Snapshot()
	ds, _ := h.st.Deliveries(context.Background(), id)
	for _, d := range ds {
		a, _ := h.cfg.Account(d.Account)
		want := ""
		if a.Platform == configs.PlatformWeChat {
			want = snap.WeChat[a.AppID].Published[0].URL
		} else {
			want = fmt.Sprintf("https://weibo.com/%s/%d", a.UID, snap.Weibo[a.UID].Posts[0].ID)
		}
		if d.State != content.DeliveryPublished || d.URL != want {
			t.Errorf("delivery %s: %s %q, the platform published %q", d.Account, d.State, d.URL, want)
		}
	}
}

func TestUrgentGoesFirst(t *testing.T) {
	h := newHarness(t, testenv.Options{WeChat: 1, Workers: 1, Sandbox: sandbox.Options{Faults: sandbox.Faults{Latency: 30 * time.Millisecond}}})
	normal := h.add(queue.Draft{Title: "普通稿件"})
	urgent := h.add(queue.Draft{Title: "紧急检查播报", Priority: content.PriorityUrgent})
	h.start() // both are due when the scheduler starts
	h.waitSettled([]int64{normal, urgent}, 20*time.Second)
	pub := h.sb.Snapshot().WeChat["wxapp000"].Published
	if len(pub) != 2 || pub[0].Title != "紧急检查播报" {
		t.Fatalf("publication order: %+v", titles(pub))
	}
}

func titles(as []sandbox.Article) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Title)
	}
	return out
}

func TestQuietHoursHoldNormalButNotUrgent(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Now().In(loc)
	start := now.Add(-time.Hour).Format("15:04")
	end := now.Add(2 * time.Hour).Format("15:04")
	h := newHarness(t, testenv.Options{WeChat: 2, Delivery: fmt.Sprintf("quiet_hours: {start: %q, end: %q}", start, end)})
	h.start()
	urgent := h.add(queue.Draft{Title: "紧急", Priority: content.PriorityUrgent})
	normal := h.add(queue.Draft{Title: "可以等"})
	h.waitSettled([]int64{urgent}, 10*time.Second)
	// The normal item's deliveries are held (pending, with a next attempt
	// time) once the producer has looked at them.
	var ds []content.Delivery
	testenv.Eventually(t, "the normal item's deliveries to be held", func() bool {
		ds, _ = h.st.Deliveries(context.Background(), normal)
		held := len(ds) > 0
		for _, d := range ds {
			held = held && d.NextAttemptAt != nil
		}
		return held
	})
	it, _ := h.st.Item(context.Background(), normal)
	if it.State != content.ItemPublishing {
		t.Fatalf("normal item during quiet hours: %s", it.State)
	}
	for _, d := range ds {
		if d.State != content.DeliveryPending || d.NextAttemptAt == nil || !strings.Contains(d.Error, "免打扰") {
			t.Fatalf("held delivery: %+v", d)
		}
		if got := d.NextAttemptAt.In(loc).Format("15:04"); got != end {
			t.Fatalf("held until %s, want %s", got, end)
		}
	}
	for _, a := range h.sb.Snapshot().WeChat {
		for _, p := range a.Published {
			if p.Title == "可以等" {
				t.Fatal("a normal item went out during quiet hours")
			}
		}
	}
}

func TestQuietHoursWrapMidnight(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	h := newHarness(t, testenv.Options{WeChat: 1, Delivery: `quiet_hours: {start: "22:30", end: "07:00"}`})
	cases := []struct {
		at   string
		in   bool
		ends string
	}{
		{"2026-11-22 23:00", true, "2026-11-23 07:00"},
		{"2026-11-23 06:59", true, "2026-11-23 07:00"},
		{"2026-11-23 07:00", false, ""},
		{"2026-11-23 12:00", false, ""},
	}
	for _, c := range cases {
		at, _ := time.ParseInLocation("2006-01-02 15:04", c.at, loc)
		in, end := h.sched.exec.quiet.in(at)
		if in != c.in || (in && end.In(loc).Format("2006-01-02 15:04") != c.ends) {
			t.Errorf("%s: in=%v end=%s", c.at, in, end.In(loc).Format("2006-01-02 15:04"))
		}
	}
}

func TestExpiredItemIsNeverPublished(t *testing.T) {
	h := newHarness(t, testenv.Options{WeChat: 2})
	// With review, an item whose time passes before the last approval expires.
	h.cfg.Review.Levels = []string{"初审"}
	id, err := h.q.Add(context.Background(), queue.Actor{Name: "t"}, queue.Draft{Kind: content.KindArticle, Title: "过期", Body: "<p>x</p>",
		Images: [][]byte{pngBytes(color.RGBA{9, 9, 9, 255})}, Targets: "all", When: time.Now().Add(time.Second).Format(time.RFC3339Nano)})
	if err != nil {
		t.Fatal(err)
	}
	h.start()
	var it content.Item
	testenv.Eventually(t, "the item to expire", func() bool {
		it, _ = h.st.Item(context.Background(), id)
		return it.State == content.ItemExpired
	})
	if it.State != content.ItemExpired || !strings.Contains(it.StateReason, "未完成审核") {
		t.Fatalf("item: %s %q", it.State, it.StateReason)
	}
	if err := h.q.Approve(context.Background(), queue.Actor{Name: "审核"}, id, true); err == nil {
		t.Fatal("an expired item was approved")
	}
	for _, a := range h.sb.Snapshot().WeChat {
		if len(a.Published) != 0 {
			t.Fatal("an expired item was published")
		}
	}
}

func TestCredentialsHoldTheAccount(t *testing.T) {
	h := newHarness(t, testenv.Options{WeChat: 2})
	h.sched = New(h.cfg, h.st, h.q, h.reg, quiet, Options{BackoffBase: 5 * time.Millisecond, BackoffMax: 20 * time.Millisecond, HealthEvery: time.Hour, PollEvery: 20 * time.Millisecond})
	h.cfg.Accounts[1].AppSecret = "reset-on-the-platform"
	h.start()
	id := h.add(queue.Draft{Title: "凭据"})
	var a storage.Account
	testenv.Eventually(t, "wx001 to be marked unhealthy", func() bool {
		a, _ = h.st.Account(context.Background(), "wx001")
		return a.Health == storage.HealthUnhealthy
	})
	if !strings.Contains(a.HealthMessage, "AppSecret") {
		t.Fatalf("health message: %q", a.HealthMessage)
	}
	// The account's health is written before its delivery goes back to
	// pending: wait for the delivery.
	testenv.Eventually(t, "wx001's delivery to be held for its credentials", func() bool {
		ds, _ := h.st.Deliveries(context.Background(), id)
		for _, d := range ds {
			if d.Account == "wx001" && (d.State != content.DeliveryPending || !strings.Contains(d.Error, "凭据")) {
				return false
			}
		}
		return true
	})
	// On the platform, the account whose secret was reset uploaded and published nothing.
	if wx := h.sb.Snapshot().WeChat["wxapp001"]; len(wx.Published) != 0 || wx.Materials != 0 || wx.Drafts != 0 {
		t.Fatalf("the account with refused credentials reached the platform: %d published, %d materials, %d drafts", len(wx.Published), wx.Materials, wx.Drafts)
	}
}

func TestCronRunsInConfiguredTimezone(t *testing.T) {
	h := newHarness(t, testenv.Options{WeChat: 2})
	id := h.add(queue.Draft{Title: "每日天气", Cron: "0 9 * * *"})
	it, _ := h.st.Item(context.Background(), id)
	if it.State != content.ItemScheduled {
		t.Fatalf("cron item state %s", it.State)
	}
	ds, _ := h.st.Deliveries(context.Background(), id)
	if len(ds) != 0 {
		t.Fatalf("a recurring item has its own deliveries: %d", len(ds))
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	from := time.Date(2026, 11, 22, 10, 0, 0, 0, loc)
	spec, err := cron.ParseStandard("0 9 * * *")
	if err != nil {
		t.Fatal(err)
	}
	next := spec.Next(from.In(h.cfg.Location)) // the scheduler's cron runs in cfg.Location
	if !next.Equal(time.Date(2026, 11, 23, 9, 0, 0, 0, loc)) || next.UTC().Hour() != 1 {
		t.Fatalf("next run %v (%v)", next, err)
	}
	// A run is a scheduled copy with deliveries; the scheduler publishes it.
	h.start()
	run, err := h.q.RunRecurring(context.Background(), id, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	h.sched.Wake()
	h.waitSettled([]int64{run}, 10*time.Second)
	onePerAccount(t, h.sb, h.cfg, "每日天气")
}

func TestShutdownLetsCallsFinish(t *testing.T) {
	h := newHarness(t, testenv.Options{WeChat: 4, Sandbox: sandbox.Options{Faults: sandbox.Faults{Latency: 200 * time.Millisecond}}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.sched.Run(ctx, nil) }()
	id := h.add(queue.Draft{Title: "关机"})
	testenv.Eventually(t, "calls in flight", func() bool {
		for _, a := range h.sb.Snapshot().WeChat {
			if len(a.Calls) > 0 {
				return true
			}
		}
		return false
	})
	start := time.Now()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 12*time.Second {
		t.Fatalf("shutdown took %s", time.Since(start))
	}
	ds, _ := h.st.Deliveries(context.Background(), id)
	snap := h.sb.Snapshot()
	for _, d := range ds {
		if d.State == content.DeliverySending {
			t.Fatalf("delivery left sending after an orderly shutdown: %+v", d)
		}
		a, _ := h.cfg.Account(d.Account)
		pub := snap.WeChat[a.AppID].Published
		if len(pub) > 1 || (d.State == content.DeliveryPublished && (len(pub) != 1 || pub[0].URL != d.URL)) {
			t.Fatalf("%s: delivery %s %q, the platform published %v", d.Account, d.State, d.URL, titles(pub))
		}
	}
}

// An office adds a term to its list after an item was approved: the check
// just before publishing stops it, with the position.
func TestTermAddedAfterApprovalStopsPublishing(t *testing.T) {
	h := newHarness(t, testenv.Options{WeChat: 2})
	id := h.add(queue.Draft{Title: "冬季送温暖活动启动"})
	cfg := *h.cfg
	cfg.Wording = append(append([]content.Term{}, h.cfg.Wording...), content.Term{Text: "送温暖", Severity: content.SeverityBlock, Suggestion: "送关怀"})
	q := queue.New(&cfg, h.st, nil)
	sched := New(&cfg, h.st, q, h.reg, quiet, Options{PollEvery: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sched.Run(ctx, nil) }()
	defer func() { cancel(); <-done }()
	h.waitSettled([]int64{id}, 10*time.Second)
	it, _ := h.st.Item(context.Background(), id)
	if it.State != content.ItemFailed || !strings.Contains(it.StateReason, "标题第3字「送温暖」，应为「送关怀」") {
		t.Fatalf("item %s: %q", it.State, it.StateReason)
	}
	for _, a := range h.sb.Snapshot().WeChat {
		if len(a.Published) != 0 {
			t.Fatal("a blocked item was published")
		}
	}
}

func TestAuditTellsTheWholeStory(t *testing.T) {
	h := newHarness(t, testenv.Options{WeChat: 2})
	h.cfg.Review.Levels = []string{"初审", "终审"}
	h.start()
	id := h.add(queue.Draft{Title: "审计全程"})
	ctx := context.Background()
	if err := h.q.Approve(ctx, queue.Actor{Name: "张敏"}, id, false); err != nil {
		t.Fatal(err)
	}
	if err := h.q.Approve(ctx, queue.Actor{Name: "刘建国"}, id, true); err != nil {
		t.Fatal(err)
	}
	h.sched.Wake()
	h.waitSettled([]int64{id}, 10*time.Second)
	log, err := h.st.AuditLog(ctx, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	var story []string
	for _, e := range log {
		step := e.Action + ":" + e.Actor
		if e.Action == "delivery" {
			step = e.Action + ":" + e.Account + ":" + strings.SplitN(e.Detail, "：", 2)[0]
		}
		story = append(story, step)
	}
	want := []string{"create:test", "submit:test", "approve:张敏", "approve:刘建国", "publish:herald"}
	for i, w := range want {
		if i >= len(story) || story[i] != w {
			t.Fatalf("story %v, want it to begin %v", story, want)
		}
	}
	joined := strings.Join(story, " ")
	for _, acct := range []string{"wx000", "wx001"} {
		if !strings.Contains(joined, "delivery:"+acct+":pending → sending") || !strings.Contains(joined, "delivery:"+acct+":sending → published") {
			t.Fatalf("delivery steps of %s missing: %v", acct, story)
		}
	}
	if story[len(story)-1] != "settle:herald" {
		t.Fatalf("story ends %q: %v", story[len(story)-1], story)
	}
	onePerAccount(t, h.sb, h.cfg, "审计全程") // what the story says went out did
	for _, e := range log {
		if e.RevisionID == 0 {
			t.Fatalf("audit entry without revision: %+v", e)
		}
	}
}

// syncWriter is a log sink tests count lines of.
type syncWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) lines() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Count(w.b.String(), "\n")
}

// Issue 15.2: an account removed from the config while its delivery is
// unknown, sending or pending; at restart the item settles, with a few log
// lines, and nothing is left due that could make a loop (its CPU is
// BenchmarkRemovedAccountSettlesAtRestart's).
func TestRemovedAccountSettlesAtRestart(t *testing.T) {
	h, id, logs := removedAccounts(t)
	ctx := context.Background()
	h.start()
	h.waitSettled([]int64{id}, 10*time.Second)
	if next, err := h.st.NextWake(ctx); err != nil || !next.IsZero() {
		t.Fatalf("something is still due at %v (%v): a loop could follow", next, err)
	}
	it, _ := h.st.Item(ctx, id)
	// wx002 never started: failed, and the item partially_failed for it;
	// wx000 and wx001 may have gone out: unverified, named in the reason.
	if it.State != content.ItemPartiallyFailed || !strings.Contains(it.StateReason, "账号已从配置中删除") || !strings.Contains(it.StateReason, "无法核实 2 个账号") {
		t.Fatalf("item %s: %q", it.State, it.StateReason)
	}
	ds, _ := h.st.Deliveries(ctx, id)
	for i, d := range ds[:3] {
		want, reason := content.DeliveryUnverified, "账号已从配置中删除，无法核实是否已发出"
		if i == 2 {
			want, reason = content.DeliveryFailed, "账号已从配置中删除"
		}
		if d.State != want || !strings.Contains(d.Error, reason) {
			t.Errorf("%s: %s %q, want %s", d.Account, d.State, d.Error, want)
		}
	}
	if n := logs.lines(); n > 30 {
		t.Errorf("%d log lines:\n%s", n, logs.b.String())
	}
}

// BenchmarkRemovedAccountSettlesAtRestart prints the CPU the whole process
// spends settling the removed accounts' item and idling a second after (a
// loop would show there).
func BenchmarkRemovedAccountSettlesAtRestart(b *testing.B) {
	for i := 0; i < b.N; i++ {
		h, id, logs := removedAccounts(b)
		var before, after syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
		h.start()
		h.waitSettled([]int64{id}, 10*time.Second)
		time.Sleep(time.Second) // the measurement window
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
		cpu := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
		b.ReportMetric(float64(cpu.Milliseconds()), "cpu-ms")
		b.ReportMetric(float64(logs.lines()), "log-lines")
		h.shutdown()
	}
}

// removedAccounts is a harness whose item has wx000 unknown, wx001 sending
// (a killed process) and wx002 pending, and whose config has lost those
// three accounts (wx003 stays); its scheduler logs to the returned writer
// and is not started.
func removedAccounts(t testing.TB) (*harness, int64, *syncWriter) {
	h := newHarness(t, testenv.Options{WeChat: 4})
	ctx := context.Background()
	id := h.add(queue.Draft{Title: "删号"})
	if err := h.st.TransitionItem(ctx, storage.Transition{ItemID: id, From: content.ItemScheduled, To: content.ItemPublishing, Actor: "herald", Action: "publish"}); err != nil {
		t.Fatal(err)
	}
	ds, _ := h.st.Deliveries(ctx, id)
	for i, to := range []content.DeliveryState{content.DeliveryUnknown, content.DeliverySending} {
		d := ds[i]
		if err := h.st.UpdateDelivery(ctx, storage.DeliveryUpdate{ID: d.ID, From: content.DeliveryPending, To: content.DeliverySending, AttemptID: "a1"}); err != nil {
			t.Fatal(err)
		}
		if to == content.DeliveryUnknown {
			if err := h.st.UpdateDelivery(ctx, storage.DeliveryUpdate{ID: d.ID, From: content.DeliverySending, To: content.DeliveryUnknown, AttemptID: "a1", Error: "答复丢失"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	h.cfg.Accounts = h.cfg.Accounts[3:]
	logs := &syncWriter{}
	h.sched = New(h.cfg, h.st, h.q, h.reg, slog.New(slog.NewTextHandler(logs, nil)), Options{PollEvery: 20 * time.Millisecond})
	return h, id, logs
}

package scheduler

// Unit tests of the executor: a fake platform behind channels.Channel, the
// real store on SQLite in t.TempDir, and a clock the test moves — no
// sleeps. Every test asserts on what the fake platform published.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// steps counts the events that change something outside the executor's
// memory — store writes and platform effects — and kills the "process"
// right after the step numbered dieAfter: the executing goroutine ends
// (runtime.Goexit), which no recover catches, so the executor's own panic
// recovery (rule 8) cannot mistake a death for an answer.
type steps struct {
	mu       sync.Mutex
	n        int
	dieAfter int // 0: never
	died     bool
	log      []string
}

func (s *steps) step(what string) {
	s.mu.Lock()
	s.n++
	s.log = append(s.log, what)
	die := s.dieAfter > 0 && s.n == s.dieAfter
	s.died = s.died || die
	s.mu.Unlock()
	if die {
		runtime.Goexit()
	}
}

// diskFull is the error SQLite gives when the disk is full (SQLITE_FULL).
type diskFull struct{}

func (diskFull) Error() string { return "database or disk is full" }
func (diskFull) Code() int     { return 13 }

// stepStore is the real store with every write counted as a step, and a
// way to make writes fail as on a full disk.
type stepStore struct {
	*storage.Store
	steps *steps
	mu    sync.Mutex
	full  int // the next n writes fail with diskFull
}

func (s *stepStore) failing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.full > 0 {
		s.full--
		return true
	}
	return false
}

func (s *stepStore) UpdateDelivery(ctx context.Context, u storage.DeliveryUpdate) error {
	if s.failing() {
		return fmt.Errorf("storage: delivery %d: %w", u.ID, diskFull{})
	}
	err := s.Store.UpdateDelivery(ctx, u)
	if err == nil {
		s.steps.step(fmt.Sprintf("write %s→%s", u.From, u.To))
	}
	return err
}

func (s *stepStore) SetDeliveryRetry(ctx context.Context, id int64, state content.DeliveryState, at time.Time, reason string) error {
	if s.failing() {
		return diskFull{}
	}
	err := s.Store.SetDeliveryRetry(ctx, id, state, at, reason)
	if err == nil {
		s.steps.step("write retry")
	}
	return err
}

func (s *stepStore) SaveProgress(ctx context.Context, id int64, attempt, progress string) error {
	if s.failing() {
		return diskFull{}
	}
	err := s.Store.SaveProgress(ctx, id, attempt, progress)
	if err == nil {
		s.steps.step("write progress " + progress)
	}
	return err
}

// fakePlatform is a publishing platform behind channels.Channel. Publish
// makes three calls: prepare (saves progress "prepared"), submit (the one
// call that publishes; saves progress "post:<n>" after it), and status.
type fakePlatform struct {
	mu    sync.Mutex
	clock *testenv.Clock
	store *stepStore
	steps *steps
	posts []fakePost
	// faults: call name -> what the next such calls do, in order.
	faults map[string][]fault
	settle time.Duration
	// onSubmit, when set, runs as each submit call begins.
	onSubmit func()
}

type fakePost struct {
	id       int
	delivery int64
	at       time.Time
}

type fault int

const (
	ok             fault = iota
	lost                 // the effect happens; the answer never comes
	transient            // nothing happens; a passing error
	refused              // content refused
	badCreds             // credentials refused
	quota                // quota used up
	lookupFail           // a lookup call fails
	lookupRejected       // a lookup finds the platform refused the post
	panics               // the effect happens; then the channel panics
)

func (p *fakePlatform) next(call string) fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	fs := p.faults[call]
	if len(fs) == 0 {
		return ok
	}
	p.faults[call] = fs[1:]
	return fs[0]
}

func (p *fakePlatform) inject(call string, fs ...fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults[call] = append(p.faults[call], fs...)
}

func (p *fakePlatform) Platform() string { return configs.PlatformWeibo }

func errFor(f fault, call string) error {
	switch f {
	case lost:
		if call == "prepare" {
			return &channels.Error{Class: channels.ClassTransient, Message: "no answer to prepare"}
		}
		return &channels.Error{Class: channels.ClassUnknown, Message: "no answer to " + call}
	case transient:
		return &channels.Error{Class: channels.ClassTransient, Message: "busy"}
	case refused:
		return &channels.Error{Class: channels.ClassContent, Message: "内容不合规"}
	case badCreds:
		return &channels.Error{Class: channels.ClassCredentials, Message: "授权无效"}
	case quota:
		return &channels.Error{Class: channels.ClassQuota, Message: "额度用完"}
	}
	return nil
}

func (p *fakePlatform) Publish(ctx context.Context, acct *configs.Account, pub channels.Publication) (channels.Result, error) {
	postID := 0
	if id, ok := strings.CutPrefix(pub.Progress, "post:"); ok {
		fmt.Sscan(id, &postID)
	}
	if postID == 0 {
		if pub.Progress != "prepared" {
			f := p.next("prepare")
			if f != ok && f != lost {
				return channels.Result{}, errFor(f, "prepare")
			}
			if err := p.store.SaveProgress(ctx, pub.DeliveryID, pub.AttemptID, "prepared"); err != nil {
				return channels.Result{}, err
			}
			if f == lost {
				return channels.Result{}, errFor(f, "prepare")
			}
		}
		f := p.next("submit")
		if p.onSubmit != nil {
			p.onSubmit()
		}
		if f != ok && f != lost && f != panics {
			return channels.Result{}, errFor(f, "submit")
		}
		p.mu.Lock()
		postID = len(p.posts) + 1
		p.posts = append(p.posts, fakePost{id: postID, delivery: pub.DeliveryID, at: p.clock.Now()})
		p.mu.Unlock()
		p.steps.step(fmt.Sprintf("platform publishes post %d", postID))
		if f == panics {
			panic("index out of range [3] with length 3")
		}
		if f == lost {
			return channels.Result{}, errFor(f, "submit")
		}
		if err := p.store.SaveProgress(ctx, pub.DeliveryID, pub.AttemptID, fmt.Sprintf("post:%d", postID)); err != nil {
			return channels.Result{}, &channels.Error{Class: channels.ClassUnknown, Message: "progress not saved", Err: err}
		}
	}
	if f := p.next("status"); f != ok {
		return channels.Result{}, &channels.Error{Class: channels.ClassUnknown, Message: "status unknown"}
	}
	return channels.Result{RemoteID: fmt.Sprint(postID), URL: fmt.Sprintf("https://example.test/%d", postID)}, nil
}

func (p *fakePlatform) Lookup(ctx context.Context, acct *configs.Account, pub channels.Publication) (channels.Outcome, channels.Result, error) {
	switch p.next("lookup") {
	case lookupFail:
		return channels.StillUnknown, channels.Result{}, &channels.Error{Class: channels.ClassTransient, Message: "lookup failed"}
	case lookupRejected:
		return channels.Failed, channels.Result{}, &channels.Error{Class: channels.ClassContent, Message: "未通过审核"}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, post := range p.posts {
		if post.delivery == pub.DeliveryID && !post.at.Before(pub.AttemptStarted) {
			return channels.Published, channels.Result{RemoteID: fmt.Sprint(post.id), URL: fmt.Sprintf("https://example.test/%d", post.id)}, nil
		}
	}
	if p.clock.Now().Sub(pub.AttemptStarted) < p.settle {
		return channels.StillUnknown, channels.Result{}, nil
	}
	return channels.NotPublished, channels.Result{}, nil
}

func (p *fakePlatform) Check(ctx context.Context, acct *configs.Account) error { return nil }

// postsOf counts the platform's posts of a delivery.
func (p *fakePlatform) postsOf(id int64) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, post := range p.posts {
		if post.delivery == id {
			n++
		}
	}
	return n
}

type execHarness struct {
	t        *testing.T
	cfg      *configs.Config
	st       *storage.Store
	store    *stepStore
	steps    *steps
	clock    *testenv.Clock
	platform *fakePlatform
	exec     *Executor
	logs     *bytes.Buffer
	queue    *queue.Service
}

// newExecHarness is an executor over a testenv with two Weibo accounts
// (wb000, wb001) on the fake platform, at 10:00 in Shanghai; delivery holds
// more keys of the delivery section.
func newExecHarness(t *testing.T, delivery string) *execHarness {
	t.Helper()
	e := testenv.New(t, testenv.Options{Weibo: 2, Workers: 4, YAML: "review: {levels: []}",
		Delivery: strings.TrimSuffix("max_attempts: 3, settle_window: 1m, "+delivery, ", "),
		Start:    time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)})
	h := &execHarness{t: t, cfg: e.Config, st: e.Store, clock: e.Clock, steps: &steps{}, logs: &bytes.Buffer{}, queue: e.Queue}
	h.store = &stepStore{Store: e.Store, steps: h.steps}
	h.platform = &fakePlatform{clock: e.Clock, store: h.store, steps: h.steps, faults: map[string][]fault{}, settle: time.Minute}
	h.restart()
	return h
}

// restart is a new process: a new executor over the same database and
// platform, after the rescuer's start pass.
func (h *execHarness) restart() {
	h.t.Helper()
	log := slog.New(slog.NewTextHandler(h.logs, nil))
	n := 0
	h.exec = &Executor{cfg: h.cfg, store: h.store, channels: channels.Registry{configs.PlatformWeibo: h.platform},
		retry: Backoff{Base: 2 * time.Second, Max: time.Minute, Jitter: func(n int64) int64 { return 0 }},
		quiet: newQuietHours(h.cfg), now: h.clock.Now,
		sleep: func(ctx context.Context, d time.Duration) error { h.clock.Advance(d); return ctx.Err() },
		log:   log, lookupEvery: 30 * time.Second,
		attemptID: func() string { n++; return fmt.Sprintf("att-%d-%d", h.steps.n, n) },
		revisions: map[int64]content.Revision{}, refusals: map[refusalKey]string{},
		wording: func(kind content.Kind, rev *content.Revision) error {
			_, err := h.queue.CheckWording(kind, rev)
			return err
		}}
	s := &Scheduler{cfg: h.cfg, store: h.st, log: log}
	if _, err := s.rescue(context.Background(), nil); err != nil {
		h.t.Fatal(err)
	}
}

// add adds a short post to the accounts and starts publishing it.
func (h *execHarness) add(targets string, d queue.Draft) int64 {
	h.t.Helper()
	ctx := context.Background()
	d.Kind, d.Targets, d.When = content.KindShort, targets, "now"
	if d.Body == "" {
		d.Body = "县政府召开常务会议。"
	}
	id, err := h.queue.Add(ctx, queue.Actor{Name: "编辑"}, d)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.st.TransitionItem(ctx, storage.Transition{ItemID: id, From: content.ItemScheduled, To: content.ItemPublishing, Actor: "herald", Action: "publish"}); err != nil {
		h.t.Fatal(err)
	}
	return id
}

// ready returns the deliveries ready at the clock's time.
func (h *execHarness) ready() []storage.ReadyDelivery {
	h.t.Helper()
	rs, err := h.st.ReadyDeliveries(context.Background(), h.clock.Now(), 100)
	if err != nil {
		h.t.Fatal(err)
	}
	return rs
}

// once executes every ready delivery once, each in a goroutine of its own
// that a simulated crash ends; it reports the crash.
func (h *execHarness) once() (crashed bool) {
	for _, r := range h.ready() {
		done := make(chan struct{})
		go func() {
			defer close(done)
			h.exec.Execute(context.Background(), r)
		}()
		<-done
		h.steps.mu.Lock()
		crashed, h.steps.died = h.steps.died, false
		h.steps.mu.Unlock()
		if crashed {
			return true
		}
	}
	return false
}

// drain runs the executor, moving the clock to each next due time, until
// nothing is due any more; a crash restarts the process.
func (h *execHarness) drain() {
	h.t.Helper()
	for round := 0; round < 200; round++ {
		if h.once() {
			h.steps.dieAfter = 0
			h.restart()
			continue
		}
		if len(h.ready()) > 0 {
			continue
		}
		next, err := h.st.NextWake(context.Background())
		if err != nil {
			h.t.Fatal(err)
		}
		if next.IsZero() {
			return
		}
		h.clock.Set(next)
	}
	h.t.Fatal("deliveries never settled")
}

func (h *execHarness) delivery(item int64, account string) content.Delivery {
	h.t.Helper()
	ds, err := h.st.Deliveries(context.Background(), item)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, d := range ds {
		if d.Account == account {
			return d
		}
	}
	h.t.Fatalf("no delivery to %s", account)
	return content.Delivery{}
}

// story is the delivery's audited transitions, e.g. "pending → sending".
func (h *execHarness) story(item int64, account string) []string {
	h.t.Helper()
	entries, err := h.st.AuditLog(context.Background(), item, 0)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Action == "delivery" && e.Account == account {
			step, _, _ := strings.Cut(e.Detail, "：")
			step, _, _ = strings.Cut(step, ": ")
			step, _, _ = strings.Cut(step, " http")
			out = append(out, step)
		}
	}
	return out
}

func (h *execHarness) wantStory(item int64, account string, want ...string) {
	h.t.Helper()
	if got := h.story(item, account); strings.Join(got, " | ") != strings.Join(want, " | ") {
		h.t.Errorf("%s went %q, want %q", account, got, want)
	}
}

func (h *execHarness) wantPosts(item int64, account string, n int) {
	h.t.Helper()
	d := h.delivery(item, account)
	if got := h.platform.postsOf(d.ID); got != n {
		h.t.Errorf("%s: %d posts on the platform, want %d (delivery %s: %s)", account, got, n, d.State, d.Error)
	}
}

func TestExecutorPublishes(t *testing.T) {
	h := newExecHarness(t, "")
	id := h.add("wb000", queue.Draft{})
	h.drain()
	d := h.delivery(id, "wb000")
	if d.State != content.DeliveryPublished || d.URL != "https://example.test/1" || d.RemoteID != "1" {
		t.Fatalf("delivery %+v", d)
	}
	h.wantStory(id, "wb000", "pending → sending", "sending → published")
	h.wantPosts(id, "wb000", 1)
}

// Every answer can be lost: the prepare call (nothing published), the
// submit (published, answer lost), the status call (published). Each ends
// with exactly one post, never two.
func TestExecutorLostAnswerAtEachCall(t *testing.T) {
	cases := []struct {
		call  string
		story []string
	}{
		{"prepare", []string{"pending → sending", "sending → pending", "pending → sending", "sending → published"}},
		{"submit", []string{"pending → sending", "sending → unknown", "unknown → published"}},
		{"status", []string{"pending → sending", "sending → unknown", "unknown → published"}},
	}
	for _, c := range cases {
		t.Run(c.call, func(t *testing.T) {
			h := newExecHarness(t, "")
			h.platform.inject(c.call, lost)
			id := h.add("wb000", queue.Draft{})
			h.drain()
			if d := h.delivery(id, "wb000"); d.State != content.DeliveryPublished {
				t.Fatalf("delivery %s: %s", d.State, d.Error)
			}
			h.wantStory(id, "wb000", c.story...)
			h.wantPosts(id, "wb000", 1)
		})
	}
}

// A lost answer whose lookup finds nothing once the settle window has
// passed is sent again — after the lookup, never before.
func TestExecutorUnknownNotPublishedIsSentAgain(t *testing.T) {
	h2 := newExecHarness(t, "")
	id2 := h2.add("wb000", queue.Draft{})
	d := h2.delivery(id2, "wb000")
	// The attempt is claimed, then the process dies before any call.
	h2.steps.dieAfter = 1
	if !h2.once() {
		t.Fatal("no crash")
	}
	h2.steps.dieAfter = 0
	h2.restart() // sending → unknown
	if got := h2.delivery(id2, "wb000"); got.State != content.DeliveryUnknown {
		t.Fatalf("after restart: %s", got.State)
	}
	h2.once() // lookup inside the settle window: still unknown
	if got := h2.delivery(id2, "wb000"); got.State != content.DeliveryUnknown || got.NextAttemptAt == nil {
		t.Fatalf("young lookup: %s %v", got.State, got.NextAttemptAt)
	}
	if n := h2.platform.postsOf(d.ID); n != 0 {
		t.Fatalf("%d posts before the lookup concluded", n)
	}
	h2.drain()
	h2.wantStory(id2, "wb000", "pending → sending", "sending → unknown", "unknown → pending", "pending → sending", "sending → published")
	h2.wantPosts(id2, "wb000", 1)
}

// A process can die after any step — every store write and every platform
// effect. Whatever the step, after restarts the delivery is published and
// the platform holds exactly one post.
func TestExecutorCrashAfterEveryStep(t *testing.T) {
	// Count the steps of a clean run first.
	clean := newExecHarness(t, "")
	clean.add("wb000", queue.Draft{})
	clean.drain()
	total := clean.steps.n
	if total < 5 {
		t.Fatalf("a clean run took %d steps: %q", total, clean.steps.log)
	}
	for k := 1; k <= total; k++ {
		t.Run(fmt.Sprintf("after_%s", strings.ReplaceAll(clean.steps.log[k-1], " ", "_")), func(t *testing.T) {
			h := newExecHarness(t, "")
			id := h.add("wb000", queue.Draft{})
			h.steps.dieAfter = k
			h.drain()
			d := h.delivery(id, "wb000")
			if d.State != content.DeliveryPublished {
				t.Fatalf("crash after step %d (%s): delivery %s: %s", k, clean.steps.log[k-1], d.State, d.Error)
			}
			h.wantPosts(id, "wb000", 1)
		})
	}
}

// Two crashes in a row, at every pair of steps.
func TestExecutorCrashTwice(t *testing.T) {
	for k := 1; k <= 6; k++ {
		for j := 1; j <= 4; j++ {
			h := newExecHarness(t, "")
			id := h.add("wb000", queue.Draft{})
			h.steps.dieAfter = k
			if !h.once() {
				continue
			}
			h.restart()
			h.steps.dieAfter = h.steps.n + j
			h.drain()
			if d := h.delivery(id, "wb000"); d.State != content.DeliveryPublished {
				t.Fatalf("crashes after %d and +%d: %s %s", k, j, d.State, d.Error)
			}
			h.wantPosts(id, "wb000", 1)
		}
	}
}

func TestExecutorRefusalsAndRetries(t *testing.T) {
	t.Run("content refused: failed, no retry", func(t *testing.T) {
		h := newExecHarness(t, "")
		h.platform.inject("submit", refused)
		id := h.add("wb000", queue.Draft{})
		h.drain()
		if d := h.delivery(id, "wb000"); d.State != content.DeliveryFailed || !strings.Contains(d.Error, "内容不合规") {
			t.Fatalf("%s %q", d.State, d.Error)
		}
		h.wantStory(id, "wb000", "pending → sending", "sending → failed")
		h.wantPosts(id, "wb000", 0)
	})
	t.Run("transient: backoff, then failed after max_attempts", func(t *testing.T) {
		h := newExecHarness(t, "")
		h.platform.inject("submit", transient, transient, transient)
		id := h.add("wb000", queue.Draft{})
		start := h.clock.Now()
		h.once()
		d := h.delivery(id, "wb000")
		if d.State != content.DeliveryPending || d.NextAttemptAt == nil || !d.NextAttemptAt.After(start) {
			t.Fatalf("after a transient error: %s next %v", d.State, d.NextAttemptAt)
		}
		h.once() // not due yet: nothing happens
		if got := h.delivery(id, "wb000"); got.Attempts != 1 {
			t.Fatalf("retried before its time: %d attempts", got.Attempts)
		}
		h.drain()
		if d := h.delivery(id, "wb000"); d.State != content.DeliveryFailed || !strings.Contains(d.Error, "重试3次仍失败") {
			t.Fatalf("%s %q", d.State, d.Error)
		}
		h.wantPosts(id, "wb000", 0)
	})
	t.Run("quota: waits for the reset", func(t *testing.T) {
		h := newExecHarness(t, "")
		h.platform.inject("submit", quota)
		id := h.add("wb000", queue.Draft{})
		h.once()
		d := h.delivery(id, "wb000")
		midnight := channels.NextLocalMidnight(h.clock.Now(), h.cfg.Location)
		if d.State != content.DeliveryPending || d.NextAttemptAt == nil || !d.NextAttemptAt.Equal(midnight) {
			t.Fatalf("quota: %s next %v, want %v", d.State, d.NextAttemptAt, midnight)
		}
		h.drain()
		h.wantPosts(id, "wb000", 1)
	})
	t.Run("bad credentials: the account is held until a check passes", func(t *testing.T) {
		h := newExecHarness(t, "")
		h.platform.inject("submit", badCreds)
		id := h.add("wb000,wb001", queue.Draft{})
		h.once()
		if d := h.delivery(id, "wb000"); d.State != content.DeliveryPending || !strings.Contains(d.Error, "凭据") {
			t.Fatalf("held: %s %q", d.State, d.Error)
		}
		for _, r := range h.ready() {
			if r.Account == "wb000" {
				t.Fatal("a held account's delivery is fetched")
			}
		}
		// `accounts check` passes (here: the store records it): it resumes at once.
		if err := h.st.SetAccountHealth(context.Background(), "wb000", storage.HealthOK, ""); err != nil {
			t.Fatal(err)
		}
		if len(h.ready()) != 1 {
			t.Fatal("the account did not resume when its check passed")
		}
		h.drain()
		h.wantPosts(id, "wb000", 1)
		h.wantPosts(id, "wb001", 1)
	})
	t.Run("a failing lookup is asked again later", func(t *testing.T) {
		h := newExecHarness(t, "")
		h.platform.inject("status", lost)
		h.platform.inject("lookup", lookupFail, lookupFail)
		id := h.add("wb000", queue.Draft{})
		h.once()
		if d := h.delivery(id, "wb000"); d.State != content.DeliveryUnknown || d.NextAttemptAt == nil {
			t.Fatalf("failed lookup: %s %v", d.State, d.NextAttemptAt)
		}
		h.drain()
		h.wantStory(id, "wb000", "pending → sending", "sending → unknown", "unknown → published")
		h.wantPosts(id, "wb000", 1)
	})
	t.Run("lookup finds the platform refused it: failed", func(t *testing.T) {
		h := newExecHarness(t, "")
		h.platform.inject("status", lost)
		h.platform.inject("lookup", lookupRejected)
		id := h.add("wb000", queue.Draft{})
		h.drain()
		if d := h.delivery(id, "wb000"); d.State != content.DeliveryFailed || !strings.Contains(d.Error, "平台已拒绝") {
			t.Fatalf("%s %q", d.State, d.Error)
		}
		h.wantStory(id, "wb000", "pending → sending", "sending → unknown", "unknown → failed")
	})
}

func TestExecutorQuietHoursHoldNormalItems(t *testing.T) {
	h := newExecHarness(t, `quiet_hours: {start: "09:00", end: "11:00"}`) // the clock reads 10:00
	normal := h.add("wb000", queue.Draft{Body: "可以等的消息。"})
	urgent := h.add("wb001", queue.Draft{Body: "紧急通知。", Priority: content.PriorityUrgent})
	h.once()
	d := h.delivery(normal, "wb000")
	if d.State != content.DeliveryPending || d.NextAttemptAt == nil || d.NextAttemptAt.In(h.cfg.Location).Format("15:04") != "11:00" {
		t.Fatalf("normal item in quiet hours: %s %v", d.State, d.NextAttemptAt)
	}
	h.wantPosts(normal, "wb000", 0)
	h.wantPosts(urgent, "wb001", 1)
	h.drain()
	h.wantPosts(normal, "wb000", 1)
}

// An account removed from the config while its delivery waits, is in
// flight, or is unknown: the delivery is settled, never retried in a loop.
func TestExecutorRemovedAccountSettles(t *testing.T) {
	for _, state := range []content.DeliveryState{content.DeliveryPending, content.DeliverySending, content.DeliveryUnknown} {
		t.Run(string(state), func(t *testing.T) {
			h := newExecHarness(t, "")
			id := h.add("wb000", queue.Draft{})
			switch state {
			case content.DeliverySending:
				h.steps.dieAfter = 1 // dies right after the claim
				h.once()
			case content.DeliveryUnknown:
				h.platform.inject("status", lost)
				h.platform.inject("lookup", lookupFail)
				h.once()
			}
			if d := h.delivery(id, "wb000"); d.State != state {
				t.Fatalf("set-up: %s", d.State)
			}
			h.steps.dieAfter = 0
			h.cfg.Accounts = h.cfg.Accounts[1:] // wb000 leaves the config
			h.restart()
			before := h.steps.n
			h.drain()
			// What may have gone out (sending, unknown) is unverified, never
			// failed; what never started fails.
			d := h.delivery(id, "wb000")
			want, reason := content.DeliveryFailed, "账号已从配置中删除"
			if state != content.DeliveryPending {
				want, reason = content.DeliveryUnverified, "账号已从配置中删除，无法核实是否已发出"
			}
			if d.State != want || !strings.Contains(d.Error, reason) {
				t.Fatalf("%s %q, want %s %q", d.State, d.Error, want, reason)
			}
			if writes := h.steps.n - before; writes > 2 {
				t.Fatalf("%d writes to settle it: %q", writes, h.steps.log[before:])
			}
		})
	}
}

// A full disk when the platform's answer comes: the answer is kept and
// written once there is room, the log says the disk is full, and nothing
// is left sending.
func TestExecutorFullDiskKeepsTheAnswer(t *testing.T) {
	h := newExecHarness(t, "")
	id := h.add("wb000", queue.Draft{})
	rs := h.ready()
	if len(rs) != 1 {
		t.Fatal("not ready")
	}
	// Fail the three writes after the progress saves: the published write.
	h.platform.inject("status", ok)
	ex := h.exec
	orig := ex.store
	ex.store = &fullAtPublish{ExecutorStore: orig, s: h.store, n: 3}
	o := ex.Execute(context.Background(), rs[0])
	if o.State != content.DeliveryPublished {
		t.Fatalf("outcome %+v", o)
	}
	if d := h.delivery(id, "wb000"); d.State != content.DeliveryPublished {
		t.Fatalf("delivery %s", d.State)
	}
	if n := strings.Count(h.logs.String(), "磁盘已满"); n != 3 {
		t.Fatalf("%d disk-full lines in the log:\n%s", n, h.logs.String())
	}
	h.wantPosts(id, "wb000", 1)
}

// fullAtPublish fails the first n writes to published as a full disk would.
type fullAtPublish struct {
	ExecutorStore
	s *stepStore
	n int
}

func (f *fullAtPublish) UpdateDelivery(ctx context.Context, u storage.DeliveryUpdate) error {
	if u.To == content.DeliveryPublished && f.n > 0 {
		f.n--
		return fmt.Errorf("storage: delivery %d: %w", u.ID, diskFull{})
	}
	return f.ExecutorStore.UpdateDelivery(ctx, u)
}

// A delivery changed by someone else between the read and the claim (a
// cancel, another worker) is left alone: no platform call.
func TestExecutorStaleReadMakesNoCall(t *testing.T) {
	h := newExecHarness(t, "")
	id := h.add("wb000", queue.Draft{})
	rs := h.ready()
	if err := h.st.UpdateDelivery(context.Background(), storage.DeliveryUpdate{ID: rs[0].ID, From: content.DeliveryPending, To: content.DeliverySending, AttemptID: "elsewhere"}); err != nil {
		t.Fatal(err)
	}
	o := h.exec.Execute(context.Background(), rs[0])
	if o.State != "" || o.Held {
		t.Fatalf("outcome %+v", o)
	}
	h.wantPosts(id, "wb000", 0)
}

func TestBackoffPolicy(t *testing.T) {
	b := Backoff{Base: time.Second, Max: time.Minute, Jitter: func(n int64) int64 { return n - 1 }}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := time.Duration(0)
	for attempts := 1; attempts < 12; attempts++ {
		d := b.NextRetry(attempts, errors.New("x"), now).Sub(now)
		if d < prev || d > time.Minute+time.Second {
			t.Fatalf("attempt %d: %s after %s", attempts, d, prev)
		}
		prev = d
	}
	hint := &channels.Error{Class: channels.ClassTransient, RetryAt: now.Add(2 * time.Hour)}
	if got := b.NextRetry(1, hint, now); !got.Equal(now.Add(time.Minute)) {
		t.Fatalf("a hint beyond the cap: %s", got.Sub(now))
	}
}

// cancel withdraws the item as a clerk would (post cancel).
func (h *execHarness) cancel(id int64) {
	h.t.Helper()
	if _, err := h.queue.Cancel(context.Background(), queue.Actor{Name: "编辑"}, id); err != nil {
		h.t.Fatal(err)
	}
}

// A cancel that lands while the last allowed attempt is on the platform,
// which then fails: the delivery ends cancelled (rule 7), not failed after
// max_attempts, and the log says so.
func TestExecutorCancelOnTheLastAttemptEndsCancelled(t *testing.T) {
	h := newExecHarness(t, "") // max_attempts: 3
	h.platform.inject("submit", transient, transient, transient)
	id := h.add("wb000", queue.Draft{})
	submits := 0
	h.platform.onSubmit = func() {
		if submits++; submits == 3 {
			h.cancel(id)
		}
	}
	h.drain()
	d := h.delivery(id, "wb000")
	if d.State != content.DeliveryCancelled || !strings.Contains(d.Error, "稿件已撤销") || strings.Contains(d.Error, "重试") {
		t.Fatalf("delivery %s %q, want cancelled", d.State, d.Error)
	}
	h.wantStory(id, "wb000", "pending → sending", "sending → pending", "pending → sending", "sending → pending", "pending → sending", "sending → cancelled")
	h.wantPosts(id, "wb000", 0)
	if !strings.Contains(h.logs.String(), "not retried") {
		t.Fatalf("the executor did not log the cancel:\n%s", h.logs.String())
	}
}

// A cancel committed after the executor asked but before it wrote the retry:
// the store refuses the retry (ErrItemCancelled) and the executor writes
// cancelled instead.
func TestExecutorCancelAfterTheQuestionStillEndsCancelled(t *testing.T) {
	h := newExecHarness(t, "")
	h.platform.inject("submit", transient)
	id := h.add("wb000", queue.Draft{})
	h.exec.store = &cancelAfterAsked{ExecutorStore: h.store, cancel: func() { h.cancel(id) }}
	h.once()
	if d := h.delivery(id, "wb000"); d.State != content.DeliveryCancelled || !strings.Contains(d.Error, "busy") {
		t.Fatalf("delivery %s %q, want cancelled with the attempt's error", d.State, d.Error)
	}
	h.wantStory(id, "wb000", "pending → sending", "sending → cancelled")
	h.wantPosts(id, "wb000", 0)
}

// cancelAfterAsked answers the cancel question with no, then cancels.
type cancelAfterAsked struct {
	ExecutorStore
	cancel func()
}

func (c *cancelAfterAsked) CancelRequested(ctx context.Context, itemID int64) (bool, error) {
	c.cancel()
	return false, nil
}

// An answer lost at the cancel, whose lookup finds nothing went out: the
// delivery is cancelled, never sent again.
func TestExecutorCancelledWhileUnknownIsNotSentAgain(t *testing.T) {
	h := newExecHarness(t, "")
	id := h.add("wb000", queue.Draft{})
	h.steps.dieAfter = 1 // dies right after the claim: the restart makes it unknown
	h.once()
	h.steps.dieAfter = 0
	h.restart()
	h.cancel(id)
	h.drain()
	if d := h.delivery(id, "wb000"); d.State != content.DeliveryCancelled || !strings.Contains(d.Error, "核实未发出") {
		t.Fatalf("delivery %s %q", d.State, d.Error)
	}
	h.wantStory(id, "wb000", "pending → sending", "sending → unknown", "unknown → cancelled")
	h.wantPosts(id, "wb000", 0)
}

// A channel that panics after its publishing call (rule 8): the executor
// recovers, logs the stack, and the delivery becomes unknown; the lookup
// finds the post, so it is published once, never sent again. The other
// account's delivery goes on.
func TestExecutorPanickingChannelIsLookedUpNotResent(t *testing.T) {
	h := newExecHarness(t, "")
	h.platform.inject("submit", panics)
	id := h.add("wb000,wb001", queue.Draft{})
	h.once()
	d := h.delivery(id, "wb000")
	if d.State != content.DeliveryUnknown || !strings.Contains(d.Error, "发布程序出错") {
		t.Fatalf("after the panic: %s %q, want unknown", d.State, d.Error)
	}
	if !strings.Contains(h.logs.String(), "panic during the attempt") || !strings.Contains(h.logs.String(), "executor_test.go") {
		t.Fatalf("no panic with its stack in the log:\n%s", h.logs.String())
	}
	h.drain()
	h.wantStory(id, "wb000", "pending → sending", "sending → unknown", "unknown → published")
	h.wantPosts(id, "wb000", 1)
	h.wantPosts(id, "wb001", 1)
}

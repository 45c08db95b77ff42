// Package scheduler turns approved items into exactly one publication per
// target account: it fires items at their time (timers, and cron for
// recurring items), fans deliveries out over a bounded worker pool with at
// most one call sequence per account, retries with backoff, respects quotas
// and quiet hours, and reconciles every attempt whose answer was lost before
// anything is retried. It talks to platforms only through channels.Channel.
//
// The rule that keeps publication exactly-once: a delivery moves to sending,
// with a fresh attempt id, in a committed transaction before its first
// platform call; a sending or unknown delivery is only ever sent again after
// the channel's Lookup said the platform has nothing from that attempt.
package scheduler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"golang.org/x/time/rate"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// Options tune the scheduler; zero values take the defaults.
type Options struct {
	// PollEvery is how often the database is checked for changes made by
	// other processes (the CLI), default 500 ms.
	PollEvery time.Duration
	// LookupEvery is how long to wait before looking an unknown attempt up
	// again when the platform could not tell yet (default 30 s).
	LookupEvery time.Duration
	// BackoffBase and BackoffMax shape the retry backoff (default 2 s, 10 min).
	BackoffBase, BackoffMax time.Duration
	// Grace bounds how long shutdown waits for calls in flight (default 10 s).
	Grace time.Duration
	// HealthEvery is how often unhealthy accounts are checked again (default 10 min).
	HealthEvery time.Duration
	// Rates limit how many deliveries start per second on each platform
	// (default wechat 200/s, weibo 50/s), with a burst of delivery.workers.
	Rates map[string]rate.Limit
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Scheduler is the delivery engine. Create it with New and call Run.
type Scheduler struct {
	cfg      *configs.Config
	store    *storage.Store
	queue    *queue.Service
	channels channels.Registry
	log      *slog.Logger
	opts     Options

	wake     chan struct{}
	slots    chan struct{}
	limiters map[string]*rate.Limiter
	quietLo  int
	quietHi  int
	quiet    bool

	mu          sync.Mutex
	busy        map[string]bool // account id -> a call sequence in flight
	lastHealth  map[string]time.Time
	cronEntries map[int64]cron.EntryID
}

// New returns a scheduler.
func New(cfg *configs.Config, store *storage.Store, q *queue.Service, reg channels.Registry, log *slog.Logger, opts Options) *Scheduler {
	if opts.PollEvery == 0 {
		opts.PollEvery = 500 * time.Millisecond
	}
	if opts.LookupEvery == 0 {
		opts.LookupEvery = 30 * time.Second
	}
	if opts.BackoffBase == 0 {
		opts.BackoffBase = 2 * time.Second
	}
	if opts.BackoffMax == 0 {
		opts.BackoffMax = 10 * time.Minute
	}
	if opts.Grace == 0 {
		opts.Grace = 10 * time.Second
	}
	if opts.HealthEvery == 0 {
		opts.HealthEvery = 10 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	rates := map[string]rate.Limit{configs.PlatformWeChat: 200, configs.PlatformWeibo: 50}
	for p, r := range opts.Rates {
		rates[p] = r
	}
	s := &Scheduler{cfg: cfg, store: store, queue: q, channels: reg, log: log, opts: opts,
		wake: make(chan struct{}, 1), slots: make(chan struct{}, cfg.Delivery.Workers),
		limiters: map[string]*rate.Limiter{}, busy: map[string]bool{}, lastHealth: map[string]time.Time{},
		cronEntries: map[int64]cron.EntryID{}}
	for p, r := range rates {
		s.limiters[p] = rate.NewLimiter(r, cfg.Delivery.Workers)
	}
	if qh := cfg.Delivery.QuietHours; qh.Start != "" {
		s.quietLo, _ = configs.ParseClock(qh.Start)
		s.quietHi, _ = configs.ParseClock(qh.End)
		s.quiet = true
	}
	return s
}

// Wake asks the scheduler to look for work now (e.g. after the API added an item).
func (s *Scheduler) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run works until ctx ends, then stops taking work, lets calls in flight
// finish within the grace period, and returns. Every state change is
// committed as it happens, so there is nothing else to persist.
func (s *Scheduler) Run(ctx context.Context, extraCron func(c *cron.Cron) error) error {
	// Calls in flight get their own context: shutdown gives them Grace to finish.
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	if err := s.recover(ctx); err != nil {
		return err
	}
	c := cron.New(cron.WithLocation(s.cfg.Location))
	if extraCron != nil {
		if err := extraCron(c); err != nil {
			return err
		}
	}
	c.Start()
	defer c.Stop()

	conn, err := s.store.DB().Conn(ctx)
	if err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	defer conn.Close()
	version, _ := s.store.DataVersion(ctx, conn)

	var wg sync.WaitGroup
	s.log.Info("scheduler started", "workers", s.cfg.Delivery.Workers)
	for {
		next := s.tick(ctx, workCtx, &wg, c)
		wait := time.Minute
		if !next.IsZero() {
			wait = min(wait, max(next.Sub(s.opts.Now()), 10*time.Millisecond))
		}
		timer := time.NewTimer(wait)
		poll := time.NewTicker(s.opts.PollEvery)
	waiting:
		for {
			select {
			case <-ctx.Done():
				timer.Stop()
				poll.Stop()
				return s.shutdown(&wg, cancelWork)
			case <-s.wake:
				break waiting
			case <-timer.C:
				break waiting
			case <-poll.C:
				if v, err := s.store.DataVersion(ctx, conn); err == nil && v != version {
					version = v
					break waiting
				}
			}
		}
		timer.Stop()
		poll.Stop()
	}
}

func (s *Scheduler) shutdown(wg *sync.WaitGroup, cancelWork context.CancelFunc) error {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		s.log.Info("scheduler stopped: no calls in flight")
	case <-time.After(s.opts.Grace):
		cancelWork()
		<-done
		s.log.Warn("scheduler stopped: calls in flight were cut off; they are reconciled at next start", "grace", s.opts.Grace)
	}
	return nil
}

// recover handles deliveries a previous process left in sending: their
// answers are lost, so they become unknown and are looked up first.
func (s *Scheduler) recover(ctx context.Context) error {
	left, err := s.store.InFlight(ctx)
	if err != nil {
		return err
	}
	for _, d := range left {
		err := s.store.UpdateDelivery(ctx, storage.DeliveryUpdate{ID: d.ID, From: content.DeliverySending, To: content.DeliveryUnknown,
			AttemptID: d.AttemptID, Error: "上次运行中断，正在核实是否已发布", Detail: "sending → unknown: found in flight at start"})
		if err != nil && !errors.Is(err, storage.ErrConflict) {
			return err
		}
	}
	if len(left) > 0 {
		s.log.Warn("deliveries in flight at start; looking them up before anything is retried", "count", len(left))
	}
	return nil
}

// tick does what is due now and returns when something next becomes due.
func (s *Scheduler) tick(ctx, workCtx context.Context, wg *sync.WaitGroup, c *cron.Cron) time.Time {
	now := s.opts.Now()
	if ids, err := s.queue.ExpireOverdue(ctx); err != nil {
		s.log.Error("expire overdue items", "err", err)
	} else {
		for _, id := range ids {
			s.log.Warn("item expired: its time passed before the last approval", "item", id)
		}
	}
	s.syncCron(ctx, c)
	due, err := s.store.DueItems(ctx, now)
	if err != nil {
		s.log.Error("due items", "err", err)
	}
	for _, id := range due {
		// A group's accounts are resolved now, at publication time.
		out, err := s.queue.StartPublishing(ctx, id)
		if err != nil && !errors.Is(err, storage.ErrConflict) {
			s.log.Error("start publishing", "item", id, "err", err)
		}
		if len(out.Added) > 0 || len(out.Dropped) > 0 {
			s.log.Info("group membership changed since the item was added", "item", id, "added", out.Added, "dropped", out.Dropped)
		}
	}
	s.dispatch(ctx, workCtx, wg, now)
	s.settle(ctx)
	next, err := s.store.NextWake(ctx)
	if err != nil {
		s.log.Error("next wake", "err", err)
	}
	return next
}

func (s *Scheduler) accounts(ctx context.Context) map[string]storage.Account {
	out := map[string]storage.Account{}
	list, err := s.store.Accounts(ctx, true)
	if err != nil {
		s.log.Error("accounts", "err", err)
		return out
	}
	for _, a := range list {
		out[a.ID] = a
	}
	return out
}

// dispatch hands ready deliveries to workers: urgent first, one call
// sequence per account, at most delivery.workers at once.
func (s *Scheduler) dispatch(ctx, workCtx context.Context, wg *sync.WaitGroup, now time.Time) {
	ready, err := s.store.ReadyDeliveries(ctx, now, 4*cap(s.slots)+64)
	if err != nil {
		s.log.Error("ready deliveries", "err", err)
		return
	}
	if len(ready) == 0 {
		return
	}
	accts := s.accounts(ctx)
	for _, r := range ready {
		acct, ok := accts[r.Account]
		if !ok {
			continue
		}
		if r.State == content.DeliveryPending {
			if acct.Health == storage.HealthUnhealthy {
				s.probeHealth(ctx, workCtx, wg, acct)
				continue
			}
			if !r.Urgent && s.quiet {
				if in, end := s.inQuietHours(now); in {
					_ = s.store.SetDeliveryRetry(ctx, r.ID, content.DeliveryPending, end, "免打扰时段，"+end.In(s.cfg.Location).Format("15:04")+" 后发布")
					continue
				}
			}
		}
		s.mu.Lock()
		if s.busy[r.Account] {
			s.mu.Unlock()
			continue
		}
		select {
		case s.slots <- struct{}{}:
		default:
			s.mu.Unlock()
			return // every worker busy: a finishing worker wakes the loop
		}
		s.busy[r.Account] = true
		s.mu.Unlock()
		wg.Add(1)
		go func(r storage.ReadyDelivery) {
			defer wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.busy, r.Account)
				s.mu.Unlock()
				<-s.slots
				s.Wake()
			}()
			s.work(workCtx, r)
		}(r)
	}
}

// inQuietHours reports whether t falls in the quiet window, and when it ends.
func (s *Scheduler) inQuietHours(t time.Time) (bool, time.Time) {
	lt := t.In(s.cfg.Location)
	m := lt.Hour()*60 + lt.Minute()
	y, mo, d := lt.Date()
	end := time.Date(y, mo, d, s.quietHi/60, s.quietHi%60, 0, 0, s.cfg.Location)
	if s.quietLo <= s.quietHi {
		return m >= s.quietLo && m < s.quietHi, end
	}
	if m >= s.quietLo { // the window wraps midnight: it ends tomorrow
		return true, end.AddDate(0, 0, 1)
	}
	return m < s.quietHi, end
}

// probeHealth checks an unhealthy account again, at most every HealthEvery.
func (s *Scheduler) probeHealth(ctx, workCtx context.Context, wg *sync.WaitGroup, acct storage.Account) {
	s.mu.Lock()
	if s.opts.Now().Sub(s.lastHealth[acct.ID]) < s.opts.HealthEvery || s.busy[acct.ID] {
		s.mu.Unlock()
		return
	}
	s.lastHealth[acct.ID] = s.opts.Now()
	s.busy[acct.ID] = true
	s.mu.Unlock()
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer func() {
			s.mu.Lock()
			delete(s.busy, acct.ID)
			s.mu.Unlock()
		}()
		if err := s.CheckAccount(workCtx, acct.ID); err == nil {
			s.log.Info("account healthy again; its deliveries resume", "account", acct.ID)
			s.Wake()
		}
	}()
}

// CheckAccount checks an account's credentials with its platform and
// records its health.
func (s *Scheduler) CheckAccount(ctx context.Context, id string) error {
	acct, ok := s.cfg.Account(id)
	if !ok {
		return fmt.Errorf("scheduler: account %s is not configured", id)
	}
	ch, err := s.channels.For(acct.Platform)
	if err != nil {
		return err
	}
	err = ch.Check(ctx, acct)
	switch channels.ClassOf(err) {
	case channels.ClassCredentials:
		_ = s.store.SetAccountHealth(ctx, id, storage.HealthUnhealthy, err.Error())
		return err
	default:
		if err != nil {
			return err // transient: leave health as it was
		}
	}
	return s.store.SetAccountHealth(ctx, id, storage.HealthOK, "")
}

func newAttemptID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// backoff is exponential with full jitter, between base and max.
func (s *Scheduler) backoff(attempt int) time.Duration {
	d := s.opts.BackoffBase << min(attempt, 20)
	if d > s.opts.BackoffMax || d <= 0 {
		d = s.opts.BackoffMax
	}
	return s.opts.BackoffBase/2 + time.Duration(mrand.Int64N(int64(d)))
}

// work runs one delivery: an attempt for a pending one, a lookup for an
// unknown one.
func (s *Scheduler) work(ctx context.Context, r storage.ReadyDelivery) {
	log := s.log.With("delivery", r.ID, "item", r.ItemID, "account", r.Account)
	acct, ok := s.cfg.Account(r.Account)
	if !ok {
		s.fail(ctx, r.Delivery, content.DeliveryPending, "账号已从配置中删除", log)
		return
	}
	ch, err := s.channels.For(acct.Platform)
	if err != nil {
		log.Error("no channel", "err", err)
		return
	}
	rev, err := s.store.Revision(ctx, r.RevisionID)
	if err != nil {
		log.Error("load revision", "err", err)
		return
	}
	pub := channels.Publication{DeliveryID: r.ID, AttemptID: r.AttemptID, Kind: r.Kind, Notify: r.Notify, Revision: rev, RemoteID: r.RemoteID}
	if d, ok := s.cfg.Department(r.Department); ok {
		pub.Department = d.Name
	}
	if r.AttemptStartedAt != nil {
		pub.AttemptStarted = *r.AttemptStartedAt
	}
	if lim := s.limiters[acct.Platform]; lim != nil {
		if err := lim.Wait(ctx); err != nil {
			return
		}
	}
	if r.State == content.DeliveryUnknown {
		s.reconcile(ctx, ch, acct, r.Delivery, pub, log)
		return
	}
	// Checked again just before publishing: department scope and content.
	if reason := s.refuseAtDelivery(r, acct, &rev); reason != "" {
		s.fail(ctx, r.Delivery, content.DeliveryPending, reason, log)
		return
	}
	pub.AttemptID = newAttemptID()
	err = s.store.UpdateDelivery(ctx, storage.DeliveryUpdate{ID: r.ID, From: content.DeliveryPending, To: content.DeliverySending, AttemptID: pub.AttemptID,
		Detail: "pending → sending: attempt " + pub.AttemptID})
	if err != nil {
		if !errors.Is(err, storage.ErrConflict) {
			log.Error("start attempt", "err", err)
		}
		return
	}
	pub.AttemptStarted = s.opts.Now()
	pub.Cancelled = func(ctx context.Context) bool { // asked just before the publishing call
		yes, err := s.store.CancelRequested(ctx, r.ItemID)
		return err == nil && yes
	}
	pub.RemoteID = ""
	if strings.HasPrefix(r.RemoteID, channels.DraftPrefix) {
		pub.RemoteID = r.RemoteID // a draft an earlier attempt made: submit it, make no other
	}
	res, err := ch.Publish(ctx, acct, pub)
	s.settleAttempt(ctx, ch, acct, r.Delivery, pub, res, err, r.Attempts+1, log)
}

// refuseAtDelivery re-checks, at the last moment, that the item's department
// may publish to the account and that the content fits the platform.
func (s *Scheduler) refuseAtDelivery(r storage.ReadyDelivery, acct *configs.Account, rev *content.Revision) string {
	if r.Department != "" && acct.Department != r.Department {
		if d, ok := s.cfg.Department(r.Department); !ok || !d.Office {
			return "部门无权向该账号发布：" + acct.ID + " 不属于本部门"
		}
	}
	p := content.Platforms{WeChat: acct.Platform == configs.PlatformWeChat, Weibo: acct.Platform == configs.PlatformWeibo}
	if ps := content.Validate(r.Kind, rev, p); len(ps) > 0 {
		return "发布前检查未通过：" + ps.Error()
	}
	if _, err := s.queue.CheckWording(r.Kind, rev); err != nil {
		return "发布前" + err.Error()
	}
	return ""
}

// settleAttempt records what an attempt's answer means.
func (s *Scheduler) settleAttempt(ctx context.Context, ch channels.Channel, acct *configs.Account, d content.Delivery, pub channels.Publication, res channels.Result, err error, attempts int, log *slog.Logger) {
	from := content.DeliverySending
	if err == nil {
		s.published(ctx, d, from, pub.AttemptID, res, log)
		return
	}
	class := channels.ClassOf(err)
	msg := err.Error()
	switch class {
	case channels.ClassUnknown:
		log.Warn("answer lost; looking it up before any retry", "err", err)
		if uerr := s.store.UpdateDelivery(ctx, storage.DeliveryUpdate{ID: d.ID, From: from, To: content.DeliveryUnknown, AttemptID: pub.AttemptID, Error: msg}); uerr != nil {
			log.Error("record unknown", "err", uerr)
			return
		}
		if saved, lerr := s.store.Delivery(ctx, d.ID); lerr == nil {
			pub.RemoteID = saved.RemoteID
		}
		s.reconcile(ctx, ch, acct, d, pub, log)
	case channels.ClassContent:
		s.fail(ctx, d, from, msg, log, pub.AttemptID)
	case channels.ClassCredentials:
		_ = s.store.SetAccountHealth(ctx, acct.ID, storage.HealthUnhealthy, msg)
		s.mu.Lock()
		s.lastHealth[acct.ID] = s.opts.Now()
		s.mu.Unlock()
		next := s.opts.Now().Add(s.opts.HealthEvery)
		s.retry(ctx, d, from, pub.AttemptID, next, "账号凭据有问题，暂停发布："+msg, log)
	case channels.ClassQuota:
		next := channels.RetryAt(err)
		if next.IsZero() {
			next = channels.NextLocalMidnight(s.opts.Now(), s.cfg.Location)
		}
		s.retry(ctx, d, from, pub.AttemptID, next, msg, log)
	default:
		if attempts >= s.cfg.Delivery.MaxAttempts {
			s.fail(ctx, d, from, fmt.Sprintf("重试%d次仍失败：%s", attempts, msg), log, pub.AttemptID)
			return
		}
		now := s.opts.Now()
		next := now.Add(s.backoff(attempts))
		if at := channels.RetryAt(err); at.After(next) { // "retry next minute", within the backoff cap
			next = at
			if limit := now.Add(s.opts.BackoffMax); next.After(limit) {
				next = limit
			}
		}
		s.retry(ctx, d, from, pub.AttemptID, next, msg, log)
	}
}

// reconcile looks an unknown attempt up and records what really happened.
func (s *Scheduler) reconcile(ctx context.Context, ch channels.Channel, acct *configs.Account, d content.Delivery, pub channels.Publication, log *slog.Logger) {
	from := content.DeliveryUnknown
	outcome, res, err := ch.Lookup(ctx, acct, pub)
	switch {
	case err != nil || outcome == channels.StillUnknown:
		reason := "正在核实是否已发布"
		if err != nil {
			reason += "：" + err.Error()
		}
		again := s.opts.LookupEvery
		if w := s.cfg.Delivery.SettleWindow; w > 0 && w < again {
			again = w // a shorter settle window ends sooner: look again then
		}
		_ = s.store.SetDeliveryRetry(ctx, d.ID, from, s.opts.Now().Add(again), reason)
	case outcome == channels.Published:
		log.Info("lookup: the attempt did go out", "url", res.URL)
		s.published(ctx, d, from, pub.AttemptID, res, log)
	case outcome == channels.Failed:
		s.fail(ctx, d, from, "平台已拒绝："+errString(err, res), log, pub.AttemptID)
	case outcome == channels.NotPublished:
		log.Info("lookup: nothing went out; the delivery will be sent again")
		s.retry(ctx, d, from, pub.AttemptID, s.opts.Now(), "核实未发布，重新发送", log)
	}
}

func errString(err error, res channels.Result) string {
	if err != nil {
		return err.Error()
	}
	return res.Note
}

func (s *Scheduler) published(ctx context.Context, d content.Delivery, from content.DeliveryState, attempt string, res channels.Result, log *slog.Logger) {
	err := s.store.UpdateDelivery(ctx, storage.DeliveryUpdate{ID: d.ID, From: from, To: content.DeliveryPublished, AttemptID: attempt,
		RemoteID: res.RemoteID, URL: res.URL, Error: res.Note})
	if err != nil {
		log.Error("record published", "err", err)
		return
	}
	log.Info("published", "url", res.URL)
}

func (s *Scheduler) retry(ctx context.Context, d content.Delivery, from content.DeliveryState, attempt string, at time.Time, reason string, log *slog.Logger) {
	err := s.store.UpdateDelivery(ctx, storage.DeliveryUpdate{ID: d.ID, From: from, To: content.DeliveryPending, AttemptID: attempt,
		NextAttemptAt: &at, Error: reason})
	if err != nil {
		log.Error("record retry", "err", err)
		return
	}
	log.Info("will retry", "at", at.Format(time.RFC3339), "reason", reason)
}

func (s *Scheduler) fail(ctx context.Context, d content.Delivery, from content.DeliveryState, reason string, log *slog.Logger, attempt ...string) {
	u := storage.DeliveryUpdate{ID: d.ID, From: from, To: content.DeliveryFailed, Error: reason}
	if len(attempt) > 0 {
		u.AttemptID = attempt[0]
	}
	if err := s.store.UpdateDelivery(ctx, u); err != nil {
		log.Error("record failed", "err", err)
		return
	}
	log.Warn("delivery failed", "reason", reason)
}

// settle moves publishing items whose deliveries are all final to done,
// partially_failed or failed, naming the accounts that failed and why.
func (s *Scheduler) settle(ctx context.Context) {
	ids, err := s.store.SettledItems(ctx)
	if err != nil {
		s.log.Error("settled items", "err", err)
		return
	}
	for _, id := range ids {
		ds, err := s.store.Deliveries(ctx, id)
		if err != nil {
			s.log.Error("deliveries", "item", id, "err", err)
			continue
		}
		states := make([]content.DeliveryState, len(ds))
		var failed, published, cancelled []string
		for i, d := range ds {
			states[i] = d.State
			switch d.State {
			case content.DeliveryFailed:
				failed = append(failed, d.Account+"："+d.Error)
			case content.DeliveryPublished:
				published = append(published, d.Account)
			case content.DeliveryCancelled:
				cancelled = append(cancelled, d.Account)
			}
		}
		to, ok := content.ItemStateFromDeliveries(states)
		if !ok {
			continue
		}
		var reasons []string
		if len(cancelled) > 0 { // cancelled while publishing
			reasons = append(reasons, fmt.Sprintf("已撤销：已发出 %d 个账号（%s），未发出 %d 个账号（%s）",
				len(published), strings.Join(published, "、"), len(cancelled), strings.Join(cancelled, "、")))
		}
		if len(failed) > 0 {
			reasons = append(reasons, "失败账号 "+strings.Join(failed, "；"))
		}
		reason := strings.Join(reasons, "；")
		err = s.store.TransitionItem(ctx, storage.Transition{ItemID: id, From: content.ItemPublishing, To: to, Reason: reason, Actor: "herald", Action: "settle"})
		if err != nil && !errors.Is(err, storage.ErrConflict) {
			s.log.Error("settle item", "item", id, "err", err)
			continue
		}
		s.log.Info("item settled", "item", id, "state", to, "failed", len(failed))
	}
}

// syncCron registers every scheduled recurring item with cron (in the
// configured timezone) and drops entries of items no longer scheduled.
func (s *Scheduler) syncCron(ctx context.Context, c *cron.Cron) {
	items, err := s.store.CronItems(ctx)
	if err != nil {
		s.log.Error("cron items", "err", err)
		return
	}
	want := map[int64]string{}
	for _, it := range items {
		if it.Cron != "" {
			want[it.ID] = it.Cron
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, entry := range s.cronEntries {
		if _, ok := want[id]; !ok {
			c.Remove(entry)
			delete(s.cronEntries, id)
		}
	}
	for id, spec := range want {
		if _, ok := s.cronEntries[id]; ok {
			continue
		}
		id := id
		entry, err := c.AddFunc(spec, func() { s.fireRecurring(context.Background(), id) })
		if err != nil {
			s.log.Error("bad cron spec", "item", id, "cron", spec, "err", err)
			continue
		}
		s.cronEntries[id] = entry
		s.log.Info("recurring item registered", "item", id, "cron", spec, "next", c.Entry(entry).Next.Format(time.RFC3339))
	}
}

func (s *Scheduler) fireRecurring(ctx context.Context, id int64) {
	child, err := s.queue.RunRecurring(ctx, id, s.opts.Now())
	if err != nil {
		s.log.Error("recurring item run", "item", id, "err", err)
		return
	}
	s.log.Info("recurring item fired", "item", id, "run", child)
	s.Wake()
}

// NextRun returns when a recurring item with the 5-field cron spec runs
// next after from, in the configured timezone (as the scheduler runs it).
func NextRun(cfg *configs.Config, spec string, from time.Time) (time.Time, error) {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return time.Time{}, err
	}
	return sched.Next(from.In(cfg.Location)), nil
}

package scheduler

// The executor is the one place that owns a delivery's state machine:
//
//	pending ──claim──▶ sending ──answer──▶ published | failed | pending (retry later) | unknown
//	unknown ──lookup─▶ published | failed | pending (nothing went out) | unknown (ask again later)
//
// The exactly-once rule, which every path below keeps:
//
//  1. Claim before call. A delivery moves pending → sending, with a fresh
//     attempt id, in a committed transaction (with its audit entry) before
//     the channel makes the attempt's first platform call. No committed
//     sending row, no call.
//  2. Writes are guarded. Every later write of an attempt names the attempt
//     id and the state it expects; a write for an attempt that is no longer
//     current changes nothing (storage.ErrConflict).
//  3. Unknown is looked up, never resent. An answer that was lost
//     (channels.ClassUnknown), or an attempt left in sending with no
//     executor running it (the process died, a write failed — the rescuer
//     finds these), becomes unknown. An unknown delivery goes back to
//     pending only when the channel's Lookup says the platform has nothing
//     from that attempt.
//  4. The channel saves its own progress (channels.Store.SaveProgress,
//     opaque to the engine) before the call it protects: a resumed attempt
//     continues from it and a lookup asks about it.
//  5. An answer is kept until it is written. If recording the platform's
//     answer fails (a full disk), the executor keeps it in memory and
//     retries the write; if the process dies first, the row is still
//     sending and is looked up at the next start.
//  6. Nothing is dispatched again at once. Every outcome either ends the
//     delivery, or leaves it with a next attempt time in the future, or
//     tells the producer to hold it (Execution.Held) when nothing could be
//     written.
//  7. A cancel stops what did not go out. Before the executor retries or
//     fails an attempt that published nothing (an error, or a lookup that
//     found nothing), it asks whether the item was cancelled; if so it
//     writes cancelled itself and logs it. The store refuses to put a
//     delivery of a cancelled item back to pending
//     (storage.ErrItemCancelled), so a cancel committed between the
//     question and the write ends the delivery cancelled too.
//  8. A panicking channel is an answer that never came. Execute recovers
//     it, logs the stack, and treats the attempt as unknown: it is looked
//     up, never resent (rule 3).

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// Reasons the executor writes for clerks.
const (
	reasonRemoved        = "账号已从配置中删除"
	reasonRemovedUnknown = "账号已从配置中删除，无法核实是否已发出：请在平台后台核对"
	reasonHeld           = "账号凭据有问题，暂停发布："
	reasonLookingUp      = "正在核实是否已发布"
	reasonRescued        = "发布进行中断，正在核实是否已发布"
	reasonCancelled      = "稿件已撤销，此账号未发出"
	reasonPanicked       = "发布程序出错，正在核实是否已发布"
)

// ExecutorStore is what the executor needs from the store.
type ExecutorStore interface {
	UpdateDelivery(ctx context.Context, u storage.DeliveryUpdate) error
	SetDeliveryRetry(ctx context.Context, id int64, state content.DeliveryState, at time.Time, reason string) error
	SetAccountHealth(ctx context.Context, id, health, message string) error
	Revision(ctx context.Context, id int64) (content.Revision, error)
	Delivery(ctx context.Context, id int64) (content.Delivery, error)
	Approvals(ctx context.Context, itemID int64) ([]content.Approval, error)
	// CancelRequested reports whether an item was cancelled while publishing.
	CancelRequested(ctx context.Context, itemID int64) (bool, error)
}

// Execution is where one run of the executor left a delivery, for the
// producer (not channels.Outcome, which is what a lookup found).
type Execution struct {
	ID      int64
	ItemID  int64
	Account string
	// State is the delivery's state as this executor left it; "" when
	// another writer changed it first (nothing was done).
	State content.DeliveryState
	// Next is when the delivery is due again (zero when final or unknown).
	Next time.Time
	// Held: nothing could be written; the producer must not dispatch the
	// delivery again before Next.
	Held bool
}

// Executor runs one delivery at a time per call: an attempt for a pending
// one, a lookup for an unknown one, and the state change it ends in. It is
// safe for concurrent use by the producer's workers.
type Executor struct {
	cfg      *configs.Config
	store    ExecutorStore
	channels channels.Registry
	// wording checks the office's wording lists (queue.Service.CheckWording).
	wording func(kind content.Kind, rev *content.Revision) error
	retry   RetryPolicy
	quiet   quietHours
	now     func() time.Time
	// sleep waits d or until ctx ends (a test clock advances instead).
	sleep       func(ctx context.Context, d time.Duration) error
	log         *slog.Logger
	limiters    map[string]*rate.Limiter
	lookupEvery time.Duration
	attemptID   func() string

	mu        sync.Mutex
	revisions map[int64]content.Revision // revisions never change: cached by id
	refusals  map[refusalKey]string
}

type refusalKey struct {
	revision int64
	platform string
	kind     content.Kind
}

func newAttemptID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Execute runs the delivery r as read by the producer and returns where it
// left it. ctx bounds the platform calls. A panic below it (a channel's
// bug) is recovered (rule 8): the daemon and the other deliveries go on.
func (e *Executor) Execute(ctx context.Context, r storage.ReadyDelivery) (out Execution) {
	var claimed string // the attempt id, once the claim is committed
	defer func() {
		if p := recover(); p != nil {
			out = e.recovered(ctx, r, claimed, p, debug.Stack())
		}
	}()
	return e.execute(ctx, r, &claimed)
}

// recovered settles a delivery whose execution panicked (rule 8). An
// attempt that was claimed may have published: it becomes unknown and is
// looked up. A lookup that panicked is asked again later. Before the claim
// nothing was called: the delivery is held.
func (e *Executor) recovered(ctx context.Context, r storage.ReadyDelivery, claimed string, p any, stack []byte) Execution {
	out := Execution{ID: r.ID, ItemID: r.ItemID, Account: r.Account, State: r.State}
	log := e.log.With("delivery", r.ID, "item", r.ItemID, "account", r.Account)
	reason := fmt.Sprintf("%s（%v）", reasonPanicked, p)
	switch {
	case claimed != "":
		log.Error("panic during the attempt; looking it up before anything is retried", "panic", p, "stack", string(stack))
		out.State = content.DeliverySending
		return e.record(ctx, out, storage.DeliveryUpdate{ID: r.ID, From: content.DeliverySending, To: content.DeliveryUnknown,
			AttemptID: claimed, Error: reason}, log)
	case r.State == content.DeliveryUnknown:
		log.Error("panic during the lookup; asking again later", "panic", p, "stack", string(stack))
		next := e.now().Add(e.lookupEvery)
		if err := e.store.SetDeliveryRetry(ctx, r.ID, content.DeliveryUnknown, next, reason); err != nil {
			e.logWriteError(log, "schedule the next lookup", err)
			return e.hold(out, e.lookupEvery)
		}
		out.Next = next
		return out
	}
	log.Error("panic before the attempt; nothing was sent, held for a while", "panic", p, "stack", string(stack))
	return e.hold(out, e.lookupEvery)
}

func (e *Executor) execute(ctx context.Context, r storage.ReadyDelivery, claimed *string) Execution {
	out := Execution{ID: r.ID, ItemID: r.ItemID, Account: r.Account, State: r.State}
	log := e.log.With("delivery", r.ID, "item", r.ItemID, "account", r.Account)
	acct, ok := e.cfg.Account(r.Account)
	if !ok {
		// The account left the config. Its credentials are gone with it, so
		// an attempt cannot start and a lost answer cannot be looked up:
		// settle the delivery now, saying so.
		// One whose answer was lost may have gone out: it is unverified,
		// never failed (which would invite publishing it again).
		u := storage.DeliveryUpdate{ID: r.ID, From: r.State, To: content.DeliveryFailed, AttemptID: r.AttemptID, Error: reasonRemoved}
		if r.State == content.DeliveryUnknown {
			u.To, u.Error = content.DeliveryUnverified, reasonRemovedUnknown
		}
		return e.write(ctx, out, u, log)
	}
	ch, err := e.channels.For(acct.Platform)
	if err != nil {
		log.Error("no channel for the account's platform", "err", err)
		return e.hold(out, e.lookupEvery)
	}
	rev, err := e.revision(ctx, r.RevisionID)
	if err == nil {
		rev, err = e.withSignOff(ctx, r, rev)
	}
	if err != nil {
		log.Error("load revision", "err", err)
		return e.hold(out, e.lookupEvery)
	}
	pub := channels.Publication{DeliveryID: r.ID, AttemptID: r.AttemptID, Kind: r.Kind, Notify: r.Notify, Revision: rev, Progress: r.Progress}
	if d, ok := e.cfg.Department(r.Department); ok {
		pub.Department = d.Name
	}
	if r.AttemptStartedAt != nil {
		pub.AttemptStarted = *r.AttemptStartedAt
	}
	if lim := e.limiters[acct.Platform]; lim != nil {
		if err := lim.Wait(ctx); err != nil {
			return e.hold(out, 0) // shutting down
		}
	}
	if r.State == content.DeliveryUnknown {
		return e.reconcile(ctx, ch, acct, out, pub, log)
	}
	if r.State != content.DeliveryPending {
		log.Error("executor handed a delivery in a state it does not run", "state", r.State)
		return e.hold(out, e.lookupEvery)
	}
	if !r.Urgent {
		if in, end := e.quiet.in(e.now()); in {
			if err := e.store.SetDeliveryRetry(ctx, r.ID, content.DeliveryPending, end, "免打扰时段，"+end.In(e.cfg.Location).Format("15:04")+" 后发布"); err != nil {
				log.Error("hold for quiet hours", "err", err)
				return e.hold(out, e.lookupEvery)
			}
			out.Next = end
			return out
		}
	}
	// Checked again just before publishing: department scope and content.
	if reason := e.refuse(r, acct, &rev); reason != "" {
		return e.write(ctx, out, storage.DeliveryUpdate{ID: r.ID, From: content.DeliveryPending, To: content.DeliveryFailed, Error: reason}, log)
	}
	// Rule 1: the claim is committed before the first call.
	pub.AttemptID = e.attemptID()
	err = e.store.UpdateDelivery(ctx, storage.DeliveryUpdate{ID: r.ID, From: content.DeliveryPending, To: content.DeliverySending,
		AttemptID: pub.AttemptID, Detail: "pending → sending: attempt " + pub.AttemptID})
	if errors.Is(err, storage.ErrConflict) || errors.Is(err, storage.ErrNotFound) {
		out.State = "" // changed meanwhile (cancelled, or started elsewhere): not ours
		return out
	}
	if err != nil {
		e.logWriteError(log, "start attempt", err)
		return e.hold(out, e.retry.NextRetry(0, nil, e.now()).Sub(e.now()))
	}
	out.State = content.DeliverySending
	*claimed = pub.AttemptID
	pub.AttemptStarted = e.now()
	pub.Cancelled = func(ctx context.Context) bool { // asked just before the publishing call
		yes, err := e.store.CancelRequested(ctx, r.ItemID)
		return err == nil && yes
	}
	res, err := ch.Publish(ctx, acct, pub)
	return e.settleAttempt(ctx, ch, acct, out, r.Attempts+1, pub, res, err, log)
}

// settleAttempt records what an attempt's answer means (rule 5: the write
// is retried until it lands).
func (e *Executor) settleAttempt(ctx context.Context, ch channels.Channel, acct *configs.Account, out Execution, attempts int,
	pub channels.Publication, res channels.Result, err error, log *slog.Logger) Execution {
	from := content.DeliverySending
	u := storage.DeliveryUpdate{ID: out.ID, From: from, AttemptID: pub.AttemptID}
	if err == nil {
		u.To, u.RemoteID, u.URL, u.Error = content.DeliveryPublished, res.RemoteID, res.URL, res.Note
		return e.record(ctx, out, u, log)
	}
	msg := err.Error()
	now := e.now()
	switch channels.ClassOf(err) {
	case channels.ClassUnknown:
		// Rule 3: a lost answer is looked up before anything is retried.
		log.Warn("answer lost; looking it up before any retry", "err", err)
		u.To, u.Error = content.DeliveryUnknown, msg
		out = e.record(ctx, out, u, log)
		if out.State != content.DeliveryUnknown {
			return out
		}
		if d, lerr := e.store.Delivery(ctx, out.ID); lerr == nil {
			pub.Progress = d.Progress // what the channel saved during the attempt
		}
		return e.reconcile(ctx, ch, acct, out, pub, log)
	}
	// Rule 7: nothing went out; a cancel decides before a retry or a failure.
	if e.cancelRequested(ctx, out.ItemID, err, log) {
		u.To, u.Error = content.DeliveryCancelled, cancelledReason(err)
		return e.record(ctx, out, u, log)
	}
	switch channels.ClassOf(err) {
	case channels.ClassContent:
		u.To, u.Error = content.DeliveryFailed, msg
	case channels.ClassCredentials:
		// Hold the account: its pending deliveries are not fetched while it
		// is unhealthy, and resume as soon as a check passes.
		if herr := e.store.SetAccountHealth(ctx, acct.ID, storage.HealthUnhealthy, msg); herr != nil {
			e.logWriteError(log, "mark account unhealthy", herr)
			next := now.Add(e.lookupEvery)
			u.NextAttemptAt = &next
		}
		u.To, u.Error = content.DeliveryPending, reasonHeld+msg
	case channels.ClassQuota:
		next := channels.RetryAt(err)
		if next.IsZero() {
			next = channels.NextLocalMidnight(now, e.cfg.Location)
		}
		u.To, u.Error, u.NextAttemptAt = content.DeliveryPending, msg, &next
	default:
		if attempts >= e.cfg.Delivery.MaxAttempts {
			u.To, u.Error = content.DeliveryFailed, fmt.Sprintf("重试%d次仍失败：%s", attempts, msg)
			break
		}
		next := e.retry.NextRetry(attempts, err, now)
		u.To, u.Error, u.NextAttemptAt = content.DeliveryPending, msg, &next
	}
	return e.record(ctx, out, u, log)
}

// reconcile looks an unknown attempt up and records what really happened.
func (e *Executor) reconcile(ctx context.Context, ch channels.Channel, acct *configs.Account, out Execution, pub channels.Publication, log *slog.Logger) Execution {
	outcome, res, err := ch.Lookup(ctx, acct, pub)
	u := storage.DeliveryUpdate{ID: out.ID, From: content.DeliveryUnknown, AttemptID: pub.AttemptID}
	switch {
	case err != nil && outcome != channels.Failed, outcome == channels.StillUnknown, outcome == 0:
		reason := reasonLookingUp
		if err != nil {
			reason += "：" + err.Error()
		}
		again := e.lookupEvery
		if w := e.cfg.Delivery.SettleWindow; w > 0 && w < again {
			again = w // a shorter settle window ends sooner: look again then
		}
		next := e.now().Add(again)
		if werr := e.store.SetDeliveryRetry(ctx, out.ID, content.DeliveryUnknown, next, reason); werr != nil {
			e.logWriteError(log, "schedule the next lookup", werr)
			return e.hold(out, again)
		}
		out.Next = next
		return out
	case outcome == channels.Published:
		log.Info("lookup: the attempt did go out", "url", res.URL)
		u.To, u.RemoteID, u.URL, u.Error = content.DeliveryPublished, res.RemoteID, res.URL, res.Note
	case outcome == channels.Failed:
		reason := res.Note
		if err != nil {
			reason = err.Error()
		}
		u.To, u.Error = content.DeliveryFailed, "平台已拒绝："+reason
		if e.cancelRequested(ctx, out.ItemID, nil, log) { // rule 7
			u.To, u.Error = content.DeliveryCancelled, reasonCancelled+"（平台已拒绝："+reason+"）"
		}
	case outcome == channels.NotPublished && e.cancelRequested(ctx, out.ItemID, nil, log): // rule 7
		u.To, u.Error = content.DeliveryCancelled, reasonCancelled+"（核实未发出）"
	case outcome == channels.NotPublished:
		log.Info("lookup: nothing went out; the delivery will be sent again")
		next := e.retry.NextRetry(0, nil, e.now())
		u.To, u.Error, u.NextAttemptAt = content.DeliveryPending, "核实未发布，重新发送", &next
	}
	return e.record(ctx, out, u, log)
}

// record writes the platform's answer, retrying until it lands or ctx ends
// (rule 5). A conflict means another writer settled the delivery first.
func (e *Executor) record(ctx context.Context, out Execution, u storage.DeliveryUpdate, log *slog.Logger) Execution {
	wait := time.Second
	for {
		err := e.store.UpdateDelivery(ctx, u)
		if err == nil {
			return e.landed(out, u, log)
		}
		if errors.Is(err, storage.ErrItemCancelled) && u.To == content.DeliveryPending {
			// Rule 7: the item was cancelled after we asked; what would have
			// been retried ends cancelled.
			u.To, u.Error, u.NextAttemptAt = content.DeliveryCancelled, cancelledReason(errors.New(u.Error)), nil
			continue
		}
		var te *content.TransitionError
		if errors.Is(err, storage.ErrConflict) || errors.Is(err, storage.ErrNotFound) || errors.As(err, &te) {
			log.Warn("delivery changed meanwhile; the answer is not recorded over it", "to", u.To, "err", err)
			out.State = ""
			return out
		}
		e.logWriteError(log, "record the platform's answer (kept in memory, retrying)", err, "to", string(u.To), "retry_in", wait.String())
		if serr := e.sleep(ctx, wait); serr != nil {
			log.Error("stopped before the answer could be recorded; the delivery stays sending and is looked up at the next start", "to", u.To)
			return e.hold(out, 0)
		}
		wait = min(wait*2, 30*time.Second)
	}
}

// write makes a change that follows no platform call: one try; on failure
// the producer holds the delivery for a while (rule 6).
func (e *Executor) write(ctx context.Context, out Execution, u storage.DeliveryUpdate, log *slog.Logger) Execution {
	err := e.store.UpdateDelivery(ctx, u)
	switch {
	case err == nil:
		return e.landed(out, u, log)
	case errors.Is(err, storage.ErrConflict) || errors.Is(err, storage.ErrNotFound):
		out.State = ""
		return out
	}
	e.logWriteError(log, "record delivery", err, "to", string(u.To))
	return e.hold(out, e.lookupEvery)
}

func (e *Executor) landed(out Execution, u storage.DeliveryUpdate, log *slog.Logger) Execution {
	out.State = u.To
	if u.NextAttemptAt != nil {
		out.Next = *u.NextAttemptAt
	}
	switch u.To {
	case content.DeliveryPublished:
		log.Info("published", "url", u.URL)
	case content.DeliveryFailed:
		log.Warn("delivery failed", "reason", u.Error)
	case content.DeliveryCancelled:
		log.Info("cancelled: the item was withdrawn and this attempt published nothing; not retried", "reason", u.Error)
	case content.DeliveryPending:
		if u.NextAttemptAt != nil {
			log.Info("will retry", "at", u.NextAttemptAt.Format(time.RFC3339), "reason", u.Error)
		} else {
			log.Warn("delivery held", "reason", u.Error)
		}
	}
	return out
}

// cancelRequested reports whether the delivery's item was cancelled while
// publishing (rule 7). err is the attempt's error: the channel's own
// ErrCancelled says so without asking. A failed question counts as no:
// the write that follows is guarded (storage.ErrItemCancelled).
func (e *Executor) cancelRequested(ctx context.Context, itemID int64, err error, log *slog.Logger) bool {
	if errors.Is(err, channels.ErrCancelled) {
		return true
	}
	yes, qerr := e.store.CancelRequested(ctx, itemID)
	if qerr != nil {
		log.Warn("could not ask whether the item was cancelled", "err", qerr)
	}
	return qerr == nil && yes
}

// cancelledReason is a cancelled delivery's reason: what stopped it, and
// the attempt's own error unless that was the cancel.
func cancelledReason(err error) string {
	if err == nil || errors.Is(err, channels.ErrCancelled) || err.Error() == "" {
		return reasonCancelled
	}
	return reasonCancelled + "（" + err.Error() + "）"
}

// hold tells the producer not to dispatch the delivery again before d.
func (e *Executor) hold(out Execution, d time.Duration) Execution {
	out.Held = true
	out.Next = e.now().Add(max(d, time.Second))
	return out
}

func (e *Executor) logWriteError(log *slog.Logger, what string, err error, args ...any) {
	if storage.IsDiskFull(err) {
		log.Error("磁盘已满，无法写入数据库：请清理数据目录所在磁盘 (disk full)", append([]any{"step", what, "err", err}, args...)...)
		return
	}
	log.Error("could not "+what, append([]any{"err", err}, args...)...)
}

// revision returns a revision, from the cache when it was read before.
func (e *Executor) revision(ctx context.Context, id int64) (content.Revision, error) {
	e.mu.Lock()
	rev, ok := e.revisions[id]
	e.mu.Unlock()
	if ok {
		return rev, nil
	}
	rev, err := e.store.Revision(ctx, id)
	if err != nil {
		return rev, err
	}
	e.mu.Lock()
	if len(e.revisions) >= 256 {
		clear(e.revisions)
		clear(e.refusals)
	}
	e.revisions[id] = rev
	e.mu.Unlock()
	return rev, nil
}

// refuse re-checks, at the last moment, that the item's department may
// publish to the account and that the content fits the platform.
func (e *Executor) refuse(r storage.ReadyDelivery, acct *configs.Account, rev *content.Revision) string {
	if !e.cfg.MayPublishTo(r.Department, acct.Department) {
		return "部门无权向该账号发布：" + acct.ID + " 不属于本部门"
	}
	key := refusalKey{r.RevisionID, acct.Platform, r.Kind}
	e.mu.Lock()
	reason, ok := e.refusals[key]
	e.mu.Unlock()
	if ok {
		return reason
	}
	p := content.Platforms{WeChat: acct.Platform == configs.PlatformWeChat, Weibo: acct.Platform == configs.PlatformWeibo}
	if ps := content.Validate(r.Kind, rev, p); len(ps) > 0 {
		reason = "发布前检查未通过：" + ps.Error()
	} else if e.wording != nil {
		if err := e.wording(r.Kind, rev); err != nil {
			reason = "发布前" + err.Error()
		}
	}
	e.mu.Lock()
	e.refusals[key] = reason
	e.mu.Unlock()
	return reason
}

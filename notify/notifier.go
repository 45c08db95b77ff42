package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// cursorKey keeps the id of the last audit entry the notifier dealt with.
const cursorKey = "notify:audit-cursor"

// Notifier follows the audit log and tells the group robot when an item
// reaches a review level (who may sign it), is rejected (to its editor, with
// the comment), is published, or fails to publish (which accounts, why). It
// runs beside the queue and never holds it up: an unreachable robot is
// retried with backoff while the queue goes on; a message older than MaxAge
// by the time the robot answers again is dropped (and logged).
type Notifier struct {
	cfg   *configs.Config
	store *storage.Store
	robot *Robot
	log   *slog.Logger
	// Poll is how often the log is read when idle (default 2 s).
	Poll time.Duration
	// MaxAge drops messages about entries older than this (default 24 h).
	MaxAge time.Duration
	// MaxBackoff bounds the wait between retries (default 5 min).
	MaxBackoff time.Duration
}

// NewNotifier returns a notifier; nil when no robot is configured.
func NewNotifier(cfg *configs.Config, st *storage.Store, robot *Robot, log *slog.Logger) *Notifier {
	if robot == nil {
		return nil
	}
	return &Notifier{cfg: cfg, store: st, robot: robot, log: log, Poll: 2 * time.Second, MaxAge: 24 * time.Hour, MaxBackoff: 5 * time.Minute}
}

// Run follows the log until ctx ends. On first start it begins at the newest
// entry: history is not replayed.
func (n *Notifier) Run(ctx context.Context) error {
	cursor, err := n.cursor(ctx)
	if err != nil {
		return err
	}
	backoff := time.Duration(0)
	refusals := 0
	for {
		wait := n.Poll
		entries, err := n.store.AuditAfter(ctx, cursor, 100)
		if err != nil {
			n.log.Error("notify: reading the audit log", "err", err)
		}
		for _, e := range entries {
			text, ok := n.message(ctx, e)
			if ok && time.Since(e.At) > n.MaxAge {
				n.log.Warn("notify: message dropped, the robot was unreachable too long", "item", e.ItemID, "action", e.Action, "at", e.At)
				ok = false
			}
			if ok {
				err := n.robot.Send(ctx, text)
				if errors.Is(err, ErrMaybeSent) {
					// It may have arrived: told once, never sent again.
					n.log.Warn("notify: group robot did not answer in time; the message may have arrived and is not sent again", "item", e.ItemID, "action", e.Action)
					err = nil
				}
				if err != nil {
					if ctx.Err() != nil {
						return nil
					}
					if errors.Is(err, ErrRefused) {
						refusals++
					}
					if refusals < 5 {
						backoff = min(max(2*backoff, n.Poll), n.MaxBackoff)
						n.log.Warn("notify: group robot did not take the message; retrying", "item", e.ItemID, "retry_in", backoff, "err", err)
						wait = backoff
						break
					}
					n.log.Error("notify: group robot refuses this message; skipped", "item", e.ItemID, "err", err)
				}
				backoff, refusals = 0, 0
			}
			cursor = e.ID
			if err := n.store.SetValue(ctx, cursorKey, strconv.FormatInt(cursor, 10), 0); err != nil {
				n.log.Error("notify: saving the cursor", "err", err)
			}
		}
		if len(entries) == 100 && wait == n.Poll {
			wait = 0
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// Begin fixes where Run starts in the audit log (on first start: the newest
// entry). serve calls it before anything else runs, so that an entry
// written while Run's goroutine has not started yet is not taken for
// history and skipped.
func (n *Notifier) Begin(ctx context.Context) error {
	_, err := n.cursor(ctx)
	return err
}

func (n *Notifier) cursor(ctx context.Context) (int64, error) {
	if v, err := n.store.GetValue(ctx, cursorKey); err == nil {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			return id, nil
		}
	}
	id, err := n.store.LastAuditID(ctx)
	if err != nil {
		return 0, err
	}
	return id, n.store.SetValue(ctx, cursorKey, strconv.FormatInt(id, 10), 0)
}

// approval returns the approval an "approve" audit entry records: the
// reviewer's signature of that revision (read from the approvals, not from
// the entry's wording).
func (n *Notifier) approval(ctx context.Context, e storage.AuditEntry) (content.Approval, bool) {
	aps, err := n.store.Approvals(ctx, e.ItemID)
	if err != nil {
		return content.Approval{}, false
	}
	for _, a := range aps {
		if a.RevisionID == e.RevisionID && a.Reviewer == e.Actor {
			return a, true
		}
	}
	return content.Approval{}, false
}

// message composes the robot's text for an audit entry; false when the entry
// is nothing to tell.
func (n *Notifier) message(ctx context.Context, e storage.AuditEntry) (string, bool) {
	if e.Action == "login_locked" {
		// Only a real user's name: a stranger guessing names tells nobody.
		if _, err := n.store.UserByName(ctx, e.Actor); err != nil {
			return "", false
		}
		return n.locked(e), true
	}
	if e.ItemID == 0 {
		return "", false
	}
	var head string
	var lines []string
	levels := n.cfg.Review.Levels
	switch e.Action {
	case "create", "submit":
		if e.To != string(content.ItemInReview) || len(levels) == 0 {
			return "", false
		}
		head, lines = n.waiting(0, Flat(e.Actor))
	case "approve":
		a, ok := n.approval(ctx, e)
		if !ok || len(levels) == 0 {
			return "", false
		}
		if a.Level < len(levels) {
			head, lines = n.waiting(a.Level, Flat(e.Actor))
			break
		}
		it, err := n.store.Item(ctx, e.ItemID)
		if err != nil {
			return "", false
		}
		if it.State == content.ItemExpired {
			// Signed after the publication time: it will not go out.
			head = "【已过期】"
			lines = []string{fmt.Sprintf("%s由 %s 签发时已过发布时间，未发布。%s", a.LevelName, Flat(e.Actor), Flat(it.StateReason))}
			break
		}
		head = "【审核通过】"
		lines = []string{fmt.Sprintf("%s由 %s 签发，已通过全部 %d 级审核，将按计划发布。", a.LevelName, Flat(e.Actor), len(levels))}
	case "reject":
		head = "【退回修改】"
		lines = []string{fmt.Sprintf("%s 退回：%s", Flat(e.Actor), Flat(e.Detail))}
	case "settle":
		it, err := n.store.Item(ctx, e.ItemID)
		if err != nil {
			return "", false
		}
		reason := e.Note
		switch it.State {
		case content.ItemDone:
			ds, _ := n.store.Deliveries(ctx, e.ItemID)
			head, lines = "【已发布】", []string{fmt.Sprintf("已发布到 %d 个账号。", len(ds))}
		case content.ItemPartiallyFailed, content.ItemFailed:
			head = "【发布失败】"
			if it.State == content.ItemPartiallyFailed {
				head = "【部分发布失败】"
			}
			lines = []string{"请检查账号后重新安排：" + Flat(reason)}
		default:
			return "", false
		}
	default:
		return "", false
	}
	it, err := n.store.Item(ctx, e.ItemID)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s《%s》（%s，编号 %d）\n", head, Flat(it.Revision.Title), it.Kind.Label(), it.ID)
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	if e.Action == "reject" && it.CreatedBy != "" {
		fmt.Fprintf(&b, "请 %s 修改后重新提交。\n", Flat(it.CreatedBy))
	}
	if n.cfg.Notify.ConsoleURL != "" {
		fmt.Fprintf(&b, "%s/console/items/%d\n", strings.TrimSuffix(n.cfg.Notify.ConsoleURL, "/"), it.ID)
	}
	return strings.TrimSuffix(b.String(), "\n"), true
}

// waiting is the message for an item that waits for review level idx
// (0-based), naming who may sign it.
func (n *Notifier) waiting(idx int, by string) (string, []string) {
	level := n.cfg.Review.Levels[idx]
	who := "任何审核人"
	if names := n.cfg.Review.Reviewers[level]; len(names) > 0 {
		who = strings.Join(names, "、")
	}
	prev := "由 " + by + " 提交"
	if idx > 0 {
		prev = n.cfg.Review.Levels[idx-1] + "已由 " + by + " 签发"
	}
	return "【待" + level + "】", []string{prev + "，等待" + level + "（第" + strconv.Itoa(idx+1) + "级）。可签：" + who + "。"}
}

// locked tells the group that a name was locked after repeated wrong
// passwords, and how an administrator lifts the lock.
func (n *Notifier) locked(e storage.AuditEntry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "【登录锁定】%s\n", Flat(e.Detail))
	fmt.Fprintf(&b, "如非本人所为，可能有人在猜密码。管理员可在控制台「用户」页解除锁定或重设密码。")
	if n.cfg.Notify.ConsoleURL != "" {
		fmt.Fprintf(&b, "\n%s/console/users", strings.TrimSuffix(n.cfg.Notify.ConsoleURL, "/"))
	}
	return b.String()
}

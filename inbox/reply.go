package inbox

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// Uncertain is what the clerk is told about a reply whose answer was lost
// and that the platform cannot be asked about: herald never resends it.
const Uncertain = "可能已发出，请在平台核对"

func refuse(code queue.Code, format string, args ...any) error {
	return &queue.Refusal{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Filter selects what List shows.
type Filter struct {
	// State is open, answered, closed or all ("" = open).
	State    string
	Overdue  bool
	Accounts []string
	Limit    int
}

// List returns the entries actor may see (the accounts their department
// owns; the news office all), overdue first, then by due time.
func (s *Service) List(ctx context.Context, actor queue.Actor, f Filter) ([]storage.InboxEntry, error) {
	mine, err := s.queue.AccountIDs(ctx, actor)
	if err != nil {
		return nil, err
	}
	accounts := mine
	if len(f.Accounts) > 0 {
		accounts = nil
		for _, a := range f.Accounts {
			if slices.Contains(mine, a) {
				accounts = append(accounts, a)
			}
		}
	}
	if len(accounts) == 0 {
		return nil, nil
	}
	sf := storage.InboxFilter{Accounts: accounts, Limit: f.Limit}
	switch f.State {
	case "", storage.InboxOpen:
		sf.States = []string{storage.InboxOpen}
	case storage.InboxAnswered, storage.InboxClosed:
		sf.States = []string{f.State}
	case "all":
	default:
		return nil, refuse(queue.RefusedInput, "未知的状态 %q（open、answered、closed 或 all）", f.State)
	}
	if f.Overdue {
		sf.OverdueAt = s.now()
	}
	// Ordered by due time, so the overdue come first among the open.
	return s.store.InboxEntries(ctx, sf)
}

// Overdue reports whether an entry is open past its due time.
func (s *Service) Overdue(e storage.InboxEntry) bool {
	return e.State == storage.InboxOpen && !s.now().Before(e.DueAt)
}

// entryFor returns the entry if actor may act on it.
func (s *Service) entryFor(ctx context.Context, actor queue.Actor, id int64) (storage.InboxEntry, *configs.Account, error) {
	e, err := s.store.InboxEntryByID(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return e, nil, refuse(queue.RefusedNotFound, "互动 %d 不存在", id)
	}
	if err != nil {
		return e, nil, err
	}
	mine, err := s.queue.AccountIDs(ctx, actor)
	if err != nil {
		return e, nil, err
	}
	if !slices.Contains(mine, e.Account) {
		return e, nil, refuse(queue.RefusedDenied, "互动 %d 属于其他部门的账号，只有该部门或新闻办可以处理", id)
	}
	acct, ok := s.cfg.Account(e.Account)
	if !ok {
		return e, nil, refuse(queue.RefusedState, "互动 %d 的账号已从配置中删除，无法回复", id)
	}
	return e, acct, nil
}

func replyTo(e storage.InboxEntry) channels.ReplyTo {
	to := channels.ReplyTo{Kind: e.Kind, Target: e.Target, FromID: e.FromID}
	if e.WindowEndsAt != nil {
		to.AnswerBy = *e.WindowEndsAt
	}
	return to
}

// clerkLine is a platform error's message for the clerk, without codes' noise.
func clerkLine(err error) string {
	var ce *channels.Error
	if errors.As(err, &ce) {
		return ce.Message
	}
	return err.Error()
}

// Reply answers an entry with text, exactly once: the wording check and the
// platform's own limits first (a refusal in one line, nothing recorded),
// then the attempt is recorded, then the one platform call. A lost answer
// is looked up where the platform allows; otherwise the attempt stays
// sending, shown as 「可能已发出，请在平台核对」, and is never resent.
func (s *Service) Reply(ctx context.Context, actor queue.Actor, id int64, text string) (storage.InboxEntry, error) {
	text = strings.TrimSpace(text)
	e, acct, err := s.entryFor(ctx, actor, id)
	if err != nil {
		return e, err
	}
	reader, ok := s.readers[acct.Platform]
	if !ok {
		return e, refuse(queue.RefusedState, "该平台不支持回复")
	}
	if e.Reply != nil && e.Reply.State == storage.ReplySending {
		// An earlier attempt whose outcome is not known: find out first.
		settled, err := s.resolve(ctx, reader, acct, e)
		if err != nil {
			return e, err
		}
		if !settled {
			return e, refuse(queue.RefusedState, "互动 %d 的上一次回复%s，herald 不会重发", id, Uncertain)
		}
		if e, err = s.store.InboxEntryByID(ctx, id); err != nil {
			return e, err
		}
	}
	switch e.State {
	case storage.InboxAnswered:
		return e, refuse(queue.RefusedState, "互动 %d 已回复", id)
	case storage.InboxClosed:
		return e, refuse(queue.RefusedState, "互动 %d 已关闭，无需回复", id)
	}
	if text == "" {
		return e, refuse(queue.RefusedInput, "回复内容为空")
	}
	if _, err := s.queue.CheckWording(content.KindShort, &content.Revision{Body: text}); err != nil {
		return e, err
	}
	to := replyTo(e)
	if err := reader.CheckReply(to, text, s.now()); err != nil {
		return e, refuse(queue.RefusedContent, "%s", clerkLine(err))
	}
	rid, err := s.store.StartInboxReply(ctx, id, text, actor.Name)
	if errors.Is(err, storage.ErrConflict) {
		return e, refuse(queue.RefusedState, "互动 %d 正在回复或已处理，请刷新后查看", id)
	}
	if err != nil {
		return e, err
	}
	// The one platform call. The attempt is committed: if the process dies
	// now, the next look at this entry finds it sending and looks it up.
	remote, err := reader.Reply(ctx, acct, to, text)
	return s.settle(ctx, reader, acct, e, rid, remote, err, actor.Name)
}

// settle records what a reply call answered.
func (s *Service) settle(ctx context.Context, reader channels.InboxReader, acct *configs.Account, e storage.InboxEntry, rid int64, remote string, callErr error, actor string) (storage.InboxEntry, error) {
	state, note := storage.ReplySent, ""
	if callErr != nil {
		switch channels.ClassOf(callErr) {
		case channels.ClassUnknown:
			outcome, lerr := reader.LookupReply(ctx, acct, replyTo(e))
			switch {
			case lerr == nil && outcome == channels.Published:
			case lerr == nil && outcome == channels.NotPublished:
				state, note = storage.ReplyFailed, "回复未发出（平台答复丢失，核实未发出），可再次回复"
			default:
				s.log.Warn("inbox: reply answer lost; cannot be looked up", "entry", e.ID, "err", callErr)
				if nerr := s.store.NoteInboxReply(ctx, rid, Uncertain); nerr != nil {
					return e, nerr
				}
				return e, refuse(queue.RefusedState, "回复%s（平台未答复），herald 不会重发", Uncertain)
			}
		default:
			state, note = storage.ReplyFailed, clerkLine(callErr)
		}
	}
	if err := s.store.FinishInboxReply(ctx, rid, state, remote, note, actor); err != nil && !errors.Is(err, storage.ErrConflict) {
		return e, fmt.Errorf("回复结果未能记录（将在下次查看时核实）：%w", err)
	}
	if state == storage.ReplyFailed {
		return e, refuse(queue.RefusedContent, "回复未发出：%s", note)
	}
	return s.store.InboxEntryByID(ctx, e.ID)
}

// resolve finds out what an attempt left sending did (its process died, or
// its answer was lost): published → sent; not published → failed (the
// clerk may answer again); otherwise it stays sending with the note for
// the clerk. It never calls the platform's reply.
func (s *Service) resolve(ctx context.Context, reader channels.InboxReader, acct *configs.Account, e storage.InboxEntry) (bool, error) {
	outcome, err := reader.LookupReply(ctx, acct, replyTo(e))
	switch {
	case err == nil && outcome == channels.Published:
		err = s.store.FinishInboxReply(ctx, e.Reply.ID, storage.ReplySent, e.Target, "", "herald")
	case err == nil && outcome == channels.NotPublished:
		err = s.store.FinishInboxReply(ctx, e.Reply.ID, storage.ReplyFailed, "", "回复未发出（核实未发出），可再次回复", "herald")
	default:
		if e.Reply.Error != Uncertain {
			if nerr := s.store.NoteInboxReply(ctx, e.Reply.ID, Uncertain); nerr != nil {
				return false, nerr
			}
		}
		return false, nil
	}
	if err != nil && !errors.Is(err, storage.ErrConflict) {
		return false, err
	}
	return true, nil
}

// Resolve looks up every reply attempt left sending for longer than age
// (its process died between recording and the answer): serve runs it.
func (s *Service) Resolve(ctx context.Context, age time.Duration) (int, error) {
	es, err := s.store.SendingInboxReplies(ctx, s.now().Add(-age))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range es {
		if e.Reply.Error == Uncertain {
			continue // looked up before: a person checks
		}
		acct, ok := s.cfg.Account(e.Account)
		if !ok {
			continue
		}
		reader, ok := s.readers[acct.Platform]
		if !ok {
			continue
		}
		if settled, err := s.resolve(ctx, reader, acct, e); err != nil {
			s.log.Warn("inbox: look up a reply", "entry", e.ID, "err", err)
		} else if settled {
			n++
		}
	}
	return n, nil
}

// Close closes an entry that needs no answer (spam, thanks, a duplicate),
// with the reason; audited. An entry whose reply is uncertain may be
// closed once the clerk has checked the platform.
func (s *Service) Close(ctx context.Context, actor queue.Actor, id int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return refuse(queue.RefusedInput, "请写明无需回复的原因")
	}
	e, _, err := s.entryFor(ctx, actor, id)
	if err != nil {
		return err
	}
	if e.State != storage.InboxOpen {
		return refuse(queue.RefusedState, "互动 %d 已%s", id, map[string]string{storage.InboxAnswered: "回复", storage.InboxClosed: "关闭"}[e.State])
	}
	if e.Reply != nil && e.Reply.State == storage.ReplySending && e.Reply.Error != Uncertain {
		return refuse(queue.RefusedState, "互动 %d 正在回复，请稍后", id)
	}
	err = s.store.CloseInboxEntry(ctx, id, actor.Name, reason)
	if errors.Is(err, storage.ErrConflict) {
		return refuse(queue.RefusedState, "互动 %d 刚被他人处理，请刷新后查看", id)
	}
	return err
}

// Package inbox is 回应: the public's messages to the county's accounts,
// comments (留言) under their articles and Weibo comments and mentions, in
// one inbox, each entry owned by the department that owns the account and
// answered from herald within a deadline, exactly once.
//
//   - sync.go reads comments and mentions from the platforms (channels'
//     InboxReader), paced per account, resuming where a read stopped;
//   - push.go takes WeChat's push (users' messages, PUBLISHJOBFINISH):
//     verified, spooled to disk before the answer, imported afterwards;
//   - reply.go answers and closes entries: the attempt is recorded before
//     the platform call, a lost answer is looked up, never resent on its own;
//   - robot.go tells the group robot of new, due, overdue and long-open entries;
//   - json.go is the entry's shape for the CLI and the API.
package inbox

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/policies"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// WindowMargin is how long before the platform's answer window closes an
// entry is due: time for the clerk's answer to get out.
const WindowMargin = 2 * time.Hour

// Service is the inbox. Create it with New.
type Service struct {
	cfg     *configs.Config
	store   *storage.Store
	queue   *queue.Service
	readers map[string]channels.InboxReader
	log     *slog.Logger
	now     func() time.Time

	mu       sync.Mutex
	limiters map[string]*rate.Limiter // by account: the platforms' per-account limits
	// calls counts the platform calls sync made (benchmarks, logs).
	calls int64
}

// New returns the inbox over the channels' inbox readers (by platform).
// now may be nil for the wall clock.
func New(cfg *configs.Config, st *storage.Store, q *queue.Service, readers map[string]channels.InboxReader, log *slog.Logger, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{cfg: cfg, store: st, queue: q, readers: readers, log: log, now: now, limiters: map[string]*rate.Limiter{}}
}

// DueAt is when an entry received at received must be answered: the end of
// the interaction.answer_within'th working day after it (the policy
// pipeline's working-day calendar), or the platform's window less a margin
// when that is earlier.
func (s *Service) DueAt(received, answerBy time.Time) time.Time {
	day := received.In(s.cfg.Location)
	due := policies.AddWorkdays(day, s.cfg.Interaction.AnswerWithin).AddDate(0, 0, 1)
	if !answerBy.IsZero() {
		if w := answerBy.Add(-WindowMargin); w.Before(due) {
			due = w
		}
	}
	return due
}

// entryOf makes the stored form of an incoming entry.
func (s *Service) entryOf(acct *configs.Account, in channels.Incoming, src channels.InboxSource) storage.InboxEntry {
	e := storage.InboxEntry{Account: acct.ID, Platform: acct.Platform, Kind: in.Kind, RemoteKey: in.Key, FromID: in.FromID,
		FromName: in.FromName, Text: in.Text, Target: in.Target, PostKey: in.PostKey, ItemID: src.ItemID, Title: in.Title, URL: in.URL,
		ReceivedAt: in.At, DueAt: s.DueAt(in.At, in.AnswerBy)}
	if e.Title == "" {
		e.Title = src.Title
	}
	if e.URL == "" {
		e.URL = src.URL
	}
	if e.ReceivedAt.IsZero() {
		e.ReceivedAt = s.now()
		e.DueAt = s.DueAt(e.ReceivedAt, in.AnswerBy)
	}
	if !in.AnswerBy.IsZero() {
		w := in.AnswerBy
		e.WindowEndsAt = &w
	}
	return e
}

// Add stores entries of an account (a push's message), each once.
func (s *Service) Add(ctx context.Context, acct *configs.Account, in []channels.Incoming) ([]int64, error) {
	entries := make([]storage.InboxEntry, len(in))
	for i, x := range in {
		entries[i] = s.entryOf(acct, x, channels.InboxSource{})
	}
	return s.store.AddInboxEntries(ctx, entries, nil, acct.ID)
}

// Store is the store the inbox keeps its entries in.
func (s *Service) Store() *storage.Store { return s.store }

// limiter is the account's pace of platform calls (patrol.calls_per_second).
func (s *Service) limiter(account string) *rate.Limiter {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.limiters[account]
	if !ok {
		cps := s.cfg.Patrol.CallsPerSecond
		l = rate.NewLimiter(rate.Limit(cps), max(1, int(cps)))
		s.limiters[account] = l
	}
	return l
}

// Calls returns how many platform calls sync has made.
func (s *Service) Calls() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func (s *Service) counted() {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
}

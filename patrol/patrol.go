// Package patrol is herald's inspection patrol (巡检): it reads everything
// every account published, from the platforms' own lists (what herald
// published and what clerks published by hand in the platforms' back
// offices), stores it so that nothing is fetched twice, checks every text
// the way an inspector would (the wording lists and the leaders list, after
// normalising), follows repost tasks from the higher level, and tells the
// group robot about new findings, reminders and missed tasks.
package patrol

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// Checker checks one text (HTML or plain) and reports positions in it. It
// is the same normalised checker that guards the queue.
type Checker interface {
	Check(text string) []content.Finding
}

// NewChecker is the checker for a config: its wording lists and review.leaders.
func NewChecker(cfg *configs.Config) Checker {
	return content.NewChecker(cfg.Wording).WithLeaders(cfg.ContentLeaders())
}

// Patrol reads and checks the accounts of one config.
type Patrol struct {
	cfg     *configs.Config
	store   *storage.Store
	readers map[string]channels.PublicationReader // by platform
	checker Checker
	log     *slog.Logger
	now     func() time.Time

	mu       sync.Mutex
	limiters map[string]*rate.Limiter // by account: the platforms' per-account quotas
	held     map[string]heldAccount   // by account: a used-up daily quota, until it resets
	calls    atomic.Int64
}

// New returns a patrol reading through the given readers (by platform
// name), on the clock now (nil: the wall clock).
func New(cfg *configs.Config, st *storage.Store, readers map[string]channels.PublicationReader, checker Checker, log *slog.Logger, now func() time.Time) *Patrol {
	if now == nil {
		now = time.Now
	}
	return &Patrol{cfg: cfg, store: st, readers: readers, checker: checker, log: log, now: now, limiters: map[string]*rate.Limiter{}, held: map[string]heldAccount{}}
}

// Finding is one problem in one publication, as `herald patrol --json` prints it.
type Finding struct {
	Account     string    `json:"account"`
	Title       string    `json:"title"`
	URL         string    `json:"url"`
	PublishedAt time.Time `json:"published_at"`
	Term        string    `json:"term"`
	Suggestion  string    `json:"suggestion"`
	Level       string    `json:"level"`
	Context     string    `json:"context"`
	Kind        string    `json:"kind"`   // wording or leader
	Field       string    `json:"field"`  // title or body
	Offset      int       `json:"offset"` // 1-based character position in the field as published
	RemoteID    string    `json:"remote_id"`
}

// Finding kinds.
const (
	KindWording = "wording" // a term of the wording lists
	KindLeader  = "leader"  // a leader's title followed by a wrong name
)

// Unreadable is an account whose list could not be (fully) read.
type Unreadable struct {
	Account string `json:"account"`
	Reason  string `json:"reason"`
}

// Result is what one patrol did and found.
type Result struct {
	Findings     []Finding    `json:"findings"`
	Publications int          `json:"publications"` // checked in the window
	Accounts     int          `json:"accounts"`
	Read         int          `json:"read"` // newly read from the platforms
	Calls        int64        `json:"calls"`
	Chars        int64        `json:"chars"` // characters of text checked
	Unreadable   []Unreadable `json:"unreadable"`
	From         string       `json:"from"`
	To           string       `json:"to"`
	// New counts findings not found by an earlier patrol.
	New       int           `json:"new"`
	ReadTime  time.Duration `json:"-"`
	CheckTime time.Duration `json:"-"`
}

// Accounts returns the configured accounts with the given ids (all when
// none), or an error naming an unknown id.
func (p *Patrol) Accounts(ids []string) ([]*configs.Account, error) {
	var out []*configs.Account
	for i := range p.cfg.Accounts {
		if len(ids) == 0 || slices.Contains(ids, p.cfg.Accounts[i].ID) {
			out = append(out, &p.cfg.Accounts[i])
		}
	}
	for _, id := range ids {
		if _, ok := p.cfg.Account(id); !ok {
			return nil, fmt.Errorf("账号不存在：%s", id)
		}
	}
	return out, nil
}

// Run reads the accounts' publications since from (what is new since the
// last read, and what lies before it when the window reaches further back)
// and checks every publication in [from, to).
func (p *Patrol) Run(ctx context.Context, from, to time.Time, ids []string) (Result, error) {
	accts, err := p.Accounts(ids)
	if err != nil {
		return Result{}, err
	}
	res := Result{Accounts: len(accts), From: from.In(p.cfg.Location).Format("2006-01-02"), To: to.AddDate(0, 0, -1).In(p.cfg.Location).Format("2006-01-02"),
		Findings: []Finding{}, Unreadable: []Unreadable{}}
	calls0 := p.calls.Load()
	t0 := time.Now()
	res.Read, res.Unreadable = p.Read(ctx, from, accts)
	res.Calls = p.calls.Load() - calls0
	res.ReadTime = time.Since(t0)
	if err := ctx.Err(); err != nil {
		return res, err
	}
	t1 := time.Now()
	var accountIDs []string
	for _, a := range accts {
		accountIDs = append(accountIDs, a.ID)
	}
	pubs, err := p.store.Publications(ctx, accountIDs, from, to)
	if err != nil {
		return res, err
	}
	res.Publications = len(pubs)
	res.Findings, res.Chars = p.Check(pubs)
	res.CheckTime = time.Since(t1)
	rows := make([]storage.Finding, 0, len(res.Findings))
	for _, f := range res.Findings {
		rows = append(rows, storage.Finding{Account: f.Account, RemoteID: f.RemoteID, Term: f.Term, Suggestion: f.Suggestion, Level: f.Level,
			Kind: f.Kind, Position: positionKey(f), Context: f.Context})
	}
	if res.New, err = p.store.RecordFindings(ctx, rows); err != nil {
		return res, err
	}
	return res, nil
}

// positionKey folds the field into the stored position: title findings are negative.
func positionKey(f Finding) int {
	if f.Field == "title" {
		return -f.Offset
	}
	return f.Offset
}

// Check checks publications on every core and returns the findings in
// publication order, and the characters checked.
func (p *Patrol) Check(pubs []storage.Publication) ([]Finding, int64) {
	platform := map[string]string{}
	for _, a := range p.cfg.Accounts {
		platform[a.ID] = a.Platform
	}
	per := make([][]Finding, len(pubs))
	var chars atomic.Int64
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(pubs) {
					return
				}
				pub := &pubs[i]
				mk := func(field string, f content.Finding) Finding {
					kind := KindWording
					if f.Source == content.LeaderSource {
						kind = KindLeader
					}
					return Finding{Account: pub.Account, Title: pub.Title, URL: pub.URL, PublishedAt: pub.PublishedAt.In(p.cfg.Location),
						Term: f.Term, Suggestion: f.Suggestion, Level: f.Level, Context: f.Context, Kind: kind, Field: field, Offset: f.Char,
						RemoteID: pub.RemoteID}
				}
				n := len(pub.Text)
				if platform[pub.Account] != configs.PlatformWeibo { // a Weibo post's title is cut from its text
					n += len(pub.Title)
					for _, f := range p.checker.Check(pub.Title) {
						per[i] = append(per[i], mk("title", f))
					}
				}
				for _, f := range p.checker.Check(pub.Text) {
					per[i] = append(per[i], mk("body", f))
				}
				chars.Add(int64(n))
			}
		}()
	}
	wg.Wait()
	out := []Finding{}
	for _, fs := range per {
		out = append(out, fs...)
	}
	return out, chars.Load()
}

// limiter is the account's pace of platform calls.
func (p *Patrol) limiter(account string) *rate.Limiter {
	p.mu.Lock()
	defer p.mu.Unlock()
	l, ok := p.limiters[account]
	if !ok {
		cps := p.cfg.Patrol.CallsPerSecond
		l = rate.NewLimiter(rate.Limit(cps), max(1, int(cps)))
		p.limiters[account] = l
	}
	return l
}

// Read reads what the accounts published since since and was not read
// before, and stores it. It returns how many publications were new, and the
// accounts that could not be read (a failing account never stops the others).
func (p *Patrol) Read(ctx context.Context, since time.Time, accts []*configs.Account) (int, []Unreadable) {
	var mu sync.Mutex
	total := 0
	bad := []Unreadable{}
	jobs := make(chan *configs.Account)
	var wg sync.WaitGroup
	for w := 0; w < max(1, p.cfg.Patrol.Workers); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range jobs {
				n, err := p.readAccount(ctx, a, since)
				mu.Lock()
				total += n
				if err != nil {
					bad = append(bad, Unreadable{Account: a.ID, Reason: err.Error()})
					p.log.Warn("patrol: account not read", "account", a.ID, "err", err)
				}
				mu.Unlock()
			}
		}()
	}
	for _, a := range accts {
		if ctx.Err() != nil {
			break
		}
		jobs <- a
	}
	close(jobs)
	wg.Wait()
	slices.SortFunc(bad, func(x, y Unreadable) int { return cmpString(x.Account, y.Account) })
	return total, bad
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// heldAccount is an account not to be called until a quota resets.
type heldAccount struct {
	until time.Time
	err   error
}

// readAccount reads one account (the readers retry transient errors call by call). An
// account whose daily quota is used up is not called again until it resets.
func (p *Patrol) readAccount(ctx context.Context, a *configs.Account, since time.Time) (int, error) {
	r, ok := p.readers[a.Platform]
	if !ok {
		return 0, fmt.Errorf("平台 %s 不能读取已发布内容", a.Platform)
	}
	p.mu.Lock()
	h, isHeld := p.held[a.ID]
	p.mu.Unlock()
	if isHeld && p.now().Before(h.until) {
		return 0, h.err
	}
	lim := p.limiter(a.ID)
	total := 0
	for try := 0; ; try++ {
		cur, err := p.store.PublicationCursor(ctx, a.ID)
		if err != nil {
			return total, err
		}
		known, err := p.store.KnownPublications(ctx, a.ID, since.Add(-24*time.Hour))
		if err != nil {
			return total, err
		}
		from := channels.ReadFrom{Since: since, CoveredFrom: cur.CoveredFrom, Newest: cur.Newest, Oldest: cur.Oldest,
			Known: func(id string) bool { return known[id] },
			Pace: func(ctx context.Context) error {
				p.calls.Add(1)
				return lim.Wait(ctx)
			}}
		posts, rerr := r.ReadPublications(ctx, a, from)
		pubs := make([]storage.Publication, 0, len(posts))
		for _, ps := range posts {
			pubs = append(pubs, storage.Publication{Account: a.ID, RemoteID: ps.RemoteID, Title: ps.Title, URL: ps.URL, SourceURL: ps.SourceURL,
				Text: ps.Text, PublishedAt: ps.PublishedAt})
		}
		if err := p.store.SavePublications(ctx, a.ID, pubs, since, rerr == nil); err != nil {
			return total, err
		}
		total += len(pubs)
		if rerr == nil {
			return total, nil
		}
		// The readers retry each call; a read that still fails is tried
		// once more as a whole before the account is reported.
		if channels.ClassOf(rerr) != channels.ClassTransient || try >= 1 || ctx.Err() != nil {
			var ce *channels.Error
			if errors.As(rerr, &ce) {
				if ce.Class == channels.ClassQuota { // daily quotas reset at local midnight
					p.mu.Lock()
					p.held[a.ID] = heldAccount{until: channels.NextLocalMidnight(p.now(), p.cfg.Location), err: ce}
					p.mu.Unlock()
				}
				return total, ce // the clerk's message, never a URL with a token
			}
			return total, errors.New("读取失败")
		}
		select {
		case <-ctx.Done():
			return total, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

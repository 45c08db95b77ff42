// Package stats collects every account's daily figures from the platforms
// into the store: followers, new and lost followers, posts, reads, shares,
// likes. It runs daily from the daemon and on demand (`herald stats collect`).
package stats

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/storage"
)

// Collector gathers statistics for configured accounts. What a platform
// answers is decoded by its channel (channels.StatsSource); the collector
// decides what to ask for, and stores what it is given.
type Collector struct {
	cfg     *configs.Config
	store   *storage.Store
	sources map[string]channels.StatsSource // by platform
	log     *slog.Logger
	// Now is the clock: it says which day is "today" (in the configured
	// timezone) and dates snapshots (default time.Now).
	Now func() time.Time
	// Workers is how many accounts are collected at once (default 8).
	Workers int
}

// New returns a collector asking the WeChat and Weibo channels.
func New(cfg *configs.Config, st *storage.Store, wc channels.StatsSource, wb channels.SnapshotSource, log *slog.Logger) *Collector {
	return &Collector{cfg: cfg, store: st, log: log, Now: time.Now, Workers: 8,
		sources: map[string]channels.StatsSource{configs.PlatformWeChat: wc, configs.PlatformWeibo: wb}}
}

// Summary is what a collection did.
type Summary struct {
	From, To    string
	Accounts    int
	RowsWritten int   // rows that changed
	Calls       int64 // platform calls made
	Failures    []Failure
	Elapsed     time.Duration
}

// Failure is one account whose figures could not (all) be had.
type Failure struct {
	Account string `json:"account"`
	Reason  string `json:"reason"`
}

// Progress is told after each account.
type Progress func(done, total int, account string)

// Yesterday is the last day whose figures the platforms have.
func (c *Collector) Yesterday() time.Time {
	return c.cfg.Today(c.Now()).AddDate(0, 0, -1)
}

// Collect gathers from..to (inclusive, local dates) for the given accounts
// (all active ones when empty). A failing account is recorded and reported
// and never stops the others. With resume, days already stored for an
// account are not asked for again.
func (c *Collector) Collect(ctx context.Context, from, to time.Time, accountIDs []string, resume bool, progress Progress) (Summary, error) {
	start := c.Now()
	if y := c.Yesterday(); to.After(y) {
		to = y
	}
	sum := Summary{From: day(from), To: day(to)}
	if to.Before(from) {
		return sum, fmt.Errorf("统计区间为空：%s 至 %s（只能采集到昨天）", sum.From, sum.To)
	}
	var accts []*configs.Account
	for i := range c.cfg.Accounts {
		a := &c.cfg.Accounts[i]
		if len(accountIDs) == 0 || slices.Contains(accountIDs, a.ID) {
			accts = append(accts, a)
		}
	}
	if len(accountIDs) > 0 && len(accts) != len(accountIDs) {
		return sum, fmt.Errorf("账号不存在：%v", accountIDs)
	}
	sum.Accounts = len(accts)
	var calls atomic.Int64

	var mu sync.Mutex
	done := 0
	record := func(a *configs.Account, rows int, err error) {
		mu.Lock()
		defer mu.Unlock()
		sum.RowsWritten += rows
		if err != nil {
			sum.Failures = append(sum.Failures, Failure{a.ID, err.Error()})
			_ = c.store.RecordCollectFailure(context.WithoutCancel(ctx), a.ID, sum.From, sum.To, err.Error())
		}
		done++
		if progress != nil {
			progress(done, len(accts), a.ID)
		}
	}

	// Figures a platform gives only as of now (Weibo's followers): one
	// snapshot per collection, for all of the platform's accounts at once.
	snapErrs := map[string]error{}
	for platform, src := range c.sources {
		ss, ok := src.(channels.SnapshotSource)
		if !ok {
			continue
		}
		var of []*configs.Account
		for _, a := range accts {
			if a.Platform == platform {
				of = append(of, a)
			}
		}
		snap, errs, n := ss.Snapshot(ctx, of, start)
		calls.Add(int64(n))
		for _, a := range of {
			if d, ok := snap[a.ID]; ok {
				rows, err := c.store.UpsertDailyStats(ctx, []storage.DailyStat{row(a.ID, d)})
				sum.RowsWritten += rows
				if err != nil {
					errs[a.ID] = errors.Join(errs[a.ID], err)
				}
			}
		}
		maps.Copy(snapErrs, errs)
	}

	jobs := make(chan *configs.Account)
	var wg sync.WaitGroup
	for i := 0; i < max(1, c.Workers); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range jobs {
				rows, n, err := c.collectAccount(ctx, a, from, to, resume)
				calls.Add(int64(n))
				record(a, rows, errors.Join(snapErrs[a.ID], err))
			}
		}()
	}
feed:
	for _, a := range accts {
		select {
		case jobs <- a:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	sort.Slice(sum.Failures, func(i, j int) bool { return sum.Failures[i].Account < sum.Failures[j].Account })
	sum.Calls = calls.Load()
	sum.Elapsed = c.Now().Sub(start)
	return sum, ctx.Err()
}

func day(t time.Time) string { return t.Format("2006-01-02") }

// row is what the store keeps of a channel's day.
func row(account string, d channels.DayStats) storage.DailyStat {
	return storage.DailyStat{Account: account, Date: d.Date, Followers: d.Followers, NewFollowers: d.NewFollowers,
		LostFollowers: d.LostFollowers, Posts: d.Posts, Reads: d.Reads, Shares: d.Shares, Likes: d.Likes,
		Zaikan: d.Zaikan, Comments: d.Comments, Answered: int64(d.Answered)}
}

// collectAccount asks the account's channel for its days (with resume,
// only the figures a day still lacks: a day is complete when every figure
// its platform gives is answered) and writes them in one transaction. It
// returns the rows changed and the platform calls made.
func (c *Collector) collectAccount(ctx context.Context, a *configs.Account, from, to time.Time, resume bool) (int, int, error) {
	src := c.sources[a.Platform]
	if src == nil {
		return 0, 0, fmt.Errorf("没有 %s 平台的统计来源", a.Platform)
	}
	req := channels.StatsRequest{From: from, To: to, Now: c.Now()}
	if resume {
		have, err := c.store.AnsweredFigures(ctx, a.ID, day(from), day(to))
		if err != nil {
			return 0, 0, err
		}
		gives := src.DailyFigures()
		req.Want = func(date string, f channels.Figures) bool {
			return f&gives&^channels.Figures(have[date]) != 0
		}
	}
	ids, err := c.store.PublishedRemoteIDs(ctx, a.ID)
	if err != nil {
		return 0, 0, err
	}
	req.PostIDs = ids
	res, problem := src.DailyStats(ctx, a, req)
	list := make([]storage.DailyStat, 0, len(res.Days))
	for _, d := range res.Days {
		list = append(list, row(a.ID, d))
	}
	n, err := c.store.UpsertDailyStats(ctx, list)
	if err != nil {
		return n, res.Calls, errors.Join(problem, err)
	}
	for _, p := range res.Posts {
		if err := c.store.UpsertPostStats(ctx, a.ID, p.PostID, p.Date, p.Reposts, p.Comments, p.Likes); err != nil {
			return n, res.Calls, errors.Join(problem, err)
		}
	}
	return n, res.Calls, problem
}

// Package stats collects every account's daily figures from the platforms
// into the store: followers, new and lost followers, posts, reads, shares,
// likes. It runs daily from the daemon and on demand (`herald stats collect`).
package stats

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/channels/wechat"
	"github.com/herald-gov/herald/channels/weibo"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/storage"
)

// Span limits of the WeChat endpoints, in days.
const (
	userSpan = 7  // getusersummary, getusercumulate
	bizSpan  = 30 // getbizsummary
)

// Collector gathers statistics for configured accounts.
type Collector struct {
	cfg    *configs.Config
	store  *storage.Store
	wechat *wechat.Channel
	weibo  *weibo.Channel
	log    *slog.Logger
	now    func() time.Time
	// Workers is how many accounts are collected at once (default 8).
	Workers int
	calls   atomic.Int64
}

// New returns a collector using the channels' clients.
func New(cfg *configs.Config, st *storage.Store, wc *wechat.Channel, wb *weibo.Channel, log *slog.Logger) *Collector {
	return &Collector{cfg: cfg, store: st, wechat: wc, weibo: wb, log: log, now: time.Now, Workers: 8}
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
	y, m, d := c.now().In(c.cfg.Location).Date()
	return time.Date(y, m, d-1, 0, 0, 0, 0, c.cfg.Location)
}

// Collect gathers from..to (inclusive, local dates) for the given accounts
// (all active ones when empty). A failing account is recorded and reported
// and never stops the others. With resume, days already stored for an
// account are not asked for again.
func (c *Collector) Collect(ctx context.Context, from, to time.Time, accountIDs []string, resume bool, progress Progress) (Summary, error) {
	start := c.now()
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
	calls0 := c.calls.Load()

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

	// Weibo counts come 100 accounts a call: one batch for all of them.
	var weiboAccts []*configs.Account
	jobs := make(chan *configs.Account)
	var wg sync.WaitGroup
	for i := 0; i < max(1, c.Workers); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range jobs {
				rows, err := c.collectWeChat(ctx, a, from, to, resume)
				record(a, rows, err)
			}
		}()
	}
	for _, a := range accts {
		if a.Platform == configs.PlatformWeibo {
			weiboAccts = append(weiboAccts, a)
			continue
		}
		select {
		case jobs <- a:
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	if len(weiboAccts) > 0 {
		results := c.collectWeibo(ctx, weiboAccts, from, to)
		for _, a := range weiboAccts {
			r := results[a.ID]
			record(a, r.rows, r.err)
		}
	}
	sort.Slice(sum.Failures, func(i, j int) bool { return sum.Failures[i].Account < sum.Failures[j].Account })
	sum.Calls = c.calls.Load() - calls0
	sum.Elapsed = c.now().Sub(start)
	return sum, ctx.Err()
}

func day(t time.Time) string { return t.Format("2006-01-02") }

func ptr(n int64) *int64 { return &n }

// chunks splits from..to into spans of at most n days, skipping spans whose
// days are all in have.
func chunks(from, to time.Time, n int, have map[string]bool) [][2]time.Time {
	var out [][2]time.Time
	for s := from; !s.After(to); s = s.AddDate(0, 0, n) {
		e := s.AddDate(0, 0, n-1)
		if e.After(to) {
			e = to
		}
		missing := have == nil
		for d := s; !d.After(e) && !missing; d = d.AddDate(0, 0, 1) {
			missing = !have[day(d)]
		}
		if missing {
			out = append(out, [2]time.Time{s, e})
		}
	}
	return out
}

func (c *Collector) call(ctx context.Context, a *configs.Account, path string, body, out any) error {
	c.calls.Add(1)
	return c.wechat.Call(ctx, a, path, body, out)
}

// collectWeChat gathers one official account's days with the fewest calls
// the span limits allow, and writes them in one transaction.
func (c *Collector) collectWeChat(ctx context.Context, a *configs.Account, from, to time.Time, resume bool) (int, error) {
	var have map[string]bool
	if resume {
		var err error
		if have, err = c.store.StatDates(ctx, a.ID, day(from), day(to)); err != nil {
			return 0, err
		}
	}
	rows := map[string]*storage.DailyStat{}
	row := func(d string) *storage.DailyStat {
		r, ok := rows[d]
		if !ok {
			r = &storage.DailyStat{Account: a.ID, Date: d}
			rows[d] = r
		}
		return r
	}
	var problems []error
	userChunks := chunks(from, to, userSpan, have)
	for _, ch := range userChunks {
		span := map[string]string{"begin_date": day(ch[0]), "end_date": day(ch[1])}
		var cum struct {
			List []struct {
				RefDate      string `json:"ref_date"`
				CumulateUser *int64 `json:"cumulate_user"`
			} `json:"list"`
		}
		if err := c.call(ctx, a, "/datacube/getusercumulate", span, &cum); err != nil {
			problems = append(problems, fmt.Errorf("粉丝数 %s~%s：%w", span["begin_date"], span["end_date"], err))
			if stopAccount(err) {
				break
			}
			continue
		}
		for _, r := range cum.List {
			if r.CumulateUser != nil {
				row(r.RefDate).Followers = r.CumulateUser
			}
		}
		var summ struct {
			List []struct {
				RefDate    string `json:"ref_date"`
				NewUser    int64  `json:"new_user"`
				CancelUser int64  `json:"cancel_user"`
			} `json:"list"`
		}
		if err := c.call(ctx, a, "/datacube/getusersummary", span, &summ); err != nil {
			problems = append(problems, fmt.Errorf("新增/取关 %s~%s：%w", span["begin_date"], span["end_date"], err))
			continue
		}
		// One row per source with movement: sum per date; a date without rows is 0/0.
		for d := ch[0]; !d.After(ch[1]); d = d.AddDate(0, 0, 1) {
			r := row(day(d))
			r.NewFollowers, r.LostFollowers = ptr(0), ptr(0)
		}
		for _, r := range summ.List {
			x := row(r.RefDate)
			*x.NewFollowers += r.NewUser
			*x.LostFollowers += r.CancelUser
		}
	}
	if len(problems) == 0 || !stopAccount(problems[0]) {
		for _, ch := range chunks(from, to, bizSpan, have) {
			span := map[string]string{"begin_date": day(ch[0]), "end_date": day(ch[1])}
			// Each day's figures are nested under "detail"; a figure the
			// answer leaves out stays nil (stored empty), never 0.
			var biz struct {
				List []struct {
					RefDate string `json:"ref_date"`
					Detail  struct {
						ReadUser     *int64 `json:"read_user"`
						ShareUser    *int64 `json:"share_user"`
						ZaikanUser   *int64 `json:"zaikan_user"`
						LikeUser     *int64 `json:"like_user"`
						CommentCount *int64 `json:"comment_count"`
					} `json:"detail"`
				} `json:"list"`
			}
			if err := c.call(ctx, a, "/datacube/getbizsummary", span, &biz); err != nil {
				problems = append(problems, fmt.Errorf("阅读数据 %s~%s：%w", span["begin_date"], span["end_date"], err))
				break // 48001/47009: this account has no article statistics; the rest stands
			}
			for _, r := range biz.List {
				x := row(r.RefDate)
				f := r.Detail
				x.Reads, x.Shares, x.Zaikan, x.Likes, x.Comments = f.ReadUser, f.ShareUser, f.ZaikanUser, f.LikeUser, f.CommentCount
			}
		}
		if len(userChunks) > 0 || have == nil {
			if err := c.countPosts(ctx, a, from, to, row); err != nil {
				problems = append(problems, fmt.Errorf("发布数：%w", err))
			}
		}
	}
	list := make([]storage.DailyStat, 0, len(rows))
	for _, r := range rows {
		list = append(list, *r)
	}
	n, err := c.store.UpsertDailyStats(ctx, list)
	if err != nil {
		return n, err
	}
	return n, errors.Join(problems...)
}

// stopAccount reports errors after which asking this account more is pointless.
func stopAccount(err error) bool {
	switch channels.ClassOf(err) {
	case channels.ClassCredentials, channels.ClassQuota:
		return true
	}
	return false
}

// countPosts counts publications per day from the platform's own published
// list, so posts made by hand in the back office count too.
func (c *Collector) countPosts(ctx context.Context, a *configs.Account, from, to time.Time, row func(string) *storage.DailyStat) error {
	counts := map[string]int64{}
	end := to.AddDate(0, 0, 1)
	for offset := 0; ; offset += 20 {
		var list struct {
			TotalCount int `json:"total_count"`
			Item       []struct {
				UpdateTime int64 `json:"update_time"`
				Content    struct {
					NewsItem []struct{} `json:"news_item"`
				} `json:"content"`
			} `json:"item"`
		}
		if err := c.call(ctx, a, "/cgi-bin/freepublish/batchget", map[string]int{"offset": offset, "count": 20, "no_content": 1}, &list); err != nil {
			return err
		}
		older := false
		for _, it := range list.Item {
			t := time.Unix(it.UpdateTime, 0).In(c.cfg.Location)
			if t.Before(from) {
				older = true
				continue
			}
			if t.Before(end) {
				counts[day(t)] += int64(max(1, len(it.Content.NewsItem)))
			}
		}
		if older || len(list.Item) < 20 || offset+20 >= list.TotalCount {
			break
		}
	}
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		row(day(d)).Posts = ptr(counts[day(d)])
	}
	return nil
}

// tokenProblem reports a Weibo answer about the token itself (expired, invalid).
func tokenProblem(err error) bool {
	var api *weibo.APIError
	return errors.As(err, &api) && api.Code >= 21300 && api.Code < 21400
}

type weiboResult struct {
	rows int
	err  error
}

// collectWeibo records followers (a snapshot: Weibo keeps no history, so
// only yesterday's row gets it, and only when the range reaches yesterday),
// posts per day from each account's own timeline, and the counts of the
// posts herald made.
func (c *Collector) collectWeibo(ctx context.Context, accts []*configs.Account, from, to time.Time) map[string]weiboResult {
	out := map[string]weiboResult{}
	client := c.weibo.Client()
	counts := map[string]weibo.UserCounts{}
	if to.Equal(c.Yesterday()) {
		var uids []string
		for _, a := range accts {
			uids = append(uids, a.UID)
		}
		// users/counts takes any account's token: if one account's token has
		// lapsed, the next account's serves, so one expiry does not cost every
		// account its figures.
		var list []weibo.UserCounts
		var err error
		for _, a := range accts {
			c.calls.Add(int64((len(uids) + weibo.MaxBatch - 1) / weibo.MaxBatch))
			if list, err = client.UserCounts(ctx, a.AccessToken, uids); err == nil || !tokenProblem(err) {
				break
			}
		}
		if err != nil {
			for _, a := range accts {
				out[a.ID] = weiboResult{err: fmt.Errorf("粉丝数：%v", err)}
			}
		}
		for _, u := range list {
			counts[u.ID.String()] = u
		}
	}
	for _, a := range accts {
		if out[a.ID].err != nil {
			continue
		}
		rows := map[string]*storage.DailyStat{}
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			rows[day(d)] = &storage.DailyStat{Account: a.ID, Date: day(d), Posts: ptr(0)}
		}
		if u, ok := counts[a.UID]; ok {
			rows[day(to)].Followers = ptr(int64(u.FollowersCount))
		}
		var problems []error
		// Posts per day from the account's own timeline (newest first).
	pages:
		for page := 1; page <= 20; page++ {
			c.calls.Add(1)
			posts, err := client.Timeline(ctx, a.AccessToken, 100, page)
			if err != nil {
				problems = append(problems, fmt.Errorf("发布数：%v", err))
				for _, r := range rows {
					r.Posts = nil
				}
				break
			}
			for _, p := range posts {
				t, err := p.Created()
				if err != nil {
					continue
				}
				t = t.In(c.cfg.Location)
				if t.Before(from) {
					break pages
				}
				if r, ok := rows[day(t)]; ok {
					*r.Posts++
				}
			}
			if len(posts) < 100 {
				break
			}
		}
		ids, err := c.store.PublishedRemoteIDs(ctx, a.ID)
		if err == nil && len(ids) > 0 && to.Equal(c.Yesterday()) {
			c.calls.Add(int64((len(ids) + weibo.MaxBatch - 1) / weibo.MaxBatch))
			sc, err := client.StatusCounts(ctx, a.AccessToken, ids)
			if err != nil {
				problems = append(problems, fmt.Errorf("微博互动数：%v", err))
			}
			for _, s := range sc {
				_ = c.store.UpsertPostStats(ctx, a.ID, s.ID.String(), day(to), int64(s.Reposts), int64(s.Comments), int64(s.Attitudes))
			}
		}
		list := make([]storage.DailyStat, 0, len(rows))
		for _, r := range rows {
			list = append(list, *r)
		}
		n, err := c.store.UpsertDailyStats(ctx, list)
		if err != nil {
			problems = append(problems, err)
		}
		out[a.ID] = weiboResult{rows: n, err: errors.Join(problems...)}
	}
	return out
}

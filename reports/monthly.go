package reports

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/channels/wechat"
	"github.com/herald-gov/herald/channels/weibo"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/storage"
)

// SummaryRow is one account's line on the 汇总 sheet.
type SummaryRow struct {
	Account, Name, Platform, Groups string
	Followers                       *int64 // at the period's end (the last stored day)
	NetGrowth, Posts, Reads         int64
	Shares, Likes                   int64
	Index                           float64
	MissingDays                     []string

	given figureSet // the figures some stored row gave; the others print empty, never 0
}

// figureSet marks which summed figures some stored row gave.
type figureSet uint8

const (
	givenNet figureSet = 1 << iota
	givenPosts
	givenReads
	givenShares
	givenLikes
)

// MonthSummary is one calendar month of a quarter or year in 汇总 form.
type MonthSummary struct {
	Period      Period
	Summary     []SummaryRow
	Interaction []InteractionRow
}

// Monthly is everything the workbook shows, computed from the store.
type Monthly struct {
	Period Period
	Made   time.Time // when the report was made (制表日期)
	// Summary is the 汇总 over the whole period; Months the same per
	// calendar month (only for a quarter or a year).
	Summary []SummaryRow
	Months  []MonthSummary
	// Rankings are the WeChat accounts by WCI and the Weibo accounts by BCI.
	Rankings []Ranking
	Dormant  []DormantRow
	Graphics []storage.PublishedItem // policy graphics first published this year up to the period's end
	Reach    []storage.PublishedItem // items sent to a whole group, first published in the period
	// Detail streams the period's daily rows (明细), in account then date
	// order, from a compact copy taken in BuildMonthly's one pass over the
	// store (fn must not keep the row's pointers); DetailRows is how many
	// there are.
	Detail     RowSource
	DetailRows int
	Chart      GroupSeries
	Target     int
	Warnings   []string      // 预警 lines beyond dormancy: tokens, credentials
	Patrol     *PatrolReport // 巡检 (patrol.go)

	// Policies is the 政策解读 sheet (reports/policies.go).
	Policies *PolicyCoverage
	// Interaction is the 互动 sheet (reports/interaction.go).
	Interaction []InteractionRow
}

// GroupSeries are per group and day the sums of followers and reads (图表).
type GroupSeries struct {
	Groups           []string // group titles, in report order
	Days             []string
	Followers, Reads [][]*int64 // [group][day]; nil where no account of the group has the figure
}

// BuildMonthly computes the report for a period from stored data; it
// collects nothing. It reads the daily rows of the period and of the
// period before it (for the month-on-month changes) in one pass, keeping
// per account and month sums and a compact copy of the period's rows.
func BuildMonthly(ctx context.Context, cfg *configs.Config, st *storage.Store, p Period, now time.Time) (*Monthly, error) {
	m := &Monthly{Period: p, Made: now.In(cfg.Location), Target: cfg.Reports.GraphicsTarget}
	accounts, err := st.Accounts(ctx, true)
	if err != nil {
		return nil, err
	}
	agg, err := aggregate(ctx, cfg, st, accounts, p)
	if err != nil {
		return nil, err
	}
	m.DetailRows, m.Chart, m.Detail = len(agg.detail.rows), agg.chart, agg.detail.each
	lastDay := now.In(cfg.Location).AddDate(0, 0, -1).Format("2006-01-02")
	prev := p.Previous()
	months := p.Months()
	monthRows := make([][]SummaryRow, len(months))
	var prevRows []SummaryRow
	for _, a := range accounts {
		acc := agg.accounts[a.ID]
		if !a.Active && acc == nil {
			continue
		}
		if acc == nil {
			acc = newAccountAcc(len(months), len(agg.days))
		}
		line := func(b *bucket) SummaryRow {
			return SummaryRow{Account: a.ID, Name: a.Name, Platform: a.Platform, Groups: strings.Join(a.Groups, ","),
				Followers: b.followers, NetGrowth: b.net, Posts: b.posts, Reads: b.reads, Shares: b.shares, Likes: b.likes, given: b.given}
		}
		whole := acc.period()
		s := line(&whole)
		for i, d := range agg.days {
			if !acc.have[i] && d <= lastDay {
				s.MissingDays = append(s.MissingDays, d)
			}
		}
		if s.Index, err = index(ctx, st, a.Platform, a.ID, &whole, p); err != nil {
			return nil, err
		}
		m.Summary = append(m.Summary, s)
		if len(months) > 1 {
			for i, mp := range months {
				r := line(&acc.months[i])
				for _, d := range s.MissingDays {
					if d >= mp.From.Format("2006-01-02") && d <= mp.To.Format("2006-01-02") {
						r.MissingDays = append(r.MissingDays, d)
					}
				}
				if r.Index, err = index(ctx, st, a.Platform, a.ID, &acc.months[i], mp); err != nil {
					return nil, err
				}
				monthRows[i] = append(monthRows[i], r)
			}
		}
		pr := line(&acc.prev)
		if acc.prev.rows > 0 {
			if pr.Index, err = index(ctx, st, a.Platform, a.ID, &acc.prev, prev); err != nil {
				return nil, err
			}
			prevRows = append(prevRows, pr)
		}
	}
	if len(months) > 1 {
		for i, mp := range months {
			m.Months = append(m.Months, MonthSummary{Period: mp, Summary: monthRows[i]})
		}
	}
	m.Rankings = rankings(cfg, m.Summary, prevRows)
	if m.Dormant, err = Dormant(ctx, cfg, st, now); err != nil {
		return nil, err
	}
	if m.Patrol, err = buildPatrol(ctx, st, p, m.Dormant); err != nil {
		return nil, err
	}
	for _, a := range accounts {
		if a.Active && a.Health == storage.HealthUnhealthy {
			m.Warnings = append(m.Warnings, a.ID+"|凭据异常|"+a.HealthMessage)
		}
	}
	for i := range cfg.Accounts {
		acct := &cfg.Accounts[i]
		if days, ok := weibo.TokenDaysLeft(acct, now, cfg.Location); ok && days <= weibo.ExpiryWarnDays {
			m.Warnings = append(m.Warnings, fmt.Sprintf("%s|微博授权即将到期|%d 天后到期（%s），请重新授权", acct.ID, days, acct.TokenExpires))
		}
	}
	yearStart := time.Date(p.To.Year(), 1, 1, 0, 0, 0, 0, cfg.Location)
	end := p.To.AddDate(0, 0, 1)
	items, err := st.PublishedItems(ctx, yearStart, end)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if it.Kind == "graphic" {
			m.Graphics = append(m.Graphics, it)
		}
		if !it.FirstPublished.Before(p.From) && (it.Targets == "all" || strings.HasPrefix(it.Targets, "group:")) {
			m.Reach = append(m.Reach, it)
		}
	}
	if m.Policies, err = buildPolicies(ctx, cfg, st, p, now); err != nil {
		return nil, err
	}
	if m.Interaction, err = buildInteraction(ctx, cfg, st, p.From, p.To.AddDate(0, 0, 1), now); err != nil {
		return nil, err
	}
	for i := range m.Months {
		mp := m.Months[i].Period
		if m.Months[i].Interaction, err = buildInteraction(ctx, cfg, st, mp.From, mp.To.AddDate(0, 0, 1), now); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// index is an account's WCI (WeChat) or BCI (Weibo) over a span.
func index(ctx context.Context, st *storage.Store, platform, account string, b *bucket, p Period) (float64, error) {
	if platform != configs.PlatformWeibo {
		return b.wci.WCI(), nil
	}
	rp, cm, lk, err := st.PostTotals(ctx, account, p.From.Format("2006-01-02"), p.To.Format("2006-01-02"))
	if err != nil {
		return 0, err
	}
	return BCI(float64(b.posts), float64(rp), float64(cm), float64(lk)), nil
}

// bucket sums one account's daily rows over a span.
type bucket struct {
	rows                             int
	followers                        *int64 // the last stored in the span
	net, posts, reads, shares, likes int64
	given                            figureSet
	wci                              WCIAccumulator
}

func (b *bucket) add(r storage.DailyStat) {
	b.rows++
	if r.Followers != nil {
		b.followers = r.Followers
	}
	add := func(sum *int64, v *int64, bit figureSet) {
		if v != nil {
			*sum += *v
			b.given |= bit
		}
	}
	if r.NewFollowers != nil || r.LostFollowers != nil {
		b.net += val64(r.NewFollowers) - val64(r.LostFollowers)
		b.given |= givenNet
	}
	add(&b.posts, r.Posts, givenPosts)
	add(&b.reads, r.Reads, givenReads)
	add(&b.shares, r.Shares, givenShares)
	add(&b.likes, r.Likes, givenLikes)
	b.wci.Add(r)
}

// merge adds a later span.
func (b *bucket) merge(o *bucket) {
	b.rows += o.rows
	if o.followers != nil {
		b.followers = o.followers
	}
	b.net += o.net
	b.posts += o.posts
	b.reads += o.reads
	b.shares += o.shares
	b.likes += o.likes
	b.given |= o.given
	b.wci.Merge(o.wci)
}

// accountAcc is one account's sums: per month of the period and for the
// previous period, and which days of the period are complete.
type accountAcc struct {
	months []bucket
	prev   bucket
	have   []bool // per day of the period
}

func newAccountAcc(months, days int) *accountAcc {
	return &accountAcc{months: make([]bucket, months), have: make([]bool, days)}
}

func (a *accountAcc) period() bucket {
	var b bucket
	for i := range a.months {
		b.merge(&a.months[i])
	}
	return b
}

type aggregation struct {
	days     []string
	accounts map[string]*accountAcc
	detail   compactRows // the period's daily rows
	chart    GroupSeries
}

// compactRows hold daily rows in about 80 bytes each (a year for 1,000
// accounts in ~30 MB), so that the store is read once for a report.
type compactRows struct {
	accounts []string
	index    map[string]int32
	days     []string
	rows     []compactRow
}

type compactRow struct {
	account int32
	day     int16
	given   uint16 // bit i: figure i present
	v       [9]int64
}

func (c *compactRows) add(r storage.DailyStat, day int) {
	i, ok := c.index[r.Account]
	if !ok {
		i = int32(len(c.accounts))
		c.accounts = append(c.accounts, r.Account)
		c.index[r.Account] = i
	}
	row := compactRow{account: i, day: int16(day)}
	for k, p := range figures(r) {
		if p != nil {
			row.v[k] = *p
			row.given |= 1 << k
		}
	}
	c.rows = append(c.rows, row)
}

// each hands the rows to fn in the order they were read; the row's
// pointers point into a buffer reused for the next row.
func (c *compactRows) each(fn func(storage.DailyStat) error) error {
	var v [9]int64
	var ptrs [9]*int64
	for _, row := range c.rows {
		v = row.v
		for k := range ptrs {
			ptrs[k] = nil
			if row.given&(1<<k) != 0 {
				ptrs[k] = &v[k]
			}
		}
		r := storage.DailyStat{Account: c.accounts[row.account], Date: c.days[row.day],
			Followers: ptrs[0], NewFollowers: ptrs[1], LostFollowers: ptrs[2], Posts: ptrs[3], Reads: ptrs[4],
			Shares: ptrs[5], Likes: ptrs[6], Zaikan: ptrs[7], Comments: ptrs[8]}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// aggregate reads the daily rows of the previous period and the period in
// one pass, each account's rows in date order.
func aggregate(ctx context.Context, cfg *configs.Config, st *storage.Store, accounts []storage.Account, p Period) (*aggregation, error) {
	months := p.Months()
	monthOf := map[string]int{}
	for i, mp := range months {
		monthOf[mp.Label] = i
	}
	g := &aggregation{days: p.days(), accounts: map[string]*accountAcc{}}
	// At most a row per account and day: sized once rather than grown by
	// doubling (a year for 1,000 accounts is ~30 MB).
	g.detail = compactRows{index: map[string]int32{}, days: g.days, rows: make([]compactRow, 0, len(accounts)*len(g.days))}
	dayOf := make(map[string]int, len(g.days))
	for i, d := range g.days {
		dayOf[d] = i
	}
	// 图表: per group and day, over the groups in report order.
	groups := groupOrder(cfg, accounts)
	groupIdx := map[string]int{}
	for i, gr := range groups {
		g.chart.Groups = append(g.chart.Groups, gr.title)
		groupIdx[gr.name] = i
	}
	g.chart.Days = g.days
	g.chart.Followers, g.chart.Reads = make([][]*int64, len(groups)), make([][]*int64, len(groups))
	for i := range groups {
		g.chart.Followers[i], g.chart.Reads[i] = make([]*int64, len(g.days)), make([]*int64, len(g.days))
	}
	groupsOf := map[string][]int{}
	platformOf := map[string]string{}
	for _, a := range accounts {
		platformOf[a.ID] = a.Platform
		names := a.Groups
		if len(names) == 0 {
			names = []string{ungrouped}
		}
		for _, n := range names {
			groupsOf[a.ID] = append(groupsOf[a.ID], groupIdx[n])
		}
	}
	sumInto := func(cell **int64, v *int64) {
		if v == nil {
			return
		}
		if *cell == nil {
			*cell = new(int64)
		}
		**cell += *v
	}
	prev := p.Previous()
	from, to := prev.From.Format("2006-01-02"), p.To.Format("2006-01-02")
	start := p.From.Format("2006-01-02")
	err := st.EachAllDailyStatByAccount(ctx, from, to, func(r storage.DailyStat) error {
		acc := g.accounts[r.Account]
		if acc == nil {
			acc = newAccountAcc(len(months), len(g.days))
			g.accounts[r.Account] = acc
		}
		if r.Date < start {
			acc.prev.add(r)
			return nil
		}
		acc.months[monthOf[r.Date[:7]]].add(r)
		day := dayOf[r.Date]
		g.detail.add(r, day)
		// A day is complete when every figure its platform gives for a
		// past day is stored (Weibo gives no history of followers).
		if need := dailyFigures(platformOf[r.Account]); channels.Figures(r.Answered)&need == need {
			acc.have[day] = true
		}
		for _, gi := range groupsOf[r.Account] {
			sumInto(&g.chart.Followers[gi][day], r.Followers)
			sumInto(&g.chart.Reads[gi][day], r.Reads)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// dailyFigures are the figures a complete past day of the platform's
// accounts has.
func dailyFigures(platform string) channels.Figures {
	if platform == configs.PlatformWeibo {
		return weibo.DailyFigures
	}
	return wechat.DailyFigures
}

// CollectHint says in plain words which days of the rows need
// `herald stats collect`, with the command that fills them (a collection
// resumes by default: it asks only for what is missing).
func CollectHint(rows []SummaryRow) string {
	var first, last string
	days, accounts := map[string]bool{}, 0
	for _, r := range rows {
		if len(r.MissingDays) > 0 {
			accounts++
		}
		for _, d := range r.MissingDays {
			days[d] = true
			if first == "" || d < first {
				first = d
			}
			if d > last {
				last = d
			}
		}
	}
	if len(days) == 0 {
		return "各账号各日数据齐全。"
	}
	list := slices.Sorted(maps.Keys(days))
	if len(list) > 10 {
		list = append(list[:10], "…")
	}
	return fmt.Sprintf("%d 个账号缺 %d 天的数据（%s），请运行 herald stats collect --from %s --to %s 补采（只补缺的数据）。",
		accounts, len(days), strings.Join(list, "、"), first, last)
}

func val64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

const ungrouped = "未分组"

type groupInfo struct{ name, title string }

// groupOrder is the report order of groups: the config's, then any others
// the accounts name, then 未分组 if an account has no group.
func groupOrder(cfg *configs.Config, accounts []storage.Account) []groupInfo {
	var out []groupInfo
	seen := map[string]bool{}
	addGroup := func(name, title string) {
		if seen[name] {
			return
		}
		seen[name] = true
		if title == "" {
			title = name
		}
		out = append(out, groupInfo{name, title})
	}
	used := map[string]bool{}
	for _, a := range accounts {
		for _, g := range a.Groups {
			used[g] = true
		}
		if len(a.Groups) == 0 {
			used[ungrouped] = true
		}
	}
	for _, g := range cfg.Groups {
		if used[g.Name] {
			addGroup(g.Name, g.Title)
		}
	}
	for _, a := range accounts {
		for _, g := range a.Groups {
			addGroup(g, "")
		}
	}
	if used[ungrouped] {
		addGroup(ungrouped, "")
	}
	return out
}

// groupTitles maps group names to their display titles.
func groupTitles(cfg *configs.Config) map[string]string {
	out := map[string]string{}
	for _, g := range cfg.Groups {
		if g.Title != "" {
			out[g.Name] = g.Title
		}
	}
	return out
}

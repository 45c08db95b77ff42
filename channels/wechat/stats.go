package wechat

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
)

// Span limits of the datacube endpoints, in days.
const (
	userSpan = 7  // getusersummary, getusercumulate
	bizSpan  = 30 // getbizsummary
)

// DailyFigures are what WeChat gives for every past day of an official
// account: followers, their movement, posts and the article figures.
const DailyFigures = channels.FigFollowers | channels.FigMovement | channels.FigPosts | channels.FigArticles

var _ channels.StatsSource = (*Channel)(nil)

// DailyFigures are the figures a complete day of an official account has.
func (c *Channel) DailyFigures() channels.Figures { return DailyFigures }

func day(t time.Time) string { return t.Format("2006-01-02") }

// spans splits from..to into spans of at most n days, keeping those in
// which some day still wants f.
func spans(req channels.StatsRequest, n int, f channels.Figures) [][2]time.Time {
	var out [][2]time.Time
	for s := req.From; !s.After(req.To); s = s.AddDate(0, 0, n) {
		e := s.AddDate(0, 0, n-1)
		if e.After(req.To) {
			e = req.To
		}
		if req.Wants(s, e, f) {
			out = append(out, [2]time.Time{s, e})
		}
	}
	return out
}

// stopAccount reports errors after which asking this account more is pointless.
func stopAccount(err error) bool {
	switch channels.ClassOf(err) {
	case channels.ClassCredentials, channels.ClassQuota:
		return true
	}
	return false
}

// DailyStats gathers one official account's days with the fewest calls the
// span limits allow: followers and their movement from getusercumulate and
// getusersummary (7 days a call), the article figures from getbizsummary
// (30 days a call, each day's figures under "detail"), and posts per day
// from the published list, so posts made by hand in the back office count
// too.
func (c *Channel) DailyStats(ctx context.Context, acct *configs.Account, req channels.StatsRequest) (channels.StatsResult, error) {
	var res channels.StatsResult
	a := c.account(acct)
	call := func(path string, body, out any) error {
		res.Calls++
		if err := a.postJSON(ctx, path, body, out); err != nil {
			return c.classify(err, false)
		}
		return nil
	}
	rows := map[string]*channels.DayStats{}
	row := func(d string) *channels.DayStats {
		r, ok := rows[d]
		if !ok {
			r = &channels.DayStats{Date: d}
			rows[d] = r
		}
		return r
	}
	answered := func(s, e time.Time, f channels.Figures) {
		for d := s; !d.After(e); d = d.AddDate(0, 0, 1) {
			row(day(d)).Answered |= f
		}
	}
	var problems []error
	stopped := false
	for _, sp := range spans(req, userSpan, channels.FigFollowers|channels.FigMovement) {
		body := map[string]string{"begin_date": day(sp[0]), "end_date": day(sp[1])}
		var cum struct {
			List []struct {
				RefDate      string `json:"ref_date"`
				CumulateUser *int64 `json:"cumulate_user"`
			} `json:"list"`
		}
		if err := call("/datacube/getusercumulate", body, &cum); err != nil {
			problems = append(problems, fmt.Errorf("粉丝数 %s~%s：%w", body["begin_date"], body["end_date"], err))
			if stopped = stopAccount(err); stopped {
				break
			}
			continue
		}
		for _, r := range cum.List {
			if r.CumulateUser != nil {
				row(r.RefDate).Followers = r.CumulateUser
			}
		}
		answered(sp[0], sp[1], channels.FigFollowers)
		var summ struct {
			List []struct {
				RefDate    string `json:"ref_date"`
				NewUser    int64  `json:"new_user"`
				CancelUser int64  `json:"cancel_user"`
			} `json:"list"`
		}
		if err := call("/datacube/getusersummary", body, &summ); err != nil {
			problems = append(problems, fmt.Errorf("新增/取关 %s~%s：%w", body["begin_date"], body["end_date"], err))
			if stopped = stopAccount(err); stopped {
				break
			}
			continue
		}
		// One row per source with movement: sum per date; a date without
		// rows is 0/0 (the platform leaves out sources without movement).
		for d := sp[0]; !d.After(sp[1]); d = d.AddDate(0, 0, 1) {
			r := row(day(d))
			r.NewFollowers, r.LostFollowers = new(int64), new(int64)
		}
		for _, r := range summ.List {
			x := row(r.RefDate)
			if x.NewFollowers == nil { // a date outside the span asked for
				x.NewFollowers, x.LostFollowers = new(int64), new(int64)
			}
			*x.NewFollowers += r.NewUser
			*x.LostFollowers += r.CancelUser
		}
		answered(sp[0], sp[1], channels.FigMovement)
	}
	if !stopped {
		for _, sp := range spans(req, bizSpan, channels.FigArticles) {
			body := map[string]string{"begin_date": day(sp[0]), "end_date": day(sp[1])}
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
			if err := call("/datacube/getbizsummary", body, &biz); err != nil {
				problems = append(problems, fmt.Errorf("阅读数据 %s~%s：%w", body["begin_date"], body["end_date"], err))
				if channels.ClassOf(err) == channels.ClassCredentials {
					// 48001: this account has no article statistics (not
					// certified); asking again would give nothing more.
					answered(req.From, req.To, channels.FigArticles)
				}
				break
			}
			for _, r := range biz.List {
				x, f := row(r.RefDate), r.Detail
				x.Reads, x.Shares, x.Zaikan, x.Likes, x.Comments = f.ReadUser, f.ShareUser, f.ZaikanUser, f.LikeUser, f.CommentCount
			}
			// Days the answer leaves out (before 2025-11-01) have no figures.
			answered(sp[0], sp[1], channels.FigArticles)
		}
		if req.Wants(req.From, req.To, channels.FigPosts) {
			n, err := c.countPosts(ctx, a, req.From, req.To, row)
			res.Calls += n
			if err != nil {
				problems = append(problems, fmt.Errorf("发布数：%w", c.classify(err, false)))
			} else {
				answered(req.From, req.To, channels.FigPosts)
			}
		}
	}
	for d := req.From; !d.After(req.To); d = d.AddDate(0, 0, 1) {
		if r, ok := rows[day(d)]; ok {
			res.Days = append(res.Days, *r)
		}
	}
	return res, errors.Join(problems...)
}

// countPosts counts publications per day from the platform's own published
// list (newest first), and returns how many calls it made.
func (c *Channel) countPosts(ctx context.Context, a *account, from, to time.Time, row func(string) *channels.DayStats) (int, error) {
	calls := 0
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
		calls++
		if err := a.postJSON(ctx, "/cgi-bin/freepublish/batchget", map[string]int{"offset": offset, "count": 20, "no_content": 1}, &list); err != nil {
			return calls, err
		}
		older := false
		for _, it := range list.Item {
			t := time.Unix(it.UpdateTime, 0).In(c.loc)
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
		n := counts[day(d)]
		row(day(d)).Posts = &n
	}
	return calls, nil
}

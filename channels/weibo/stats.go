package weibo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
)

// DailyFigures are what Weibo gives for a past day: the posts of the day
// (from the account's own timeline). Followers exist only as of now (see
// Snapshot): a past day without them is complete.
const DailyFigures = channels.FigPosts

// timelinePages bounds how far back the timeline is read (100 posts a page).
const timelinePages = 20

var _ channels.SnapshotSource = (*Channel)(nil)

// DailyFigures are the figures a complete past day of a Weibo account has.
func (c *Channel) DailyFigures() channels.Figures { return DailyFigures }

func day(t time.Time) string { return t.Format("2006-01-02") }

// DailyStats counts the account's posts per day from its own timeline
// (newest first), and the interaction counts of req.PostIDs as of now
// (dated today, like every snapshot).
func (c *Channel) DailyStats(ctx context.Context, acct *configs.Account, req channels.StatsRequest) (channels.StatsResult, error) {
	var res channels.StatsResult
	var problems []error
	if req.Wants(req.From, req.To, channels.FigPosts) {
		counts := map[string]int64{}
		reached := false // the timeline went back past From, or ended
		var oldest string
	pages:
		for page := 1; page <= timelinePages; page++ {
			res.Calls++
			posts, err := c.client.Timeline(ctx, acct.AccessToken, 100, page)
			if err != nil {
				problems = append(problems, fmt.Errorf("发布数：%w", c.classify(err, false)))
				break
			}
			for _, p := range posts {
				t, err := p.Created()
				if err != nil {
					continue
				}
				t = t.In(c.loc)
				if t.Before(req.From) {
					reached = true
					break pages
				}
				oldest = day(t)
				counts[day(t)]++
			}
			if len(posts) < 100 {
				reached = true
				break
			}
		}
		if len(problems) == 0 {
			for d := req.From; !d.After(req.To); d = d.AddDate(0, 0, 1) {
				// Days older than the last page read are not known.
				if !reached && day(d) < oldest {
					continue
				}
				n := counts[day(d)]
				res.Days = append(res.Days, channels.DayStats{Date: day(d), Posts: &n, Answered: channels.FigPosts})
			}
			if !reached {
				problems = append(problems, fmt.Errorf("发布数：时间线只读到 %s，更早的日子未统计", oldest))
			}
		}
	}
	if len(req.PostIDs) > 0 {
		res.Calls += (len(req.PostIDs) + MaxBatch - 1) / MaxBatch
		sc, err := c.client.StatusCounts(ctx, acct.AccessToken, req.PostIDs)
		if err != nil {
			problems = append(problems, fmt.Errorf("微博互动数：%w", c.classify(err, false)))
		}
		today := day(req.Now.In(c.loc))
		for _, s := range sc {
			res.Posts = append(res.Posts, channels.PostStats{PostID: s.ID.String(), Date: today,
				Reposts: int64(s.Reposts), Comments: int64(s.Comments), Likes: int64(s.Attitudes)})
		}
	}
	return res, errors.Join(problems...)
}

// Snapshot takes the accounts' follower counts now (users/counts, 100 a
// call), dated today in the configured timezone: Weibo keeps no history,
// so each snapshot describes the day it is taken on. users/counts takes any
// account's token: when one account's token has lapsed the next one's
// serves, so one expiry does not cost every account its followers.
func (c *Channel) Snapshot(ctx context.Context, accts []*configs.Account, now time.Time) (map[string]channels.DayStats, map[string]error, int) {
	snap, errs, calls := map[string]channels.DayStats{}, map[string]error{}, 0
	if len(accts) == 0 {
		return snap, errs, 0
	}
	today := day(now.In(c.loc))
	uids := make([]string, 0, len(accts))
	for _, a := range accts {
		uids = append(uids, a.UID)
	}
	var list []UserCounts
	var err error
	for _, a := range accts {
		calls += (len(uids) + MaxBatch - 1) / MaxBatch
		if list, err = c.client.UserCounts(ctx, a.AccessToken, uids); err == nil {
			break
		}
		if err = c.classify(err, false); channels.ClassOf(err) != channels.ClassCredentials {
			break
		}
	}
	byUID := map[string]UserCounts{}
	for _, u := range list {
		byUID[u.ID.String()] = u
	}
	for _, a := range accts {
		u, ok := byUID[a.UID]
		switch {
		case ok:
			n := int64(u.FollowersCount)
			snap[a.ID] = channels.DayStats{Date: today, Followers: &n, Answered: channels.FigFollowers}
		case err != nil:
			errs[a.ID] = fmt.Errorf("粉丝数：%w", err)
		default:
			errs[a.ID] = errors.New("粉丝数：微博未返回该账号（检查 uid）")
		}
	}
	return snap, errs, calls
}

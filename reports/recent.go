package reports

import (
	"context"
	"math"
	"sort"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/storage"
)

// IndexRow is one account's standing over a window of days (the console's
// 统计 page ranks the last 30): its index (WCI for WeChat, BCI for Weibo,
// two scales never compared), its reads and publications in the window,
// and its followers at the window's first and last figure.
type IndexRow struct {
	Account, Name, Platform string
	Index                   float64
	Reads, Posts            int64
	// FirstFollowers and Followers are the first and last follower counts
	// the window holds (nil when the platform gave none).
	FirstFollowers, Followers *int64
}

// RecentRankings ranks accounts over the daily rows of from..to (rows may
// hold other accounts and days: only each account's own in the window
// count), each platform on its own, best first.
func RecentRankings(ctx context.Context, st *storage.Store, accounts []storage.Account, rows []storage.DailyStat, from, to string) (wechat, weibo []IndexRow, err error) {
	byAccount := map[string][]storage.DailyStat{}
	for _, r := range rows {
		if r.Date >= from && r.Date <= to {
			byAccount[r.Account] = append(byAccount[r.Account], r)
		}
	}
	for _, a := range accounts {
		days := byAccount[a.ID]
		sort.Slice(days, func(i, j int) bool { return days[i].Date < days[j].Date })
		row := IndexRow{Account: a.ID, Name: a.Name, Platform: a.Platform}
		for _, d := range days {
			if d.Reads != nil {
				row.Reads += *d.Reads
			}
			if d.Posts != nil {
				row.Posts += *d.Posts
			}
			if d.Followers != nil {
				if row.FirstFollowers == nil {
					row.FirstFollowers = d.Followers
				}
				row.Followers = d.Followers
			}
		}
		if a.Platform == configs.PlatformWeibo {
			rp, cm, lk, err := st.PostTotals(ctx, a.ID, from, to)
			if err != nil {
				return nil, nil, err
			}
			row.Index = BCI(float64(row.Posts), float64(rp), float64(cm), float64(lk))
			row.Index = math.Trunc(row.Index*100) / 100
			weibo = append(weibo, row)
			continue
		}
		row.Index = math.Trunc(WCIFromDaily(days)*100) / 100
		wechat = append(wechat, row)
	}
	best := func(rs []IndexRow) {
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].Index > rs[j].Index })
	}
	best(wechat)
	best(weibo)
	return wechat, weibo, nil
}

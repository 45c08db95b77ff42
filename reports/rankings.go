package reports

import (
	"slices"
	"sort"
	"strings"

	"github.com/herald-gov/herald/configs"
)

// Ranking is one platform's accounts ranked by its index inside each group.
type Ranking struct {
	Platform string // wechat or weibo
	Index    string // WCI or BCI
	Rows     []RankRow
}

// RankRow is an account's place in its group this period and the last.
type RankRow struct {
	Group                   string // the group's title
	Rank, PrevRank          int    // PrevRank 0: not ranked in the previous period
	Account, Name           string
	Index                   float64
	Followers, PrevFollower *int64
}

// rankings ranks the WeChat accounts by WCI and the Weibo accounts by BCI,
// each inside every group it belongs to (the config's group order), next
// to their rank and followers in the previous period.
func rankings(cfg *configs.Config, now, prev []SummaryRow) []Ranking {
	titles := groupTitles(cfg)
	var order []string
	for _, g := range cfg.Groups {
		order = append(order, g.Name)
	}
	ranked := func(rows []SummaryRow, platform string) (map[string][]SummaryRow, []string) {
		members := map[string][]SummaryRow{}
		var names []string
		for _, s := range rows {
			if s.Platform != platform {
				continue
			}
			groups := strings.Split(s.Groups, ",")
			if s.Groups == "" {
				groups = []string{ungrouped}
			}
			for _, g := range groups {
				if _, ok := members[g]; !ok {
					names = append(names, g)
				}
				members[g] = append(members[g], s)
			}
		}
		for _, rows := range members {
			sort.SliceStable(rows, func(i, j int) bool {
				if rows[i].Index != rows[j].Index {
					return rows[i].Index > rows[j].Index
				}
				return rows[i].Account < rows[j].Account
			})
		}
		return members, names
	}
	var out []Ranking
	for _, pl := range []struct{ platform, index string }{{configs.PlatformWeChat, "WCI"}, {configs.PlatformWeibo, "BCI"}} {
		cur, names := ranked(now, pl.platform)
		if len(cur) == 0 {
			continue
		}
		before, _ := ranked(prev, pl.platform)
		groups := slices.Clone(order)
		for _, n := range names {
			if !slices.Contains(groups, n) {
				groups = append(groups, n)
			}
		}
		r := Ranking{Platform: pl.platform, Index: pl.index}
		for _, g := range groups {
			prevRank := map[string]int{}
			prevFollowers := map[string]*int64{}
			for i, s := range before[g] {
				prevRank[s.Account] = i + 1
				prevFollowers[s.Account] = s.Followers
			}
			title := titles[g]
			if title == "" {
				title = g
			}
			for i, s := range cur[g] {
				r.Rows = append(r.Rows, RankRow{Group: title, Rank: i + 1, PrevRank: prevRank[s.Account], Account: s.Account, Name: s.Name,
					Index: s.Index, Followers: s.Followers, PrevFollower: prevFollowers[s.Account]})
			}
		}
		out = append(out, r)
	}
	return out
}

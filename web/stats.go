// 统计: the statistics page and its export.

package web

import (
	"bytes"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/reports"
	"github.com/herald-gov/herald/storage"
)

func (s *Server) statsPage(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	accounts, err := s.visibleAccounts(r, sess)
	if err != nil {
		s.fail(w, err)
		return
	}
	ids := make([]string, len(accounts))
	for i, a := range accounts {
		ids[i] = a.ID
	}
	loc := s.cfg.Location
	now := time.Now().In(loc)
	to := time.Date(now.Year(), now.Month(), now.Day()-1, 0, 0, 0, 0, loc)
	from := to.AddDate(0, 0, -29)
	rows, err := s.store.DailyStats(r.Context(), from.Format("2006-01-02"), to.Format("2006-01-02"), ids)
	if err != nil {
		s.fail(w, err)
		return
	}
	var days []string
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		days = append(days, d.Format("2006-01-02"))
	}
	byAccount := map[string][]storage.DailyStat{}
	for _, r := range rows {
		byAccount[r.Account] = append(byAccount[r.Account], r)
	}
	groupTitle := map[string]string{}
	for _, g := range s.cfg.Groups {
		groupTitle[g.Name] = firstNonEmpty(g.Title, g.Name)
	}
	followers := map[string]map[string]float64{}
	reads := map[string]map[string]float64{}
	type rank struct {
		Account, Name, Platform string
		Index                   float64
		Reads                   int64
	}
	var ranking []rank
	for _, a := range accounts {
		for _, g := range a.Groups {
			t := firstNonEmpty(groupTitle[g], g)
			if followers[t] == nil {
				followers[t], reads[t] = map[string]float64{}, map[string]float64{}
			}
			for _, r := range byAccount[a.ID] {
				if r.Followers != nil {
					followers[t][r.Date] += float64(*r.Followers)
				}
				if r.Reads != nil {
					reads[t][r.Date] += float64(*r.Reads)
				}
			}
		}
		var total int64
		for _, r := range byAccount[a.ID] {
			if r.Reads != nil {
				total += *r.Reads
			}
		}
		idx := reports.WCIFromDaily(byAccount[a.ID])
		if a.Platform == configs.PlatformWeibo {
			var posts int64
			for _, r := range byAccount[a.ID] {
				if r.Posts != nil {
					posts += *r.Posts
				}
			}
			rp, cm, lk, err := s.store.PostTotals(r.Context(), a.ID, from.Format("2006-01-02"), to.Format("2006-01-02"))
			if err != nil {
				s.fail(w, err)
				return
			}
			idx = reports.BCI(float64(posts), float64(rp), float64(cm), float64(lk))
		}
		ranking = append(ranking, rank{a.ID, a.Name, a.Platform, float64(int64(idx*100)) / 100, total})
	}
	sort.SliceStable(ranking, func(i, j int) bool { return ranking[i].Index > ranking[j].Index })
	// WCI and BCI are different scales: rank each platform on its own.
	var wechatRank, weiboRank []rank
	for _, r := range ranking {
		if r.Platform == configs.PlatformWeibo {
			weiboRank = append(weiboRank, r)
		} else {
			wechatRank = append(wechatRank, r)
		}
	}
	s.render(w, http.StatusOK, "stats", page{Title: "统计", User: sess, Nav: "stats", Data: map[string]any{
		"From": from.Format("2006-01-02"), "To": to.Format("2006-01-02"),
		"FollowersChart": lineChart("各分组粉丝数", days, followers), "ReadsChart": lineChart("各分组阅读数", days, reads),
		"WeChatRanking": wechatRank, "WeiboRanking": weiboRank, "Rows": len(rows),
		"LastMonth": lastMonth(time.Now().In(s.cfg.Location)), "Approximations": reports.WCIApproximations}})
}

// export streams the visible accounts' daily rows as CSV or XLSX.
func (s *Server) export(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	q := r.URL.Query()
	from, to, format := q.Get("from"), q.Get("to"), q.Get("format")
	if _, err := time.Parse("2006-01-02", from); err != nil {
		s.render(w, http.StatusBadRequest, "error", page{Title: "导出", User: sess, Error: "起始日期应写成 2026-11-01"})
		return
	}
	if _, err := time.Parse("2006-01-02", to); err != nil {
		s.render(w, http.StatusBadRequest, "error", page{Title: "导出", User: sess, Error: "结束日期应写成 2026-11-30"})
		return
	}
	accounts, err := s.visibleAccounts(r, sess)
	if err != nil {
		s.fail(w, err)
		return
	}
	ids := make([]string, len(accounts))
	platforms := map[string]string{}
	for i, a := range accounts {
		ids[i] = a.ID
		platforms[a.ID] = a.Platform
	}
	each := func(fn func(storage.DailyStat) error) error {
		return s.store.EachDailyStat(r.Context(), from, to, ids, fn)
	}
	name := fmt.Sprintf("herald-stats-%s-%s.%s", from, to, format)
	var buf bytes.Buffer
	switch format {
	case "csv":
		_, err = reports.WriteCSV(&buf, each, platforms)
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	case "xlsx":
		_, err = reports.WriteXLSX(&buf, reports.ExportTitle(s.cfg, from, to), each, platforms)
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	default:
		s.render(w, http.StatusBadRequest, "error", page{Title: "导出", User: sess, Error: "格式只能是 csv 或 xlsx"})
		return
	}
	if err != nil {
		s.fail(w, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, _ = buf.WriteTo(w)
}

// lastMonth is the month before now's, as 2026-11.
func lastMonth(now time.Time) string {
	return time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, now.Location()).Format("2006-01")
}

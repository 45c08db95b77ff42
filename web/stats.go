// 统计: the statistics page and its export.

package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/herald-gov/herald/reports"
	"github.com/herald-gov/herald/storage"
)

// chartData is what static/stats.js draws with ECharts: one line per
// series over the days, with the axes' names. It travels in a data-
// attribute (the CSP allows no inline script).
type chartData struct {
	Title  string        `json:"title"`
	YName  string        `json:"y_name"`
	Days   []string      `json:"days"`
	Series []chartSeries `json:"series"`
}

type chartSeries struct {
	Name string   `json:"name"`
	Data []*int64 `json:"data"` // nil where the platform gave no figure
}

// statsTotals are the figures 统计 opens with.
type statsTotals struct {
	Followers, FollowersChange, Posts, Reads int64
	AtRisk, Accounts                         int
}

// statsWindow is the 30 days up to yesterday.
func (s *Server) statsWindow(days int) (from, to time.Time, list []string) {
	loc := s.cfg.Location
	now := s.now().In(loc)
	to = time.Date(now.Year(), now.Month(), now.Day()-1, 0, 0, 0, 0, loc)
	from = to.AddDate(0, 0, -(days - 1))
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		list = append(list, d.Format("2006-01-02"))
	}
	return from, to, list
}

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
	from, to, days := s.statsWindow(30)
	f, t := from.Format("2006-01-02"), to.Format("2006-01-02")
	rows, err := s.store.DailyStats(r.Context(), f, t, ids)
	if err != nil {
		s.fail(w, err)
		return
	}
	wechat, weibo, err := reports.RecentRankings(r.Context(), s.store, accounts, rows, f, t)
	if err != nil {
		s.fail(w, err)
		return
	}
	totals := statsTotals{Accounts: len(accounts)}
	for _, row := range append(append([]reports.IndexRow{}, wechat...), weibo...) {
		totals.Posts += row.Posts
		totals.Reads += row.Reads
		if row.Followers != nil {
			totals.Followers += *row.Followers
			if row.FirstFollowers != nil {
				totals.FollowersChange += *row.Followers - *row.FirstFollowers
			}
		}
	}
	dormant, err := reports.Dormant(r.Context(), s.cfg, s.store, s.now())
	if err != nil {
		s.fail(w, err)
		return
	}
	for _, d := range dormant {
		if slices.Contains(ids, d.Account) && (d.Level != reports.LevelOK || len(d.Breaches) > 0) {
			totals.AtRisk++
		}
	}
	followers, reads := s.groupCharts(accounts, rows, days)
	s.render(w, http.StatusOK, "stats", page{Title: "统计", User: sess, Nav: "stats", Data: map[string]any{
		"From": f, "To": t, "Totals": totals, "Accounts": accounts,
		"FollowersChart": jsonAttr(followers), "ReadsChart": jsonAttr(reads),
		"WeChatRanking": wechat, "WeiboRanking": weibo, "Rows": len(rows),
		"LastMonth": lastMonth(s.now().In(s.cfg.Location)), "Approximations": reports.WCIApproximations}})
}

// groupCharts sums followers and reads per group and day.
func (s *Server) groupCharts(accounts []storage.Account, rows []storage.DailyStat, days []string) (followers, reads chartData) {
	dayIndex := map[string]int{}
	for i, d := range days {
		dayIndex[d] = i
	}
	groupsOf := map[string][]string{}
	var order []string
	for _, a := range accounts {
		groupsOf[a.ID] = a.Groups
		for _, g := range a.Groups {
			if !slices.Contains(order, g) {
				order = append(order, g)
			}
		}
	}
	sum := func(pick func(storage.DailyStat) *int64) []chartSeries {
		out := make([]chartSeries, len(order))
		for i, g := range order {
			out[i] = chartSeries{Name: groupTitle(s.cfg, g), Data: make([]*int64, len(days))}
		}
		for _, row := range rows {
			v := pick(row)
			d, ok := dayIndex[row.Date]
			if v == nil || !ok {
				continue
			}
			for _, g := range groupsOf[row.Account] {
				i := slices.Index(order, g)
				if out[i].Data[d] == nil {
					out[i].Data[d] = new(int64)
				}
				*out[i].Data[d] += *v
			}
		}
		return out
	}
	followers = chartData{Title: "各分组粉丝数", YName: "粉丝数（人）", Days: days, Series: sum(func(r storage.DailyStat) *int64 { return r.Followers })}
	reads = chartData{Title: "各分组每日阅读数", YName: "阅读数（次）", Days: days, Series: sum(func(r storage.DailyStat) *int64 { return r.Reads })}
	return followers, reads
}

// jsonAttr is v as JSON for a data- attribute (html/template escapes it).
func jsonAttr(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// accountStats is one account's page: its trend over 90 days, its recent
// publications and the patrol's findings in them.
func (s *Server) accountStats(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	accounts, err := s.visibleAccounts(r, sess)
	if err != nil {
		s.fail(w, err)
		return
	}
	i := slices.IndexFunc(accounts, func(a storage.Account) bool { return a.ID == r.PathValue("account") })
	if i < 0 {
		s.render(w, http.StatusNotFound, "error", page{Title: "统计", User: sess, Nav: "stats", Error: "没有这个账号，或它不属于您的部门。"})
		return
	}
	a := accounts[i]
	from, to, days := s.statsWindow(90)
	f, t := from.Format("2006-01-02"), to.Format("2006-01-02")
	rows, err := s.store.DailyStats(r.Context(), f, t, []string{a.ID})
	if err != nil {
		s.fail(w, err)
		return
	}
	trend := chartData{Title: a.Name + " 近90天", YName: "人 / 次 / 条", Days: days}
	for _, k := range []struct {
		name string
		pick func(storage.DailyStat) *int64
	}{{"粉丝数", func(r storage.DailyStat) *int64 { return r.Followers }}, {"阅读数", func(r storage.DailyStat) *int64 { return r.Reads }},
		{"发布条数", func(r storage.DailyStat) *int64 { return r.Posts }}} {
		series := chartSeries{Name: k.name, Data: make([]*int64, len(days))}
		for _, row := range rows {
			if d := slices.Index(days, row.Date); d >= 0 {
				series.Data[d] = k.pick(row)
			}
		}
		trend.Series = append(trend.Series, series)
	}
	wechat, weibo, err := reports.RecentRankings(r.Context(), s.store, []storage.Account{a}, rows, to.AddDate(0, 0, -29).Format("2006-01-02"), t)
	if err != nil {
		s.fail(w, err)
		return
	}
	standing := append(wechat, weibo...)[0]
	since := s.now().AddDate(0, 0, -30)
	pubs, err := s.store.Publications(r.Context(), []string{a.ID}, since, s.now().Add(time.Hour))
	if err != nil {
		s.fail(w, err)
		return
	}
	sort.Slice(pubs, func(i, j int) bool { return pubs[i].PublishedAt.After(pubs[j].PublishedAt) })
	findings, err := s.store.Findings(r.Context(), since, time.Time{}, false)
	if err != nil {
		s.fail(w, err)
		return
	}
	findings = slices.DeleteFunc(findings, func(f storage.Finding) bool { return f.Account != a.ID })
	s.render(w, http.StatusOK, "stats_account", page{Title: a.Name + " 统计", User: sess, Nav: "stats", Data: map[string]any{
		"Account": a, "Trend": jsonAttr(trend), "Standing": standing, "Publications": pubs, "Findings": findings}})
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

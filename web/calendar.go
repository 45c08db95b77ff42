// 日程: the calendar page.

package web

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// calendarDay is one day of the 日程 page.
type calendarDay struct {
	Date  string
	Today bool
	// Blank pads the month's first week (the grid starts on Monday).
	Blank bool
	Items []calendarEntry
}

type calendarEntry struct {
	ID    int64
	Title string
	Kind  string
	State content.ItemState
	Time  string
}

func (s *Server) calendar(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	loc := s.cfg.Location
	group, account := r.URL.Query().Get("group"), r.URL.Query().Get("account")
	items, err := s.visibleItems(r, sess)
	if err != nil {
		s.fail(w, err)
		return
	}
	now := s.now().In(loc)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	if m, err := time.ParseInLocation("2006-01", r.URL.Query().Get("month"), loc); err == nil {
		month = m
	}
	start := month
	days := make([]calendarDay, month.AddDate(0, 1, -1).Day())
	for i := range days {
		d := start.AddDate(0, 0, i)
		days[i] = calendarDay{Date: d.Format("01-02 ") + weekday(d.Weekday()), Today: d.Year() == now.Year() && d.YearDay() == now.YearDay()}
	}
	pad := (int(month.Weekday()) + 6) % 7 // Monday first
	accounts, _ := s.visibleAccounts(r, sess)
	for _, it := range items {
		ds, err := s.store.Deliveries(r.Context(), it.ID)
		if err != nil {
			s.fail(w, err)
			return
		}
		if !matchesFilter(ds, accounts, group, account) {
			continue
		}
		when := it.PublishAt
		for _, d := range ds {
			if d.PublishedAt != nil && (when == nil || d.PublishedAt.Before(*when)) {
				when = d.PublishedAt
			}
		}
		if when == nil && it.PublishNow {
			when = &it.CreatedAt
		}
		if when == nil {
			continue
		}
		i := int(time.Date(when.In(loc).Year(), when.In(loc).Month(), when.In(loc).Day(), 0, 0, 0, 0, loc).Sub(start).Hours() / 24)
		if i < 0 || i >= len(days) {
			continue
		}
		days[i].Items = append(days[i].Items, calendarEntry{it.ID, it.Revision.Label(), it.Kind.Label(), it.State, when.In(loc).Format("15:04")})
	}
	groups := map[string]bool{}
	for _, a := range accounts {
		for _, g := range a.Groups {
			groups[g] = true
		}
	}
	var groupList []string
	for g := range groups {
		groupList = append(groupList, g)
	}
	sort.Strings(groupList)
	days = append(make([]calendarDay, pad), days...)
	for i := 0; i < pad; i++ {
		days[i].Blank = true
	}
	s.render(w, http.StatusOK, "calendar", page{Title: "日程", User: sess, Nav: "calendar",
		Data: map[string]any{"Days": days, "Groups": groupList, "Accounts": accounts, "Group": group, "Account": account,
			"Month": fmt.Sprintf("%d年%d月", month.Year(), month.Month()), "MonthValue": month.Format("2006-01"),
			"Prev": month.AddDate(0, -1, 0).Format("2006-01"), "Next": month.AddDate(0, 1, 0).Format("2006-01")}})
}

func matchesFilter(ds []content.Delivery, accounts []storage.Account, group, account string) bool {
	if group == "" && account == "" {
		return true
	}
	inGroup := map[string]bool{}
	for _, a := range accounts {
		if group != "" && slices.Contains(a.Groups, group) {
			inGroup[a.ID] = true
		}
	}
	for _, d := range ds {
		if d.Account == account || inGroup[d.Account] {
			return true
		}
	}
	return false
}

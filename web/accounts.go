// 账号: the accounts page.

package web

import (
	"net/http"
	"strconv"

	"github.com/herald-gov/herald/channels/weibo"
	"github.com/herald-gov/herald/reports"
	"github.com/herald-gov/herald/storage"
)

type accountRow struct {
	storage.Account
	LastPublished string
	DaysSince     string
	Level         string
	TokenDays     string
}

func (s *Server) accountsPage(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	accounts, err := s.visibleAccounts(r, sess)
	if err != nil {
		s.fail(w, err)
		return
	}
	dormant, err := reports.Dormant(r.Context(), s.cfg, s.store, s.now())
	if err != nil {
		s.fail(w, err)
		return
	}
	byID := map[string]reports.DormantRow{}
	for _, d := range dormant {
		byID[d.Account] = d
	}
	var rows []accountRow
	for _, a := range accounts {
		row := accountRow{Account: a, LastPublished: "从未发布", DaysSince: "-", Level: byID[a.ID].Level, TokenDays: "-"}
		if d := byID[a.ID]; d.LastPublished != nil {
			row.LastPublished = d.LastPublished.Format("2006-01-02 15:04")
			row.DaysSince = strconv.Itoa(*d.DaysSince)
		}
		if c, ok := s.cfg.Account(a.ID); ok {
			if days, ok := weibo.TokenDaysLeft(c, s.now(), s.cfg.Location); ok {
				row.TokenDays = strconv.Itoa(days)
			}
		}
		rows = append(rows, row)
	}
	p := page{Title: "账号", User: sess, Nav: "accounts", Data: rows}
	if s.Replica != nil && sess.Role == "admin" {
		p.Replica = s.Replica()
	}
	s.render(w, http.StatusOK, "accounts", p)
}

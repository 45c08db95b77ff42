package web

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/reports"
	"github.com/herald-gov/herald/storage"
)

// patrolData is the 巡检 page: what the patrol found in the accounts'
// published content, the update rules they miss, and the repost tasks.
type patrolData struct {
	Days     int
	Findings []patrolFinding
	Breaches []patrolBreach
	Tasks    []patrolTask
	// CanAddTask: the user may register a repost task (the office's writers),
	// choosing accounts from Targets.
	CanAddTask bool
	Targets    targetChoice
}

type patrolFinding struct {
	storage.Finding
	Name      string
	Published string
}

type patrolBreach struct {
	Account, Name string
	reports.RuleStatus
}

type patrolTask struct {
	storage.Task
	DueText  string
	Accounts []patrolTaskAccount
}

type patrolTaskAccount struct {
	storage.TaskAccount
	Name, When string
}

// patrolPage lists the findings of the last patrol.days days with links to
// the publications, the update-rule breaches and the repost tasks, for the
// accounts the user may see.
func (s *Server) patrolPage(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	data, err := s.patrolData(r.Context(), actorOf(sess), s.cfg.Patrol.Days)
	if err != nil {
		s.fail(w, err)
		return
	}
	if s.queue.SeesAll(actorOf(sess)) && slices.Contains(writers, sess.Role) {
		data.CanAddTask, data.Targets = true, s.targetChoice(r, sess, nil)
	}
	s.render(w, http.StatusOK, "patrol", page{Title: "巡检", User: sess, Nav: "patrol", Data: data})
}

// patrolData is what the patrol found in the last days, the update-rule
// breaches and the repost tasks, for the accounts the actor may see.
func (s *Server) patrolData(ctx context.Context, who queue.Actor, days int) (patrolData, error) {
	data := patrolData{Days: days}
	accounts, err := s.queue.Accounts(ctx, who)
	if err != nil {
		return data, err
	}
	names := map[string]string{}
	for _, a := range accounts {
		names[a.ID] = a.Name
	}
	now := s.now()
	fs, err := s.store.Findings(ctx, now.AddDate(0, 0, -days), time.Time{}, false)
	if err != nil {
		return data, err
	}
	for _, f := range fs {
		if name, ok := names[f.Account]; ok {
			data.Findings = append(data.Findings, patrolFinding{Finding: f, Name: name, Published: f.PublishedAt.In(s.cfg.Location).Format("2006-01-02 15:04")})
		}
	}
	dormant, err := reports.Dormant(ctx, s.cfg, s.store, now)
	if err != nil {
		return data, err
	}
	for _, d := range dormant {
		if name, ok := names[d.Account]; ok {
			for _, b := range d.Breaches {
				data.Breaches = append(data.Breaches, patrolBreach{Account: d.Account, Name: name, RuleStatus: b})
			}
		}
	}
	tasks, err := s.store.Tasks(ctx)
	if err != nil {
		return data, err
	}
	for _, t := range tasks {
		pt := patrolTask{Task: t, DueText: t.Due.In(s.cfg.Location).Format("2006-01-02 15:04")}
		for _, a := range t.Accounts {
			if name, ok := names[a.Account]; ok {
				pa := patrolTaskAccount{TaskAccount: a, Name: name}
				if a.PublishedAt != nil {
					pa.When = a.PublishedAt.In(s.cfg.Location).Format("2006-01-02 15:04")
				}
				pt.Accounts = append(pt.Accounts, pa)
			}
		}
		if len(pt.Accounts) > 0 {
			data.Tasks = append(data.Tasks, pt)
		}
	}
	return data, nil
}

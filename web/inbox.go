package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/herald-gov/herald/inbox"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// The 互动 page and /api/v1/inbox: the public's messages, comments and
// mentions on the accounts the user's department owns (the news office:
// all), overdue first; reply and close in place.

func (s *Server) inboxRoutes() {
	s.mux.HandleFunc("GET /api/v1/inbox", s.auth(anyRole, s.apiInbox))
	s.mux.HandleFunc("POST /api/v1/inbox/{id}/reply", s.auth(writers, s.apiInboxAction("reply")))
	s.mux.HandleFunc("POST /api/v1/inbox/{id}/close", s.auth(writers, s.apiInboxAction("close")))
	s.mux.HandleFunc("GET /console/inbox", s.session(anyRole, s.inboxPage))
	s.mux.HandleFunc("POST /console/inbox/{id}/reply", s.session(writers, s.inboxConsoleAction("reply")))
	s.mux.HandleFunc("POST /console/inbox/{id}/close", s.session(writers, s.inboxConsoleAction("close")))
}

func entryIDOf(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

func inboxFilter(r *http.Request) inbox.Filter {
	q := r.URL.Query()
	f := inbox.Filter{State: q.Get("state"), Overdue: q.Get("overdue") == "1" || q.Get("overdue") == "true", Limit: 500}
	if a := q.Get("account"); a != "" {
		f.Accounts = strings.Split(a, ",")
	}
	return f
}

// GET /api/v1/inbox?state=open|answered|closed|all&overdue=1&account=IDS:
// {"entries": [...]} in the shape of `herald inbox list --json`.
func (s *Server) apiInbox(w http.ResponseWriter, r *http.Request, who storage.APIToken) {
	if s.Inbox == nil {
		apiError(w, http.StatusServiceUnavailable, "unavailable", "互动功能只在 herald serve 中提供")
		return
	}
	es, err := s.Inbox.List(r.Context(), actor(who), inboxFilter(r))
	if err != nil {
		s.fail(w, err)
		return
	}
	out := make([]inbox.EntryJSON, 0, len(es))
	for _, e := range es {
		out = append(out, s.Inbox.JSON(e))
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": out})
}

// POST /api/v1/inbox/{id}/reply {"text"} and /close {"reason"}.
func (s *Server) apiInboxAction(action string) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, who storage.APIToken) {
		if s.Inbox == nil {
			apiError(w, http.StatusServiceUnavailable, "unavailable", "互动功能只在 herald serve 中提供")
			return
		}
		id, ok := entryIDOf(r)
		if !ok {
			apiError(w, http.StatusBadRequest, "bad_request", "互动编号无效")
			return
		}
		var body struct {
			Text   string `json:"text"`
			Reason string `json:"reason"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&body); err != nil {
			apiError(w, http.StatusBadRequest, "bad_request", jsonProblem(err))
			return
		}
		var err error
		if action == "reply" {
			_, err = s.Inbox.Reply(r.Context(), actor(who), id, body.Text)
		} else {
			err = s.Inbox.Close(r.Context(), actor(who), id, body.Reason)
		}
		if err != nil {
			s.fail(w, err)
			return
		}
		e, err := s.store.InboxEntryByID(r.Context(), id)
		if err != nil {
			s.fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, s.Inbox.JSON(e))
	}
}

// inboxRow is one entry on the 互动 page.
type inboxRow struct {
	inbox.EntryJSON
	KindText, Received, Due, StateText, ReplyAt string
	Uncertain                                   bool
}

type inboxData struct {
	State   string
	Rows    []inboxRow
	Overdue int
	CanAct  bool
}

func (s *Server) inboxPage(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	s.renderInteraction(w, r, sess, http.StatusOK, "", "")
}

func (s *Server) renderInteraction(w http.ResponseWriter, r *http.Request, sess *storage.Session, status int, flash, errMsg string) {
	if s.Inbox == nil {
		s.render(w, http.StatusServiceUnavailable, "error", page{Title: "互动", User: sess, Error: "互动功能只在 herald serve 中提供"})
		return
	}
	f := inboxFilter(r)
	if f.State == "" {
		f.State = "open"
	}
	es, err := s.Inbox.List(r.Context(), actorOf(sess), f)
	if err != nil {
		if queue.IsRefusal(err) {
			s.render(w, http.StatusBadRequest, "error", page{Title: "互动", User: sess, Error: refusalText(err)})
			return
		}
		s.fail(w, err)
		return
	}
	loc := s.cfg.Location
	data := inboxData{State: f.State, CanAct: sess.Role == "admin" || sess.Role == "editor"}
	var overdue, rest []inboxRow
	for _, e := range es {
		j := s.Inbox.JSON(e)
		row := inboxRow{EntryJSON: j, KindText: inbox.KindLabel(j.Kind), Received: j.ReceivedAt.In(loc).Format("01-02 15:04"),
			Due:       j.DueAt.In(loc).Format("01-02 15:04"),
			StateText: map[string]string{"open": "待回复", "answered": "已回复", "closed": "已关闭"}[j.State]}
		if j.Reply != nil {
			row.ReplyAt = j.Reply.At.In(loc).Format("01-02 15:04")
			row.Uncertain = j.Reply.State == storage.ReplySending && j.State == "open"
		}
		if j.Overdue {
			row.StateText = "超期未复"
			overdue = append(overdue, row)
			continue
		}
		rest = append(rest, row)
	}
	data.Overdue = len(overdue)
	data.Rows = append(overdue, rest...)
	s.render(w, status, "inbox", page{Title: "互动", User: sess, Nav: "inbox", Flash: flash, Error: errMsg, Data: data})
}

// inboxConsoleAction answers the page's reply and close forms in place.
func (s *Server) inboxConsoleAction(action string) consoleHandler {
	return func(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
		if s.Inbox == nil {
			s.render(w, http.StatusServiceUnavailable, "error", page{Title: "互动", User: sess, Error: "互动功能只在 herald serve 中提供"})
			return
		}
		id, ok := entryIDOf(r)
		if !ok {
			http.NotFound(w, r)
			return
		}
		var err error
		flash := ""
		if action == "reply" {
			_, err = s.Inbox.Reply(r.Context(), actorOf(sess), id, r.PostFormValue("text"))
			flash = "互动 " + strconv.FormatInt(id, 10) + " 已回复。"
		} else {
			err = s.Inbox.Close(r.Context(), actorOf(sess), id, r.PostFormValue("reason"))
			flash = "互动 " + strconv.FormatInt(id, 10) + " 已关闭。"
		}
		if err != nil && !queue.IsRefusal(err) {
			s.fail(w, err)
			return
		}
		if err != nil {
			s.renderInteraction(w, r, sess, refusalStatus(mustRefusal(err)), "", "互动 "+strconv.FormatInt(id, 10)+"："+refusalText(err))
			return
		}
		s.renderInteraction(w, r, sess, http.StatusOK, flash, "")
	}
}

func mustRefusal(err error) *queue.Refusal {
	rf, _ := queue.AsRefusal(err)
	return rf
}

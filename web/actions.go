// The CLI's other actions in the API and the console: phone preview, the
// monthly/quarterly/yearly workbook, patrol findings and repost tasks, and
// policy link and unlink.

package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/reports"
	"github.com/herald-gov/herald/storage"
)

func (s *Server) actionRoutes() {
	s.mux.HandleFunc("POST /api/v1/items/{id}/preview", s.auth(reviewersAndWriters, s.apiPreview))
	s.mux.HandleFunc("GET /api/v1/reports/monthly", s.auth(anyRole, s.apiWorkbook))
	s.mux.HandleFunc("GET /console/reports/monthly", s.session(anyRole, s.consoleWorkbook))
	s.mux.HandleFunc("GET /api/v1/patrol", s.auth(anyRole, s.apiPatrol))
	s.mux.HandleFunc("GET /api/v1/tasks", s.auth(anyRole, s.apiTasks))
	s.mux.HandleFunc("POST /api/v1/tasks", s.auth(writers, s.apiAddTask))
	s.mux.HandleFunc("POST /console/tasks", s.session(writers, s.consoleAddTask))
	s.mux.HandleFunc("POST /api/v1/policies/{id}/link", s.auth(writers, s.apiPolicyLink(true)))
	s.mux.HandleFunc("POST /api/v1/policies/{id}/unlink", s.auth(writers, s.apiPolicyLink(false)))
	s.mux.HandleFunc("POST /console/policies/{id}/unlink", s.session(writers, s.unlinkPolicy))
}

// reviewersAndWriters may send a phone preview.
var reviewersAndWriters = []string{"admin", "editor", "reviewer"}

// apiPreview is POST /api/v1/items/{id}/preview {"wxname": "...",
// "account": "id"}: the current revision to one WeChat ID (mass/preview).
func (s *Server) apiPreview(w http.ResponseWriter, r *http.Request, who storage.APIToken) {
	id, ok := itemID(r)
	if !ok {
		apiError(w, http.StatusBadRequest, "bad_request", "稿件编号无效")
		return
	}
	var req struct {
		WxName  string `json:"wxname"`
		Account string `json:"account"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		apiError(w, http.StatusBadRequest, "bad_request", jsonProblem(err))
		return
	}
	it, err := s.queue.Item(r.Context(), actor(who), id)
	if err != nil {
		s.fail(w, err)
		return
	}
	if s.Preview == nil {
		apiError(w, http.StatusServiceUnavailable, "unavailable", "此服务未连接微信，无法发送预览")
		return
	}
	msg, err := s.Preview(r.Context(), actor(who), it, req.Account, req.WxName)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "message": msg})
}

// workbookPeriod reads month=2026-11, quarter=2026-Q4 or year=2026.
func (s *Server) workbookPeriod(q url.Values) (reports.Period, error) {
	month, quarter, year := q.Get("month"), q.Get("quarter"), q.Get("year")
	switch {
	case month != "" && quarter == "" && year == "":
		return reports.ParseMonth(month, s.cfg.Location)
	case quarter != "" && month == "" && year == "":
		return reports.ParseQuarter(quarter, s.cfg.Location)
	case year != "" && month == "" && quarter == "":
		return reports.ParseYear(year, s.cfg.Location)
	}
	return reports.Period{}, errors.New("请给出月份（如 2026-11）、季度（如 2026-Q4）或年份（如 2026）之一")
}

// writeWorkbook builds the period's workbook (every account: the news
// office's report) and sends it as a download.
func (s *Server) writeWorkbook(ctx context.Context, w http.ResponseWriter, p reports.Period) error {
	m, err := reports.BuildMonthly(ctx, s.cfg, s.store, p, s.now())
	if err != nil {
		return err
	}
	name := reports.ReportTitle(s.cfg, p) + ".xlsx"
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"report.xlsx\"; filename*=UTF-8''"+url.PathEscape(name))
	return m.WriteWorkbook(w, s.cfg)
}

// apiWorkbook is GET /api/v1/reports/monthly?month=2026-11 (or quarter=,
// year=): the workbook herald report monthly writes. It covers every
// account, so it is the news office's: a department's token is refused.
func (s *Server) apiWorkbook(w http.ResponseWriter, r *http.Request, who storage.APIToken) {
	if !s.queue.SeesAll(actor(who)) {
		apiError(w, http.StatusForbidden, "denied", "月报涵盖全部账号，由新闻办下载")
		return
	}
	p, err := s.workbookPeriod(r.URL.Query())
	if err != nil {
		apiError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	if err := s.writeWorkbook(r.Context(), w, p); err != nil {
		s.log.Error("api workbook", "err", err)
	}
}

// consoleWorkbook is the 统计 page's 下载月报 form.
func (s *Server) consoleWorkbook(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	if !s.queue.SeesAll(actorOf(sess)) {
		s.render(w, http.StatusForbidden, "error", page{Title: "月报", User: sess, Nav: "stats", Error: "月报涵盖全部账号，由新闻办下载。"})
		return
	}
	q := r.URL.Query()
	for _, k := range []string{"month", "quarter", "year"} { // the form sends all three
		if q.Get(k) == "" {
			q.Del(k)
		}
	}
	if q.Get("quarter") != "" || q.Get("year") != "" { // typed over the month's default
		q.Del("month")
	}
	p, err := s.workbookPeriod(q)
	if err != nil {
		s.render(w, http.StatusUnprocessableEntity, "error", page{Title: "月报", User: sess, Nav: "stats", Error: err.Error()})
		return
	}
	if err := s.writeWorkbook(r.Context(), w, p); err != nil {
		s.log.Error("console workbook", "err", err)
	}
}

// patrolJSON is GET /api/v1/patrol: what the 巡检 page shows.
type patrolJSON struct {
	Days     int                 `json:"days"`
	Findings []patrolFindingJSON `json:"findings"`
	Breaches []patrolBreachJSON  `json:"breaches"`
}

type patrolFindingJSON struct {
	Account     string    `json:"account"`
	Name        string    `json:"name"`
	Title       string    `json:"title"`
	URL         string    `json:"url"`
	PublishedAt time.Time `json:"published_at"`
	Term        string    `json:"term"`
	Suggestion  string    `json:"suggestion"`
	Level       string    `json:"level"`
	Context     string    `json:"context"`
}

type patrolBreachJSON struct {
	Account string `json:"account"`
	Name    string `json:"name"`
	reports.RuleStatus
}

// apiPatrol is GET /api/v1/patrol[?days=N]: the findings of the last days
// (patrol.days by default) and the update-rule breaches, for the accounts
// the token may see.
func (s *Server) apiPatrol(w http.ResponseWriter, r *http.Request, who storage.APIToken) {
	days := s.cfg.Patrol.Days
	if v := r.URL.Query().Get("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 3660 {
			apiError(w, http.StatusBadRequest, "bad_request", "days 应为 1 到 3660 之间的天数")
			return
		}
		days = n
	}
	data, err := s.patrolData(r.Context(), actor(who), days)
	if err != nil {
		s.fail(w, err)
		return
	}
	out := patrolJSON{Days: days, Findings: []patrolFindingJSON{}, Breaches: []patrolBreachJSON{}}
	for _, f := range data.Findings {
		out.Findings = append(out.Findings, patrolFindingJSON{f.Account, f.Name, f.Title, f.URL, f.PublishedAt, f.Term, f.Suggestion, f.Level, f.Context})
	}
	for _, b := range data.Breaches {
		out.Breaches = append(out.Breaches, patrolBreachJSON{b.Account, b.Name, b.RuleStatus})
	}
	writeJSON(w, http.StatusOK, out)
}

// apiTasks is GET /api/v1/tasks: the repost tasks with each visible
// account's progress (done, late, missing, pending).
func (s *Server) apiTasks(w http.ResponseWriter, r *http.Request, who storage.APIToken) {
	data, err := s.patrolData(r.Context(), actor(who), s.cfg.Patrol.Days)
	if err != nil {
		s.fail(w, err)
		return
	}
	out := []map[string]any{}
	for _, t := range data.Tasks {
		accts := []map[string]any{}
		for _, a := range t.Accounts {
			accts = append(accts, map[string]any{"account": a.Account, "name": a.Name, "state": a.State, "url": a.URL, "published_at": a.PublishedAt})
		}
		out = append(out, map[string]any{"id": t.ID, "title": t.Title, "url": t.URL, "due": t.Due, "accounts": accts})
	}
	writeJSON(w, http.StatusOK, out)
}

// apiPolicyLink is POST /api/v1/policies/{id}/link and /unlink {"item": N}.
func (s *Server) apiPolicyLink(link bool) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, who storage.APIToken) {
		pid, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || pid <= 0 {
			apiError(w, http.StatusBadRequest, "bad_request", "政策编号无效")
			return
		}
		var req struct {
			Item int64 `json:"item"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Item <= 0 {
			apiError(w, http.StatusBadRequest, "bad_request", "请求应为 {\"item\": 稿件编号}")
			return
		}
		it, err := s.queue.Item(r.Context(), actor(who), req.Item)
		if err != nil {
			s.fail(w, err)
			return
		}
		if link && it.Kind != content.KindArticle && it.Kind != content.KindGraphic {
			apiError(w, http.StatusUnprocessableEntity, "input", "只有图文（作为解读）或政策图解可以关联政策")
			return
		}
		if link {
			err = s.store.LinkPolicy(r.Context(), pid, req.Item, who.Name)
		} else {
			err = s.store.UnlinkPolicy(r.Context(), pid, req.Item, who.Name)
		}
		if err != nil {
			s.fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"policy": pid, "item": req.Item, "linked": link})
	}
}

// unlinkPolicy is the 政策 page's 取消关联 button.
func (s *Server) unlinkPolicy(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	pid, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	itemID, err2 := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("item")), 10, 64)
	if err != nil || err2 != nil {
		http.NotFound(w, r)
		return
	}
	if _, err := s.queue.Item(r.Context(), actorOf(sess), itemID); err != nil {
		if queue.IsRefusal(err) || errors.Is(err, storage.ErrNotFound) {
			s.renderPolicies(w, r, sess, http.StatusUnprocessableEntity, "", fmt.Sprintf("稿件 %d 不存在或不属于您的部门。", itemID))
			return
		}
		s.fail(w, err)
		return
	}
	if err := s.store.UnlinkPolicy(r.Context(), pid, itemID, sess.Name); errors.Is(err, storage.ErrNotFound) {
		s.renderPolicies(w, r, sess, http.StatusNotFound, "", fmt.Sprintf("稿件 %d 没有关联政策 %d。", itemID, pid))
		return
	} else if err != nil {
		s.fail(w, err)
		return
	}
	s.renderPolicies(w, r, sess, http.StatusOK, fmt.Sprintf("已取消稿件 %d 与政策 %d 的关联。", itemID, pid), "")
}

// addTask records a repost task (herald task add): the office's, for every
// account the targets name. due is "2026-11-23 18:00" or RFC 3339.
func (s *Server) addTask(ctx context.Context, who queue.Actor, title, link, due, targets string) (int64, error) {
	if !s.queue.SeesAll(who) {
		return 0, &queue.Refusal{Code: queue.RefusedDenied, Msg: "转载任务由新闻办登记"}
	}
	title = strings.TrimSpace(title)
	if title == "" {
		return 0, &queue.Refusal{Code: queue.RefusedInput, Field: "title", Msg: "转载任务需要标题"}
	}
	d, now, err := content.ParseWhen(strings.Replace(strings.TrimSpace(due), "T", " ", 1), s.cfg.Location)
	if err != nil || now {
		return 0, &queue.Refusal{Code: queue.RefusedInput, Field: "due", Msg: "截止时间无法识别：请写 2026-11-23 18:00"}
	}
	if !d.After(time.Now()) {
		return 0, &queue.Refusal{Code: queue.RefusedInput, Field: "due", Msg: "截止时间已经过去：请写将来的时间"}
	}
	ids, err := s.cfg.TargetAccounts(targets, "")
	if err != nil {
		return 0, &queue.Refusal{Code: queue.RefusedInput, Field: "targets", Msg: err.Error()}
	}
	return s.store.AddTask(ctx, storage.Task{Title: title, URL: strings.TrimSpace(link), Due: d, Targets: targets}, ids)
}

// apiAddTask is POST /api/v1/tasks {title, url, due, targets}.
func (s *Server) apiAddTask(w http.ResponseWriter, r *http.Request, who storage.APIToken) {
	var req struct {
		Title   string `json:"title"`
		URL     string `json:"url"`
		Due     string `json:"due"`
		Targets string `json:"targets"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		apiError(w, http.StatusBadRequest, "bad_request", jsonProblem(err))
		return
	}
	id, err := s.addTask(r.Context(), actor(who), req.Title, req.URL, req.Due, req.Targets)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": id})
}

// consoleAddTask is the 巡检 page's 登记转载任务 form.
func (s *Server) consoleAddTask(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	targets, _ := s.formTargets(r, sess)
	_, err := s.addTask(r.Context(), actorOf(sess), r.FormValue("title"), r.FormValue("url"), r.FormValue("due"), targets)
	if err != nil && !queue.IsRefusal(err) {
		s.fail(w, err)
		return
	}
	data, derr := s.patrolData(r.Context(), actorOf(sess), s.cfg.Patrol.Days)
	if derr != nil {
		s.fail(w, derr)
		return
	}
	data.Targets, data.CanAddTask = s.targetChoice(r, sess, nil), true
	if err != nil {
		s.render(w, http.StatusUnprocessableEntity, "patrol", page{Title: "巡检", User: sess, Nav: "patrol", Data: data, Error: "未登记：" + refusalText(err)})
		return
	}
	s.render(w, http.StatusOK, "patrol", page{Title: "巡检", User: sess, Nav: "patrol", Data: data, Flash: "已登记转载任务。"})
}

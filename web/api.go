package web

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/reports"
	"github.com/herald-gov/herald/storage"
)

// maxRequest bounds an API request body (images come base64-encoded).
const maxRequest = 40 << 20

// Rights by role.
var (
	anyRole   = []string{"admin", "editor", "reviewer", "viewer"}
	writers   = []string{"admin", "editor"}
	reviewers = []string{"admin", "reviewer"}
)

func (s *Server) routes() {
	s.mux.HandleFunc("GET /api/v1/items", s.auth(anyRole, s.listItems))
	s.mux.HandleFunc("POST /api/v1/items", s.auth(writers, s.createItem))
	s.mux.HandleFunc("GET /api/v1/items/{id}", s.auth(anyRole, s.getItem))
	s.mux.HandleFunc("POST /api/v1/items/{id}/submit", s.auth(writers, s.itemAction("submit")))
	s.mux.HandleFunc("POST /api/v1/items/{id}/cancel", s.auth(writers, s.itemAction("cancel")))
	s.mux.HandleFunc("POST /api/v1/items/{id}/retract", s.auth(writers, s.itemAction("retract")))
	s.mux.HandleFunc("POST /api/v1/items/{id}/approve", s.auth(reviewers, s.itemAction("approve")))
	s.mux.HandleFunc("POST /api/v1/items/{id}/reject", s.auth(reviewers, s.itemAction("reject")))
	s.mux.HandleFunc("GET /api/v1/accounts", s.auth(anyRole, s.listAccounts))
	s.mux.HandleFunc("POST /api/v1/items/{id}/edit", s.auth(writers, s.editItem))
	s.mux.HandleFunc("GET /api/v1/audit", s.auth(anyRole, s.auditLog))
	s.mux.HandleFunc("GET /api/v1/stats", s.auth(anyRole, s.dailyStats))
	s.mux.HandleFunc("GET /api/v1/reports/dormant", s.auth(anyRole, s.dormant))
}

// editRequest is POST /api/v1/items/{id}/edit: fields given replace the
// current revision's (a new revision, voiding earlier approvals).
type editRequest struct {
	Title     *string  `json:"title"`
	Body      *string  `json:"body"`
	SourceURL *string  `json:"source_url"`
	At        *string  `json:"at"`
	Images    []string `json:"images"`
	// Docx is a Word document (.docx), base64: the new body, and the title
	// and cover unless given.
	Docx string `json:"docx"`
}

func (s *Server) editItem(w http.ResponseWriter, r *http.Request, who storage.APIToken) {
	id, ok := itemID(r)
	if !ok {
		apiError(w, http.StatusBadRequest, "bad_request", "稿件编号无效")
		return
	}
	var req editRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		apiError(w, http.StatusBadRequest, "bad_request", jsonProblem(err))
		return
	}
	c := queue.Changes{Title: req.Title, Body: req.Body, SourceURL: req.SourceURL, When: req.At}
	if req.Docx != "" {
		b, err := base64.StdEncoding.DecodeString(req.Docx)
		if err != nil {
			apiError(w, http.StatusBadRequest, "bad_request", "docx 不是有效的 base64")
			return
		}
		c.Docx = b
	}
	for i, b64 := range req.Images {
		b, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			apiError(w, http.StatusBadRequest, "bad_request", "第"+strconv.Itoa(i+1)+"张图片不是有效的 base64")
			return
		}
		c.Images = append(c.Images, b)
	}
	warnings := []string{}
	c.DocxWarning = func(line string) { warnings = append(warnings, line) }
	if err := s.queue.Edit(r.Context(), actor(who), id, c); err != nil {
		s.fail(w, err)
		return
	}
	it, err := s.store.Item(r.Context(), id)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "state": it.State, "revision": it.Revision.Number, "warnings": warnings})
}

// auditLog is GET /api/v1/audit?item=ID (an item's story; the whole log for
// the news office only).
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request, who storage.APIToken) {
	var id int64
	if v := r.URL.Query().Get("item"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			apiError(w, http.StatusBadRequest, "bad_request", "稿件编号无效")
			return
		}
		if _, err := s.queue.Item(r.Context(), actor(who), n); err != nil {
			s.fail(w, err)
			return
		}
		id = n
	} else if !s.queue.SeesAll(actor(who)) {
		apiError(w, http.StatusForbidden, "forbidden", "部门只能查看本部门稿件的记录：请加 ?item=ID")
		return
	}
	entries, err := s.store.AuditLog(r.Context(), id, 0)
	if err != nil {
		s.fail(w, err)
		return
	}
	if entries == nil {
		entries = []storage.AuditEntry{}
	}
	writeJSON(w, http.StatusOK, entries)
}

// visibleIDs are the account ids a token's department may see, and their platforms.
func (s *Server) visibleIDs(r *http.Request, who storage.APIToken) ([]string, map[string]string, error) {
	accts, err := s.queue.Accounts(r.Context(), actor(who))
	if err != nil {
		return nil, nil, err
	}
	ids := make([]string, len(accts))
	platforms := map[string]string{}
	for i, a := range accts {
		ids[i] = a.ID
		platforms[a.ID] = a.Platform
	}
	return ids, platforms, nil
}

// dailyStats is GET /api/v1/stats?from=D&to=D[&format=csv|xlsx]: the daily
// rows of the accounts the token may see, as JSON or as the export files.
func (s *Server) dailyStats(w http.ResponseWriter, r *http.Request, who storage.APIToken) {
	q := r.URL.Query()
	from, to := q.Get("from"), q.Get("to")
	for _, d := range []string{from, to} {
		if _, err := time.Parse("2006-01-02", d); err != nil {
			apiError(w, http.StatusBadRequest, "bad_request", "from 和 to 应写成 2026-11-01")
			return
		}
	}
	ids, platforms, err := s.visibleIDs(r, who)
	if err != nil {
		s.fail(w, err)
		return
	}
	each := func(fn func(storage.DailyStat) error) error {
		return s.store.EachDailyStat(r.Context(), from, to, ids, fn)
	}
	switch q.Get("format") {
	case "", "json":
		rows := []storage.DailyStat{}
		if err := each(func(d storage.DailyStat) error { rows = append(rows, d); return nil }); err != nil {
			s.fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, rows)
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		if _, err := reports.WriteCSV(w, each, platforms); err != nil {
			s.log.Error("api export", "err", err)
		}
	case "xlsx":
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		if _, err := reports.WriteXLSX(w, reports.ExportTitle(s.cfg, from, to), each, platforms); err != nil {
			s.log.Error("api export", "err", err)
		}
	default:
		apiError(w, http.StatusBadRequest, "bad_request", "format 只能是 json、csv 或 xlsx")
	}
}

func (s *Server) dormant(w http.ResponseWriter, r *http.Request, who storage.APIToken) {
	rows, err := reports.Dormant(r.Context(), s.cfg, s.store, s.now())
	if err != nil {
		s.fail(w, err)
		return
	}
	out := []reports.DormantRow{}
	ids, _, err := s.visibleIDs(r, who)
	if err != nil {
		s.fail(w, err)
		return
	}
	for _, d := range rows {
		if slices.Contains(ids, d.Account) {
			out = append(out, d)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

type apiHandler func(w http.ResponseWriter, r *http.Request, who storage.APIToken)

// auth checks the bearer token (401) and the role's right (403) before the
// request body is read.
func (s *Server) auth(roles []string, h apiHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" {
			apiError(w, http.StatusUnauthorized, "unauthorized", "需要 API 令牌：Authorization: Bearer TOKEN（herald token create 生成）")
			return
		}
		addr := map[string]int{"addr:" + s.clientAddr(r): addrLimit}
		until, err := s.lockedUntil(r.Context(), addr)
		if err != nil {
			s.fail(w, err)
			return
		}
		if !until.IsZero() {
			apiError(w, http.StatusTooManyRequests, "locked", s.retryAfter(w, until))
			return
		}
		who, err := s.store.TokenFor(r.Context(), token)
		if err != nil {
			s.failSignIn(r.Context(), "", "API 令牌无效，地址 "+s.clientAddr(r), addr)
			apiError(w, http.StatusUnauthorized, "unauthorized", "API 令牌无效、已过期或已吊销")
			return
		}
		if !slices.Contains(roles, who.Role) {
			apiError(w, http.StatusForbidden, "forbidden", "角色 "+who.Role+" 无权进行此操作")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxRequest)
		h(w, r, who)
	}
}

func actor(who storage.APIToken) queue.Actor {
	return queue.Actor{Name: who.Name, Department: who.Department}
}

func apiError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// fail maps an error from the queue or the store to an API answer.
func (s *Server) fail(w http.ResponseWriter, err error) {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		apiError(w, http.StatusRequestEntityTooLarge, "too_large", "请求过大")
	case queue.IsRefusal(err):
		rf, _ := queue.AsRefusal(err)
		e := map[string]string{"code": string(rf.Code), "message": err.Error()}
		if rf.Field != "" {
			e["field"] = rf.Field
		}
		writeJSON(w, refusalStatus(rf), map[string]any{"error": e})
	case errors.Is(err, storage.ErrNotFound):
		apiError(w, http.StatusNotFound, "not_found", "不存在")
	default:
		s.log.Error("api", "err", err)
		apiError(w, http.StatusInternalServerError, "internal", "服务器内部错误")
	}
}

func (s *Server) listItems(w http.ResponseWriter, r *http.Request, who storage.APIToken) {
	f := storage.ItemFilter{Limit: 200}
	if st := r.URL.Query().Get("state"); st != "" {
		f.States = []content.ItemState{content.ItemState(st)}
	}
	items, err := s.queue.Items(r.Context(), actor(who), f)
	if err != nil {
		s.fail(w, err)
		return
	}
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		out = append(out, map[string]any{"id": it.ID, "kind": it.Kind, "state": it.State, "title": it.Revision.Label(),
			"targets": it.Targets, "department": it.Department, "publish_at": it.PublishAt, "publish_now": it.PublishNow})
	}
	writeJSON(w, http.StatusOK, out)
}

// createRequest is POST /api/v1/items; images are base64.
type createRequest struct {
	Kind       string             `json:"kind"`
	Title      string             `json:"title"`
	Body       string             `json:"body"`
	Digest     string             `json:"digest"`
	SourceURL  string             `json:"source_url"`
	Targets    string             `json:"targets"`
	At         string             `json:"at"`
	Cron       string             `json:"cron"`
	Priority   string             `json:"priority"`
	Notify     bool               `json:"notify"`
	Draft      bool               `json:"draft"`
	Images     []string           `json:"images"`
	BodyImages map[string]string  `json:"body_images"`
	Broadcast  *content.Broadcast `json:"broadcast"`
	// Docx is a Word document (.docx), base64: an article's body, and its
	// title and cover unless given.
	Docx     string `json:"docx"`
	PolicyID int64  `json:"policy_id"` // link as the policy's 解读 or 图解
}

func (s *Server) createItem(w http.ResponseWriter, r *http.Request, who storage.APIToken) {
	var req createRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.fail(w, err)
			return
		}
		apiError(w, http.StatusBadRequest, "bad_request", jsonProblem(err))
		return
	}
	d := queue.Draft{Kind: content.Kind(req.Kind), Title: req.Title, Body: req.Body, Digest: req.Digest, SourceURL: req.SourceURL,
		Targets: req.Targets, When: req.At, Cron: req.Cron, Priority: content.Priority(req.Priority), Notify: req.Notify,
		KeepDraft: req.Draft, Broadcast: req.Broadcast, BodyImages: map[string][]byte{}}
	d.PolicyID = req.PolicyID
	for i, b64 := range req.Images {
		b, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			apiError(w, http.StatusBadRequest, "bad_request", "第"+strconv.Itoa(i+1)+"张图片不是有效的 base64")
			return
		}
		d.Images = append(d.Images, b)
	}
	for ref, b64 := range req.BodyImages {
		b, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			apiError(w, http.StatusBadRequest, "bad_request", "正文图片 "+ref+" 不是有效的 base64")
			return
		}
		d.BodyImages[ref] = b
	}
	if req.Docx != "" {
		b, err := base64.StdEncoding.DecodeString(req.Docx)
		if err != nil {
			apiError(w, http.StatusBadRequest, "bad_request", "docx 不是有效的 base64")
			return
		}
		d.Docx = b
	}
	warnings := []string{}
	d.DocxWarning = func(line string) { warnings = append(warnings, line) }
	id, err := s.queue.Add(r.Context(), actor(who), d)
	if err != nil {
		s.fail(w, err)
		return
	}
	if s.Wake != nil {
		s.Wake()
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": id, "warnings": warnings})
}

func itemID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

func (s *Server) getItem(w http.ResponseWriter, r *http.Request, who storage.APIToken) {
	id, ok := itemID(r)
	if !ok {
		apiError(w, http.StatusBadRequest, "bad_request", "稿件编号无效")
		return
	}
	it, err := s.queue.Item(r.Context(), actor(who), id)
	if err != nil {
		s.fail(w, err)
		return
	}
	ds, err := s.store.Deliveries(r.Context(), id)
	if err == nil {
		err = s.store.MarkRetractions(r.Context(), id, ds)
	}
	if err != nil {
		s.fail(w, err)
		return
	}
	if ds == nil {
		ds = []content.Delivery{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"item": it, "deliveries": ds})
}

// itemAction handles submit, cancel, retract, approve and reject.
func (s *Server) itemAction(action string) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, who storage.APIToken) {
		id, ok := itemID(r)
		if !ok {
			apiError(w, http.StatusBadRequest, "bad_request", "稿件编号无效")
			return
		}
		var body struct {
			SecrecyOK bool   `json:"secrecy_ok"`
			Comment   string `json:"comment"`
			// Revision is the revision number the reviewer saw (approve
			// and reject require it).
			Revision int `json:"revision"`
		}
		if r.ContentLength != 0 {
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				apiError(w, http.StatusBadRequest, "bad_request", jsonProblem(err))
				return
			}
		}
		if (action == "approve" || action == "reject") && body.Revision <= 0 {
			apiError(w, http.StatusUnprocessableEntity, "input", "请写明签署的是第几版（revision：打开稿件时看到的版本号）")
			return
		}
		var err error
		var cancelled *queue.CancelReport
		var retracted *queue.RetractReport
		switch action {
		case "submit":
			err = s.queue.Submit(r.Context(), actor(who), id)
		case "cancel":
			var rep queue.CancelReport
			rep, err = s.queue.Cancel(r.Context(), actor(who), id)
			cancelled = &rep
		case "retract":
			if s.Retract == nil {
				apiError(w, http.StatusServiceUnavailable, "unavailable", "此服务不能撤回稿件")
				return
			}
			var rep queue.RetractReport
			rep, err = s.Retract(r.Context(), actor(who), id)
			retracted = &rep
		case "approve":
			err = s.queue.ApproveRevision(r.Context(), actor(who), id, body.Revision, body.SecrecyOK)
		case "reject":
			err = s.queue.RejectRevision(r.Context(), actor(who), id, body.Revision, body.Comment)
		}
		if err != nil {
			s.fail(w, err)
			return
		}
		if s.Wake != nil {
			s.Wake()
		}
		it, err := s.store.Item(r.Context(), id)
		if err != nil {
			s.fail(w, err)
			return
		}
		out := map[string]any{"id": id, "state": it.State}
		if cancelled != nil {
			out["cancel"] = cancelJSON(*cancelled)
		}
		if retracted != nil {
			out["retract"] = retractJSON(*retracted)
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// cancelJSON is a cancel's report in the API: the accounts it went out to,
// may have gone out to, and was stopped for, whether something is still on
// a platform (POST /api/v1/items/{id}/retract deletes it), and the clerk's
// message.
func cancelJSON(r queue.CancelReport) map[string]any {
	or := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	return map[string]any{"published": or(r.Published), "in_flight": or(r.InFlight), "cancelled": or(r.Cancelled),
		"failed": or(r.Failed), "on_platform": r.OnPlatform(), "message": r.Text()}
}

// retractJSON is a retract's report in the API, account by account, and
// the clerk's message.
func retractJSON(r queue.RetractReport) map[string]any {
	or := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	return map[string]any{"deleted": or(r.Deleted), "deleted_before": or(r.Before), "stopped": or(r.Stopped),
		"in_flight": or(r.InFlight), "not_out": or(r.NotOut), "unverified": or(r.Unverified), "failed": or(r.Failed),
		"message": r.Message()}
}

func (s *Server) listAccounts(w http.ResponseWriter, r *http.Request, who storage.APIToken) {
	out, err := s.queue.Accounts(r.Context(), actor(who))
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

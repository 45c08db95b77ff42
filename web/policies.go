package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/graphic"
	"github.com/herald-gov/herald/policies"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// policiesData is what the 政策 page shows.
type policiesData struct {
	Policies []policies.View
	Within   int
	Sources  int
	Counts   map[string]int
	CanEdit  bool
}

func (s *Server) policyRoutes() {
	s.mux.HandleFunc("GET /api/v1/policies", s.auth(anyRole, s.listPolicies))
	s.mux.HandleFunc("GET /console/policies", s.session(anyRole, s.policiesPage))
	s.mux.HandleFunc("GET /console/policies/{id}/draft", s.session(writers, s.policyDraft))
	s.mux.HandleFunc("POST /console/policies/{id}/link", s.session(writers, s.linkPolicy))
	s.mux.HandleFunc("GET /console/policies/{id}/graphic", s.session(writers, s.policyGraphicForm))
	s.mux.HandleFunc("POST /console/policies/{id}/graphic", s.session(writers, s.policyGraphic))
}

// listPolicies is GET /api/v1/policies: what herald policy list --json prints.
func (s *Server) listPolicies(w http.ResponseWriter, r *http.Request, who storage.APIToken) {
	views, err := policies.List(r.Context(), s.cfg, s.store, s.now())
	if err == nil {
		views, err = s.scopePolicies(r.Context(), actor(who), views)
	}
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, views)
}

func (s *Server) policiesPage(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	flash := ""
	if id, err := strconv.ParseInt(r.URL.Query().Get("linked"), 10, 64); err == nil {
		flash = fmt.Sprintf("已将稿件 %d 关联到政策。", id)
	}
	s.renderPolicies(w, r, sess, http.StatusOK, flash, "")
}

func (s *Server) renderPolicies(w http.ResponseWriter, r *http.Request, sess *storage.Session, status int, flash, msg string) {
	views, err := policies.List(r.Context(), s.cfg, s.store, s.now())
	if err == nil {
		views, err = s.scopePolicies(r.Context(), actorOf(sess), views)
	}
	if err != nil {
		s.fail(w, err)
		return
	}
	d := policiesData{Policies: views, Within: s.cfg.Policies.InterpretWithin, Sources: len(s.cfg.Policies.Sources),
		Counts: map[string]int{}, CanEdit: sess.Role == "admin" || sess.Role == "editor"}
	for _, v := range views {
		d.Counts[v.Status]++
	}
	s.render(w, status, "policies", page{Title: "政策", User: sess, Nav: "policies", Flash: flash, Error: msg, Data: d})
}

// policyDraft downloads the policy-graphic draft of a policy (the same file
// as herald policy draft) for the clerk to edit and render.
func (s *Server) policyDraft(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	p, err := s.store.Policy(r.Context(), id)
	if errors.Is(err, storage.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.fail(w, err)
		return
	}
	data, err := policies.MarshalDraft(policies.Draft(&p, s.cfg.Location), &p)
	if err != nil {
		s.fail(w, err)
		return
	}
	name := fmt.Sprintf("policy-%d.yaml", id)
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"; filename*=UTF-8''`+url.PathEscape(name))
	_, _ = w.Write(data)
}

// linkPolicy links an item the user may see to a policy: an article as
// its 解读, a graphic as its 图解.
func (s *Server) linkPolicy(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	pid, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	itemID, err := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("item")), 10, 64)
	if err != nil || itemID <= 0 {
		s.renderPolicies(w, r, sess, http.StatusUnprocessableEntity, "", "请填写要关联的稿件编号（数字）。")
		return
	}
	it, err := s.queue.Item(r.Context(), actorOf(sess), itemID)
	if err != nil {
		if queue.IsRefusal(err) || errors.Is(err, storage.ErrNotFound) {
			s.renderPolicies(w, r, sess, http.StatusUnprocessableEntity, "", fmt.Sprintf("稿件 %d 不存在或不属于您的部门。", itemID))
			return
		}
		s.fail(w, err)
		return
	}
	if it.Kind != content.KindArticle && it.Kind != content.KindGraphic {
		s.renderPolicies(w, r, sess, http.StatusUnprocessableEntity, "", "只有图文（作为解读）或政策图解可以关联政策。")
		return
	}
	if err := s.store.LinkPolicy(r.Context(), pid, itemID, sess.Name); errors.Is(err, storage.ErrNotFound) {
		s.renderPolicies(w, r, sess, http.StatusNotFound, "", fmt.Sprintf("政策 %d 不存在。", pid))
		return
	} else if err != nil {
		s.fail(w, err)
		return
	}
	http.Redirect(w, r, "/console/policies?linked="+strconv.FormatInt(itemID, 10), http.StatusSeeOther)
}

// policyGraphicData is the 政策图解 form made from a policy.
type policyGraphicData struct {
	Policy  storage.Policy
	YAML    string
	Targets []targetOption
	Target  string
	At      string
}

// policyGraphicForm offers the drafted policy-graphic description for the
// clerk to edit, then renders it and adds it as a graphic linked to the
// policy (the console's form of policy draft + post add --from-policy).
func (s *Server) policyGraphicForm(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	p, ok := s.policyOf(w, r, sess)
	if !ok {
		return
	}
	data, err := policies.MarshalDraft(policies.Draft(&p, s.cfg.Location), &p)
	if err != nil {
		s.fail(w, err)
		return
	}
	s.render(w, http.StatusOK, "policy_graphic", page{Title: "政策图解", User: sess, Nav: "policies",
		Data: policyGraphicData{Policy: p, YAML: string(data), Targets: s.targetOptions(r, sess), Target: "all", At: "now"}})
}

func (s *Server) policyGraphic(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	p, ok := s.policyOf(w, r, sess)
	if !ok {
		return
	}
	d := policyGraphicData{Policy: p, YAML: r.PostFormValue("yaml"), Targets: s.targetOptions(r, sess),
		Target: r.PostFormValue("targets"), At: strings.TrimSpace(r.PostFormValue("at"))}
	again := func(msg string) {
		s.render(w, http.StatusUnprocessableEntity, "policy_graphic", page{Title: "政策图解", User: sess, Nav: "policies", Error: msg, Data: d})
	}
	g, err := graphic.ParsePolicy([]byte(d.YAML))
	if err != nil {
		again(strings.ReplaceAll(err.Error(), "\n", "；"))
		return
	}
	theme, err := queue.GraphicTheme(s.cfg)
	if err != nil {
		s.fail(w, err)
		return
	}
	doc, err := graphic.Layout(g, theme)
	if err != nil {
		again(err.Error())
		return
	}
	pages, err := doc.Render()
	if err != nil {
		s.fail(w, err)
		return
	}
	digest := []rune(g.Summary)
	if len(digest) > content.WeChatDigestMax {
		digest = append(digest[:content.WeChatDigestMax-1], '…')
	}
	id, err := s.queue.Add(r.Context(), actorOf(sess), queue.Draft{Kind: content.KindGraphic, Title: g.Title, SourceURL: g.URL,
		Digest: string(digest), Images: pages, Targets: d.Target, When: d.At, PolicyID: p.ID})
	if err != nil {
		if queue.IsRefusal(err) {
			again(refusalText(err))
			return
		}
		s.fail(w, err)
		return
	}
	if s.Wake != nil {
		s.Wake()
	}
	http.Redirect(w, r, "/console/items/"+strconv.FormatInt(id, 10)+"?flash=created", http.StatusSeeOther)
}

// policyOf reads the {id} policy, answering 404 itself when there is none.
func (s *Server) policyOf(w http.ResponseWriter, r *http.Request, sess *storage.Session) (storage.Policy, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return storage.Policy{}, false
	}
	p, err := s.store.Policy(r.Context(), id)
	if errors.Is(err, storage.ErrNotFound) {
		s.render(w, http.StatusNotFound, "error", page{Title: "政策", User: sess, Error: fmt.Sprintf("政策 %d 不存在。", id)})
		return p, false
	}
	if err != nil {
		s.fail(w, err)
		return p, false
	}
	return p, true
}

// 审核: the review inbox and signing.

package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// inboxItem is one item waiting for the user's signature.
type inboxItem struct {
	content.Item
	Level    string
	Last     bool
	Approved []content.Approval
	Targets  string
}

func (s *Server) reviewInbox(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	s.renderInbox(w, r, sess, http.StatusOK, flashText(r), "")
}

func (s *Server) renderInbox(w http.ResponseWriter, r *http.Request, sess *storage.Session, status int, flash, errMsg string) {
	items, err := s.visibleItems(r, sess, content.ItemInReview)
	if err != nil {
		s.fail(w, err)
		return
	}
	levels := s.cfg.Review.Levels
	var inbox []inboxItem
	for _, it := range items {
		full, err := s.store.Item(r.Context(), it.ID)
		if err != nil {
			continue
		}
		n, signed, err := s.queue.NextLevel(r.Context(), &full)
		if err != nil || n > len(levels) {
			continue
		}
		level := levels[n-1]
		if !s.cfg.MayReview(level, sess.Name) && sess.Role != "admin" {
			continue
		}
		inbox = append(inbox, inboxItem{Item: full, Level: level, Last: n == len(levels), Approved: signed})
	}
	n := s.accountNames(r.Context())
	for i := range inbox {
		inbox[i].Targets = s.targetsLabel(n, inbox[i].Item.Targets)
	}
	s.render(w, status, "review", page{Title: "审核", User: sess, Nav: "review", Data: inbox, Flash: flash, Error: errMsg})
}

// reviewPage is one item's review: the whole revision as it will appear,
// who wrote it and when, where it goes, the wording hits, the signatures
// so far and what changed since a rejection; signing is on this page.
func (s *Server) reviewPage(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	id, ok := itemID(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.renderReview(w, r, sess, id, http.StatusOK, "", "")
}

func (s *Server) renderReview(w http.ResponseWriter, r *http.Request, sess *storage.Session, id int64, status int, flash, errMsg string) {
	it, err := s.queue.Item(r.Context(), actorOf(sess), id)
	if err != nil {
		if queue.IsRefusal(err) {
			s.render(w, http.StatusNotFound, "error", page{Title: "审核", User: sess, Nav: "review", Error: refusalText(err)})
			return
		}
		s.fail(w, err)
		return
	}
	v, err := s.revisionView(r.Context(), it)
	if err != nil {
		s.fail(w, err)
		return
	}
	data := map[string]any{"View": v}
	if it.State == content.ItemInReview {
		levels := s.cfg.Review.Levels
		if n, _, err := s.queue.NextLevel(r.Context(), &it); err == nil && n <= len(levels) &&
			(s.cfg.MayReview(levels[n-1], sess.Name) || sess.Role == "admin") {
			data["Level"], data["Last"] = levels[n-1], n == len(levels)
		}
	}
	s.render(w, status, "review_item", page{Title: "审核：" + it.Revision.Label(), User: sess, Nav: "review", Flash: flash, Error: errMsg, Data: data})
}

// previewItem sends the item's current revision to the WeChat ID the
// reviewer typed, through the daemon's WeChat channel.
func (s *Server) previewItem(w http.ResponseWriter, r *http.Request, sess *storage.Session, id int64) {
	s.sendPreview(w, r, sess, id, s.renderReview)
}

func (s *Server) review(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	id, ok := itemID(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	var err error
	// The form carries the revision the reviewer saw: a signature names it.
	rev, _ := strconv.Atoi(r.FormValue("revision"))
	action := r.FormValue("action")
	if rev <= 0 && (action == "approve" || action == "reject") {
		s.renderInbox(w, r, sess, http.StatusUnprocessableEntity, "", "未签署：表单没有写明版本，请刷新页面后重新审核。")
		return
	}
	switch action {
	case "approve":
		err = s.queue.ApproveRevision(r.Context(), actorOf(sess), id, rev, r.FormValue("secrecy_ok") != "")
	case "reject":
		err = s.queue.RejectRevision(r.Context(), actorOf(sess), id, rev, r.FormValue("comment"))
	case "preview":
		s.previewItem(w, r, sess, id)
		return
	default:
		err = errors.New("未知的审核操作")
	}
	if err != nil && !queue.IsRefusal(err) {
		s.fail(w, err)
		return
	}
	if err != nil { // refused: show the inbox again with the reason
		s.renderReview(w, r, sess, id, http.StatusUnprocessableEntity, "", "未签署："+refusalText(err))
		return
	}
	if s.Wake != nil {
		s.Wake()
	}
	http.Redirect(w, r, "/console/review?flash=reviewed", http.StatusSeeOther)
}

// pageRenderer renders an item's page (the item page or the review page)
// with a flash or an error line.
type pageRenderer func(w http.ResponseWriter, r *http.Request, sess *storage.Session, id int64, status int, flash, errMsg string)

// sendPreview sends the item's current revision to the WeChat ID typed in
// the form, through the daemon's WeChat channel, and shows the page with
// what came of it.
func (s *Server) sendPreview(w http.ResponseWriter, r *http.Request, sess *storage.Session, id int64, render pageRenderer) {
	it, err := s.queue.Item(r.Context(), actorOf(sess), id)
	if err != nil && !queue.IsRefusal(err) {
		s.fail(w, err)
		return
	}
	if err == nil {
		if s.Preview == nil {
			err = errors.New("此服务未连接微信，无法发送预览")
		} else {
			var msg string
			if msg, err = s.Preview(r.Context(), actorOf(sess), it, "", r.FormValue("wxname")); err == nil {
				render(w, r, sess, id, http.StatusOK, msg, "")
				return
			}
		}
	}
	render(w, r, sess, id, http.StatusUnprocessableEntity, "", "预览未发送："+refusalText(err))
}

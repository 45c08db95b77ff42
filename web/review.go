// 审核: the review inbox and signing.

package web

import (
	"errors"
	"net/http"

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
		inbox = append(inbox, inboxItem{full, level, n == len(levels), signed})
	}
	s.render(w, status, "review", page{Title: "审核", User: sess, Nav: "review", Data: inbox, Flash: flash, Error: errMsg})
}

// previewItem sends the item's current revision to the WeChat ID the
// reviewer typed, through the daemon's WeChat channel.
func (s *Server) previewItem(w http.ResponseWriter, r *http.Request, sess *storage.Session, id int64) {
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
				s.renderInbox(w, r, sess, http.StatusOK, msg, "")
				return
			}
		}
	}
	s.renderInbox(w, r, sess, http.StatusUnprocessableEntity, "", "预览未发送："+refusalText(err))
}

func (s *Server) review(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	id, ok := itemID(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	var err error
	switch r.FormValue("action") {
	case "approve":
		err = s.queue.Approve(r.Context(), actorOf(sess), id, r.FormValue("secrecy_ok") != "")
	case "reject":
		err = s.queue.Reject(r.Context(), actorOf(sess), id, r.FormValue("comment"))
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
		s.renderInbox(w, r, sess, http.StatusUnprocessableEntity, "", "未签署："+refusalText(err))
		return
	}
	if s.Wake != nil {
		s.Wake()
	}
	http.Redirect(w, r, "/console/review?flash=reviewed", http.StatusSeeOther)
}

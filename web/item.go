// 稿件: one item's page, its cancel, and its media.

package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

func (s *Server) itemPage(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	id, ok := itemID(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.renderItem(w, r, sess, id, http.StatusOK, flashText(r), "")
}

// cancelItem withdraws an item and shows its page with what went out, what
// may have, what was stopped, and where on this page to delete what went out.
func (s *Server) cancelItem(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	id, ok := itemID(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	rep, err := s.queue.Cancel(r.Context(), actorOf(sess), id)
	if err != nil && !queue.IsRefusal(err) {
		s.fail(w, err)
		return
	}
	if err != nil {
		s.renderItem(w, r, sess, id, http.StatusUnprocessableEntity, "", "未撤销："+refusalText(err))
		return
	}
	if s.Wake != nil {
		s.Wake()
	}
	msg := rep.Text()
	if rep.OnPlatform() {
		msg += "已发出的内容仍在平台上；如需删除，请在本页从平台撤回。"
	}
	s.renderItem(w, r, sess, id, http.StatusOK, msg, "")
}

// submitItem sends a draft (a new one, or one reworked after a rejection)
// to review.
func (s *Server) submitItem(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	id, ok := itemID(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if err := s.queue.Submit(r.Context(), actorOf(sess), id); err != nil {
		if !queue.IsRefusal(err) {
			s.fail(w, err)
			return
		}
		s.renderItem(w, r, sess, id, http.StatusUnprocessableEntity, "", "未提交："+refusalText(err))
		return
	}
	if s.Wake != nil {
		s.Wake()
	}
	s.renderItem(w, r, sess, id, http.StatusOK, "已提交审核。", "")
}

// itemPreview sends the item's current revision to a WeChat ID from its
// page (as 审核's 手机预览 does).
func (s *Server) itemPreview(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	id, ok := itemID(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.sendPreview(w, r, sess, id, s.renderItem)
}

// retractItem takes an item off the platforms and shows its page with what
// the retraction did, account by account.
func (s *Server) retractItem(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	id, ok := itemID(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if s.Retract == nil {
		s.renderItem(w, r, sess, id, http.StatusServiceUnavailable, "", "未撤回：此服务未连接发布平台")
		return
	}
	rep, err := s.Retract(r.Context(), actorOf(sess), id)
	if err != nil && !queue.IsRefusal(err) {
		s.fail(w, err)
		return
	}
	if err != nil {
		s.renderItem(w, r, sess, id, http.StatusUnprocessableEntity, "", "未撤回："+refusalText(err))
		return
	}
	if s.Wake != nil {
		s.Wake()
	}
	s.renderItem(w, r, sess, id, http.StatusOK, rep.Message(), "")
}

func (s *Server) renderItem(w http.ResponseWriter, r *http.Request, sess *storage.Session, id int64, status int, flash, errMsg string) {
	it, err := s.queue.Item(r.Context(), actorOf(sess), id)
	if err != nil {
		if queue.IsRefusal(err) {
			s.render(w, http.StatusNotFound, "error", page{Title: "稿件", User: sess, Error: refusalText(err)})
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
	writer := slices.Contains(writers, sess.Role)
	cancellable := content.CheckItemTransition(it.State, content.ItemCancelled) == nil && writer
	if it.State == content.ItemPublishing {
		if again, err := s.store.CancelRequested(r.Context(), id); err == nil && again {
			cancellable = false
		}
	}
	retractable := writer && it.State != content.ItemRetracted && anyWentOut(v.Deliveries)
	editable := writer && !it.State.Final() && it.State != content.ItemPublishing
	s.render(w, status, "item", page{Title: it.Revision.Label(), User: sess, Nav: "calendar", Flash: flash, Error: errMsg,
		Data: map[string]any{"View": v, "Cancellable": cancellable, "Retractable": retractable, "Editable": editable,
			"Submittable": writer && it.State == content.ItemDraft,
			"Previewable": v.HasWeChat && slices.Contains(reviewersAndWriters, sess.Role) && !it.State.Final()}})
}

// anyWentOut reports whether a delivery went out (or may have) and is still
// on its platform: what a retraction would delete.
func anyWentOut(ds []deliveryRow) bool {
	for _, d := range ds {
		if d.RetractedAt == nil && (d.State == content.DeliveryPublished || d.State == content.DeliveryUnknown || d.State == content.DeliverySending) {
			return true
		}
	}
	return false
}

// mediaURLs points herald-image: sources at the console's media route (so
// reviewers see the body's images), then sanitizes the result for display.
func (s *Server) mediaURLs(body string) string {
	out, err := content.RewriteImageSources(body, func(src string) string {
		if sha, ok := strings.CutPrefix(src, content.ImageSrcPrefix); ok {
			return "/console/media/" + url.PathEscape(sha)
		}
		return src
	})
	if err != nil {
		return template.HTMLEscapeString(body)
	}
	return content.SanitizeHTML(out)
}

// media serves a stored image to a user whose department may see an item
// that uses it (the office sees all); anything else is "not found", the
// same answer as for a missing image.
func (s *Server) media(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	sha := r.PathValue("sha")
	if !s.queue.SeesAll(actorOf(sess)) {
		ok, err := s.store.ImageOfDepartment(r.Context(), sha, sess.Department)
		if err != nil {
			s.fail(w, err)
			return
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
	}
	b, im, err := s.store.ImageBytes(r.Context(), sha)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", im.MIME)
	w.Header().Set("Cache-Control", "private, max-age=86400")
	_, _ = w.Write(b)
}

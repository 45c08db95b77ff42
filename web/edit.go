// 修改稿件: an existing item's new revision, in the same editor as 撰稿.

package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// editForm opens the compose page on an item's current revision: its
// pictures come into the editor as data: URLs, so that a submitted body is
// imported exactly like a new one.
func (s *Server) editForm(w http.ResponseWriter, r *http.Request, sess *storage.Session, idText string) {
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		http.NotFound(w, r)
		return
	}
	it, err := s.queue.Item(r.Context(), actorOf(sess), id)
	if err != nil {
		if queue.IsRefusal(err) {
			s.render(w, http.StatusNotFound, "error", page{Title: "修改稿件", User: sess, Nav: "compose", Error: refusalText(err)})
			return
		}
		s.fail(w, err)
		return
	}
	body := it.Revision.Body
	if it.Kind == content.KindArticle {
		if body, err = s.inlineStored(r.Context(), body); err != nil {
			s.fail(w, err)
			return
		}
	}
	form := map[string]string{"kind": string(it.Kind), "title": it.Revision.Title, "body": body, "digest": it.Revision.Digest,
		"source_url": it.Revision.SourceURL, "when": "now"}
	if it.PublishAt != nil {
		form["when"], form["at_time"] = "at", it.PublishAt.In(s.cfg.Location).Format("2006-01-02T15:04")
	}
	s.renderEdit(w, r, sess, &it, form, http.StatusOK, "")
}

func (s *Server) renderEdit(w http.ResponseWriter, r *http.Request, sess *storage.Session, it *content.Item, form map[string]string, status int, errMsg string) {
	data := composeData{Form: form, Edit: it, EditTargets: s.targetsLabel(s.accountNames(r.Context()), it.Targets)}
	s.render(w, status, "compose", page{Title: "修改稿件：" + it.Revision.Label(), User: sess, Nav: "compose", Data: data, Error: errMsg})
}

// inlineStored turns a stored body's herald-image: sources into data: URLs.
func (s *Server) inlineStored(ctx context.Context, body string) (string, error) {
	var bad error
	out, err := content.RewriteImageSources(body, func(src string) string {
		sha, ok := strings.CutPrefix(src, content.ImageSrcPrefix)
		if !ok {
			return src
		}
		b, _, err := s.store.ImageBytes(ctx, sha)
		if err != nil {
			bad = err
			return src
		}
		return dataURL(b)
	})
	if err == nil {
		err = bad
	}
	return out, err
}

// editSubmit makes the new revision (voiding earlier signatures: the item
// goes back to review) and shows the item.
func (s *Server) editSubmit(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	id, err := strconv.ParseInt(r.FormValue("edit"), 10, 64)
	if err != nil || id <= 0 {
		http.NotFound(w, r)
		return
	}
	it, err := s.queue.Item(r.Context(), actorOf(sess), id)
	if err != nil {
		if queue.IsRefusal(err) {
			s.render(w, http.StatusNotFound, "error", page{Title: "修改稿件", User: sess, Nav: "compose", Error: refusalText(err)})
			return
		}
		s.fail(w, err)
		return
	}
	form := map[string]string{"kind": string(it.Kind)}
	for _, k := range []string{"title", "body", "digest", "source_url", "when", "at_time"} {
		form[k] = r.FormValue(k)
	}
	title, source, when := form["title"], form["source_url"], formWhen(r)
	c := queue.Changes{Title: &title, SourceURL: &source, When: &when}
	if it.Kind == content.KindArticle || it.Kind == content.KindShort {
		body := form["body"]
		if it.Kind == content.KindArticle {
			var imgs map[string][]byte
			if body, imgs, _, err = inlineImages(body); err != nil {
				s.renderEdit(w, r, sess, &it, form, http.StatusUnprocessableEntity, "未修改："+err.Error())
				return
			}
			c.BodyImages = imgs
		}
		c.Body = &body
	}
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["images"] {
			f, err := fh.Open()
			if err != nil {
				s.fail(w, err)
				return
			}
			b, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				s.fail(w, err)
				return
			}
			if len(b) > 0 {
				c.Images = append(c.Images, b)
			}
		}
	}
	if err := s.queue.Edit(r.Context(), actorOf(sess), id, c); err != nil {
		if queue.IsRefusal(err) {
			s.renderEdit(w, r, sess, &it, form, http.StatusUnprocessableEntity, "未修改："+refusalText(err))
			return
		}
		s.fail(w, err)
		return
	}
	if s.Wake != nil {
		s.Wake()
	}
	http.Redirect(w, r, fmt.Sprintf("/console/items/%d?flash=edited", id), http.StatusSeeOther)
}

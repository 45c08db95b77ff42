// Editing: a new revision of an item, voiding earlier approvals.

package queue

import (
	"context"
	"errors"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// Changes are the fields an edit replaces; nil/empty means keep.
type Changes struct {
	Title      *string
	Body       *string
	BodyImages map[string][]byte
	Images     [][]byte // replaces all --image files when non-nil
	SourceURL  *string
	When       *string
	// Docx replaces the body with a Word document's; its title paragraph
	// replaces the title unless Title is set, and its first picture (or a
	// cover card) the cover unless Images are given.
	Docx []byte
	// DocxWarning, when set, is told each line about what the Word
	// document's article leaves out.
	DocxWarning func(line string)
}

// Edit makes a new revision of an item. It voids every earlier approval;
// an item past draft goes back to review (or straight to scheduled when no
// review is configured).
func (s *Service) Edit(ctx context.Context, actor Actor, id int64, c Changes) error {
	it, err := s.Item(ctx, actor, id)
	if err != nil {
		return err
	}
	switch it.State {
	case content.ItemDraft, content.ItemInReview, content.ItemApproved, content.ItemScheduled, content.ItemExpired:
	default:
		return refuse(RefusedState, "", "稿件 %d 当前状态为「%s」，不能修改", id, it.State.Label())
	}
	if c.Docx != nil {
		if it.Kind != content.KindArticle {
			return refuse(RefusedInput, "kind", "Word 文档只能导入为图文稿件")
		}
		if c.Body != nil {
			return refuse(RefusedInput, "docx", "Word 文档与正文文件只能选一个")
		}
		title := ""
		if c.Title != nil {
			title = *c.Title
		}
		im, err := s.ImportDocx(ctx, c.Docx, title)
		if err != nil {
			return err
		}
		im.tell(c.DocxWarning)
		c.Title, c.Body, c.BodyImages = &im.Title, &im.Body, im.BodyImages
		if c.Images == nil {
			c.Images = [][]byte{im.Cover}
		}
	}
	d := Draft{Kind: it.Kind, Title: it.Revision.Title, Digest: it.Revision.Digest, Author: it.Revision.Author,
		SourceURL: it.Revision.SourceURL, Broadcast: it.Revision.Broadcast, BodyImages: c.BodyImages}
	if c.Title != nil {
		d.Title = *c.Title
	}
	if c.SourceURL != nil {
		d.SourceURL = *c.SourceURL
	}
	if c.Body != nil {
		d.Body = *c.Body
		if it.Kind == content.KindArticle && it.Revision.Digest == digestOf(it.Revision.Body) {
			d.Digest = "" // the digest was derived from the old body: derive it again
		}
	}
	if c.Images != nil {
		d.Images = c.Images
	}
	rev, images, err := s.buildRevision(d)
	if err != nil {
		return err
	}
	if c.Body == nil {
		rev.Body = it.Revision.Body
		rev.Images = append(rev.Images, it.Revision.ImagesByRole(content.RoleBody)...)
	}
	if c.Images == nil {
		kept := it.Revision.ImagesByRole(content.RoleCover, content.RoleImage)
		rev.Images = append(kept, rev.ImagesByRole(content.RoleBody)...)
	}
	rev.Hash = rev.ContentHash(it.Kind)
	next := it
	e := storage.Edit{ItemID: id, ExpectRevision: it.Revision.ID, Revision: rev, From: it.State, Actor: actor.Name}
	if c.When != nil {
		next.PublishAt, next.PublishNow = nil, false
		if err := s.applyWhen(&next, *c.When, ""); err != nil {
			return err
		}
		e.SetTime, e.PublishAt, e.PublishNow = true, next.PublishAt, next.PublishNow
	}
	if it.State != content.ItemDraft {
		if err := s.checkNotPast(&next); err != nil {
			return err
		}
	}
	if err := s.validateForTargets(ctx, &content.Item{ID: id, Kind: it.Kind, Revision: rev}); err != nil {
		return err
	}
	warnings, err := s.CheckWording(it.Kind, &rev)
	if err != nil {
		return err
	}
	switch {
	case it.State == content.ItemDraft:
		e.To = content.ItemDraft
	case len(s.cfg.Review.Levels) > 0:
		e.To = content.ItemInReview
	default:
		e.To = s.readyState(&next)
	}
	if err := images.store(ctx, s.store); err != nil {
		return err
	}
	revID, err := s.store.AddRevision(ctx, e)
	if errors.Is(err, storage.ErrConflict) {
		return refuse(RefusedState, "", "稿件 %d 刚被他人修改，请重新查看后再改", id)
	}
	if err != nil {
		return err
	}
	for _, w := range warnings {
		if err := s.store.AddAudit(ctx, storage.AuditEntry{Actor: "herald", Action: "wording", ItemID: id, RevisionID: revID, Detail: w}); err != nil {
			return err
		}
	}
	return nil
}

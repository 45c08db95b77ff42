// What is signed: one revision as each platform will show it, shared by
// the review page and the item page.

package web

import (
	"context"
	"html/template"
	"regexp"
	"strings"
	"time"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/herald-gov/herald/channels/weibo"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// revisionView is an item's current revision as the console shows it.
type revisionView struct {
	Item content.Item
	// Body is the WeChat article body with the images served by the console.
	Body   template.HTML
	Images []content.ImageRef // cover, pages and photos (not the body's own)
	// Weibo is the post's text as the first Weibo target will get it ("" when
	// no Weibo account is targeted).
	Weibo       string
	HasWeChat   bool
	Targets     []targetName
	Department  string
	Author      string
	SubmittedAt *time.Time
	Wording     []string
	Signatures  []signature
	Change      *change
	Audit       []auditRow
	Deliveries  []deliveryRow
	When        string
}

// targetName is one target account by name.
type targetName struct {
	Name, Platform string
}

// signature is one earlier signature on the item.
type signature struct {
	LevelName, Reviewer string
	Revision            int
	At                  time.Time
	SecrecyOK, Voided   bool
}

// change is what changed since the revision a reviewer rejected.
type change struct {
	From, To       int // revision numbers
	Rejecter       string
	Reason         string
	Title          []diffPart
	Text           []diffPart
	Added, Removed []content.ImageRef
}

// diffPart is a run of text kept, inserted or deleted.
type diffPart struct {
	Op   string // "same", "ins" or "del"
	Text string
}

// auditRow is one audit entry in words.
type auditRow struct {
	At      time.Time
	Actor   string
	Action  string
	Account string
	Detail  string
}

// deliveryRow is one delivery in words.
type deliveryRow struct {
	content.Delivery
	Name string
}

// revisionView builds the view of an item the caller may see.
func (s *Server) revisionView(ctx context.Context, it content.Item) (revisionView, error) {
	v := revisionView{Item: it, Body: template.HTML(s.mediaURLs(it.Revision.Body)), Author: it.Revision.Author,
		Department: departmentName(s.cfg, it.Department), When: whenLabel(&it, s.cfg.Location)}
	if v.Author == "" {
		v.Author = it.Revision.CreatedBy
	}
	for _, im := range it.Revision.Images {
		if im.Role != content.RoleBody {
			v.Images = append(v.Images, im)
		}
	}
	n := s.accountNames(ctx)
	ds, err := s.store.Deliveries(ctx, it.ID)
	if err != nil {
		return v, err
	}
	_ = s.store.MarkRetractions(ctx, it.ID, ds)
	targets := map[string]bool{}
	for _, d := range ds {
		v.Deliveries = append(v.Deliveries, deliveryRow{d, n.of(d.Account)})
		targets[d.Account] = true
	}
	accts, err := s.store.Accounts(ctx, true)
	if err != nil {
		return v, err
	}
	if len(ds) == 0 { // not yet resolved into deliveries: the targets as written
		if tg, err := content.ParseTargets(it.Targets); err == nil {
			for _, a := range accts {
				if tg.Includes(a.ID, a.Groups) {
					targets[a.ID] = true
				}
			}
		}
	}
	for _, a := range accts {
		if !targets[a.ID] {
			continue
		}
		v.Targets = append(v.Targets, targetName{a.Name, platformLabel(a.Platform)})
		switch a.Platform {
		case configs.PlatformWeChat:
			v.HasWeChat = true
		case configs.PlatformWeibo:
			if v.Weibo == "" {
				v.Weibo = weibo.BuildText(it.Kind, &it.Revision, s.linkURL(a.ID))
			}
		}
	}
	if warnings, err := s.queue.CheckWording(it.Kind, &it.Revision); err != nil {
		v.Wording = []string{refusalText(err)}
	} else {
		v.Wording = warnings
	}
	approvals, err := s.store.Approvals(ctx, it.ID)
	if err != nil {
		return v, err
	}
	audit, err := s.store.AuditLog(ctx, it.ID, 0)
	if err != nil {
		return v, err
	}
	revNumbers := map[int64]int{it.Revision.ID: it.Revision.Number}
	var rejected *storage.AuditEntry
	for i, e := range audit {
		if e.To == string(content.ItemInReview) && e.RevisionID == it.Revision.ID {
			at := e.At
			v.SubmittedAt = &at
		}
		if e.Action == "reject" {
			rejected = &audit[i]
		}
		v.Audit = append(v.Audit, auditRow{e.At, e.Actor, auditActionLabel(e.Action), n.of(e.Account), auditDetail(e)})
	}
	if v.SubmittedAt == nil && it.State != content.ItemDraft {
		at := it.Revision.CreatedAt
		v.SubmittedAt = &at
	}
	for _, a := range approvals {
		num, ok := revNumbers[a.RevisionID]
		if !ok {
			if r, err := s.store.Revision(ctx, a.RevisionID); err == nil {
				num, revNumbers[a.RevisionID] = r.Number, r.Number
			}
		}
		v.Signatures = append(v.Signatures, signature{a.LevelName, a.Reviewer, num, a.CreatedAt, a.SecrecyOK, a.Voided})
	}
	if rejected != nil && rejected.RevisionID != 0 && rejected.RevisionID != it.Revision.ID {
		old, err := s.store.Revision(ctx, rejected.RevisionID)
		if err != nil {
			return v, err
		}
		v.Change = revisionChange(old, it.Revision)
		v.Change.Rejecter, v.Change.Reason = rejected.Actor, rejected.Note
		if v.Change.Reason == "" {
			v.Change.Reason = rejected.Detail
		}
	}
	return v, nil
}

// linkURL is a Weibo account's link_url from the config.
func (s *Server) linkURL(id string) string {
	for _, a := range s.cfg.Accounts {
		if a.ID == id {
			return a.LinkURL
		}
	}
	return ""
}

// revisionChange compares the rejected revision with the current one: the
// title and the text (as a reader reads them, without markup) run by run,
// and the pictures added and removed.
func revisionChange(old, cur content.Revision) *change {
	c := &change{From: old.Number, To: cur.Number,
		Title: textDiff(old.Title, cur.Title), Text: textDiff(revisionText(old), revisionText(cur))}
	had, has := map[string]bool{}, map[string]bool{}
	for _, im := range old.Images {
		had[im.SHA256] = true
	}
	for _, im := range cur.Images {
		has[im.SHA256] = true
		if !had[im.SHA256] {
			c.Added = append(c.Added, im)
		}
	}
	for _, im := range old.Images {
		if !has[im.SHA256] {
			c.Removed = append(c.Removed, im)
		}
	}
	return c
}

// revisionText is what a reader reads of a revision: the digest and the
// body's text, paragraph by paragraph.
func revisionText(r content.Revision) string {
	var b strings.Builder
	if r.Digest != "" {
		b.WriteString("摘要：" + r.Digest + "\n")
	}
	for _, chunk := range blockEnd.Split(r.Body, -1) {
		if line := content.PlainText(chunk); line != "" {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// blockEnd ends a paragraph, heading, list item, cell or line.
var blockEnd = regexp.MustCompile(`(?i)</(p|h[1-6]|li|div|td|tr|blockquote)>|<br\s*/?>`)

// textDiff is a readable character diff (cleaned up to whole words and
// phrases) of two texts.
func textDiff(a, b string) []diffPart {
	dmp := diffmatchpatch.New()
	diffs := dmp.DiffCleanupSemantic(dmp.DiffMain(a, b, false))
	out := make([]diffPart, 0, len(diffs))
	for _, d := range diffs {
		op := "same"
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			op = "ins"
		case diffmatchpatch.DiffDelete:
			op = "del"
		}
		out = append(out, diffPart{op, d.Text})
	}
	return out
}

// changed reports whether a diff holds an insertion or deletion.
func changed(parts []diffPart) bool {
	for _, p := range parts {
		if p.Op != "same" {
			return true
		}
	}
	return false
}

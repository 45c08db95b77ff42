package content

import (
	"html"
	"slices"
	"strings"
)

// SignOff is the line naming who wrote and who reviewed a revision, as
// local rules require under every article: 「编辑：… 审核：… 终审：…」.
// editor is who made the revision; levels are the review levels in order;
// approvals are the item's approvals, of which only those of this revision
// that are not voided count. The last level is 终审, the levels before it
// 审核. It returns an HTML paragraph, or "" when there is nobody to name.
func SignOff(editor string, revisionID int64, levels []string, approvals []Approval) string {
	var parts []string
	if e := strings.TrimSpace(editor); e != "" {
		parts = append(parts, "编辑："+e)
	}
	var review, final []string
	for i := range levels {
		for _, ap := range approvals {
			if ap.Voided || ap.RevisionID != revisionID || ap.Level != i+1 || slices.Contains(review, ap.Reviewer) {
				continue
			}
			if i == len(levels)-1 {
				final = append(final, ap.Reviewer)
			} else {
				review = append(review, ap.Reviewer)
			}
		}
	}
	if len(review) > 0 {
		parts = append(parts, "审核："+strings.Join(review, "、"))
	}
	if len(final) > 0 {
		parts = append(parts, "终审："+strings.Join(final, "、"))
	}
	if len(parts) == 0 {
		return ""
	}
	return "<p>" + html.EscapeString(strings.Join(parts, "　")) + "</p>"
}

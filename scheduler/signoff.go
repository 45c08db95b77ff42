package scheduler

import (
	"context"
	"fmt"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// withSignOff appends the 编辑/审核/终审 line (publish.sign_off) to an
// article's body, from the approvals of the revision being published.
// The line is derived at publication, so the approved revision and its
// content hash stay what the reviewers signed.
func (e *Executor) withSignOff(ctx context.Context, r storage.ReadyDelivery, rev content.Revision) (content.Revision, error) {
	if !e.cfg.Publish.SignOff || r.Kind != content.KindArticle {
		return rev, nil
	}
	approvals, err := e.store.Approvals(ctx, r.ItemID)
	if err != nil {
		return rev, fmt.Errorf("sign-off: %w", err)
	}
	rev.Body += content.SignOff(rev.CreatedBy, rev.ID, e.cfg.Review.Levels, approvals)
	return rev, nil
}

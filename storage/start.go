package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/herald-gov/herald/content"
)

// StartOutcome is what StartPublishing changed in an item's accounts.
type StartOutcome struct {
	Added   []string // accounts that joined the item's group since it was added
	Dropped []string // accounts that left it: their deliveries are cancelled
}

// StartPublishing moves a scheduled item to publishing with its targets
// resolved now (a group's membership at publication time, not at add
// time), in one transaction: a pending delivery is made for each target
// account without one, the pending deliveries of accounts no longer among
// the targets are cancelled with the reason, and the audit entry names
// both. ErrConflict means the item is no longer scheduled.
func (s *Store) StartPublishing(ctx context.Context, itemID int64, targets []Target, targetsLabel, actor string) (StartOutcome, error) {
	var out StartOutcome
	now := ts(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rev, err := itemRevisionIn(ctx, tx, itemID, content.ItemScheduled)
		if err != nil {
			return err
		}
		have := map[string]bool{}
		rows, err := tx.QueryContext(ctx, "SELECT account_id FROM deliveries WHERE item_id = ?", itemID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var a string
			if err := rows.Scan(&a); err != nil {
				rows.Close()
				return err
			}
			have[a] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		want := map[string]bool{}
		for _, t := range targets {
			want[t.Account] = true
			if have[t.Account] {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries (item_id, revision_id, account_id, platform, state, created_at, updated_at)
VALUES (?, ?, ?, ?, 'pending', ?, ?)`, itemID, rev, t.Account, t.Platform, now, now); err != nil {
				return fmt.Errorf("delivery to %s: %w", t.Account, err)
			}
			out.Added = append(out.Added, t.Account)
		}
		for a := range have {
			if want[a] {
				continue
			}
			res, err := tx.ExecContext(ctx, `UPDATE deliveries SET state = 'cancelled', error = ?, updated_at = ?
WHERE item_id = ? AND account_id = ? AND state = 'pending'`, "发布时该账号已不在 "+targetsLabel+" 中，未发布", now, itemID, a)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				out.Dropped = append(out.Dropped, a)
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE items SET state = 'publishing', state_reason = '', updated_at = ? WHERE id = ?", now, itemID); err != nil {
			return err
		}
		detail, note := "scheduled → publishing", ""
		if len(out.Added) > 0 || len(out.Dropped) > 0 {
			note = fmt.Sprintf("按发布时的目标确定账号：新增 %d 个，移出 %d 个", len(out.Added), len(out.Dropped))
			detail += "；按发布时的 " + targetsLabel + " 确定账号"
			if len(out.Added) > 0 {
				detail += "，新增 " + strings.Join(out.Added, "、")
			}
			if len(out.Dropped) > 0 {
				detail += "，移出 " + strings.Join(out.Dropped, "、") + "（不发布）"
			}
		}
		return insertAudit(ctx, tx, AuditEntry{Actor: actor, Action: "publish", ItemID: itemID, RevisionID: rev, Detail: detail,
			From: string(content.ItemScheduled), To: string(content.ItemPublishing), Note: note}, now)
	})
	if err != nil {
		return out, fmt.Errorf("storage: start publishing item %d: %w", itemID, err)
	}
	return out, nil
}

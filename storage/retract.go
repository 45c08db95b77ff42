package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/herald-gov/herald/content"
)

// MarkRetracted records that a published delivery was deleted from its
// platform (herald post retract), with the audit entry, in one transaction.
// It stays published: it did go out. ErrConflict means it is not published
// or was already marked.
func (s *Store) MarkRetracted(ctx context.Context, deliveryID int64, actor, detail string) error {
	now := ts(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE deliveries SET retracted_at = ?, updated_at = ? WHERE id = ? AND state = 'published' AND retracted_at IS NULL",
			now, now, deliveryID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrConflict
		}
		var itemID, revID int64
		var account string
		if err := tx.QueryRowContext(ctx, "SELECT item_id, revision_id, account_id FROM deliveries WHERE id = ?", deliveryID).
			Scan(&itemID, &revID, &account); err != nil {
			return err
		}
		return insertAudit(ctx, tx, AuditEntry{Actor: actor, Action: "retract", ItemID: itemID, RevisionID: revID, Account: account, Detail: detail}, now)
	})
	if err != nil {
		return fmt.Errorf("storage: retract delivery %d: %w", deliveryID, err)
	}
	return nil
}

// Retractions returns, for an item's deliveries deleted from their platform,
// when that was done, by delivery id.
func (s *Store) Retractions(ctx context.Context, itemID int64) (map[int64]time.Time, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, retracted_at FROM deliveries WHERE item_id = ? AND retracted_at IS NOT NULL", itemID)
	if err != nil {
		return nil, fmt.Errorf("storage: retractions of %d: %w", itemID, err)
	}
	defer rows.Close()
	out := map[int64]time.Time{}
	for rows.Next() {
		var id int64
		var at string
		if err := rows.Scan(&id, &at); err != nil {
			return nil, fmt.Errorf("storage: retractions of %d: %w", itemID, err)
		}
		out[id] = parseTS(at)
	}
	return out, rows.Err()
}

// MarkRetractions fills RetractedAt in an item's deliveries.
func (s *Store) MarkRetractions(ctx context.Context, itemID int64, ds []content.Delivery) error {
	gone, err := s.Retractions(ctx, itemID)
	if err != nil || len(gone) == 0 {
		return err
	}
	for i := range ds {
		if at, ok := gone[ds[i].ID]; ok {
			ds[i].RetractedAt = &at
		}
	}
	return nil
}

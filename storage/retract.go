package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
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

// RetractOutcome is what a whole-item retract found, delivery by delivery.
type RetractOutcome struct {
	// From is the item's state when the retract was asked for.
	From content.ItemState
	// Again: a retract had been asked for before.
	Again bool
	// ToDelete went out and is still on the platform.
	ToDelete []content.Delivery
	// Deleted were deleted before (an earlier retract).
	Deleted []content.Delivery
	// Stopped were pending: this retract cancelled them, nothing went out.
	Stopped []content.Delivery
	// InFlight (sending or unknown) had started: their answers decide; what
	// settles published is deleted then (the daemon does it).
	InFlight []content.Delivery
	// NotOut had failed or been cancelled before: nothing to delete.
	NotOut []content.Delivery
	// Unverified may have gone out and herald cannot find out: the clerk
	// checks the platform by hand.
	Unverified []content.Delivery
}

// retractableFrom are the states a whole item may be retracted from: it
// has started publishing.
var retractableFrom = []content.ItemState{content.ItemPublishing, content.ItemDone, content.ItemPartiallyFailed, content.ItemFailed}

// RequestRetract starts retracting an item, in one transaction: it records
// the request (nothing new starts from now, as after a cancel), cancels the
// pending deliveries, and sorts the deliveries by what is left to do.
// ErrConflict means the item is not in a state a retract applies to (it has not started publishing)
// — or changed meanwhile.
func (s *Store) RequestRetract(ctx context.Context, itemID int64, actor string) (RetractOutcome, error) {
	var out RetractOutcome
	now := ts(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var rev int64
		var requested sql.NullString
		err := tx.QueryRowContext(ctx, "SELECT state, current_revision, retract_requested_at FROM items WHERE id = ?", itemID).
			Scan(&out.From, &rev, &requested)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		out.Again = requested.Valid
		if !slices.Contains(retractableFrom, out.From) && out.From != content.ItemRetracted {
			return ErrConflict
		}
		if _, err := tx.ExecContext(ctx, `UPDATE items SET retract_requested_at = COALESCE(retract_requested_at, ?),
  cancel_requested_at = COALESCE(cancel_requested_at, ?), updated_at = ? WHERE id = ?`, now, now, now, itemID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, "SELECT "+deliveryCols+", retracted_at IS NOT NULL FROM deliveries WHERE item_id = ? ORDER BY account_id", itemID)
		if err != nil {
			return err
		}
		var stop []int64
		for rows.Next() {
			var gone bool
			d, err := scanDelivery(scanWith(rows, &gone))
			if err != nil {
				rows.Close()
				return err
			}
			switch {
			case d.State == content.DeliveryPublished && gone:
				out.Deleted = append(out.Deleted, d)
			case d.State == content.DeliveryPublished:
				out.ToDelete = append(out.ToDelete, d)
			case d.State == content.DeliveryPending:
				stop = append(stop, d.ID)
				out.Stopped = append(out.Stopped, d)
			case d.State == content.DeliverySending || d.State == content.DeliveryUnknown:
				out.InFlight = append(out.InFlight, d)
			case d.State == content.DeliveryUnverified:
				out.Unverified = append(out.Unverified, d)
			default:
				out.NotOut = append(out.NotOut, d)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range stop {
			if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET state = 'cancelled', next_attempt_at = NULL, error = '稿件已撤回，未发出', updated_at = ?
WHERE id = ? AND state = 'pending'`, now, id); err != nil {
				return err
			}
		}
		detail := fmt.Sprintf("撤回：待删除 %d，正在发送 %d，停止发送 %d，无法核实 %d", len(out.ToDelete), len(out.InFlight), len(out.Stopped), len(out.Unverified))
		return insertAudit(ctx, tx, AuditEntry{Actor: actor, Action: "retract", ItemID: itemID, RevisionID: rev, Detail: detail}, now)
	})
	if err != nil {
		return out, fmt.Errorf("storage: retract item %d: %w", itemID, err)
	}
	return out, nil
}

// scanWith scans a delivery row followed by more columns.
func scanWith(rows *sql.Rows, more ...any) interface{ Scan(...any) error } {
	return scanFunc(func(dest ...any) error { return rows.Scan(append(dest, more...)...) })
}

type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// RetractingItems returns the items whose retract was asked for and is not
// finished: something of them may still be on a platform.
func (s *Store) RetractingItems(ctx context.Context) ([]int64, error) {
	ids, err := s.ids(ctx, "SELECT id FROM items WHERE retract_requested_at IS NOT NULL AND state != 'retracted' ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("storage: retracting items: %w", err)
	}
	return ids, nil
}

// FinishRetract moves an item whose retract was asked for to retracted when
// the platforms have nothing of it: every delivery final, none unverified,
// every published one deleted. It reports whether it did; ErrNotFound for
// an unknown item.
func (s *Store) FinishRetract(ctx context.Context, itemID int64, actor, reason string) (bool, error) {
	done := false
	now := ts(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var from content.ItemState
		var rev int64
		var requested sql.NullString
		err := tx.QueryRowContext(ctx, "SELECT state, current_revision, retract_requested_at FROM items WHERE id = ?", itemID).Scan(&from, &rev, &requested)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil || !requested.Valid || content.CheckItemTransition(from, content.ItemRetracted) != nil {
			return err
		}
		var left int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries WHERE item_id = ?
  AND (state IN ('pending', 'sending', 'unknown', 'unverified') OR (state = 'published' AND retracted_at IS NULL))`, itemID).Scan(&left); err != nil {
			return err
		}
		if left > 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, "UPDATE items SET state = 'retracted', state_reason = ?, updated_at = ? WHERE id = ?", reason, now, itemID); err != nil {
			return err
		}
		done = true
		return insertAudit(ctx, tx, AuditEntry{Actor: actor, Action: "retract", ItemID: itemID, RevisionID: rev,
			Detail: fmt.Sprintf("%s → retracted：%s", from, reason), From: string(from), To: string(content.ItemRetracted), Note: reason}, now)
	})
	if err != nil {
		return false, fmt.Errorf("storage: finish retract of %d: %w", itemID, err)
	}
	return done, nil
}

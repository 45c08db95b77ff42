package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/herald-gov/herald/content"
)

// notCancelledGuard is the condition that lets a delivery start an attempt
// (pending → sending): its item is not cancelled, expired, or cancelled while
// publishing. It is part of the guarded UPDATE, so a cancel committed before
// the claim always wins.
const notCancelledGuard = ` AND NOT EXISTS (SELECT 1 FROM items i WHERE i.id = deliveries.item_id
  AND (i.state IN ('cancelled', 'expired') OR i.cancel_requested_at IS NOT NULL))`

// cancelledGuard holds when a delivery's item was cancelled, before or
// while publishing.
const cancelledGuard = `EXISTS (SELECT 1 FROM items i WHERE i.id = deliveries.item_id
  AND (i.state = 'cancelled' OR i.cancel_requested_at IS NOT NULL))`

// CancelOutcome is what a cancel found: the item's state after it and its
// deliveries sorted by where they stand.
type CancelOutcome struct {
	State content.ItemState
	// Published went out before the cancel.
	Published []content.Delivery
	// InFlight (sending or unknown) had started: they may have gone out, and
	// their answers decide. The item stays publishing until they settle.
	InFlight []content.Delivery
	// Cancelled never reached the platform (this cancel stopped them, or an
	// earlier one).
	Cancelled []content.Delivery
	// Failed had failed before the cancel.
	Failed []content.Delivery
	// Unverified may have gone out: herald cannot find out (their account
	// left the config).
	Unverified []content.Delivery
}

// CancelItem withdraws an item that is in state from, in one transaction:
// every pending delivery is cancelled; an item not yet publishing becomes
// cancelled; a publishing item is marked cancelled-while-publishing (nothing
// new starts, an attempt that comes back unpublished is cancelled) and ends
// at once in the state its deliveries give (cancelled, partially_failed or
// done) unless some are still in flight, in which case it stays publishing
// until they settle. reason turns the outcome into the item's state reason
// and the audit entry. ErrConflict means the item changed meanwhile.
func (s *Store) CancelItem(ctx context.Context, itemID int64, from content.ItemState, actor string, reason func(CancelOutcome) string) (CancelOutcome, error) {
	var out CancelOutcome
	if err := content.CheckItemTransition(from, content.ItemCancelled); err != nil {
		return out, err
	}
	now := ts(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rev, err := itemRevisionIn(ctx, tx, itemID, from)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET state = 'cancelled', next_attempt_at = NULL, error = '已撤销，未发出', updated_at = ?
WHERE item_id = ? AND state = 'pending'`, now, itemID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, "SELECT "+deliveryCols+" FROM deliveries WHERE item_id = ? ORDER BY account_id", itemID)
		if err != nil {
			return err
		}
		var states []content.DeliveryState
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				rows.Close()
				return err
			}
			states = append(states, d.State)
			switch d.State {
			case content.DeliveryPublished:
				out.Published = append(out.Published, d)
			case content.DeliverySending, content.DeliveryUnknown:
				out.InFlight = append(out.InFlight, d)
			case content.DeliveryFailed:
				out.Failed = append(out.Failed, d)
			case content.DeliveryUnverified:
				out.Unverified = append(out.Unverified, d)
			default:
				out.Cancelled = append(out.Cancelled, d)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		out.State = content.ItemCancelled
		if from == content.ItemPublishing {
			if len(out.InFlight) > 0 {
				out.State = content.ItemPublishing
			} else if to, ok := content.ItemStateFromDeliveries(states); ok {
				out.State = to
			}
		}
		text := reason(out)
		if _, err := tx.ExecContext(ctx, `UPDATE items SET state = ?, state_reason = ?, updated_at = ?,
  cancel_requested_at = CASE WHEN ? THEN ? ELSE cancel_requested_at END WHERE id = ?`,
			out.State, text, now, from == content.ItemPublishing, now, itemID); err != nil {
			return err
		}
		return insertAudit(ctx, tx, AuditEntry{Actor: actor, Action: "cancel", ItemID: itemID, RevisionID: rev,
			Detail: fmt.Sprintf("%s → %s：%s", from, out.State, text), From: string(from), To: string(out.State), Note: text}, now)
	})
	if err != nil {
		return out, fmt.Errorf("storage: cancel item %d: %w", itemID, err)
	}
	return out, nil
}

// CancelRequested reports whether an item was cancelled while publishing.
func (s *Store) CancelRequested(ctx context.Context, itemID int64) (bool, error) {
	var at sql.NullString
	err := s.w.queryRow(ctx, "SELECT cancel_requested_at FROM items WHERE id = ?", []any{itemID}, &at)
	if errors.Is(err, ErrNotFound) {
		return false, fmt.Errorf("storage: item %d: %w", itemID, ErrNotFound)
	}
	if err != nil {
		return false, fmt.Errorf("storage: item %d: %w", itemID, err)
	}
	return at.Valid, nil
}

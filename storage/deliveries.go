package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/herald-gov/herald/content"
)

const deliveryCols = `id, item_id, revision_id, account_id, platform, state, attempt_id, attempts, next_attempt_at,
  remote_id, url, error, published_at, updated_at, attempt_started_at, progress`

func scanDelivery(row interface{ Scan(...any) error }) (content.Delivery, error) {
	var d content.Delivery
	var next, published, started sql.NullString
	var updated string
	err := row.Scan(&d.ID, &d.ItemID, &d.RevisionID, &d.Account, &d.Platform, &d.State, &d.AttemptID, &d.Attempts, &next,
		&d.RemoteID, &d.URL, &d.Error, &published, &updated, &started, &d.Progress)
	d.NextAttemptAt, d.PublishedAt, d.UpdatedAt = parseTSPtr(next), parseTSPtr(published), parseTS(updated)
	d.AttemptStartedAt = parseTSPtr(started)
	return d, err
}

// queryDeliveries returns the deliveries a WHERE (and ORDER BY) clause
// selects; what names them in errors.
func (s *Store) queryDeliveries(ctx context.Context, what, where string, args ...any) ([]content.Delivery, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+deliveryCols+" FROM deliveries "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: %s: %w", what, err)
	}
	defer rows.Close()
	var out []content.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("storage: %s: %w", what, err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Deliveries lists an item's deliveries ordered by account id.
func (s *Store) Deliveries(ctx context.Context, itemID int64) ([]content.Delivery, error) {
	return s.queryDeliveries(ctx, fmt.Sprintf("deliveries of %d", itemID), "WHERE item_id = ? ORDER BY account_id", itemID)
}

// Delivery returns one delivery.
func (s *Store) Delivery(ctx context.Context, id int64) (content.Delivery, error) {
	d, err := scanDelivery(s.db.QueryRowContext(ctx, "SELECT "+deliveryCols+" FROM deliveries WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("storage: delivery %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("storage: delivery %d: %w", id, err)
	}
	return d, nil
}

// DeliveryUpdate is a guarded change of one delivery.
type DeliveryUpdate struct {
	ID       int64
	From, To content.DeliveryState
	// AttemptID, when From is sending or unknown, must match the stored one;
	// when To is sending it is the new attempt's id.
	AttemptID     string
	NextAttemptAt *time.Time
	RemoteID      string // kept when empty
	URL           string // kept when empty
	Error         string
	Actor         string
	Detail        string // audit detail; "" = a default
}

// UpdateDelivery moves a delivery from one state to another if it is still
// in From (and, for an attempt in flight, still the same attempt), checks the
// move against the state machine and writes an audit entry, in one committed
// transaction (committed with whatever other delivery writes are
// waiting: see writer.go). Moving to sending counts an attempt, and only happens while
// the item is publishing. ErrConflict means the delivery changed meanwhile.
func (s *Store) UpdateDelivery(ctx context.Context, u DeliveryUpdate) error {
	if err := content.CheckDeliveryTransition(u.From, u.To); err != nil {
		return err
	}
	now := s.now()
	err := s.w.write(ctx, deliveryOp{u, now})
	if err != nil {
		return fmt.Errorf("storage: delivery %d %s → %s: %w", u.ID, u.From, u.To, err)
	}
	return nil
}

// deliveryOp is UpdateDelivery's write.
type deliveryOp struct {
	u   DeliveryUpdate
	now time.Time
}

func (o deliveryOp) apply(ctx context.Context, tx txn) error {
	u, now := o.u, o.now
	q := `UPDATE deliveries SET state = ?, next_attempt_at = ?, error = ?, updated_at = ?,
  url = CASE WHEN ? = '' THEN url ELSE ? END, remote_id = CASE WHEN ? = '' THEN remote_id ELSE ? END`
	args := []any{u.To, tsPtr(u.NextAttemptAt), u.Error, ts(now), u.URL, u.URL, u.RemoteID, u.RemoteID}
	if u.To == content.DeliverySending {
		// A new attempt: its own id and start time. The channel's progress is
		// kept: it decides what an earlier attempt's progress means.
		q += ", attempt_id = ?, attempts = attempts + 1, attempt_started_at = ?"
		args = append(args, u.AttemptID, ts(now))
	}
	if u.To == content.DeliveryPublished {
		q += ", published_at = ?"
		args = append(args, ts(now))
	}
	q += " WHERE id = ? AND state = ?"
	args = append(args, u.ID, u.From)
	if (u.From == content.DeliverySending || u.From == content.DeliveryUnknown) && u.AttemptID != "" {
		q += " AND attempt_id = ?"
		args = append(args, u.AttemptID)
	}
	if u.To == content.DeliverySending {
		// Only while the item is publishing, and nothing new starts once it
		// is cancelled.
		q += " AND EXISTS (SELECT 1 FROM items i WHERE i.id = deliveries.item_id AND i.state = 'publishing')" + notCancelledGuard
	}
	retry := u.To == content.DeliveryPending && (u.From == content.DeliverySending || u.From == content.DeliveryUnknown)
	if retry {
		// An attempt that published nothing is not retried once its item
		// is cancelled: the executor ends it cancelled (its rule 7).
		q += " AND NOT " + cancelledGuard
	}
	q += " RETURNING item_id, revision_id, account_id"
	var itemID, revID int64
	var account string
	st, err := tx.prepared(ctx, q)
	if err != nil {
		return err
	}
	err = st.QueryRowContext(ctx, args...).Scan(&itemID, &revID, &account)
	if errors.Is(err, sql.ErrNoRows) {
		var cancelled bool
		err := tx.QueryRowContext(ctx, "SELECT state = ? AND (? = '' OR attempt_id = ?) AND "+cancelledGuard+" FROM deliveries WHERE id = ?",
			u.From, u.AttemptID, u.AttemptID, u.ID).Scan(&cancelled)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return ErrNotFound
		case err != nil:
			return err
		case retry && cancelled:
			return ErrItemCancelled
		}
		return ErrConflict
	}
	if err != nil {
		return err
	}
	detail := u.Detail
	if detail == "" {
		detail = fmt.Sprintf("%s → %s", u.From, u.To)
		if u.Error != "" {
			detail += "：" + u.Error
		}
		if u.URL != "" {
			detail += " " + u.URL
		}
	}
	actor := u.Actor
	if actor == "" {
		actor = "herald"
	}
	ins, err := tx.prepared(ctx, insertAuditSQL)
	if err != nil {
		return err
	}
	if _, err := ins.ExecContext(ctx, ts(now), actor, "delivery", itemID, revID, account, detail, string(u.From), string(u.To), u.Error); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// DeliveryCount summarises an item's deliveries.
type DeliveryCount struct {
	Total     int `json:"total"`
	Published int `json:"published"`
	Failed    int `json:"failed"`
}

// DeliveryCounts returns delivery counts for each of the given items.
func (s *Store) DeliveryCounts(ctx context.Context, itemIDs []int64) (map[int64]DeliveryCount, error) {
	out := map[int64]DeliveryCount{}
	if len(itemIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(itemIDs))
	for i, id := range itemIDs {
		args[i] = id
	}
	rows, err := s.db.QueryContext(ctx, "SELECT item_id, state, COUNT(*) FROM deliveries WHERE item_id IN ("+
		placeholders(len(itemIDs))+") GROUP BY item_id, state", args...)
	if err != nil {
		return nil, fmt.Errorf("storage: delivery counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var state content.DeliveryState
		var n int
		if err := rows.Scan(&id, &state, &n); err != nil {
			return nil, fmt.Errorf("storage: delivery counts: %w", err)
		}
		c := out[id]
		c.Total += n
		switch state {
		case content.DeliveryPublished:
			c.Published += n
		case content.DeliveryFailed:
			c.Failed += n
		}
		out[id] = c
	}
	return out, rows.Err()
}

package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/herald-gov/herald/content"
)

// DueItems returns scheduled one-shot items whose time has come (publish
// now, or publish_at at or before now), urgent first.
func (s *Store) DueItems(ctx context.Context, now time.Time) ([]int64, error) {
	ids, err := s.ids(ctx, `SELECT id FROM items WHERE state = 'scheduled' AND cron = ''
AND (publish_now = 1 OR (publish_at IS NOT NULL AND publish_at <= ?))
ORDER BY priority = 'urgent' DESC, COALESCE(publish_at, updated_at), id`, ts(now))
	if err != nil {
		return nil, fmt.Errorf("storage: due items: %w", err)
	}
	return ids, nil
}

// CronItems returns scheduled recurring items.
func (s *Store) CronItems(ctx context.Context) ([]content.Item, error) {
	return s.ListItems(ctx, ItemFilter{States: []content.ItemState{content.ItemScheduled}, Limit: 100000})
}

// ids runs an engine query of ids on the writer's connection.
func (s *Store) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	var out []int64
	err := s.w.query(ctx, q, args, func(rows *sql.Rows) error {
		var id int64
		err := rows.Scan(&id)
		out = append(out, id)
		return err
	})
	return out, err
}

// ReadyDelivery is a delivery the scheduler may act on now.
type ReadyDelivery struct {
	content.Delivery
	Urgent     bool
	Kind       content.Kind
	Notify     bool
	Department string
}

// ReadyDeliveries returns up to limit deliveries to act on at now, leaving
// out the ids in skip (those the caller already holds): pending ones of
// publishing items whose account is not held for bad credentials, and
// unknown ones to look up, whose next attempt time has come; urgent items
// first, then by publication time.
func (s *Store) ReadyDeliveries(ctx context.Context, now time.Time, limit int, skip ...int64) ([]ReadyDelivery, error) {
	args := []any{ts(now)}
	notIn := ""
	if len(skip) > 0 {
		notIn = " AND d.id NOT IN (" + placeholders(len(skip)) + ")"
		for _, id := range skip {
			args = append(args, id)
		}
	}
	args = append(args, limit)
	var out []ReadyDelivery
	err := s.w.query(ctx, `SELECT `+prefixed("d.", deliveryCols)+`, i.priority = 'urgent', i.kind, i.notify, i.department
FROM deliveries d JOIN items i ON i.id = d.item_id
WHERE ((d.state = 'pending' AND i.state = 'publishing'
        AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = d.account_id AND a.health = 'unhealthy' AND a.active = 1))
    OR d.state = 'unknown')
  AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ?)`+notIn+`
ORDER BY i.priority = 'urgent' DESC, COALESCE(i.publish_at, i.updated_at), d.id LIMIT ?`, args, func(rows *sql.Rows) error {
		var r ReadyDelivery
		var next, published, started sql.NullString
		var updated string
		d := &r.Delivery
		if err := rows.Scan(&d.ID, &d.ItemID, &d.RevisionID, &d.Account, &d.Platform, &d.State, &d.AttemptID, &d.Attempts, &next,
			&d.RemoteID, &d.URL, &d.Error, &published, &updated, &started, &d.Progress, &r.Urgent, &r.Kind, &r.Notify, &r.Department); err != nil {
			return err
		}
		d.NextAttemptAt, d.PublishedAt, d.UpdatedAt, d.AttemptStartedAt = parseTSPtr(next), parseTSPtr(published), parseTS(updated), parseTSPtr(started)
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: ready deliveries: %w", err)
	}
	return out, nil
}

// NextWake returns the earliest future time something becomes due: a
// scheduled item's time or a delivery's next attempt (zero if none). The
// pending deliveries of accounts held for bad credentials are left out, as
// ReadyDeliveries leaves them out: they wait for a health check, not a
// time, and counting them would wake the scheduler for nothing, again and
// again.
func (s *Store) NextWake(ctx context.Context) (time.Time, error) {
	var a, b sql.NullString
	err := s.w.read(ctx, func(ctx context.Context, tx txn) error {
		err := tx.QueryRowContext(ctx, "SELECT MIN(publish_at) FROM items WHERE state IN ('scheduled', 'in_review') AND cron = '' AND publish_now = 0").Scan(&a)
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT MIN(d.next_attempt_at) FROM deliveries d JOIN items i ON i.id = d.item_id
WHERE (d.state = 'pending' AND i.state = 'publishing'
        AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = d.account_id AND a.health = 'unhealthy' AND a.active = 1))
   OR d.state = 'unknown'`).Scan(&b)
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("storage: next wake: %w", err)
	}
	var out time.Time
	for _, ns := range []sql.NullString{a, b} {
		if t := parseTSPtr(ns); t != nil && (out.IsZero() || t.Before(out)) {
			out = *t
		}
	}
	return out, nil
}

// HeldAccounts returns the accounts held for bad credentials that have
// pending deliveries of a publishing item waiting for them.
func (s *Store) HeldAccounts(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT a.id FROM accounts a WHERE a.health = 'unhealthy' AND a.active = 1 AND EXISTS (
  SELECT 1 FROM deliveries d JOIN items i ON i.id = d.item_id WHERE d.account_id = a.id AND d.state = 'pending' AND i.state = 'publishing')
ORDER BY a.id`)
	if err != nil {
		return nil, fmt.Errorf("storage: held accounts: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("storage: held accounts: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// SetDeliveryRetry sets when a delivery still in state is next acted on,
// and why it waits, without changing its state.
func (s *Store) SetDeliveryRetry(ctx context.Context, id int64, state content.DeliveryState, at time.Time, reason string) error {
	err := s.w.exec(ctx, "UPDATE deliveries SET next_attempt_at = ?, error = ?, updated_at = ? WHERE id = ? AND state = ?",
		ts(at), reason, ts(s.now()), id, state)
	if err != nil {
		return fmt.Errorf("storage: delivery %d retry: %w", id, err)
	}
	return nil
}

// InFlight returns deliveries left in sending, e.g. by a process that died.
func (s *Store) InFlight(ctx context.Context) ([]content.Delivery, error) {
	return s.queryDeliveries(ctx, "in-flight deliveries", "WHERE state = 'sending' ORDER BY id")
}

// SettledItems returns publishing items none of whose deliveries is still
// pending, sending or unknown, and whose retract was not asked for (a
// retract finishes those: see RetractingItems).
func (s *Store) SettledItems(ctx context.Context) ([]int64, error) {
	ids, err := s.ids(ctx, `SELECT i.id FROM items i WHERE i.state = 'publishing' AND i.retract_requested_at IS NULL AND NOT EXISTS (
  SELECT 1 FROM deliveries d WHERE d.item_id = i.id AND d.state IN ('pending', 'sending', 'unknown'))`)
	if err != nil {
		return nil, fmt.Errorf("storage: settled items: %w", err)
	}
	return ids, nil
}

func prefixed(p, cols string) string {
	out := ""
	for i, c := range splitCols(cols) {
		if i > 0 {
			out += ", "
		}
		out += p + c
	}
	return out
}

func splitCols(cols string) []string {
	var out []string
	cur := ""
	for _, r := range cols {
		switch r {
		case ',':
			out = append(out, cur)
			cur = ""
		case ' ', '\n', '\t':
		default:
			cur += string(r)
		}
	}
	return append(out, cur)
}

package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Media returns what an earlier upload of these bytes to this account gave.
func (s *Store) Media(ctx context.Context, account, sha, kind string) (mediaID, url string, err error) {
	err = s.w.queryRow(ctx, "SELECT media_id, url FROM platform_media WHERE account_id = ? AND sha256 = ? AND kind = ?",
		[]any{account, sha, kind}, &mediaID, &url)
	if errors.Is(err, ErrNotFound) {
		return "", "", fmt.Errorf("storage: media %s/%s/%s: %w", account, sha[:min(8, len(sha))], kind, ErrNotFound)
	}
	if err != nil {
		return "", "", fmt.Errorf("storage: media: %w", err)
	}
	return mediaID, url, nil
}

// SaveMedia records an upload of these bytes to this account, so that they
// are not uploaded to it again. It does not wait: the record is committed
// with the delivery's next write (its progress), so a crash between the two
// may lose it, and the bytes are then uploaded again — an extra copy in the
// account's library, never a second publication.
func (s *Store) SaveMedia(ctx context.Context, account, sha, kind, mediaID, url string) error {
	now := ts(s.now())
	s.w.writeLater(ctx, stmtOp{`INSERT INTO platform_media (account_id, sha256, kind, media_id, url, created_at)
VALUES (?,?,?,?,?,?) ON CONFLICT (account_id, sha256, kind) DO UPDATE SET media_id = excluded.media_id, url = excluded.url`,
		[]any{account, sha, kind, mediaID, url, now}})
	return nil
}

// SaveProgress records a channel's progress of an attempt in flight (opaque
// to the store), so that a crash after a platform call can resume or look
// it up. It only writes while the delivery is still in that attempt; the
// progress stays with the delivery across later attempts.
func (s *Store) SaveProgress(ctx context.Context, deliveryID int64, attemptID, progress string) error {
	now := ts(s.now())
	err := s.w.write(ctx, progressOp{deliveryID, attemptID, progress, now})
	if err != nil {
		return fmt.Errorf("storage: save progress of delivery %d: %w", deliveryID, err)
	}
	return nil
}

// progressOp is SaveProgress's write.
type progressOp struct {
	deliveryID          int64
	attemptID, progress string
	now                 string
}

func (o progressOp) apply(ctx context.Context, tx txn) error {
	st, err := tx.prepared(ctx, `UPDATE deliveries SET progress = ?, updated_at = ?
WHERE id = ? AND attempt_id = ? AND state IN ('sending', 'unknown')`)
	if err != nil {
		return err
	}
	res, err := st.ExecContext(ctx, o.progress, o.now, o.deliveryID, o.attemptID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrConflict
	}
	return nil
}

// MassSendsSince counts an account's mass sends at or after t.
func (s *Store) MassSendsSince(ctx context.Context, account string, t time.Time) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM mass_sends WHERE account_id = ? AND at >= ?", account, ts(t)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("storage: mass sends: %w", err)
	}
	return n, nil
}

// HasMassSend reports whether a mass send was already recorded for a delivery.
func (s *Store) HasMassSend(ctx context.Context, deliveryID int64) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM mass_sends WHERE delivery_id = ?", deliveryID).Scan(&n); err != nil {
		return false, fmt.Errorf("storage: mass send: %w", err)
	}
	return n > 0, nil
}

// RecordMassSend records a mass send made for a delivery.
func (s *Store) RecordMassSend(ctx context.Context, deliveryID int64, account string) error {
	_, err := s.db.ExecContext(ctx, "INSERT OR IGNORE INTO mass_sends (delivery_id, account_id, at) VALUES (?,?,?)", deliveryID, account, ts(s.now()))
	if err != nil {
		return fmt.Errorf("storage: record mass send: %w", err)
	}
	return nil
}

// PublishedSince returns when an account's deliveries published at or after
// t were published, oldest first (the Weibo posting budget).
func (s *Store) PublishedSince(ctx context.Context, account string, t time.Time) ([]time.Time, error) {
	var out []time.Time
	err := s.w.query(ctx, `SELECT published_at FROM deliveries WHERE account_id = ? AND state = 'published'
AND published_at >= ? ORDER BY published_at`, []any{account, ts(t)}, func(rows *sql.Rows) error {
		var at string
		err := rows.Scan(&at)
		out = append(out, parseTS(at))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: published since: %w", err)
	}
	return out, nil
}

// MassSendAt returns when a mass send was recorded for a delivery (made, or
// attempted with its answer lost); ok is false when none was.
func (s *Store) MassSendAt(ctx context.Context, deliveryID int64) (at time.Time, ok bool, err error) {
	var v string
	err = s.db.QueryRowContext(ctx, "SELECT at FROM mass_sends WHERE delivery_id = ?", deliveryID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("storage: mass send: %w", err)
	}
	return parseTS(v), true, nil
}

// ForgetMassSend removes a delivery's mass send record: the platform refused
// the mass send, so it neither went out nor used the quota.
func (s *Store) ForgetMassSend(ctx context.Context, deliveryID int64) error {
	if _, err := s.db.ExecContext(ctx, "DELETE FROM mass_sends WHERE delivery_id = ?", deliveryID); err != nil {
		return fmt.Errorf("storage: forget mass send: %w", err)
	}
	return nil
}

// PostOwner returns the delivery (and its item) that published remoteID on
// an account; found is false when no delivery of herald's did.
func (s *Store) PostOwner(ctx context.Context, account, remoteID string) (deliveryID, itemID int64, found bool, err error) {
	err = s.w.queryRow(ctx, `SELECT id, item_id FROM deliveries WHERE account_id = ? AND remote_id = ? AND state = 'published'
ORDER BY id LIMIT 1`, []any{account, remoteID}, &deliveryID, &itemID)
	if errors.Is(err, ErrNotFound) {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, fmt.Errorf("storage: owner of post %s: %w", remoteID, err)
	}
	return deliveryID, itemID, true, nil
}

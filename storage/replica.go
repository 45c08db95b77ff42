package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// databaseIDKey holds the database's identity, which its replica carries
// too: a replica made from another office's database is refused.
const databaseIDKey = "replica.database_id"

// DatabaseID returns the database's identity, made (random, 128 bits) the
// first time it is asked for. A restored database keeps it.
func (s *Store) DatabaseID(ctx context.Context) (string, error) {
	id, err := s.GetValue(ctx, databaseIDKey)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return "", err
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	id = hex.EncodeToString(b[:])
	// Only the first writer's id stays, should two ask at once.
	if err := s.w.exec(ctx, "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", databaseIDKey, id); err != nil {
		return "", fmt.Errorf("storage: database id: %w", err)
	}
	return s.GetValue(ctx, databaseIDKey)
}

// ReconcileRestored is run once on a database restored from a replica,
// before anything is sent. The replica may lag the lost database by up to
// its sync interval, so a delivery claimed and sent in that time comes back
// pending (or sending): every delivery that is not final — pending ones of
// publishing items, sending and unknown ones — becomes unknown, to be looked
// up on its platform (the executor's rule 3) before it is sent again. lost
// is when the replica's last transaction was committed: an attempt the
// restore lost started after it, so a pending delivery's lookup asks about
// what the platform has since then. Each delivery gets an audit entry.
func (s *Store) ReconcileRestored(ctx context.Context, lost time.Time) (int, error) {
	n := 0
	now := ts(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT d.id, d.item_id, d.revision_id, d.account_id, d.state FROM deliveries d JOIN items i ON i.id = d.item_id
WHERE d.state IN ('sending', 'unknown') OR (d.state = 'pending' AND i.state = 'publishing') ORDER BY d.id`)
		if err != nil {
			return err
		}
		type row struct {
			id, item, rev  int64
			account, state string
		}
		var rs []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.item, &r.rev, &r.account, &r.state); err != nil {
				rows.Close()
				return err
			}
			rs = append(rs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range rs {
			// A pending row's last recorded attempt (if any) failed before
			// the restored position; the attempt the restore may have lost
			// started after lost. A sending row keeps its own attempt.
			q := `UPDATE deliveries SET state = 'unknown', next_attempt_at = NULL, error = ?, updated_at = ?,
 attempt_started_at = CASE WHEN state = 'pending' THEN ? ELSE attempt_started_at END,
 attempt_id = CASE WHEN attempt_id = '' THEN 'restored' ELSE attempt_id END WHERE id = ?`
			if _, err := tx.ExecContext(ctx, q, "数据已从副本恢复，正在核实是否已发布", now, ts(lost), r.id); err != nil {
				return err
			}
			if err := insertAudit(ctx, tx, AuditEntry{Actor: "herald", Action: "restore", ItemID: r.item, RevisionID: r.rev, Account: r.account,
				Detail: r.state + " → unknown: restored from the replica; looked up on the platform before anything is sent"}, now); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("storage: reconcile a restored database: %w", err)
	}
	return n, nil
}

// MediaFile is an image file named by a row of the images table.
type MediaFile struct {
	Seq    int64  // the row's rowid: later rows have larger ones
	SHA256 string // the file's content hash
	Rel    string // its path under the media directory
}

// MediaAfter returns up to limit image files whose rows came after seq, in
// order. The replicator ships them before the transactions naming them.
func (s *Store) MediaAfter(ctx context.Context, seq int64, limit int) ([]MediaFile, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT rowid, sha256, path FROM images WHERE rowid > ? ORDER BY rowid LIMIT ?", seq, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: media files: %w", err)
	}
	defer rows.Close()
	var out []MediaFile
	for rows.Next() {
		var m MediaFile
		if err := rows.Scan(&m.Seq, &m.SHA256, &m.Rel); err != nil {
			return nil, fmt.Errorf("storage: media files: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// MediaDir is where the store keeps image files.
func (s *Store) MediaDir() string { return s.mediaDir }

// Path is the database file's path.
func (s *Store) Path() string { return s.path }

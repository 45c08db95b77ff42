package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// AuditEntry is one line of the audit log: who did what to which item, when.
type AuditEntry struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"`
	ItemID     int64     `json:"item_id,omitempty"`
	RevisionID int64     `json:"revision_id,omitempty"`
	Account    string    `json:"account,omitempty"`
	Detail     string    `json:"detail"`
	// From and To are the item's or delivery's states before and after the
	// entry, when it changed one ("" otherwise).
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Note is the clerk-readable reason or outcome (Chinese, no state or
	// account keys in it): what the console shows beside the states.
	Note string `json:"note,omitempty"`
}

const insertAuditSQL = "INSERT INTO audit_log (at, actor, action, item_id, revision_id, account_id, detail, from_state, to_state, note) VALUES (?,?,?,?,?,?,?,?,?,?)"

// auditColumns is what the readers select, in AuditEntry's scan order.
const auditColumns = "id, at, actor, action, COALESCE(item_id, 0), COALESCE(revision_id, 0), account_id, detail, from_state, to_state, note"

func scanAudit(rows *sql.Rows) (AuditEntry, error) {
	var e AuditEntry
	var at string
	err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.ItemID, &e.RevisionID, &e.Account, &e.Detail, &e.From, &e.To, &e.Note)
	e.At = parseTS(at)
	return e, err
}

func insertAudit(ctx context.Context, tx *sql.Tx, e AuditEntry, now string) error {
	var item, rev any
	if e.ItemID != 0 {
		item = e.ItemID
	}
	if e.RevisionID != 0 {
		rev = e.RevisionID
	}
	_, err := tx.ExecContext(ctx, insertAuditSQL, now, e.Actor, e.Action, item, rev, e.Account, e.Detail, e.From, e.To, e.Note)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// AddAudit writes one audit entry on its own.
func (s *Store) AddAudit(ctx context.Context, e AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return insertAudit(ctx, tx, e, ts(s.now())) })
}

// AuditLog lists audit entries in order, for one item when itemID is not 0.
func (s *Store) AuditLog(ctx context.Context, itemID int64, limit int) ([]AuditEntry, error) {
	if limit <= 0 {
		limit = 1000
	}
	q := "SELECT " + auditColumns + " FROM audit_log"
	args := []any{}
	if itemID != 0 {
		q += " WHERE item_id = ?"
		args = append(args, itemID)
	}
	q += " ORDER BY id LIMIT ?"
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("storage: audit log: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AuditAfter returns up to limit audit entries with an id above afterID, in
// order (for followers of the log, such as the notifier).
func (s *Store) AuditAfter(ctx context.Context, afterID int64, limit int) ([]AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+auditColumns+" FROM audit_log WHERE id > ? ORDER BY id LIMIT ?", afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: audit after %d: %w", afterID, err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("storage: audit after %d: %w", afterID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// LastAuditID is the id of the newest audit entry (0 when there is none).
func (s *Store) LastAuditID(ctx context.Context) (int64, error) {
	var id int64
	if err := s.db.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM audit_log").Scan(&id); err != nil {
		return 0, fmt.Errorf("storage: last audit id: %w", err)
	}
	return id, nil
}

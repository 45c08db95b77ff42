package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Inbox entry states.
const (
	InboxOpen     = "open"
	InboxAnswered = "answered"
	InboxClosed   = "closed"
)

// Inbox reply states.
const (
	ReplySending = "sending"
	ReplySent    = "sent"
	ReplyFailed  = "failed"
)

// What the robot was told about an entry (InboxEntry.Told bits).
const (
	ToldNew        = 1
	ToldReminder   = 2
	ToldOverdue    = 4
	ToldDepartment = 8  // unanswered for two months
	ToldOffice     = 16 // unanswered for ten weeks
)

// InboxEntry is one message, comment or mention in the inbox.
type InboxEntry struct {
	ID           int64
	Account      string
	Platform     string
	Kind         string
	RemoteKey    string
	FromID       string
	FromName     string
	Text         string
	Target       string
	PostKey      string
	ItemID       int64
	Title        string
	URL          string
	ReceivedAt   time.Time
	WindowEndsAt *time.Time
	DueAt        time.Time
	State        string
	ClosedBy     string
	ClosedReason string
	DoneAt       *time.Time
	Told         int
	// Reply is the latest attempt to answer it (nil: none).
	Reply *InboxReply
}

// InboxReply is one attempt to answer an entry.
type InboxReply struct {
	ID         int64
	EntryID    int64
	Text       string
	By         string
	State      string
	Error      string
	RemoteID   string
	StartedAt  time.Time
	FinishedAt *time.Time
}

// InboxCursor is where reading one source stopped.
type InboxCursor struct {
	Source     string
	Cursor     string
	Unreadable string
	// ReadAt is when the source was last read (set by InboxCursors).
	ReadAt time.Time
}

const inboxCols = `e.id, e.account_id, e.platform, e.kind, e.remote_key, e.from_id, e.from_name, e.text, e.target, e.post_key,
  COALESCE(e.item_id, 0), e.title, e.url, e.received_at, e.window_ends_at, e.due_at, e.state, e.closed_by, e.closed_reason,
  e.done_at, e.told, r.id, r.text, r.by_name, r.state, r.error, r.remote_id, r.started_at, r.finished_at`

const inboxFrom = ` FROM inbox_entries e LEFT JOIN inbox_replies r ON r.id = (SELECT MAX(id) FROM inbox_replies WHERE entry_id = e.id)`

func scanInbox(row interface{ Scan(...any) error }) (InboxEntry, error) {
	var e InboxEntry
	var received, due string
	var window, done sql.NullString
	var rid sql.NullInt64
	var rtext, rby, rstate, rerr, rremote, rstarted, rfinished sql.NullString
	err := row.Scan(&e.ID, &e.Account, &e.Platform, &e.Kind, &e.RemoteKey, &e.FromID, &e.FromName, &e.Text, &e.Target, &e.PostKey,
		&e.ItemID, &e.Title, &e.URL, &received, &window, &due, &e.State, &e.ClosedBy, &e.ClosedReason,
		&done, &e.Told, &rid, &rtext, &rby, &rstate, &rerr, &rremote, &rstarted, &rfinished)
	if err != nil {
		return e, err
	}
	e.ReceivedAt, e.DueAt = parseTS(received), parseTS(due)
	e.WindowEndsAt, e.DoneAt = parseTSPtr(window), parseTSPtr(done)
	if rid.Valid {
		e.Reply = &InboxReply{ID: rid.Int64, EntryID: e.ID, Text: rtext.String, By: rby.String, State: rstate.String,
			Error: rerr.String, RemoteID: rremote.String, StartedAt: parseTS(rstarted.String), FinishedAt: parseTSPtr(rfinished)}
	}
	return e, nil
}

// AddInboxEntries stores entries not stored before (an entry already
// stored, by account, kind and remote key, is left as it is) and, in the
// same transaction, the cursor of the source they were read from (cursor
// nil: none). A user's new message moves the answer window of their earlier
// open messages to the account. It returns the ids of the entries added.
func (s *Store) AddInboxEntries(ctx context.Context, entries []InboxEntry, cursor *InboxCursor, account string) ([]int64, error) {
	var added []int64
	now := ts(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		added = added[:0]
		for _, e := range entries {
			var id int64
			err := tx.QueryRowContext(ctx, `INSERT INTO inbox_entries (account_id, platform, kind, remote_key, from_id, from_name, text, target,
  post_key, item_id, title, url, received_at, window_ends_at, due_at, created_at)
VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (account_id, kind, remote_key) DO NOTHING RETURNING id`,
				e.Account, e.Platform, e.Kind, e.RemoteKey, e.FromID, e.FromName, e.Text, e.Target, e.PostKey, nullID(e.ItemID),
				e.Title, e.URL, ts(e.ReceivedAt), tsPtr(e.WindowEndsAt), ts(e.DueAt), now).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			added = append(added, id)
			if e.WindowEndsAt != nil && e.FromID != "" {
				// The platform's window runs from the user's last message.
				if _, err := tx.ExecContext(ctx, `UPDATE inbox_entries SET window_ends_at = ?
 WHERE account_id = ? AND kind = ? AND from_id = ? AND state = 'open' AND id != ? AND window_ends_at < ?`,
					ts(*e.WindowEndsAt), e.Account, e.Kind, e.FromID, id, ts(*e.WindowEndsAt)); err != nil {
					return err
				}
			}
		}
		if cursor != nil {
			if _, err := tx.ExecContext(ctx, `INSERT INTO inbox_cursors (account_id, source, cursor, unreadable, updated_at) VALUES (?,?,?,?,?)
ON CONFLICT (account_id, source) DO UPDATE SET cursor = excluded.cursor, unreadable = excluded.unreadable, updated_at = excluded.updated_at`,
				account, cursor.Source, cursor.Cursor, cursor.Unreadable, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: add inbox entries: %w", err)
	}
	return added, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// InboxCursors returns the account's stored cursors by source.
func (s *Store) InboxCursors(ctx context.Context, account string) (map[string]InboxCursor, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT source, cursor, unreadable, updated_at FROM inbox_cursors WHERE account_id = ?", account)
	if err != nil {
		return nil, fmt.Errorf("storage: inbox cursors of %s: %w", account, err)
	}
	defer rows.Close()
	out := map[string]InboxCursor{}
	for rows.Next() {
		var c InboxCursor
		var at string
		if err := rows.Scan(&c.Source, &c.Cursor, &c.Unreadable, &at); err != nil {
			return nil, fmt.Errorf("storage: inbox cursors of %s: %w", account, err)
		}
		c.ReadAt = parseTS(at)
		out[c.Source] = c
	}
	return out, rows.Err()
}

// InboxFilter selects entries; zero values select everything.
type InboxFilter struct {
	States   []string
	Accounts []string
	// OverdueAt, when set, keeps only open entries due before it.
	OverdueAt time.Time
	// ReceivedFrom and ReceivedTo bound received_at (zero: unbounded).
	ReceivedFrom, ReceivedTo time.Time
	Limit                    int
}

// InboxEntries lists entries, the earliest due first.
func (s *Store) InboxEntries(ctx context.Context, f InboxFilter) ([]InboxEntry, error) {
	var where []string
	var args []any
	if len(f.States) > 0 {
		where = append(where, "e.state IN ("+placeholders(len(f.States))+")")
		for _, st := range f.States {
			args = append(args, st)
		}
	}
	if len(f.Accounts) > 0 {
		where = append(where, "e.account_id IN ("+placeholders(len(f.Accounts))+")")
		for _, a := range f.Accounts {
			args = append(args, a)
		}
	}
	if !f.OverdueAt.IsZero() {
		where = append(where, "e.state = 'open' AND e.due_at < ?")
		args = append(args, ts(f.OverdueAt))
	}
	if !f.ReceivedFrom.IsZero() {
		where = append(where, "e.received_at >= ?")
		args = append(args, ts(f.ReceivedFrom))
	}
	if !f.ReceivedTo.IsZero() {
		where = append(where, "e.received_at < ?")
		args = append(args, ts(f.ReceivedTo))
	}
	q := "SELECT " + inboxCols + inboxFrom
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY e.due_at, e.id"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: inbox: %w", err)
	}
	defer rows.Close()
	var out []InboxEntry
	for rows.Next() {
		e, err := scanInbox(rows)
		if err != nil {
			return nil, fmt.Errorf("storage: inbox: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// InboxEntryByID returns one entry with its latest reply.
func (s *Store) InboxEntryByID(ctx context.Context, id int64) (InboxEntry, error) {
	e, err := scanInbox(s.db.QueryRowContext(ctx, "SELECT "+inboxCols+inboxFrom+" WHERE e.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("storage: inbox entry %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return e, fmt.Errorf("storage: inbox entry %d: %w", id, err)
	}
	return e, nil
}

// StartInboxReply records an attempt to answer an open entry (state
// sending) with its audit entry, committed before the platform call. It
// fails with ErrConflict when the entry is not open or has an attempt that
// did not fail.
func (s *Store) StartInboxReply(ctx context.Context, entryID int64, text, by string) (int64, error) {
	var id int64
	now := ts(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var account string
		err := tx.QueryRowContext(ctx, `SELECT account_id FROM inbox_entries e WHERE id = ? AND state = 'open'
  AND NOT EXISTS (SELECT 1 FROM inbox_replies WHERE entry_id = e.id AND state != 'failed')`, entryID).Scan(&account)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrConflict
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "INSERT INTO inbox_replies (entry_id, text, by_name, state, started_at) VALUES (?,?,?,?,?)",
			entryID, text, by, ReplySending, now)
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		return insertAudit(ctx, tx, AuditEntry{Actor: by, Action: "inbox_reply", Account: account,
			Detail: fmt.Sprintf("互动 %d：回复发送中：%s", entryID, text)}, now)
	})
	if err != nil {
		return 0, fmt.Errorf("storage: start reply to %d: %w", entryID, err)
	}
	return id, nil
}

// FinishInboxReply records what the platform said about a reply attempt
// still sending: sent (the entry is answered) or failed (the entry stays
// open). It fails with ErrConflict when the attempt is no longer sending.
func (s *Store) FinishInboxReply(ctx context.Context, replyID int64, state, remoteID, errText, actor string) error {
	if state != ReplySent && state != ReplyFailed {
		return fmt.Errorf("storage: finish reply %d: bad state %q", replyID, state)
	}
	now := ts(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var entryID int64
		var account string
		err := tx.QueryRowContext(ctx, `UPDATE inbox_replies SET state = ?, remote_id = ?, error = ?, finished_at = ?
 WHERE id = ? AND state = 'sending' RETURNING entry_id, (SELECT account_id FROM inbox_entries WHERE id = entry_id)`,
			state, remoteID, errText, now, replyID).Scan(&entryID, &account)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrConflict
		}
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("互动 %d：回复已发出", entryID)
		if state == ReplySent {
			if _, err := tx.ExecContext(ctx, "UPDATE inbox_entries SET state = 'answered', done_at = ? WHERE id = ? AND state = 'open'", now, entryID); err != nil {
				return err
			}
		} else {
			detail = fmt.Sprintf("互动 %d：回复未发出：%s", entryID, errText)
		}
		return insertAudit(ctx, tx, AuditEntry{Actor: actor, Action: "inbox_reply", Account: account, Detail: detail}, now)
	})
	if err != nil {
		return fmt.Errorf("storage: finish reply %d: %w", replyID, err)
	}
	return nil
}

// NoteInboxReply keeps a reply attempt sending with a note for the clerk
// (its outcome is not known).
func (s *Store) NoteInboxReply(ctx context.Context, replyID int64, note string) error {
	if _, err := s.db.ExecContext(ctx, "UPDATE inbox_replies SET error = ? WHERE id = ? AND state = 'sending'", note, replyID); err != nil {
		return fmt.Errorf("storage: note reply %d: %w", replyID, err)
	}
	return nil
}

// SendingInboxReplies returns the entries whose latest reply attempt is
// still sending and started before t.
func (s *Store) SendingInboxReplies(ctx context.Context, before time.Time) ([]InboxEntry, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+inboxCols+inboxFrom+" WHERE r.state = 'sending' AND r.started_at < ? ORDER BY r.id", ts(before))
	if err != nil {
		return nil, fmt.Errorf("storage: sending replies: %w", err)
	}
	defer rows.Close()
	var out []InboxEntry
	for rows.Next() {
		e, err := scanInbox(rows)
		if err != nil {
			return nil, fmt.Errorf("storage: sending replies: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// CloseInboxEntry closes an open entry that needs no answer, with its
// audit entry. ErrConflict: the entry is not open.
func (s *Store) CloseInboxEntry(ctx context.Context, id int64, by, reason string) error {
	now := ts(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var account string
		err := tx.QueryRowContext(ctx, `UPDATE inbox_entries SET state = 'closed', closed_by = ?, closed_reason = ?, done_at = ?
 WHERE id = ? AND state = 'open' RETURNING account_id`, by, reason, now, id).Scan(&account)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrConflict
		}
		if err != nil {
			return err
		}
		return insertAudit(ctx, tx, AuditEntry{Actor: by, Action: "inbox_close", Account: account,
			Detail: fmt.Sprintf("互动 %d：无需回复，已关闭：%s", id, reason)}, now)
	})
	if err != nil {
		return fmt.Errorf("storage: close inbox entry %d: %w", id, err)
	}
	return nil
}

// MarkInboxTold records that the robot was told bit about the entries.
func (s *Store) MarkInboxTold(ctx context.Context, ids []int64, bit int) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{bit}
	for _, id := range ids {
		args = append(args, id)
	}
	if _, err := s.db.ExecContext(ctx, "UPDATE inbox_entries SET told = told | ? WHERE id IN ("+placeholders(len(ids))+")", args...); err != nil {
		return fmt.Errorf("storage: mark inbox told: %w", err)
	}
	return nil
}

package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Publication is one publication read from a platform's own list.
type Publication struct {
	Account     string
	RemoteID    string
	Title       string
	URL         string
	SourceURL   string
	Text        string
	PublishedAt time.Time
}

// ReadCursor is what was read of an account before.
type ReadCursor struct {
	// CoveredFrom: everything published since then is stored (zero: nothing read).
	CoveredFrom time.Time
	// Newest and Oldest are the remote ids of the stored publications at both ends.
	Newest, Oldest string
}

// PublicationCursor returns what was read of an account before.
func (s *Store) PublicationCursor(ctx context.Context, account string) (ReadCursor, error) {
	var c ReadCursor
	var from string
	err := s.db.QueryRowContext(ctx, "SELECT covered_from FROM publication_reads WHERE account_id = ?", account).Scan(&from)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("storage: read cursor of %s: %w", account, err)
	}
	c.CoveredFrom = parseTS(from)
	for _, q := range []struct {
		order string
		dst   *string
	}{{"DESC", &c.Newest}, {"ASC", &c.Oldest}} {
		err := s.db.QueryRowContext(ctx, "SELECT remote_id FROM publications WHERE account_id = ? ORDER BY published_at "+q.order+", remote_id "+q.order+" LIMIT 1", account).Scan(q.dst)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return c, fmt.Errorf("storage: read cursor of %s: %w", account, err)
		}
	}
	return c, nil
}

// KnownPublications returns the remote ids of an account's stored
// publications published at or after since.
func (s *Store) KnownPublications(ctx context.Context, account string, since time.Time) (map[string]bool, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT remote_id FROM publications WHERE account_id = ? AND published_at >= ?", account, ts(since))
	if err != nil {
		return nil, fmt.Errorf("storage: known publications: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// SavePublications stores what one read of an account found. complete says
// the read went down to since without error: only then does the account's
// coverage extend to since. An incomplete read forgets the coverage: what it
// missed may lie between stored publications, so the next read is a whole
// one (it still skips what is stored).
func (s *Store) SavePublications(ctx context.Context, account string, pubs []Publication, since time.Time, complete bool) error {
	now := ts(s.now())
	return s.inTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO publications (account_id, remote_id, title, url, source_url, text, published_at, read_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, remote_id) DO NOTHING`)
		if err != nil {
			return fmt.Errorf("storage: save publications: %w", err)
		}
		defer stmt.Close()
		for _, p := range pubs {
			if _, err := stmt.ExecContext(ctx, account, p.RemoteID, p.Title, p.URL, p.SourceURL, p.Text, ts(p.PublishedAt), now); err != nil {
				return fmt.Errorf("storage: save publication %s: %w", p.RemoteID, err)
			}
		}
		if !complete {
			if _, err := tx.ExecContext(ctx, "DELETE FROM publication_reads WHERE account_id = ?", account); err != nil {
				return fmt.Errorf("storage: reset read cursor: %w", err)
			}
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO publication_reads (account_id, covered_from, read_at) VALUES (?, ?, ?)
ON CONFLICT (account_id) DO UPDATE SET covered_from = MIN(covered_from, excluded.covered_from), read_at = excluded.read_at`, account, ts(since), now)
		if err != nil {
			return fmt.Errorf("storage: save read cursor: %w", err)
		}
		return nil
	})
}

// PrunePublicationTexts empties the stored text of publications published
// before t (their title, address, time and findings stay), and returns how
// many it emptied. SQLite reuses the freed pages, so the file stops growing.
func (s *Store) PrunePublicationTexts(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, "UPDATE publications SET text = '' WHERE published_at < ? AND text != ''", ts(before))
	if err != nil {
		return 0, fmt.Errorf("storage: prune publication texts: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// Publications returns the stored publications of the given accounts (all
// when empty) published in [from, to), oldest first.
func (s *Store) Publications(ctx context.Context, accounts []string, from, to time.Time) ([]Publication, error) {
	q := "SELECT account_id, remote_id, title, url, source_url, text, published_at FROM publications WHERE published_at >= ? AND published_at < ?"
	args := []any{ts(from), ts(to)}
	if len(accounts) > 0 {
		q += " AND account_id IN (" + placeholders(len(accounts)) + ")"
		for _, a := range accounts {
			args = append(args, a)
		}
	}
	rows, err := s.db.QueryContext(ctx, q+" ORDER BY published_at, account_id, remote_id", args...)
	if err != nil {
		return nil, fmt.Errorf("storage: publications: %w", err)
	}
	defer rows.Close()
	var out []Publication
	for rows.Next() {
		var p Publication
		var at string
		if err := rows.Scan(&p.Account, &p.RemoteID, &p.Title, &p.URL, &p.SourceURL, &p.Text, &at); err != nil {
			return nil, err
		}
		p.PublishedAt = parseTS(at)
		out = append(out, p)
	}
	return out, rows.Err()
}

// PublicationTimes returns, per account, the publication times stored at or
// after since (the platform's own list, for the update rules).
func (s *Store) PublicationTimes(ctx context.Context, since time.Time) (map[string][]time.Time, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT account_id, published_at FROM publications WHERE published_at >= ? ORDER BY published_at", ts(since))
	if err != nil {
		return nil, fmt.Errorf("storage: publication times: %w", err)
	}
	defer rows.Close()
	out := map[string][]time.Time{}
	for rows.Next() {
		var id, at string
		if err := rows.Scan(&id, &at); err != nil {
			return nil, err
		}
		out[id] = append(out[id], parseTS(at))
	}
	return out, rows.Err()
}

// Finding is one problem the patrol found in a publication.
type Finding struct {
	ID          int64
	Account     string
	RemoteID    string
	Title       string // joined from publications
	URL         string
	PublishedAt time.Time
	Term        string
	Suggestion  string
	Level       string
	Kind        string
	Position    int
	Context     string
	FoundAt     time.Time
	NotifiedAt  *time.Time
}

// RecordFindings stores findings not stored before and returns how many were new.
func (s *Store) RecordFindings(ctx context.Context, fs []Finding) (int, error) {
	now := ts(s.now())
	added := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO patrol_findings (account_id, remote_id, term, suggestion, level, kind, position, context, found_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, f := range fs {
			res, err := stmt.ExecContext(ctx, f.Account, f.RemoteID, f.Term, f.Suggestion, f.Level, f.Kind, f.Position, f.Context, now)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				added++
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("storage: record findings: %w", err)
	}
	return added, nil
}

// Findings returns stored findings whose publication appeared in [from, to)
// (zero times: no bound); onlyUnnotified keeps those the robot was not told.
func (s *Store) Findings(ctx context.Context, from, to time.Time, onlyUnnotified bool) ([]Finding, error) {
	q := `SELECT f.id, f.account_id, f.remote_id, COALESCE(p.title, ''), COALESCE(p.url, ''), COALESCE(p.published_at, ''), f.term, f.suggestion,
f.level, f.kind, f.position, f.context, f.found_at, f.notified_at
FROM patrol_findings f LEFT JOIN publications p ON p.account_id = f.account_id AND p.remote_id = f.remote_id`
	var where []string
	var args []any
	if !from.IsZero() {
		where, args = append(where, "p.published_at >= ?"), append(args, ts(from))
	}
	if !to.IsZero() {
		where, args = append(where, "p.published_at < ?"), append(args, ts(to))
	}
	if onlyUnnotified {
		where = append(where, "f.notified_at IS NULL")
	}
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.db.QueryContext(ctx, q+" ORDER BY p.published_at DESC, f.account_id, f.position", args...)
	if err != nil {
		return nil, fmt.Errorf("storage: findings: %w", err)
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		var f Finding
		var at, found string
		var notified sql.NullString
		if err := rows.Scan(&f.ID, &f.Account, &f.RemoteID, &f.Title, &f.URL, &at, &f.Term, &f.Suggestion, &f.Level, &f.Kind, &f.Position,
			&f.Context, &found, &notified); err != nil {
			return nil, err
		}
		f.PublishedAt, f.FoundAt, f.NotifiedAt = parseTS(at), parseTS(found), parseTSPtr(notified)
		out = append(out, f)
	}
	return out, rows.Err()
}

// MarkFindingsNotified records that the robot was told about these findings.
func (s *Store) MarkFindingsNotified(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{ts(s.now())}
	for _, id := range ids {
		args = append(args, id)
	}
	_, err := s.db.ExecContext(ctx, "UPDATE patrol_findings SET notified_at = ? WHERE id IN ("+placeholders(len(ids))+")", args...)
	if err != nil {
		return fmt.Errorf("storage: mark findings notified: %w", err)
	}
	return nil
}

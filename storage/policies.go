package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Policy is a policy document read from the county site.
type Policy struct {
	ID            int64
	URL           string
	Source        string // the configured list page it was found on
	Title         string
	Issuer        string // 发文机关
	DocNumber     string // 文号
	IndexNumber   string // 索引号
	WrittenDate   string // 成文日期, YYYY-MM-DD or ""
	PublishedDate string // 发布日期, YYYY-MM-DD or ""
	Body          string // the document's text, paragraphs separated by "\n"
	// NoText is why the document has no text: "picture" (a 图解 page) or
	// "attachment" (the document is an attached file); "" otherwise.
	NoText string
	// Attachments are the names of the files or pictures of a document
	// without text.
	Attachments []string
	// Aliases are other addresses the document was read at.
	Aliases     []string
	ContentHash string
	FirstSeenAt time.Time
	UpdatedAt   time.Time
	CheckedAt   time.Time
}

// Policy changes reported by SavePolicy.
const (
	PolicyNew       = "new"
	PolicyUpdated   = "updated"
	PolicyUnchanged = "unchanged"
)

// SavePolicy stores a document read from the site: with p.ID set it updates
// that policy (the caller matched the document to it by canonical URL, 文号
// or 索引号; its URL stays), else it stores the document once per URL. A
// new document is inserted, a known one is updated only when its
// ContentHash changed (the time it was checked is always recorded). It
// returns the policy's id and which of PolicyNew, PolicyUpdated,
// PolicyUnchanged happened.
func (s *Store) SavePolicy(ctx context.Context, p Policy) (int64, string, error) {
	if p.URL == "" || p.ContentHash == "" {
		return 0, "", errors.New("storage: save policy: url and content hash are required")
	}
	now := ts(s.now())
	var id int64
	change := PolicyUnchanged
	attachments := strings.Join(p.Attachments, "\n")
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var hash string
		var err error
		if p.ID != 0 {
			var url, aliases string
			err = tx.QueryRowContext(ctx, "SELECT id, content_hash, url, aliases FROM policies WHERE id = ?", p.ID).Scan(&id, &hash, &url, &aliases)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("policy %d: %w", p.ID, ErrNotFound)
			}
			if err == nil && p.URL != url && !slices.Contains(strings.Split(aliases, "\n"), p.URL) {
				// read at another address: remember it
				if _, err := tx.ExecContext(ctx, "UPDATE policies SET aliases = ltrim(aliases || char(10) || ?, char(10)) WHERE id = ?", p.URL, id); err != nil {
					return err
				}
			}
		} else {
			err = tx.QueryRowContext(ctx, "SELECT id, content_hash FROM policies WHERE url = ?", p.URL).Scan(&id, &hash)
		}
		switch {
		case errors.Is(err, sql.ErrNoRows):
			res, err := tx.ExecContext(ctx, `INSERT INTO policies (url, source, title, issuer, doc_number, index_number,
  written_date, published_date, body, no_text, attachments, content_hash, first_seen_at, updated_at, checked_at)
  VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
				p.URL, p.Source, p.Title, p.Issuer, p.DocNumber, p.IndexNumber, p.WrittenDate, p.PublishedDate, p.Body, p.NoText, attachments,
				p.ContentHash, now, now, now)
			if err != nil {
				return err
			}
			id, _ = res.LastInsertId()
			change = PolicyNew
			return nil
		case err != nil:
			return err
		case hash == p.ContentHash:
			_, err := tx.ExecContext(ctx, "UPDATE policies SET checked_at = ? WHERE id = ?", now, id)
			return err
		}
		change = PolicyUpdated
		_, err = tx.ExecContext(ctx, `UPDATE policies SET source = ?, title = ?, issuer = ?, doc_number = ?, index_number = ?,
  written_date = ?, published_date = ?, body = ?, no_text = ?, attachments = ?, content_hash = ?, updated_at = ?, checked_at = ?
  WHERE id = ?`,
			p.Source, p.Title, p.Issuer, p.DocNumber, p.IndexNumber, p.WrittenDate, p.PublishedDate, p.Body, p.NoText, attachments,
			p.ContentHash, now, now, id)
		return err
	})
	if err != nil {
		return 0, "", fmt.Errorf("storage: save policy %s: %w", p.URL, err)
	}
	return id, change, nil
}

const policyCols = `id, url, source, title, issuer, doc_number, index_number, written_date, published_date,
  no_text, attachments, aliases, content_hash, first_seen_at, updated_at, checked_at`

func scanPolicy(row interface{ Scan(...any) error }, withBody bool) (Policy, error) {
	var p Policy
	var first, updated, checked, attachments, aliases string
	dest := []any{&p.ID, &p.URL, &p.Source, &p.Title, &p.Issuer, &p.DocNumber, &p.IndexNumber, &p.WrittenDate, &p.PublishedDate,
		&p.NoText, &attachments, &aliases, &p.ContentHash, &first, &updated, &checked}
	if withBody {
		dest = append(dest, &p.Body)
	}
	if err := row.Scan(dest...); err != nil {
		return p, err
	}
	p.FirstSeenAt, p.UpdatedAt, p.CheckedAt = parseTS(first), parseTS(updated), parseTS(checked)
	if attachments != "" {
		p.Attachments = strings.Split(attachments, "\n")
	}
	if aliases != "" {
		p.Aliases = strings.Split(aliases, "\n")
	}
	return p, nil
}

// Policy returns one policy with its text.
func (s *Store) Policy(ctx context.Context, id int64) (Policy, error) {
	p, err := scanPolicy(s.db.QueryRowContext(ctx, "SELECT "+policyCols+", body FROM policies WHERE id = ?", id), true)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("storage: policy %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("storage: policy %d: %w", id, err)
	}
	return p, nil
}

// Policies lists every stored policy (without its text), newest document
// first.
func (s *Store) Policies(ctx context.Context) ([]Policy, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+policyCols+` FROM policies
ORDER BY COALESCE(NULLIF(published_date, ''), NULLIF(written_date, ''), substr(first_seen_at, 1, 10)) DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("storage: policies: %w", err)
	}
	defer rows.Close()
	var out []Policy
	for rows.Next() {
		p, err := scanPolicy(rows, false)
		if err != nil {
			return nil, fmt.Errorf("storage: policies: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PolicyLink is an item linked to a policy as its 解读 or 图解.
type PolicyLink struct {
	PolicyID int64
	ItemID   int64
	Kind     string // the item's kind: article (解读) or graphic (图解)
	State    string // the item's state
	Title    string
	// FirstPublished is the item's first published delivery, nil while
	// none is published.
	FirstPublished *time.Time
	LinkedAt       time.Time
}

// LinkPolicy links an existing item to a policy and writes the audit entry;
// linking twice is not an error.
func (s *Store) LinkPolicy(ctx context.Context, policyID, itemID int64, actor string) error {
	now := ts(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		return linkPolicyTx(ctx, tx, policyID, itemID, actor, now)
	})
	if err != nil {
		return fmt.Errorf("storage: link item %d to policy %d: %w", itemID, policyID, err)
	}
	return nil
}

func linkPolicyTx(ctx context.Context, tx *sql.Tx, policyID, itemID int64, actor, now string) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM policies WHERE id = ?", policyID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("policy %d: %w", policyID, ErrNotFound)
	}
	res, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO policy_items (policy_id, item_id, created_by, created_at) VALUES (?,?,?,?)",
		policyID, itemID, actor, now)
	if err != nil {
		return err
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return nil
	}
	return insertAudit(ctx, tx, AuditEntry{Actor: actor, Action: "link-policy", ItemID: itemID, Detail: fmt.Sprintf("关联政策 %d", policyID), Note: fmt.Sprintf("关联政策 %d", policyID)}, now)
}

// PolicyLinks returns every linked item by policy id, oldest link first.
func (s *Store) PolicyLinks(ctx context.Context) (map[int64][]PolicyLink, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT l.policy_id, i.id, i.kind, i.state, COALESCE(r.title, ''), l.created_at,
  (SELECT MIN(d.published_at) FROM deliveries d WHERE d.item_id = i.id AND d.state = 'published')
FROM policy_items l JOIN items i ON i.id = l.item_id LEFT JOIN revisions r ON r.id = i.current_revision
ORDER BY l.created_at, i.id`)
	if err != nil {
		return nil, fmt.Errorf("storage: policy links: %w", err)
	}
	defer rows.Close()
	out := map[int64][]PolicyLink{}
	for rows.Next() {
		var l PolicyLink
		var linked string
		var first sql.NullString
		if err := rows.Scan(&l.PolicyID, &l.ItemID, &l.Kind, &l.State, &l.Title, &linked, &first); err != nil {
			return nil, fmt.Errorf("storage: policy links: %w", err)
		}
		l.LinkedAt, l.FirstPublished = parseTS(linked), parseTSPtr(first)
		out[l.PolicyID] = append(out[l.PolicyID], l)
	}
	return out, rows.Err()
}

// UnlinkPolicy removes an item's link to a policy, with its audit entry;
// ErrNotFound when there is no such link.
func (s *Store) UnlinkPolicy(ctx context.Context, policyID, itemID int64, actor string) error {
	now := ts(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM policy_items WHERE policy_id = ? AND item_id = ?", policyID, itemID)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return ErrNotFound
		}
		return insertAudit(ctx, tx, AuditEntry{Actor: actor, Action: "unlink-policy", ItemID: itemID,
			Detail: fmt.Sprintf("取消关联政策 %d", policyID), Note: fmt.Sprintf("取消关联政策 %d", policyID)}, now)
	})
	if err != nil {
		return fmt.Errorf("storage: unlink item %d from policy %d: %w", itemID, policyID, err)
	}
	return nil
}

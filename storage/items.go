package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/herald-gov/herald/content"
)

// Target is an account an item is delivered to.
type Target struct {
	Account  string
	Platform string
}

// NewItem is everything CreateItem writes in one transaction.
type NewItem struct {
	Item     content.Item     // ID, Revision and timestamps are ignored
	Revision content.Revision // the first revision; Hash must be set
	Targets  []Target
	Actor    string
	// Audit entries written with the item (item and revision ids filled in).
	Audit []AuditEntry
	// PolicyID, when not 0, links the item to that policy (its 解读 or 图解).
	PolicyID int64
}

// CreateItem writes a new item, its first revision, one pending delivery per
// target and its audit entries, all or nothing. It returns the item's id.
func (s *Store) CreateItem(ctx context.Context, n NewItem) (int64, error) {
	if !n.Item.State.Valid() || !n.Item.Kind.Valid() {
		return 0, fmt.Errorf("storage: create item: bad state %q or kind %q", n.Item.State, n.Item.Kind)
	}
	now := ts(s.now())
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		it := n.Item
		res, err := tx.ExecContext(ctx, `INSERT INTO items (kind, state, priority, targets, department, created_by, notify,
  publish_at, publish_now, cron, state_reason, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			it.Kind, it.State, it.Priority, it.Targets, it.Department, n.Actor, it.Notify,
			tsPtr(it.PublishAt), it.PublishNow, it.Cron, it.StateReason, now, now)
		if err != nil {
			return err
		}
		id, _ = res.LastInsertId()
		revID, err := insertRevision(ctx, tx, id, 1, &n.Revision, n.Actor, now)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE items SET current_revision = ? WHERE id = ?", revID, id); err != nil {
			return err
		}
		for _, t := range n.Targets {
			_, err := tx.ExecContext(ctx, `INSERT INTO deliveries (item_id, revision_id, account_id, platform, state, created_at, updated_at)
VALUES (?, ?, ?, ?, 'pending', ?, ?)`, id, revID, t.Account, t.Platform, now, now)
			if err != nil {
				return fmt.Errorf("delivery to %s: %w", t.Account, err)
			}
		}
		for _, e := range n.Audit {
			e.ItemID, e.RevisionID = id, revID
			if err := insertAudit(ctx, tx, e, now); err != nil {
				return err
			}
		}
		if n.PolicyID != 0 {
			return linkPolicyTx(ctx, tx, n.PolicyID, id, n.Actor, now)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("storage: create item: %w", err)
	}
	return id, nil
}

func insertRevision(ctx context.Context, tx *sql.Tx, itemID int64, number int, r *content.Revision, actor, now string) (int64, error) {
	var bc any
	if r.Broadcast != nil {
		b, _ := json.Marshal(r.Broadcast)
		bc = string(b)
	}
	if r.Hash == "" {
		return 0, errors.New("revision without content hash")
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO revisions (item_id, number, title, body, digest, author, source_url,
  broadcast_json, content_hash, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
		itemID, number, r.Title, r.Body, r.Digest, r.Author, r.SourceURL, bc, r.Hash, actor, now)
	if err != nil {
		return 0, fmt.Errorf("revision: %w", err)
	}
	revID, _ := res.LastInsertId()
	for i, im := range r.Images {
		_, err := tx.ExecContext(ctx, "INSERT INTO revision_images (revision_id, position, sha256, role, ref) VALUES (?,?,?,?,?)",
			revID, i, im.SHA256, im.Role, im.Ref)
		if err != nil {
			return 0, fmt.Errorf("revision image %d: %w", i, err)
		}
	}
	return revID, nil
}

const itemCols = `i.id, i.kind, i.state, i.priority, i.targets, i.department, i.created_by, i.notify,
  i.publish_at, i.publish_now, i.cron, i.state_reason, i.created_at, i.updated_at,
  r.id, r.number, r.title, r.digest, r.author, r.source_url, r.broadcast_json, r.content_hash, r.created_by, r.created_at,
  substr(r.body, 1, 120)`

func scanItem(row interface{ Scan(...any) error }) (content.Item, error) {
	var it content.Item
	var publishAt, bc sql.NullString
	var created, updated, revCreated string
	r := &it.Revision
	err := row.Scan(&it.ID, &it.Kind, &it.State, &it.Priority, &it.Targets, &it.Department, &it.CreatedBy, &it.Notify,
		&publishAt, &it.PublishNow, &it.Cron, &it.StateReason, &created, &updated,
		&r.ID, &r.Number, &r.Title, &r.Digest, &r.Author, &r.SourceURL, &bc, &r.Hash, &r.CreatedBy, &revCreated,
		&r.Body) // the opening only, for labels; Item loads the whole body
	if err != nil {
		return it, err
	}
	it.PublishAt = parseTSPtr(publishAt)
	it.CreatedAt, it.UpdatedAt = parseTS(created), parseTS(updated)
	r.ItemID, r.CreatedAt = it.ID, parseTS(revCreated)
	if bc.Valid {
		r.Broadcast = &content.Broadcast{}
		if err := json.Unmarshal([]byte(bc.String), r.Broadcast); err != nil {
			return it, fmt.Errorf("broadcast fields: %w", err)
		}
	}
	return it, nil
}

// Item returns an item with its current revision, body and images.
func (s *Store) Item(ctx context.Context, id int64) (content.Item, error) {
	it, err := scanItem(s.db.QueryRowContext(ctx, "SELECT "+itemCols+
		" FROM items i JOIN revisions r ON r.id = i.current_revision WHERE i.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return it, fmt.Errorf("storage: item %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return it, fmt.Errorf("storage: item %d: %w", id, err)
	}
	if err := s.loadRevisionContent(ctx, &it.Revision); err != nil {
		return it, err
	}
	return it, nil
}

// Revision returns one revision of an item, with body and images.
func (s *Store) Revision(ctx context.Context, revisionID int64) (content.Revision, error) {
	var r content.Revision
	var bc sql.NullString
	var created string
	err := s.db.QueryRowContext(ctx, `SELECT id, item_id, number, title, digest, author, source_url, broadcast_json,
  content_hash, created_by, created_at FROM revisions WHERE id = ?`, revisionID).
		Scan(&r.ID, &r.ItemID, &r.Number, &r.Title, &r.Digest, &r.Author, &r.SourceURL, &bc, &r.Hash, &r.CreatedBy, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("storage: revision %d: %w", revisionID, ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("storage: revision %d: %w", revisionID, err)
	}
	r.CreatedAt = parseTS(created)
	if bc.Valid {
		r.Broadcast = &content.Broadcast{}
		if err := json.Unmarshal([]byte(bc.String), r.Broadcast); err != nil {
			return r, fmt.Errorf("storage: revision %d broadcast: %w", revisionID, err)
		}
	}
	return r, s.loadRevisionContent(ctx, &r)
}

func (s *Store) loadRevisionContent(ctx context.Context, r *content.Revision) error {
	if err := s.db.QueryRowContext(ctx, "SELECT body FROM revisions WHERE id = ?", r.ID).Scan(&r.Body); err != nil {
		return fmt.Errorf("storage: revision %d body: %w", r.ID, err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT ri.sha256, ri.role, ri.ref, im.mime, im.size, im.width, im.height
FROM revision_images ri JOIN images im ON im.sha256 = ri.sha256 WHERE ri.revision_id = ? ORDER BY ri.position`, r.ID)
	if err != nil {
		return fmt.Errorf("storage: revision %d images: %w", r.ID, err)
	}
	defer rows.Close()
	r.Images = nil
	for rows.Next() {
		var im content.ImageRef
		if err := rows.Scan(&im.SHA256, &im.Role, &im.Ref, &im.MIME, &im.Size, &im.Width, &im.Height); err != nil {
			return fmt.Errorf("storage: revision %d images: %w", r.ID, err)
		}
		r.Images = append(r.Images, im)
	}
	return rows.Err()
}

// ItemFilter narrows ListItems.
type ItemFilter struct {
	States     []content.ItemState
	Department string // "" = any
	Limit      int    // 0 = 200
}

// ListItems lists items newest first, with their current revision's title
// (no body, no images).
func (s *Store) ListItems(ctx context.Context, f ItemFilter) ([]content.Item, error) {
	var where []string
	var args []any
	if len(f.States) > 0 {
		where = append(where, "i.state IN ("+placeholders(len(f.States))+")")
		for _, st := range f.States {
			args = append(args, st)
		}
	}
	if f.Department != "" {
		where = append(where, "i.department = ?")
		args = append(args, f.Department)
	}
	q := "SELECT " + itemCols + " FROM items i JOIN revisions r ON r.id = i.current_revision"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Limit <= 0 {
		f.Limit = 200
	}
	q += " ORDER BY i.id DESC LIMIT ?"
	args = append(args, f.Limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: list items: %w", err)
	}
	defer rows.Close()
	var out []content.Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("storage: list items: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// Transition is a guarded change of an item's state.
type Transition struct {
	ItemID   int64
	From, To content.ItemState
	// Revision, when not 0, must still be the item's current revision.
	Revision int64
	Reason   string
	Actor    string
	Action   string // audit action, e.g. "submit", "cancel"
	Detail   string
}

// TransitionItem moves an item from one state to another if it is still in
// From (and still at Revision), checks the move against the state machine,
// cancels pending deliveries when the item is cancelled, and writes the
// audit entry, all in one transaction. ErrConflict means it changed meanwhile.
func (s *Store) TransitionItem(ctx context.Context, t Transition) error {
	if err := content.CheckItemTransition(t.From, t.To); err != nil {
		return err
	}
	now := ts(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		return transitionTx(ctx, tx, t, now)
	})
	if err != nil {
		return fmt.Errorf("storage: item %d %s: %w", t.ItemID, t.Action, err)
	}
	return nil
}

func transitionTx(ctx context.Context, tx *sql.Tx, t Transition, now string) error {
	q := "UPDATE items SET state = ?, state_reason = ?, updated_at = ? WHERE id = ? AND state = ?"
	args := []any{t.To, t.Reason, now, t.ItemID, t.From}
	if t.Revision != 0 {
		q += " AND current_revision = ?"
		args = append(args, t.Revision)
	}
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return itemMissingOrConflict(ctx, tx, t.ItemID)
	}
	if t.To == content.ItemCancelled || t.To == content.ItemExpired {
		if _, err := tx.ExecContext(ctx, "UPDATE deliveries SET state = 'cancelled', updated_at = ? WHERE item_id = ? AND state = 'pending'",
			now, t.ItemID); err != nil {
			return err
		}
	}
	var rev int64
	if err := tx.QueryRowContext(ctx, "SELECT current_revision FROM items WHERE id = ?", t.ItemID).Scan(&rev); err != nil {
		return err
	}
	detail := t.Detail
	if detail == "" {
		detail = fmt.Sprintf("%s → %s", t.From, t.To)
		if t.Reason != "" {
			detail += "：" + t.Reason
		}
	}
	return insertAudit(ctx, tx, AuditEntry{Actor: t.Actor, Action: t.Action, ItemID: t.ItemID, RevisionID: rev, Detail: detail,
		From: string(t.From), To: string(t.To), Note: t.Reason}, now)
}

// itemRevisionIn returns an item's current revision inside tx if the item
// is in state want: ErrNotFound when there is no such item, ErrConflict
// when it is in another state.
func itemRevisionIn(ctx context.Context, tx *sql.Tx, id int64, want content.ItemState) (int64, error) {
	var state content.ItemState
	var rev int64
	err := tx.QueryRowContext(ctx, "SELECT state, current_revision FROM items WHERE id = ?", id).Scan(&state, &rev)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, err
	}
	if state != want {
		return 0, ErrConflict
	}
	return rev, nil
}

func itemMissingOrConflict(ctx context.Context, tx *sql.Tx, id int64) error {
	var one int
	if err := tx.QueryRowContext(ctx, "SELECT 1 FROM items WHERE id = ?", id).Scan(&one); errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return ErrConflict
}

// Edit is a new revision of an item.
type Edit struct {
	ItemID int64
	// ExpectRevision must be the item's current revision (optimistic locking).
	ExpectRevision int64
	Revision       content.Revision // Hash must be set
	// From and To are the item's state before and after the edit.
	From, To content.ItemState
	// SetTime replaces the publication time with PublishAt/PublishNow.
	SetTime    bool
	PublishAt  *time.Time
	PublishNow bool
	Actor      string
}

// AddRevision writes a new revision, makes it current, voids every earlier
// approval of the item, moves pending deliveries onto it and writes the audit
// entry, all in one transaction. It returns the new revision's id.
func (s *Store) AddRevision(ctx context.Context, e Edit) (int64, error) {
	if e.From != e.To {
		if err := content.CheckItemTransition(e.From, e.To); err != nil {
			return 0, err
		}
	}
	now := ts(s.now())
	var revID int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var number int
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(number), 0) FROM revisions WHERE item_id = ?", e.ItemID).Scan(&number); err != nil {
			return err
		}
		var err error
		if revID, err = insertRevision(ctx, tx, e.ItemID, number+1, &e.Revision, e.Actor, now); err != nil {
			return err
		}
		q := "UPDATE items SET current_revision = ?, state = ?, state_reason = '', updated_at = ?"
		args := []any{revID, e.To, now}
		if e.SetTime {
			q += ", publish_at = ?, publish_now = ?"
			args = append(args, tsPtr(e.PublishAt), e.PublishNow)
		}
		q += " WHERE id = ? AND current_revision = ? AND state = ?"
		args = append(args, e.ItemID, e.ExpectRevision, e.From)
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return itemMissingOrConflict(ctx, tx, e.ItemID)
		}
		res, err = tx.ExecContext(ctx, "UPDATE approvals SET voided = 1 WHERE item_id = ? AND voided = 0", e.ItemID)
		if err != nil {
			return err
		}
		voided, _ := res.RowsAffected()
		// Pending deliveries follow the new revision; a draft made for the old
		// one must never be submitted, so it is forgotten.
		if _, err := tx.ExecContext(ctx, "UPDATE deliveries SET revision_id = ?, remote_id = '', updated_at = ? WHERE item_id = ? AND state = 'pending'",
			revID, now, e.ItemID); err != nil {
			return err
		}
		note := fmt.Sprintf("第%d版", number+1)
		if voided > 0 {
			note += fmt.Sprintf("，作废此前%d个审核签字", voided)
		}
		detail, entry := note, AuditEntry{Actor: e.Actor, Action: "edit", ItemID: e.ItemID, RevisionID: revID, Note: note}
		if e.From != e.To {
			detail += fmt.Sprintf("，%s → %s", e.From, e.To)
			entry.From, entry.To = string(e.From), string(e.To)
		}
		entry.Detail = detail
		return insertAudit(ctx, tx, entry, now)
	})
	if err != nil {
		return 0, fmt.Errorf("storage: edit item %d: %w", e.ItemID, err)
	}
	return revID, nil
}

// ApprovalInput is one sign-off and the item state it leads to.
type ApprovalInput struct {
	Approval content.Approval
	// Next is the item's state after this approval: in_review while levels
	// remain, then approved, scheduled or expired.
	Next   content.ItemState
	Reason string
}

// Approve records a sign-off if the item is still in review at exactly that
// revision and level, and moves the item to Next, in one transaction.
func (s *Store) Approve(ctx context.Context, in ApprovalInput) error {
	a := in.Approval
	if in.Next != content.ItemInReview {
		if err := content.CheckItemTransition(content.ItemInReview, in.Next); err != nil {
			return err
		}
	}
	now := ts(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rev, err := itemRevisionIn(ctx, tx, a.ItemID, content.ItemInReview)
		if err != nil {
			return err
		}
		if rev != a.RevisionID {
			return ErrConflict
		}
		var signed int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM approvals WHERE item_id = ? AND revision_id = ? AND voided = 0",
			a.ItemID, a.RevisionID).Scan(&signed); err != nil {
			return err
		}
		if signed != a.Level-1 {
			return ErrConflict
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO approvals (item_id, revision_id, level, level_name, reviewer, content_hash, secrecy_ok, created_at)
VALUES (?,?,?,?,?,?,?,?)`, a.ItemID, a.RevisionID, a.Level, a.LevelName, a.Reviewer, a.Hash, a.SecrecyOK, now); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s通过（第%d级）", a.LevelName, a.Level)
		if a.SecrecyOK {
			detail += "，已确认保密审查"
		}
		entry := AuditEntry{Actor: a.Reviewer, Action: "approve", ItemID: a.ItemID, RevisionID: a.RevisionID, Note: detail}
		if in.Next != content.ItemInReview {
			entry.From, entry.To = string(content.ItemInReview), string(in.Next)
			if _, err := tx.ExecContext(ctx, "UPDATE items SET state = ?, state_reason = ?, updated_at = ? WHERE id = ?",
				in.Next, in.Reason, now, a.ItemID); err != nil {
				return err
			}
			detail += fmt.Sprintf("，in_review → %s", in.Next)
			if in.Next == content.ItemExpired {
				if _, err := tx.ExecContext(ctx, "UPDATE deliveries SET state = 'cancelled', updated_at = ? WHERE item_id = ? AND state = 'pending'",
					now, a.ItemID); err != nil {
					return err
				}
			}
		}
		entry.Detail = detail
		return insertAudit(ctx, tx, entry, now)
	})
	if err != nil {
		return fmt.Errorf("storage: approve item %d: %w", a.ItemID, err)
	}
	return nil
}

// Approvals lists an item's sign-offs in order, voided ones included.
func (s *Store) Approvals(ctx context.Context, itemID int64) ([]content.Approval, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT item_id, revision_id, level, level_name, reviewer, content_hash, secrecy_ok, voided, created_at
FROM approvals WHERE item_id = ? ORDER BY id`, itemID)
	if err != nil {
		return nil, fmt.Errorf("storage: approvals of %d: %w", itemID, err)
	}
	defer rows.Close()
	var out []content.Approval
	for rows.Next() {
		var a content.Approval
		var created string
		if err := rows.Scan(&a.ItemID, &a.RevisionID, &a.Level, &a.LevelName, &a.Reviewer, &a.Hash, &a.SecrecyOK, &a.Voided, &created); err != nil {
			return nil, fmt.Errorf("storage: approvals of %d: %w", itemID, err)
		}
		a.CreatedAt = parseTS(created)
		out = append(out, a)
	}
	return out, rows.Err()
}

package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/herald-gov/herald/content"
)

// SaveMsgDataID records the msg_data_id WeChat gave a delivery's
// publication (freepublish/submit, a mass send): the key of its comments.
func (s *Store) SaveMsgDataID(ctx context.Context, deliveryID, msgDataID int64) error {
	if err := s.w.exec(ctx, "UPDATE deliveries SET msg_data_id = ? WHERE id = ?", msgDataID, deliveryID); err != nil {
		return fmt.Errorf("storage: msg_data_id of delivery %d: %w", deliveryID, err)
	}
	return nil
}

// InboxArticle is one of herald's publications on an account whose
// comments can be read.
type InboxArticle struct {
	DeliveryID  int64
	ItemID      int64
	MsgDataID   int64
	Title       string
	URL         string
	PublishedAt time.Time
}

// InboxArticles lists the account's published deliveries with a
// msg_data_id, published at or after since, newest first.
func (s *Store) InboxArticles(ctx context.Context, account string, since time.Time) ([]InboxArticle, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT d.id, d.item_id, d.msg_data_id, r.title, d.url, d.published_at
  FROM deliveries d JOIN revisions r ON r.id = d.revision_id
 WHERE d.account_id = ? AND d.msg_data_id IS NOT NULL AND d.state = 'published' AND d.published_at >= ?
 ORDER BY d.published_at DESC`, account, ts(since))
	if err != nil {
		return nil, fmt.Errorf("storage: inbox articles of %s: %w", account, err)
	}
	defer rows.Close()
	var out []InboxArticle
	for rows.Next() {
		var a InboxArticle
		var at string
		if err := rows.Scan(&a.DeliveryID, &a.ItemID, &a.MsgDataID, &a.Title, &a.URL, &at); err != nil {
			return nil, fmt.Errorf("storage: inbox articles of %s: %w", account, err)
		}
		a.PublishedAt = parseTS(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// InFlightDeliveries returns the account's deliveries whose outcome is not
// settled yet (sending or unknown), with their channel progress: what a
// platform's push about a publication may settle.
func (s *Store) InFlightDeliveries(ctx context.Context, account string) ([]content.Delivery, error) {
	return s.queryDeliveries(ctx, "deliveries in flight on "+account, "WHERE account_id = ? AND state IN ('sending', 'unknown')", account)
}

// PublicationItem returns the item (and its title) whose published delivery
// to the account has remoteID on the platform (a Weibo status id); 0 when
// herald did not publish it.
func (s *Store) PublicationItem(ctx context.Context, account, remoteID string) (int64, string, error) {
	var id int64
	var title string
	err := s.db.QueryRowContext(ctx, `SELECT d.item_id, r.title FROM deliveries d JOIN revisions r ON r.id = d.revision_id
 WHERE d.account_id = ? AND d.remote_id = ? AND d.state = 'published' LIMIT 1`, account, remoteID).Scan(&id, &title)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("storage: publication %s on %s: %w", remoteID, account, err)
	}
	return id, title, nil
}

package storage

import (
	"context"
	"fmt"
)

// QueueCounts are the figures the unauthenticated status page shows: how
// many items and deliveries are in each state and how many accounts are
// healthy, and nothing that names an item, an account or a department.
type QueueCounts struct {
	Items      map[string]int // by item state
	Deliveries map[string]int // by delivery state
	Accounts   map[string]int // active accounts by health
}

// CountQueue returns the queue's counts.
func (s *Store) CountQueue(ctx context.Context) (QueueCounts, error) {
	c := QueueCounts{Items: map[string]int{}, Deliveries: map[string]int{}, Accounts: map[string]int{}}
	for _, q := range []struct {
		sql  string
		into map[string]int
	}{
		{"SELECT state, count(*) FROM items GROUP BY state", c.Items},
		{"SELECT state, count(*) FROM deliveries GROUP BY state", c.Deliveries},
		{"SELECT health, count(*) FROM accounts WHERE active = 1 GROUP BY health", c.Accounts},
	} {
		rows, err := s.db.QueryContext(ctx, q.sql)
		if err != nil {
			return c, fmt.Errorf("storage: queue counts: %w", err)
		}
		for rows.Next() {
			var k string
			var n int
			if err := rows.Scan(&k, &n); err != nil {
				rows.Close()
				return c, fmt.Errorf("storage: queue counts: %w", err)
			}
			q.into[k] = n
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return c, fmt.Errorf("storage: queue counts: %w", err)
		}
	}
	return c, nil
}

// ImageOfDepartment reports whether an image belongs to a revision of an
// item of the department: the console shows a department only its own
// items' images.
func (s *Store) ImageOfDepartment(ctx context.Context, sha, department string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM revision_images ri
JOIN revisions r ON r.id = ri.revision_id JOIN items i ON i.id = r.item_id
WHERE ri.sha256 = ? AND i.department = ?`, sha, department).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("storage: image scope: %w", err)
	}
	return n > 0, nil
}

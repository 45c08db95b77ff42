package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// DailyStat is one account's figures for one day; nil is "not given".
type DailyStat struct {
	Account       string `json:"account"`
	Date          string `json:"date"`
	Followers     *int64 `json:"followers"`
	NewFollowers  *int64 `json:"new_followers"`
	LostFollowers *int64 `json:"lost_followers"`
	Posts         *int64 `json:"posts"`
	Reads         *int64 `json:"reads"`
	Shares        *int64 `json:"shares"`
	Likes         *int64 `json:"likes"`
	Zaikan        *int64 `json:"zaikan"`
	Comments      *int64 `json:"comments"`
	// Answered are the figures (bits of channels.Figures) the platform
	// answered for the day, including those it answered with nothing.
	Answered int64 `json:"-"`
}

// UpsertDailyStats writes rows in one transaction and returns how many rows
// changed: a row identical to the stored one is not written again.
func (s *Store) UpsertDailyStats(ctx context.Context, rows []DailyStat) (int, error) {
	changed := 0
	now := ts(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO daily_stats (account_id, date, followers, new_followers, lost_followers,
  posts, reads, shares, likes, zaikan, comments, answered, collected_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
ON CONFLICT (account_id, date) DO UPDATE SET
  followers = COALESCE(excluded.followers, followers), new_followers = COALESCE(excluded.new_followers, new_followers),
  lost_followers = COALESCE(excluded.lost_followers, lost_followers), posts = COALESCE(excluded.posts, posts),
  reads = COALESCE(excluded.reads, reads), shares = COALESCE(excluded.shares, shares), likes = COALESCE(excluded.likes, likes),
  zaikan = COALESCE(excluded.zaikan, zaikan), comments = COALESCE(excluded.comments, comments),
  answered = answered | excluded.answered, collected_at = excluded.collected_at
WHERE (excluded.answered & ~answered) != 0
   OR (excluded.followers IS NOT NULL AND excluded.followers IS NOT followers)
   OR (excluded.new_followers IS NOT NULL AND excluded.new_followers IS NOT new_followers)
   OR (excluded.lost_followers IS NOT NULL AND excluded.lost_followers IS NOT lost_followers)
   OR (excluded.posts IS NOT NULL AND excluded.posts IS NOT posts)
   OR (excluded.reads IS NOT NULL AND excluded.reads IS NOT reads)
   OR (excluded.shares IS NOT NULL AND excluded.shares IS NOT shares)
   OR (excluded.likes IS NOT NULL AND excluded.likes IS NOT likes)
   OR (excluded.zaikan IS NOT NULL AND excluded.zaikan IS NOT zaikan)
   OR (excluded.comments IS NOT NULL AND excluded.comments IS NOT comments)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, r := range rows {
			res, err := stmt.ExecContext(ctx, r.Account, r.Date, r.Followers, r.NewFollowers, r.LostFollowers, r.Posts, r.Reads,
				r.Shares, r.Likes, r.Zaikan, r.Comments, r.Answered, now)
			if err != nil {
				return fmt.Errorf("%s %s: %w", r.Account, r.Date, err)
			}
			n, _ := res.RowsAffected()
			changed += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("storage: daily stats: %w", err)
	}
	return changed, nil
}

// DailyStats returns stored rows for the accounts between two dates
// inclusive, ordered by date then account. No accounts means no rows: a
// caller scoped to a department that has none sees nothing (AllDailyStats
// is the office-wide read).
func (s *Store) DailyStats(ctx context.Context, from, to string, accounts []string) ([]DailyStat, error) {
	var out []DailyStat
	err := s.EachDailyStat(ctx, from, to, accounts, func(r DailyStat) error { out = append(out, r); return nil })
	return out, err
}

// AllDailyStats returns every account's stored rows between two dates
// inclusive, for office-wide reports.
func (s *Store) AllDailyStats(ctx context.Context, from, to string) ([]DailyStat, error) {
	var out []DailyStat
	err := s.eachDailyStatRow(ctx, `SELECT `+dailyStatCols+` FROM daily_stats WHERE date >= ? AND date <= ? ORDER BY date, account_id`,
		[]any{from, to}, func(r DailyStat) error { out = append(out, r); return nil })
	return out, err
}

// EachDailyStat streams the rows DailyStats would return to fn, without
// holding them all in memory. No accounts means no rows.
func (s *Store) EachDailyStat(ctx context.Context, from, to string, accounts []string, fn func(DailyStat) error) error {
	if len(accounts) == 0 {
		return nil // deny by default
	}
	args := []any{from, to}
	for _, a := range accounts {
		args = append(args, a)
	}
	return s.eachDailyStatRow(ctx, `SELECT `+dailyStatCols+` FROM daily_stats WHERE date >= ? AND date <= ?
  AND account_id IN (`+placeholders(len(accounts))+`) ORDER BY date, account_id`, args, fn)
}

const dailyStatCols = `account_id, date, followers, new_followers, lost_followers, posts, reads, shares, likes, zaikan, comments, answered`

// eachDailyStatRow runs q, which selects dailyStatCols, and hands each row to fn.
func (s *Store) eachDailyStatRow(ctx context.Context, q string, args []any, fn func(DailyStat) error) error {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("storage: daily stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r DailyStat
		if err := rows.Scan(&r.Account, &r.Date, &r.Followers, &r.NewFollowers, &r.LostFollowers, &r.Posts, &r.Reads,
			&r.Shares, &r.Likes, &r.Zaikan, &r.Comments, &r.Answered); err != nil {
			return fmt.Errorf("storage: daily stats: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EachAllDailyStatByAccount streams every account's rows between two dates
// inclusive to fn, ordered by account then date: the primary key's order,
// which collection mostly writes in, so that a year of rows for 1,000
// accounts is read without a random page read per row (the date index
// needs one).
func (s *Store) EachAllDailyStatByAccount(ctx context.Context, from, to string, fn func(DailyStat) error) error {
	return s.eachDailyStatRow(ctx, `SELECT `+dailyStatCols+`
FROM daily_stats INDEXED BY sqlite_autoindex_daily_stats_1 WHERE date >= ? AND date <= ? ORDER BY account_id, date`, []any{from, to}, fn)
}

// AnsweredFigures returns, per date between from and to (inclusive), the
// figures the platform answered for the account (bits of channels.Figures);
// a date without a row is absent.
func (s *Store) AnsweredFigures(ctx context.Context, account, from, to string) (map[string]int64, error) {
	out := map[string]int64{}
	err := s.eachStatDate(ctx, "SELECT date, answered FROM daily_stats WHERE account_id = ? AND date >= ? AND date <= ?",
		account, from, to, func(d string, a int64) { out[d] = a })
	return out, err
}

func (s *Store) eachStatDate(ctx context.Context, q, account, from, to string, fn func(string, int64)) error {
	rows, err := s.db.QueryContext(ctx, q, account, from, to)
	if err != nil {
		return fmt.Errorf("storage: stat dates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d string
		var a int64
		if err := rows.Scan(&d, &a); err != nil {
			return fmt.Errorf("storage: stat dates: %w", err)
		}
		fn(d, a)
	}
	return rows.Err()
}

// RecordCollectFailure notes what a collection could not get.
func (s *Store) RecordCollectFailure(ctx context.Context, account, from, to, reason string) error {
	_, err := s.db.ExecContext(ctx, "INSERT INTO collect_failures (at, account_id, date_from, date_to, reason) VALUES (?,?,?,?,?)",
		ts(s.now()), account, from, to, reason)
	if err != nil {
		return fmt.Errorf("storage: collect failure: %w", err)
	}
	return nil
}

// UpsertPostStats writes per-post figures.
func (s *Store) UpsertPostStats(ctx context.Context, account, postID, date string, reposts, comments, likes int64) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO post_stats (account_id, post_id, date, reposts, comments, likes) VALUES (?,?,?,?,?,?)
ON CONFLICT (account_id, post_id, date) DO UPDATE SET reposts = excluded.reposts, comments = excluded.comments, likes = excluded.likes`,
		account, postID, date, reposts, comments, likes)
	if err != nil {
		return fmt.Errorf("storage: post stats: %w", err)
	}
	return nil
}

// PublishedRemoteIDs returns the platform ids of an account's published deliveries.
func (s *Store) PublishedRemoteIDs(ctx context.Context, account string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT remote_id FROM deliveries WHERE account_id = ? AND state = 'published' AND remote_id != ''", account)
	if err != nil {
		return nil, fmt.Errorf("storage: published ids: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// LastPublished returns, per account, the latest publication herald knows
// of: its own published deliveries still on the platform (exact time; one
// deleted by herald post retract no longer shows on the account, so it no
// longer counts as an update) and the platform's list as collected into
// daily_stats (the date, at local midnight in loc).
func (s *Store) LastPublished(ctx context.Context, loc *time.Location) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	rows, err := s.db.QueryContext(ctx, `SELECT account_id, MAX(published_at) FROM deliveries
WHERE state = 'published' AND retracted_at IS NULL GROUP BY account_id`)
	if err != nil {
		return nil, fmt.Errorf("storage: last published: %w", err)
	}
	for rows.Next() {
		var id string
		var at sql.NullString
		if err := rows.Scan(&id, &at); err != nil {
			rows.Close()
			return nil, err
		}
		if t := parseTSPtr(at); t != nil {
			out[id] = *t
		}
	}
	rows.Close()
	rows, err = s.db.QueryContext(ctx, "SELECT account_id, MAX(date) FROM daily_stats WHERE posts > 0 GROUP BY account_id")
	if err != nil {
		return nil, fmt.Errorf("storage: last published: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, d string
		if err := rows.Scan(&id, &d); err != nil {
			return nil, err
		}
		t, err := time.ParseInLocation("2006-01-02", d, loc)
		if err == nil && t.After(out[id]) && !sameDay(t, out[id], loc) {
			out[id] = t
		}
	}
	return out, rows.Err()
}

func sameDay(a, b time.Time, loc *time.Location) bool {
	return a.In(loc).Format("2006-01-02") == b.In(loc).Format("2006-01-02")
}

// PublishedItem is an item with at least one published delivery.
type PublishedItem struct {
	ItemID         int64
	Kind           string
	Title          string
	Targets        string
	FirstPublished time.Time
	Deliveries     int // all deliveries of the item
	Published      int // those published
	// Unverified may have gone out: herald cannot find out (their account
	// left the config); the clerk checks by hand.
	Unverified int
}

// PublishedItems returns items whose first publication falls in [from, to)
// (UTC instants), oldest first.
func (s *Store) PublishedItems(ctx context.Context, from, to time.Time) ([]PublishedItem, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT i.id, i.kind, r.title, substr(r.body, 1, 60), i.targets,
  MIN(d.published_at), (SELECT COUNT(*) FROM deliveries x WHERE x.item_id = i.id),
  SUM(d.state = 'published'), (SELECT COUNT(*) FROM deliveries x WHERE x.item_id = i.id AND x.state = 'unverified')
FROM items i JOIN revisions r ON r.id = i.current_revision JOIN deliveries d ON d.item_id = i.id
WHERE d.state = 'published' GROUP BY i.id HAVING MIN(d.published_at) >= ? AND MIN(d.published_at) < ?
ORDER BY MIN(d.published_at)`, ts(from), ts(to))
	if err != nil {
		return nil, fmt.Errorf("storage: published items: %w", err)
	}
	defer rows.Close()
	var out []PublishedItem
	for rows.Next() {
		var p PublishedItem
		var body, first string
		if err := rows.Scan(&p.ItemID, &p.Kind, &p.Title, &body, &p.Targets, &first, &p.Deliveries, &p.Published, &p.Unverified); err != nil {
			return nil, fmt.Errorf("storage: published items: %w", err)
		}
		if p.Title == "" {
			p.Title = body
		}
		p.FirstPublished = parseTS(first)
		out = append(out, p)
	}
	return out, rows.Err()
}

// PostTotals sums the latest collected reposts, comments and likes of an
// account's posts collected between two dates inclusive.
func (s *Store) PostTotals(ctx context.Context, account, from, to string) (reposts, comments, likes int64, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(reposts),0), COALESCE(SUM(comments),0), COALESCE(SUM(likes),0)
FROM post_stats p WHERE account_id = ? AND date = (SELECT MAX(date) FROM post_stats q
  WHERE q.account_id = p.account_id AND q.post_id = p.post_id AND q.date >= ? AND q.date <= ?)`, account, from, to).
		Scan(&reposts, &comments, &likes)
	if err != nil {
		err = fmt.Errorf("storage: post totals: %w", err)
	}
	return
}

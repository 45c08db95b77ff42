package storage

import (
	"context"
	"testing"
	"time"
)

// TestAnsweredMigrationEmptiesTheZerosNeverSent: rows stored before
// migration 0008 get their answered figures from what they hold, and a day
// whose five article figures are all 0 — what the top-level decode of
// getbizsummary stored for every real account — is emptied and left
// incomplete, so the next collection asks for it again.
func TestAnsweredMigrationEmptiesTheZerosNeverSent(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	must(t, s.SyncAccounts(ctx, []Account{{ID: "a", Name: "A", Platform: "wechat"}, {ID: "b", Name: "B", Platform: "weibo"}}))
	// Back to the table before 0008, with rows as the old collector wrote
	// them, then migration 0008 once more.
	var m0008 string
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.version == 8 {
			m0008 = m.sql
		}
	}
	for _, q := range []string{
		"ALTER TABLE daily_stats DROP COLUMN answered",
		`INSERT INTO daily_stats (account_id, date, followers, new_followers, lost_followers, posts, reads, shares, likes, zaikan, comments, collected_at)
		 VALUES ('a', '2026-11-01', 100, 2, 1, 1, 0, 0, 0, 0, 0, 'x'), ('a', '2026-11-02', 101, 1, 0, 0, 40, 2, 0, 0, 0, 'x'),
		        ('a', '2026-11-03', 101, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'x'),
		        ('b', '2026-11-01', NULL, NULL, NULL, 3, NULL, NULL, NULL, NULL, NULL, 'x')`,
		m0008,
	} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			t.Fatal(q, err)
		}
	}
	rows, err := s.AllDailyStats(ctx, "2026-11-01", "2026-11-03")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		answered int64
		reads    any
	}{
		"a 2026-11-01": {1 | 2 | 4, nil}, // the bogus zeros are gone, articles unanswered
		"a 2026-11-02": {1 | 2 | 4 | 8, int64(40)},
		"a 2026-11-03": {1, nil},
		"b 2026-11-01": {4, nil},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows", len(rows))
	}
	for _, r := range rows {
		w := want[r.Account+" "+r.Date]
		var reads any
		if r.Reads != nil {
			reads = *r.Reads
		}
		if r.Answered != w.answered || reads != w.reads {
			t.Fatalf("%s %s: answered %d reads %v, want %d %v", r.Account, r.Date, r.Answered, reads, w.answered, w.reads)
		}
	}
	got, err := s.AnsweredFigures(ctx, "a", "2026-11-01", "2026-11-03")
	if err != nil || got["2026-11-01"] != 7 || got["2026-11-03"] != 1 {
		t.Fatalf("AnsweredFigures %v %v", got, err)
	}
}

func TestLastPublishedLeavesOutRetractedDeliveries(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	id, _ := newItem(t, s)
	loc := time.UTC
	earlier, later := "2026-11-01T08:00:00.000Z", "2026-11-20T08:00:00.000Z"
	// Account a published twice (two items); w once.
	id2, _ := newItem(t, s)
	for _, q := range []struct {
		item    int64
		account string
		at      string
	}{{id, "a", earlier}, {id2, "a", later}, {id, "w", later}} {
		if _, err := s.db.ExecContext(ctx, "UPDATE deliveries SET state = 'published', published_at = ? WHERE item_id = ? AND account_id = ?", q.at, q.item, q.account); err != nil {
			t.Fatal(err)
		}
	}
	last, err := s.LastPublished(ctx, loc)
	must(t, err)
	if got := last["a"].Format(time.RFC3339); got != "2026-11-20T08:00:00Z" {
		t.Fatalf("a last published %s", got)
	}
	// The later one is deleted from the platform: the account's last update is the earlier one.
	var d2 int64
	must(t, s.db.QueryRowContext(ctx, "SELECT id FROM deliveries WHERE item_id = ? AND account_id = 'a'", id2).Scan(&d2))
	must(t, s.MarkRetracted(ctx, d2, "管理员", "已删除"))
	var dw int64
	must(t, s.db.QueryRowContext(ctx, "SELECT id FROM deliveries WHERE item_id = ? AND account_id = 'w'", id).Scan(&dw))
	must(t, s.MarkRetracted(ctx, dw, "管理员", "已删除"))
	last, err = s.LastPublished(ctx, loc)
	must(t, err)
	if got := last["a"].Format(time.RFC3339); got != "2026-11-01T08:00:00Z" {
		t.Fatalf("a last published %s after the later post was retracted, want the earlier one", got)
	}
	if t2, ok := last["w"]; ok {
		t.Fatalf("w counts a retracted post as its last update: %s", t2)
	}
}

func TestPrunePublicationTextsKeepsTheRecentAndEveryRow(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	must(t, s.SyncAccounts(ctx, []Account{{ID: "a", Name: "A", Platform: "wechat"}}))
	day := func(d int) time.Time { return time.Date(2026, 11, d, 8, 0, 0, 0, time.UTC) }
	pubs := []Publication{
		{RemoteID: "old", Title: "旧文", URL: "https://mp.weixin.qq.com/s/old", Text: "<p>旧文正文</p>", PublishedAt: day(1)},
		{RemoteID: "new", Title: "新文", URL: "https://mp.weixin.qq.com/s/new", Text: "<p>新文正文</p>", PublishedAt: day(20)},
	}
	must(t, s.SavePublications(ctx, "a", pubs, day(1), true))
	n, err := s.PrunePublicationTexts(ctx, day(10))
	must(t, err)
	if n != 1 {
		t.Fatalf("emptied %d texts, want 1", n)
	}
	got, err := s.Publications(ctx, []string{"a"}, day(1), day(30))
	must(t, err)
	if len(got) != 2 || got[0].RemoteID != "old" || got[0].Text != "" || got[0].Title != "旧文" || got[0].URL == "" ||
		got[1].Text != "<p>新文正文</p>" {
		t.Fatalf("after pruning: %+v", got)
	}
	// The account's coverage is untouched: nothing is read again.
	known, err := s.KnownPublications(ctx, "a", day(1))
	must(t, err)
	if !known["old"] || !known["new"] {
		t.Fatalf("known after pruning: %v", known)
	}
	if n, _ := s.PrunePublicationTexts(ctx, day(10)); n != 0 {
		t.Fatalf("second prune emptied %d", n)
	}
}

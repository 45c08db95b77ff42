package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/herald-gov/herald/content"
)

func openTest(t *testing.T) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestMigrateFromEmptyAndReopen(t *testing.T) {
	ctx := context.Background()
	s, dir := openTest(t)
	v, err := s.Version(ctx)
	if err != nil || v != SchemaVersion() || v < 1 {
		t.Fatalf("version %d (%v), want %d", v, err, SchemaVersion())
	}
	if err := s.SyncAccounts(ctx, []Account{{ID: "a", Name: "A", Platform: "wechat"}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := Open(ctx, dir)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()
	if _, err := s2.Account(ctx, "a"); err != nil {
		t.Fatalf("data lost on reopen: %v", err)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	s, dir := openTest(t)
	if _, err := s.db.ExecContext(ctx, "PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(ctx, dir)
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("err = %v, want ErrNewerSchema", err)
	}
}

func TestSyncAccountsKeepsRemovedInactive(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	must(t, s.SyncAccounts(ctx, []Account{{ID: "a", Name: "A", Platform: "wechat", Groups: []string{"county"}}, {ID: "b", Name: "B", Platform: "weibo"}}))
	must(t, s.SyncAccounts(ctx, []Account{{ID: "a", Name: "A2", Platform: "wechat"}}))
	active, err := s.Accounts(ctx, false)
	must(t, err)
	if len(active) != 1 || active[0].Name != "A2" {
		t.Fatalf("active = %+v", active)
	}
	b, err := s.Account(ctx, "b")
	must(t, err)
	if b.Active {
		t.Fatal("removed account still active")
	}
	if _, err := s.Account(ctx, "zzz"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing account: %v", err)
	}
}

func TestImagesStoredOnce(t *testing.T) {
	ctx := context.Background()
	s, dir := openTest(t)
	data := pngBytes(t, 10, 10)
	a, err := s.PutImage(ctx, data)
	must(t, err)
	b, err := s.PutImage(ctx, data)
	must(t, err)
	if a.SHA256 != b.SHA256 || a.Path != b.Path || a.MIME != "image/png" {
		t.Fatalf("%+v %+v", a, b)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "media", "*", "*"))
	if len(files) != 1 {
		t.Fatalf("files on disk: %v", files)
	}
	got, _, err := s.ImageBytes(ctx, a.SHA256)
	must(t, err)
	if !bytes.Equal(got, data) {
		t.Fatal("bytes differ")
	}
	if _, err := s.PutImage(ctx, []byte("GIF87a")); err == nil {
		t.Fatal("broken image stored")
	}
}

func newItem(t *testing.T, s *Store) (int64, content.Item) {
	t.Helper()
	ctx := context.Background()
	must(t, s.SyncAccounts(ctx, []Account{{ID: "a", Name: "A", Platform: "wechat"}, {ID: "w", Name: "W", Platform: "weibo"}}))
	im, err := s.PutImage(ctx, pngBytes(t, 4, 4))
	must(t, err)
	at := time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)
	rev := content.Revision{Title: "标题", Body: "<p>正文</p>", SourceURL: "https://www.gov.cn/1",
		Images: []content.ImageRef{{SHA256: im.SHA256, Role: content.RoleCover}}}
	rev.Hash = rev.ContentHash(content.KindArticle)
	item := content.Item{Kind: content.KindArticle, State: content.ItemInReview, Priority: content.PriorityUrgent,
		Targets: "a,w", PublishAt: &at}
	id, err := s.CreateItem(ctx, NewItem{Item: item, Revision: rev, Actor: "编辑",
		Targets: []Target{{"a", "wechat"}, {"w", "weibo"}}, Audit: []AuditEntry{{Actor: "编辑", Action: "create"}}})
	must(t, err)
	return id, item
}

func TestItemRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	id, want := newItem(t, s)
	got, err := s.Item(ctx, id)
	must(t, err)
	if got.State != want.State || got.Priority != want.Priority || !got.PublishAt.Equal(*want.PublishAt) ||
		got.Revision.Title != "标题" || got.Revision.Number != 1 || len(got.Revision.Images) != 1 ||
		got.Revision.Images[0].MIME != "image/png" || got.Revision.Hash != got.Revision.ContentHash(got.Kind) {
		t.Fatalf("round trip: %+v", got)
	}
	ds, err := s.Deliveries(ctx, id)
	must(t, err)
	if len(ds) != 2 || ds[0].State != content.DeliveryPending || ds[0].RevisionID != got.Revision.ID {
		t.Fatalf("deliveries: %+v", ds)
	}
	list, err := s.ListItems(ctx, ItemFilter{States: []content.ItemState{content.ItemInReview}})
	must(t, err)
	if len(list) != 1 || list[0].ID != id {
		t.Fatalf("list: %+v", list)
	}
	if _, err := s.Item(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing item: %v", err)
	}
	log, err := s.AuditLog(ctx, id, 0)
	must(t, err)
	if len(log) != 1 || log[0].Action != "create" || log[0].RevisionID != got.Revision.ID {
		t.Fatalf("audit: %+v", log)
	}
}

func TestTransitionGuards(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	id, _ := newItem(t, s)
	// Not allowed by the state machine.
	if err := s.TransitionItem(ctx, Transition{ItemID: id, From: content.ItemInReview, To: content.ItemDone, Action: "x"}); err == nil {
		t.Fatal("in_review -> done allowed")
	}
	// Stale From.
	err := s.TransitionItem(ctx, Transition{ItemID: id, From: content.ItemDraft, To: content.ItemInReview, Action: "submit"})
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("stale from: %v", err)
	}
	must(t, s.TransitionItem(ctx, Transition{ItemID: id, From: content.ItemInReview, To: content.ItemCancelled, Action: "cancel", Actor: "x"}))
	ds, _ := s.Deliveries(ctx, id)
	for _, d := range ds {
		if d.State != content.DeliveryCancelled {
			t.Fatalf("pending delivery not cancelled: %+v", d)
		}
	}
}

func TestEditVoidsApprovalsAndMovesPendingDeliveries(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	id, _ := newItem(t, s)
	it, _ := s.Item(ctx, id)
	must(t, s.Approve(ctx, ApprovalInput{Approval: content.Approval{ItemID: id, RevisionID: it.Revision.ID, Level: 1, LevelName: "初审",
		Reviewer: "张敏", Hash: it.Revision.Hash}, Next: content.ItemInReview}))
	// Approving level 1 again (a stale view) is a conflict.
	if err := s.Approve(ctx, ApprovalInput{Approval: content.Approval{ItemID: id, RevisionID: it.Revision.ID, Level: 1, LevelName: "初审",
		Reviewer: "李娜", Hash: it.Revision.Hash}, Next: content.ItemInReview}); !errors.Is(err, ErrConflict) {
		t.Fatalf("double level 1: %v", err)
	}
	rev := it.Revision
	rev.Title = "新标题"
	rev.Hash = rev.ContentHash(it.Kind)
	newRev, err := s.AddRevision(ctx, Edit{ItemID: id, ExpectRevision: it.Revision.ID, Revision: rev,
		From: content.ItemInReview, To: content.ItemInReview, Actor: "编辑"})
	must(t, err)
	aps, _ := s.Approvals(ctx, id)
	if len(aps) != 1 || !aps[0].Voided {
		t.Fatalf("approval not voided: %+v", aps)
	}
	ds, _ := s.Deliveries(ctx, id)
	for _, d := range ds {
		if d.RevisionID != newRev {
			t.Fatalf("pending delivery on old revision: %+v", d)
		}
	}
	// A second edit against the old revision is refused.
	if _, err := s.AddRevision(ctx, Edit{ItemID: id, ExpectRevision: it.Revision.ID, Revision: rev,
		From: content.ItemInReview, To: content.ItemInReview}); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale edit: %v", err)
	}
	got, _ := s.Item(ctx, id)
	if got.Revision.Number != 2 || got.Revision.Title != "新标题" {
		t.Fatalf("current revision: %+v", got.Revision)
	}
}

func TestDeliveryUpdateGuardsAttempt(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	id, _ := newItem(t, s)
	ds, _ := s.Deliveries(ctx, id)
	d := ds[0]
	// No attempt starts while the item is not publishing.
	if err := s.UpdateDelivery(ctx, DeliveryUpdate{ID: d.ID, From: content.DeliveryPending, To: content.DeliverySending, AttemptID: "att-0"}); !errors.Is(err, ErrConflict) {
		t.Fatalf("attempt on an item in review: %v", err)
	}
	must(t, s.TransitionItem(ctx, Transition{ItemID: id, From: content.ItemInReview, To: content.ItemScheduled, Actor: "t", Action: "approve"}))
	must(t, s.TransitionItem(ctx, Transition{ItemID: id, From: content.ItemScheduled, To: content.ItemPublishing, Actor: "herald", Action: "publish"}))
	must(t, s.UpdateDelivery(ctx, DeliveryUpdate{ID: d.ID, From: content.DeliveryPending, To: content.DeliverySending, AttemptID: "att-1"}))
	// Another worker with a different attempt id cannot finish it.
	if err := s.UpdateDelivery(ctx, DeliveryUpdate{ID: d.ID, From: content.DeliverySending, To: content.DeliveryPublished, AttemptID: "att-2"}); !errors.Is(err, ErrConflict) {
		t.Fatalf("foreign attempt: %v", err)
	}
	must(t, s.UpdateDelivery(ctx, DeliveryUpdate{ID: d.ID, From: content.DeliverySending, To: content.DeliveryPublished, AttemptID: "att-1",
		RemoteID: "pub-1", URL: "https://mp.weixin.qq.com/s/x"}))
	got, _ := s.Delivery(ctx, d.ID)
	if got.State != content.DeliveryPublished || got.Attempts != 1 || got.URL == "" || got.PublishedAt == nil || got.RemoteID != "pub-1" {
		t.Fatalf("%+v", got)
	}
	if err := s.UpdateDelivery(ctx, DeliveryUpdate{ID: d.ID, From: content.DeliveryPublished, To: content.DeliveryPending}); err == nil {
		t.Fatal("published -> pending allowed")
	}
}

func TestBackupOpensAsHeraldDatabase(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	id, _ := newItem(t, s)
	out := filepath.Join(t.TempDir(), "backup.db")
	must(t, s.Backup(ctx, out))
	if err := s.Backup(ctx, out); err == nil {
		t.Fatal("backup overwrote an existing file")
	}
	b, err := OpenFile(ctx, out, t.TempDir())
	must(t, err)
	defer b.Close()
	if v, _ := b.Version(ctx); v != SchemaVersion() {
		t.Fatalf("backup schema %d", v)
	}
	if _, err := b.Item(ctx, id); err != nil {
		t.Fatalf("item missing from backup: %v", err)
	}
}

func TestValuesExpire(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	s, err := Open(ctx, dir, WithClock(func() time.Time { return now }))
	must(t, err)
	defer s.Close()
	must(t, s.SetValue(ctx, "k", "v", time.Hour))
	if v, err := s.GetValue(ctx, "k"); err != nil || v != "v" {
		t.Fatalf("%q %v", v, err)
	}
	now = now.Add(2 * time.Hour)
	if _, err := s.GetValue(ctx, "k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("expired value: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestCleanTempRemovesWhatAKilledProcessLeft(t *testing.T) {
	ctx := context.Background()
	s, dir := openTest(t)
	im, err := s.PutImage(ctx, pngBytes(t, 5, 5))
	must(t, err)
	media := filepath.Join(dir, "media")
	old := time.Now().Add(-time.Hour)
	write := func(rel string, at time.Time) string {
		p := filepath.Join(media, rel)
		must(t, os.MkdirAll(filepath.Dir(p), 0o750))
		must(t, os.WriteFile(p, []byte("x"), 0o600))
		must(t, os.Chtimes(p, at, at))
		return p
	}
	tmpOld := write("ab/.tmp-123", old)
	orphan := write("cd/cdcdcd.png", old)
	tmpNew := write("ab/.tmp-456", time.Now()) // a command writing right now
	must(t, os.Chtimes(im.Path, old, old))
	c, err := s.CleanTemp(ctx, 10*time.Minute)
	must(t, err)
	if c.TempFiles != 1 || c.OrphanImages != 1 {
		t.Fatalf("cleaned %+v", c)
	}
	for _, p := range []string{tmpOld, orphan} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s left", p)
		}
	}
	for _, p := range []string{tmpNew, im.Path} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s removed: %v", p, err)
		}
	}
	exportDir := t.TempDir()
	stale := filepath.Join(exportDir, ".herald-export-1")
	must(t, os.WriteFile(stale, nil, 0o600))
	must(t, os.Chtimes(stale, old.Add(-time.Hour), old.Add(-time.Hour)))
	if n := RemoveStaleTemp(exportDir, ".herald-export-", time.Hour); n != 1 {
		t.Fatalf("removed %d stale export files", n)
	}
}

func TestEachAllDailyStatByAccount(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	if err := s.SyncAccounts(ctx, []Account{{ID: "b", Name: "B", Platform: "wechat"}, {ID: "a", Name: "A", Platform: "wechat"}}); err != nil {
		t.Fatal(err)
	}
	n := func(v int64) *int64 { return &v }
	// Written out of order, across the range's edges.
	var rows []DailyStat
	for _, d := range []string{"2026-10-31", "2026-09-30", "2026-10-01", "2026-11-01", "2026-10-15"} {
		rows = append(rows, DailyStat{Account: "b", Date: d, Followers: n(1)}, DailyStat{Account: "a", Date: d, Reads: n(2)})
	}
	if _, err := s.UpsertDailyStats(ctx, rows); err != nil {
		t.Fatal(err)
	}
	var got []string
	err := s.EachAllDailyStatByAccount(ctx, "2026-10-01", "2026-10-31", func(r DailyStat) error {
		got = append(got, r.Account+" "+r.Date)
		return nil
	})
	want := "[a 2026-10-01 a 2026-10-15 a 2026-10-31 b 2026-10-01 b 2026-10-15 b 2026-10-31]"
	if err != nil || fmt.Sprint(got) != want {
		t.Fatalf("got %v %v, want %s", got, err, want)
	}
}

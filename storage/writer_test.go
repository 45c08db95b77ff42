package storage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// fnOp is a write made of a function, for tests that need to hold the
// writer, fail or panic in the middle of a batch. Product writes are data
// (stmtOp, deliveryOp, progressOp).
type fnOp func(ctx context.Context, tx txn) error

func (f fnOp) apply(ctx context.Context, tx txn) error { return f(ctx, tx) }

// kvCount counts the kv rows whose key starts with prefix, read on the pool
// (another connection than the writer's: what is committed).
func kvCount(t *testing.T, s *Store, prefix string) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow("SELECT COUNT(*) FROM kv WHERE key LIKE ? || '%'", prefix).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// holdLead makes the writer busy: it returns once a batch is running, and
// the batch ends when release is closed.
func holdLead(t *testing.T, s *Store) (release func(), done <-chan error) {
	t.Helper()
	running, hold, errc := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		errc <- s.w.write(context.Background(), fnOp(func(ctx context.Context, tx txn) error {
			close(running)
			<-hold
			_, err := tx.ExecContext(ctx, "INSERT INTO kv (key, value) VALUES ('hold', 'x')")
			return err
		}))
	}()
	<-running
	return func() { close(hold) }, errc
}

func TestWriterCommitsQueuedWritesTogetherAndReportsEachConflictAlone(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	release, held := holdLead(t, s)

	// While one batch runs, 20 writes queue up; one of them finds its row
	// changed (ErrConflict) after having written: it alone is undone.
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.w.write(ctx, fnOp(func(ctx context.Context, tx txn) error {
				if _, err := tx.ExecContext(ctx, "INSERT INTO kv (key, value) VALUES (?, 'v')", fmt.Sprintf("w%02d", i)); err != nil {
					return err
				}
				if i == 7 {
					return ErrConflict
				}
				return nil
			}))
		}()
	}
	waitQueued(t, s, 20)
	release()
	wg.Wait()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	for i, err := range errs {
		if (i == 7) != errors.Is(err, ErrConflict) || (i != 7 && err != nil) {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	if n := kvCount(t, s, "w"); n != 19 {
		t.Fatalf("%d writes committed, want 19 (all but the conflicting one)", n)
	}
}

func TestWriterRunsEachWriteAloneWhenTheBatchFails(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	release, held := holdLead(t, s)
	broken := errors.New("broken")
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.w.write(ctx, fnOp(func(ctx context.Context, tx txn) error {
				if _, err := tx.ExecContext(ctx, "INSERT INTO kv (key, value) VALUES (?, 'v')", fmt.Sprintf("b%d", i)); err != nil {
					return err
				}
				if i == 2 {
					return broken // not about one write: the batch is rolled back
				}
				return nil
			}))
		}()
	}
	// A read queued with them runs once, alone: never in the batch that fails.
	reads := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = s.w.read(ctx, func(ctx context.Context, tx txn) error { reads++; return nil })
	}()
	waitQueued(t, s, 7)
	release()
	wg.Wait()
	<-held
	for i, err := range errs {
		if (i == 2) != errors.Is(err, broken) || (i != 2 && err != nil) {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	if n := kvCount(t, s, "b"); n != 5 {
		t.Fatalf("%d writes committed, want 5", n)
	}
	if reads != 1 {
		t.Fatalf("the read ran %d times, want once", reads)
	}
}

func TestWriteLaterRidesWithTheNextWriteOrIsFlushed(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	s.SetValueLater(ctx, "later1", "v", 0)
	// Not waited for, and committed within laterWithin with no other write.
	deadline := time.Now().Add(2 * time.Second)
	for kvCount(t, s, "later1") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("a write nobody waits for was never committed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Committed with (before) the next write someone waits for.
	s.SetValueLater(ctx, "later2", "v", 0)
	if err := s.SetValue(ctx, "now", "v", 0); err != nil {
		t.Fatal(err)
	}
	if kvCount(t, s, "later2") != 1 {
		t.Fatal("the earlier write did not ride with the next one")
	}
	// Close commits what is left.
	s.SetValueLater(ctx, "later3", "v", 0)
	if err := s.w.close(); err != nil {
		t.Fatal(err)
	}
	if kvCount(t, s, "later3") != 1 {
		t.Fatal("close dropped a queued write")
	}
	if err := s.SetValue(ctx, "after", "v", 0); !errors.Is(err, errStoreClosed) {
		t.Fatalf("write after close: %v", err)
	}
}

// waitQueued waits until n requests wait for the writer.
func waitQueued(t *testing.T, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.w.mu.Lock()
		q := len(s.w.waiting)
		s.w.mu.Unlock()
		if q >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d requests queued, want %d", q, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// A write that panics panics in its own caller's goroutine (not in the
// one leading the batch), answers the writes batched with it, and leaves
// the writer working.
func TestWriterSurvivesAPanickingWrite(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	release, held := holdLead(t, s)
	others := make(chan error, 2)
	for i := 0; i < 2; i++ {
		go func() {
			others <- s.w.write(ctx, fnOp(func(ctx context.Context, tx txn) error {
				_, err := tx.ExecContext(ctx, "INSERT INTO kv (key, value) VALUES (?, 'v')", fmt.Sprintf("p%d", i))
				return err
			}))
		}()
	}
	waitQueued(t, s, 2)
	panicked := make(chan any, 1)
	go func() {
		defer func() { panicked <- recover() }()
		_ = s.w.write(ctx, fnOp(func(ctx context.Context, tx txn) error {
			if _, err := tx.ExecContext(ctx, "INSERT INTO kv (key, value) VALUES ('panicked', 'v')"); err != nil {
				return err
			}
			panic("boom")
		}))
	}()
	waitQueued(t, s, 3)
	release()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if p := <-panicked; p != "boom" {
		t.Fatalf("the caller recovered %v, want its own panic", p)
	}
	for i := 0; i < 2; i++ {
		select {
		case err := <-others:
			if err != nil {
				t.Fatalf("a write batched with the panicking one: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a write batched with the panicking one never got its answer")
		}
	}
	if n := kvCount(t, s, "p"); n != 2 {
		t.Fatalf("%d of the other writes committed, want 2 (and not the panicking one's)", n)
	}
	if err := s.SetValue(ctx, "after", "v", 0); err != nil {
		t.Fatal(err)
	}
}

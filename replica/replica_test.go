package replica

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/storage"
)

func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func openStore(t *testing.T, dir string) *storage.Store {
	t.Helper()
	st, err := storage.Open(context.Background(), dir, storage.WithoutAutoCheckpoint())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func pngBytes(t *testing.T, shade uint8) []byte {
	img := image.NewGray(image.Rect(0, 0, 4, 4))
	for i := range img.Pix {
		img.Pix[i] = shade
	}
	img.Set(0, 0, color.Gray{Y: shade + 1})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// waitFor waits until cond holds (testenv.Eventually; d is how long the
// caller expects it to take).
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	testenv.Eventually(t, fmt.Sprintf("%s (expected within %s)", what, d), cond)
}

// replicate runs a replicator on st to cfg until stop is called or the
// test ends.
func replicate(t *testing.T, cfg configs.Replica, st *storage.Store) (r *Replicator, stop func()) {
	t.Helper()
	r, err := New(cfg, st, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			<-done
			_ = r.Close(context.Background())
		})
	}
	t.Cleanup(stop)
	return r, stop
}

// caughtUp waits until the replica holds every transaction Litestream read
// after the last write.
func caughtUp(t *testing.T, r *Replicator) {
	t.Helper()
	after := time.Now()
	waitFor(t, "replica to catch up", 30*time.Second, func() bool {
		s := r.Status()
		return s.State == StateOK && s.SyncedAsOf.After(after)
	})
}

func exerciseRoundTrip(t *testing.T, cfg configs.Replica) {
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "data")
	st := openStore(t, src)
	defer st.Close()
	r, _ := replicate(t, cfg, st)
	im, err := st.PutImage(ctx, pngBytes(t, 10))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if err := st.SetValue(ctx, fmt.Sprintf("k%d", i), "v", 0); err != nil {
			t.Fatal(err)
		}
	}
	caughtUp(t, r)

	dst := filepath.Join(t.TempDir(), "restored")
	res, err := Restore(ctx, cfg, dst, time.Time{}, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	if res.Media != 1 || res.LastTx.IsZero() || res.TXID == 0 {
		t.Fatalf("restore result %+v", res)
	}
	if _, ok, err := ReadRestored(dst); !ok || err != nil {
		t.Fatalf("restored marker: %v %v", ok, err)
	}
	got := openStore(t, dst)
	defer got.Close()
	if v, err := got.GetValue(ctx, "k49"); err != nil || v != "v" {
		t.Fatalf("k49 = %q, %v", v, err)
	}
	b, _, err := got.ImageBytes(ctx, im.SHA256)
	if err != nil || !bytes.Equal(b, pngBytes(t, 10)) {
		t.Fatalf("image not restored: %v", err)
	}
	a, _ := st.DatabaseID(ctx)
	bID, _ := got.DatabaseID(ctx)
	if a != bID {
		t.Fatalf("restored database id %s, want %s", bID, a)
	}
	// The restored data directory is refused as a target: it is not empty.
	if _, err := Restore(ctx, cfg, dst, time.Time{}, testLog(t)); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("restore into a non-empty dir: %v", err)
	}
	// Before the first snapshot: refused with both times.
	var early *ErrTooEarly
	if _, err := Restore(ctx, cfg, filepath.Join(t.TempDir(), "x"), time.Now().Add(-time.Hour), testLog(t)); !errors.As(err, &early) {
		t.Fatalf("--at before the first snapshot: %v", err)
	}
}

func TestReplicateToDirectoryAndRestore(t *testing.T) {
	root := t.TempDir()
	exerciseRoundTrip(t, configs.Replica{URL: "file://" + root, SyncInterval: 100 * time.Millisecond})
	if _, err := os.Stat(filepath.Join(root, markerKey)); err != nil {
		t.Fatal("no marker in the replica")
	}
}

func TestAnotherDatabaseIsRefused(t *testing.T) {
	ctx := context.Background()
	cfg := configs.Replica{URL: "file://" + t.TempDir(), SyncInterval: 100 * time.Millisecond}
	a := openStore(t, filepath.Join(t.TempDir(), "a"))
	defer a.Close()
	ra, _ := replicate(t, cfg, a)
	if err := a.SetValue(ctx, "x", "1", 0); err != nil {
		t.Fatal(err)
	}
	caughtUp(t, ra)

	b := openStore(t, filepath.Join(t.TempDir(), "b"))
	defer b.Close()
	rb, err := New(cfg, b, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := rb.Claim(ctx); !errors.Is(err, ErrOtherDatabase) {
		t.Fatalf("claim of another database's replica: %v", err)
	}
	if err := rb.Run(ctx); !errors.Is(err, ErrOtherDatabase) {
		t.Fatalf("run on another database's replica: %v", err)
	}
	if s := rb.Status(); s.State != StateRefused || s.Error == "" {
		t.Fatalf("status %+v", s)
	}
}

func TestInterruptedRestoreLeavesNothing(t *testing.T) {
	ctx := context.Background()
	cfg := configs.Replica{URL: "file://" + t.TempDir(), SyncInterval: 100 * time.Millisecond}
	st := openStore(t, filepath.Join(t.TempDir(), "a"))
	defer st.Close()
	r, _ := replicate(t, cfg, st)
	if _, err := st.PutImage(ctx, pngBytes(t, 20)); err != nil {
		t.Fatal(err)
	}
	caughtUp(t, r)
	// The media file is damaged in the replica: the restore stops half-way.
	root := cfg.URL[len("file://"):]
	keys, _ := dirObjects{root: root}.list(ctx, "media")
	if len(keys) != 1 {
		t.Fatalf("media in the replica: %v", keys)
	}
	if err := os.WriteFile(filepath.Join(root, keys[0]), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	parent := t.TempDir()
	dst := filepath.Join(parent, "restored")
	if _, err := Restore(ctx, cfg, dst, time.Time{}, testLog(t)); err == nil || !strings.Contains(err.Error(), "hash") {
		t.Fatalf("restore of a damaged replica: %v", err)
	}
	ents, _ := os.ReadDir(parent)
	if len(ents) != 0 {
		t.Fatalf("an interrupted restore left %v", ents)
	}
}

// --at restores the database as it was at that time.
func TestRestoreToAPointInTime(t *testing.T) {
	ctx := context.Background()
	cfg := configs.Replica{URL: "file://" + t.TempDir(), SyncInterval: 100 * time.Millisecond}
	st := openStore(t, filepath.Join(t.TempDir(), "data"))
	defer st.Close()
	r, _ := replicate(t, cfg, st)
	if err := st.SetValue(ctx, "k", "before", 0); err != nil {
		t.Fatal(err)
	}
	caughtUp(t, r)
	at := time.Now()
	caughtUp(t, r) // a round after at, so the next write is in a later transaction
	if err := st.SetValue(ctx, "k", "after", 0); err != nil {
		t.Fatal(err)
	}
	caughtUp(t, r)
	for _, c := range []struct {
		at   time.Time
		want string
	}{{at, "before"}, {time.Time{}, "after"}} {
		dst := filepath.Join(t.TempDir(), "restored")
		if _, err := Restore(ctx, cfg, dst, c.at, testLog(t)); err != nil {
			t.Fatal(err)
		}
		got := openStore(t, dst)
		v, err := got.GetValue(ctx, "k")
		got.Close()
		if err != nil || v != c.want {
			t.Errorf("restored at %v: k = %q (%v), want %q", c.at, v, err, c.want)
		}
	}
}

// replica.url changed to an empty destination: it gets the whole database.
func TestNewDestinationGetsTheWholeDatabase(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "data"))
	defer st.Close()
	a := configs.Replica{URL: "file://" + t.TempDir(), SyncInterval: 100 * time.Millisecond}
	ra, stopA := replicate(t, a, st)
	for i := range 20 {
		if err := st.SetValue(ctx, fmt.Sprintf("a%d", i), "x", 0); err != nil {
			t.Fatal(err)
		}
	}
	caughtUp(t, ra)
	stopA()

	b := configs.Replica{URL: "file://" + t.TempDir(), SyncInterval: 100 * time.Millisecond}
	rb, _ := replicate(t, b, st)
	if err := st.SetValue(ctx, "b", "y", 0); err != nil {
		t.Fatal(err)
	}
	caughtUp(t, rb)
	dst := filepath.Join(t.TempDir(), "restored")
	if _, err := Restore(ctx, b, dst, time.Time{}, testLog(t)); err != nil {
		t.Fatal(err)
	}
	got := openStore(t, dst)
	defer got.Close()
	for _, k := range []string{"a0", "a19", "b"} {
		if _, err := got.GetValue(ctx, k); err != nil {
			t.Errorf("%s after restoring from the new destination: %v", k, err)
		}
	}
}

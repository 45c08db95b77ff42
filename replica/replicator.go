package replica

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/benbjohnson/litestream"
	lsfile "github.com/benbjohnson/litestream/file"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/storage"
)

// levels are Litestream's compaction levels (those of its command line):
// transactions are merged every 30 s, 5 min and hour, and a snapshot of the
// whole database is taken daily.
var levels = litestream.CompactionLevels{
	{Level: 0},
	{Level: 1, Interval: 30 * time.Second},
	{Level: 2, Interval: 5 * time.Minute},
	{Level: 3, Interval: time.Hour},
}

// SnapshotRetention is how long daily snapshots are kept: --at can go back
// this far.
const SnapshotRetention = 7 * 24 * time.Hour

// LagAlert is the lag past which the admin is told (the robot, the log).
const LagAlert = time.Minute

// maxBackoff bounds the wait between retries of an unreachable replica.
const maxBackoff = 30 * time.Second

// Replicator ships the database's new transactions and media files to the
// replica every sync interval. It owns the WAL's checkpoints: the store
// must be opened with storage.WithoutAutoCheckpoint.
//
// Each round, in this order: Litestream copies the new WAL frames into
// local LTX files (db.Sync); the media files of image rows committed by
// then are uploaded; the LTX files are uploaded (replica.Sync); the
// compaction levels and the daily snapshot are brought up to date. So a
// media file is in the replica before any transaction that names it, and
// a snapshot only ever holds rows whose files were uploaded before it.
type Replicator struct {
	cfg   configs.Replica
	store *storage.Store
	log   *slog.Logger
	dest  *destination
	// Alert, when set, tells the admin (the robot) that replication fell
	// behind by LagAlert, or that it caught up again.
	Alert func(ctx context.Context, text string)
	// StatusFile, when set, is written with the status whenever it changes
	// (herald replica status reads it).
	StatusFile string

	dbID     string
	fresh    bool // the destination was empty: Litestream starts it with a snapshot
	lsdb     *litestream.DB
	lsr      *litestream.Replica
	lsstore  *litestream.Store
	mediaSeq int64
	uploaded map[string]bool // media keys known to be in the replica

	// lagAlert is LagAlert (tests shorten it).
	lagAlert time.Duration

	mu      sync.Mutex
	status  Status
	alerted bool
}

// New prepares replication of st to cfg.URL. Nothing is contacted yet.
func New(cfg configs.Replica, st *storage.Store, log *slog.Logger) (*Replicator, error) {
	d, err := openDestination(cfg)
	if err != nil {
		return nil, err
	}
	r := &Replicator{cfg: cfg, store: st, log: log.With("replica", d.display), dest: d, lagAlert: LagAlert}
	r.status = Status{URL: d.display, State: StateStarting, SyncInterval: cfg.SyncInterval}
	return r, nil
}

// Claim checks, within ctx, that the destination is this database's replica
// (writing its marker when it is empty). ErrOtherDatabase: refuse to start.
// Any other error means the destination could not be reached: Run retries.
func (r *Replicator) Claim(ctx context.Context) error {
	if r.dbID == "" {
		id, err := r.store.DatabaseID(ctx)
		if err != nil {
			return err
		}
		r.dbID = id
	}
	fresh, err := claim(ctx, r.dest, r.dbID)
	if fresh {
		r.fresh = true
	}
	return err
}

// open claims the destination and starts Litestream on the database.
func (r *Replicator) open(ctx context.Context) error {
	if err := r.Claim(ctx); err != nil {
		return err
	}
	keys, err := r.dest.objs.list(ctx, "media")
	if err != nil {
		return err
	}
	r.uploaded = make(map[string]bool, len(keys))
	for _, k := range keys {
		r.uploaded[k] = true
	}
	lsdb := litestream.NewDB(r.store.Path())
	lsdb.MonitorInterval = 0 // this replicator syncs, in its own order
	lsdb.BusyTimeout = 10 * time.Second
	quiet := slog.New(warnOnly{r.log.Handler()}) // its per-compaction lines would fill serve's log
	lsdb.Logger = quiet
	lsr := litestream.NewReplicaWithClient(lsdb, r.dest.client)
	lsr.MonitorEnabled = false
	lsr.SyncInterval = r.cfg.SyncInterval
	if fc, ok := r.dest.client.(*lsfile.ReplicaClient); ok {
		fc.Replica = lsr // the file client copies the database's file modes
	}
	lsdb.Replica = lsr
	lsstore := litestream.NewStore([]*litestream.DB{lsdb}, levels)
	lsstore.Logger = quiet
	lsdb.SetLogger(quiet)
	lsstore.CompactionMonitorEnabled = false
	lsstore.SnapshotRetention = SnapshotRetention
	lsstore.SetShutdownSyncTimeout(5 * time.Second) // NewStore gave the database its default (30 s)
	if r.fresh {
		// A new destination (replica.url changed): Litestream's local files
		// number transactions for the old one and may already be pruned;
		// start again from a snapshot of the whole database.
		if err := lsdb.ResetLocalState(ctx); err != nil {
			return err
		}
	}
	if err := lsstore.Open(ctx); err != nil {
		return err
	}
	r.fresh = false
	r.lsdb, r.lsr, r.lsstore = lsdb, lsr, lsstore
	return nil
}

// Run replicates until ctx ends. It never stops serve: an unreachable or
// full replica is retried with backoff (up to 30 s), and the status says
// why it lags. It returns ErrOtherDatabase when the destination turns out
// to hold another database's replica: nothing is written there.
func (r *Replicator) Run(ctx context.Context) error {
	watch := make(chan struct{})
	watchCtx, stop := context.WithCancel(ctx)
	defer func() { stop(); <-watch }()
	go func() { // lag is told even while a round hangs on the network
		defer close(watch)
		t := time.NewTicker(min(5*time.Second, r.lagAlert/2))
		defer t.Stop()
		for {
			select {
			case <-watchCtx.Done():
				return
			case <-t.C:
				r.checkLag(ctx)
				r.publish()
			}
		}
	}()
	wait := time.Duration(0)
	var prev time.Time // when the last round copied the WAL
	for {
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		start := time.Now()
		if prev.IsZero() {
			prev = start
		}
		err := r.round(ctx, prev)
		if errors.Is(err, ErrOtherDatabase) {
			r.fail(ctx, err)
			return err
		}
		if err != nil && ctx.Err() == nil {
			r.fail(ctx, err)
			wait = min(max(2*wait, r.cfg.SyncInterval), maxBackoff)
			continue
		}
		prev = start
		wait = r.cfg.SyncInterval - time.Since(start)
		if wait <= 0 {
			wait = time.Millisecond
		}
	}
}

// round is one pass: WAL → local LTX, media files, LTX → replica, compactions.
// since is when the previous round copied the WAL: a transaction not yet in
// the replica was committed after it.
func (r *Replicator) round(ctx context.Context, since time.Time) error {
	start := time.Now()
	if r.lsdb == nil {
		if err := r.open(ctx); err != nil {
			return err
		}
	}
	if err := r.lsdb.Sync(ctx); err != nil {
		return fmt.Errorf("read the WAL: %w", &localError{err})
	}
	dpos, err := r.lsdb.Pos()
	if err != nil {
		return err
	}
	r.mu.Lock()
	if uint64(dpos.TXID) > r.status.ReplicaTXID && r.status.behindSince.IsZero() {
		r.status.behindSince = since
	}
	r.status.LocalTXID = uint64(dpos.TXID)
	r.mu.Unlock()
	if err := r.shipMedia(ctx); err != nil {
		return fmt.Errorf("media: %w", err)
	}
	if err := r.lsr.Sync(ctx); err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	snapshot := r.lsstore.SnapshotLevel()
	for _, lvl := range append(levels[1:len(levels):len(levels)], snapshot) {
		info, err := r.lsstore.CompactDB(ctx, r.lsdb, lvl)
		switch {
		case err == nil:
			// A new snapshot: older ones past the retention, and the
			// files only they needed, go (as Litestream's own monitor does).
			if lvl == snapshot && info != nil {
				if err := r.lsstore.EnforceSnapshotRetention(ctx, r.lsdb); err != nil {
					return fmt.Errorf("retention: %w", err)
				}
			}
		case errors.Is(err, litestream.ErrNoCompaction), errors.Is(err, litestream.ErrCompactionTooEarly), errors.Is(err, litestream.ErrDBNotReady):
		default:
			return fmt.Errorf("compact level %d: %w", lvl.Level, err)
		}
	}
	r.succeed(ctx, start, uint64(r.lsr.Pos().TXID), uint64(dpos.TXID))
	return nil
}

// shipMedia uploads the files of image rows added since the last round.
func (r *Replicator) shipMedia(ctx context.Context) error {
	for {
		files, err := r.store.MediaAfter(ctx, r.mediaSeq, 256)
		if err != nil {
			return err
		}
		for _, f := range files {
			key := "media/" + filepath.ToSlash(f.Rel)
			if !r.uploaded[key] {
				err := r.dest.objs.put(ctx, key, filepath.Join(r.store.MediaDir(), f.Rel))
				if errors.Is(err, fs.ErrNotExist) {
					// Removed since (an orphan cleaned up): nothing names it.
					r.log.Warn("media file gone before it was replicated", "file", f.Rel)
				} else if err != nil {
					return err
				}
				r.uploaded[key] = true
			}
			r.mediaSeq = f.Seq
		}
		if len(files) < 256 {
			return nil
		}
	}
}

// Flush ships what is left (within 5 s: an unreachable replica must not
// hold up a shutdown). Call it after Run returned and the store's other
// users stopped, before the store closes.
func (r *Replicator) Flush(ctx context.Context) error {
	if r.lsstore == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := r.round(ctx, time.Now()); err != nil {
		return fmt.Errorf("replica: last round: %w", err)
	}
	return nil
}

// Close stops Litestream. Call it after the store closed: Litestream's
// own handle on the database file would otherwise drop the store's locks
// (POSIX locks belong to the process).
func (r *Replicator) Close(ctx context.Context) error {
	if r.lsstore == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err := r.lsstore.Close(ctx)
	r.lsdb, r.lsstore = nil, nil
	return err
}

// Describe words a replication error for the admin, in one line.
func Describe(err error) string {
	var local *localError
	switch {
	case errors.As(err, &local) && (errors.Is(err, syscall.ENOSPC) || errors.Is(err, litestream.ErrDiskFull) || strings.Contains(err.Error(), "no space left")):
		return "数据目录所在磁盘已满，无法准备复制：请清理本机磁盘（" + firstLine(err) + "）"
	case errors.Is(err, ErrOtherDatabase):
		return "副本位置存放的是另一个数据库的副本，已拒绝写入：请为本单位换一个 replica.url（" + firstLine(err) + "）"
	case errors.Is(err, syscall.ENOSPC) || strings.Contains(err.Error(), "no space left"):
		return "副本所在磁盘已满，复制暂停：请清理副本磁盘（" + firstLine(err) + "）"
	case errors.Is(err, os.ErrPermission):
		return "无权写入副本位置：" + firstLine(err)
	}
	return "无法写入副本，正在重试：" + firstLine(err)
}

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// localError is a failure on this machine (reading the WAL into Litestream's
// local files), not at the replica.
type localError struct{ err error }

func (e *localError) Error() string { return e.err.Error() }
func (e *localError) Unwrap() error { return e.err }

// warnOnly passes on warnings and errors only.
type warnOnly struct{ slog.Handler }

func (h warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}

func (h warnOnly) WithAttrs(as []slog.Attr) slog.Handler { return warnOnly{h.Handler.WithAttrs(as)} }

func (h warnOnly) WithGroup(name string) slog.Handler { return warnOnly{h.Handler.WithGroup(name)} }

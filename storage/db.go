// Package storage is herald's SQLite store: accounts, items, revisions,
// deliveries, approvals, images, the audit log and small persistent state.
//
// It runs on modernc.org/sqlite (no cgo) in WAL mode with a busy timeout and
// foreign keys on. The delivery path's reads and writes (a delivery's state
// changes, a channel's progress and uploads, tokens, the scheduler's queries)
// go through writer.go: one connection of their own, with group commit;
// everything else uses the pool. The schema is a list of numbered migrations embedded in
// the binary; each runs in its own transaction and bumps PRAGMA user_version.
package storage

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// ErrNotFound is returned when the thing asked for does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a guarded update finds the row changed since it was read.
var ErrConflict = errors.New("changed concurrently")

// ErrItemCancelled is returned when a delivery would be put back to pending
// for a retry but its item was cancelled: the executor ends it cancelled.
var ErrItemCancelled = errors.New("item cancelled")

// ErrNewerSchema is returned when the database was written by a newer herald.
var ErrNewerSchema = errors.New("database schema is newer than this herald")

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DBFile is the database's file name inside data_dir.
const DBFile = "herald.db"

// Store is herald's database handle. It is safe for concurrent use.
type Store struct {
	db       *sql.DB
	path     string
	mediaDir string
	now      func() time.Time
	stmts    stmtCache
	images   imageCache
	w        *writer // the delivery path's writes (writer.go)
	// noAutoCheckpoint: the replicator checkpoints, this store's
	// connections never do (WithoutAutoCheckpoint).
	noAutoCheckpoint bool
}

// Option adjusts a Store.
type Option func(*Store)

// WithClock makes the store stamp rows with now() instead of the wall clock.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithoutAutoCheckpoint turns SQLite's automatic checkpoints off on every
// connection of the store: the replicator (package replica) checkpoints the
// WAL itself once it has read it, as Litestream requires.
func WithoutAutoCheckpoint() Option { return func(s *Store) { s.noAutoCheckpoint = true } }

// Open opens (creating if needed) the store in dataDir: dataDir/herald.db and
// dataDir/media, and migrates the schema.
//
// The data dir and media dir are 0700, the database and its WAL 0600: they
// hold live platform tokens and session secrets.
func Open(ctx context.Context, dataDir string, opts ...Option) (*Store, error) {
	for _, d := range []string{dataDir, filepath.Join(dataDir, "media")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("storage: create data dir: %w", err)
		}
		if err := os.Chmod(d, 0o700); err != nil {
			return nil, fmt.Errorf("storage: data dir: %w", err)
		}
	}
	return OpenFile(ctx, filepath.Join(dataDir, DBFile), filepath.Join(dataDir, "media"), opts...)
}

// OpenFile opens the database at path, keeping images in mediaDir.
// The file is made (or kept) 0600 before SQLite opens it; SQLite gives its
// WAL and shared-memory files the database file's mode.
func OpenFile(ctx context.Context, path, mediaDir string, opts ...Option) (*Store, error) {
	if err := ownerOnly(path); err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	s := &Store{path: path, mediaDir: mediaDir, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	q := url.Values{}
	pragmas := []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)"}
	if s.noAutoCheckpoint {
		pragmas = append(pragmas, "wal_autocheckpoint(0)")
	}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	// Two stay open between uses (opening one reads the schema, and prepared
	// statements live per connection); more would each keep a page cache of
	// their own: with eight, a year's statistics collection peaked at 59 MB
	// against 40 MB with two, no faster. The delivery path has its own
	// connection (writer.go).
	db.SetMaxIdleConns(2)
	s.db = db
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if s.w, err = openWriter(dsn); err != nil {
		db.Close()
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	return s, nil
}

// ownerOnly creates path empty with mode 0600 if it does not exist, and
// narrows an existing database (and a WAL or shared-memory file left by an
// older herald) to 0600.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, fs.ErrExist) {
		return err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	werr := s.w.close()
	s.closeStmts()
	return errors.Join(werr, s.db.Close())
}

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("storage: read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		var v int
		if _, err := fmt.Sscanf(e.Name(), "%04d_", &v); err != nil {
			return nil, fmt.Errorf("storage: migration %s: name must start with a 4-digit number", e.Name())
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("storage: read %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{v, e.Name(), string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("storage: migrations must be numbered 1,2,3...: %s", m.name)
		}
	}
	return ms, nil
}

// SchemaVersion is the newest schema this herald knows.
func SchemaVersion() int {
	ms, _ := migrations()
	return len(ms)
}

func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	var current int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("storage: read schema version of %s: %w", s.path, err)
	}
	if current > len(ms) {
		return fmt.Errorf("storage: %s has schema %d, this herald knows up to %d: %w (upgrade herald)", s.path, current, len(ms), ErrNewerSchema)
	}
	for _, m := range ms[current:] {
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version))
			return err
		})
		if err != nil {
			return fmt.Errorf("storage: migration %s: %w", m.name, err)
		}
	}
	return nil
}

// liveTokenKeys are the kv keys of live platform credentials: the WeChat
// access tokens (and tickets) the WeChat client caches. A backup leaves
// them out; a restored herald fetches new ones.
const liveTokenKeys = "wechat:%"

// stripLiveTokens deletes the live platform tokens from a backup copy and
// vacuums it, so no deleted page still holds them.
func stripLiveTokens(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{"PRAGMA secure_delete = ON", "DELETE FROM kv WHERE key LIKE '" + liveTokenKeys + "'", "VACUUM"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("leaving the platform tokens out: %w", err)
		}
	}
	return db.Close()
}

// Version returns the database's schema version.
func (s *Store) Version(ctx context.Context) (int, error) {
	var v int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("storage: schema version: %w", err)
	}
	return v, nil
}

// Backup writes a consistent copy of the database to path (VACUUM INTO).
// The file must not exist yet. The copy is written under a temporary name
// and renamed, so a failed backup never leaves a partial file at path.
func (s *Store) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("storage: backup: %s already exists", path)
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".partial")
	_ = os.Remove(tmp) // left by an earlier failed attempt
	// Made empty and owner-only first: VACUUM INTO fills an empty file and
	// keeps its mode (a backup holds the same secrets as the database).
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("storage: backup to %s: %w", path, err)
	}
	f.Close()
	if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("storage: backup to %s: %w", path, err)
	}
	if err := stripLiveTokens(ctx, tmp); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("storage: backup to %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("storage: backup to %s: %w", path, err)
	}
	return nil
}

// DataVersion returns SQLite's data_version as the delivery path's
// connection (writer.go) sees it: it changes when any other connection
// commits — another process, or this one's other writes — and not with the
// delivery path's own writes. The scheduler polls it to notice items added
// by the CLI without reacting to every delivery it records itself.
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.w.queryRow(ctx, "PRAGMA data_version", nil, &v); err != nil {
		return 0, fmt.Errorf("storage: data_version: %w", err)
	}
	return v, nil
}

func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Time encoding: fixed-width UTC text, so that text order is time order.
const timeLayout = "2006-01-02T15:04:05.000Z"

func ts(t time.Time) string { return t.UTC().Format(timeLayout) }

func tsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

func parseTS(s string) time.Time {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		t, _ = time.Parse(time.RFC3339Nano, s)
	}
	return t
}

func parseTSPtr(ns sql.NullString) *time.Time {
	if !ns.Valid || ns.String == "" {
		return nil
	}
	t := parseTS(ns.String)
	return &t
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

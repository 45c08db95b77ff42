package storage

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"github.com/herald-gov/herald/content"
)

// The writer runs the delivery path's database work — a delivery's state
// changes, a channel's progress, recorded uploads, tokens, and the reads
// between them — on one connection of its own, and commits whatever writes
// are waiting in one transaction (group commit):
//
//   - a caller's write returns only once the transaction holding it is
//     committed, so "committed before the call" still means committed;
//   - each write runs inside its own savepoint, so one that finds its row
//     changed (ErrConflict, ErrNotFound) is undone alone and the others
//     commit;
//   - any other error (a full disk, a broken database) rolls the batch back
//     and each write is then run in a transaction of its own, so each caller
//     gets exactly its own answer.
//
// One connection also keeps SQLite's page cache warm: a connection's cache
// is emptied whenever another connection commits. Transaction control
// (BEGIN IMMEDIATE, SAVEPOINT, COMMIT) uses prepared statements on that
// connection rather than database/sql's Tx, which parses them every time.
//
// Before it, a delivery's seven writes were separate transactions on any of
// eight pooled connections: at 128 workers they queued on SQLite's write
// lock, whose busy handler sleeps 1–100 ms, and every commit emptied the
// other connections' caches.
type writer struct {
	db *sql.DB // one connection, held by the loop goroutine

	mu     sync.RWMutex // held for reading while sending on reqs
	closed bool
	reqs   chan *writeReq
	done   chan struct{}

	// Used by the loop goroutine only.
	conn  *sql.Conn
	stmts map[string]*sql.Stmt // prepared on conn, statements and transaction control alike
}

// maxBatch bounds how many writes one transaction commits.
const maxBatch = 128

type writeReq struct {
	ctx context.Context
	fn  func(ctx context.Context, tx txn) error
	// read: fn only reads; a batch of reads alone needs no transaction.
	read bool
	err  chan error
}

// txn is the writer's connection inside its current transaction, with its
// prepared statements.
type txn struct {
	*sql.Conn
	w *writer
}

// prepared returns q prepared on the writer's connection (once).
func (t txn) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	return t.w.stmt(ctx, q)
}

func openWriter(dsn string) (*writer, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	w := &writer{db: db, reqs: make(chan *writeReq, maxBatch), done: make(chan struct{}), stmts: map[string]*sql.Stmt{}}
	go w.loop()
	return w, nil
}

// write runs fn in the writer's next transaction and returns once that
// transaction is committed or rolled back. fn must only use tx, and may be
// run twice (the second time alone, after a batch failed).
func (w *writer) write(ctx context.Context, fn func(ctx context.Context, tx txn) error) error {
	return w.send(ctx, &writeReq{ctx: ctx, fn: fn})
}

// read runs fn, which only reads, on the writer's connection: the delivery
// path's reads see a warm page cache there (a connection's cache is emptied
// whenever another connection commits, and the writer commits all the time).
func (w *writer) read(ctx context.Context, fn func(ctx context.Context, tx txn) error) error {
	return w.send(ctx, &writeReq{ctx: ctx, fn: fn, read: true})
}

func (w *writer) send(ctx context.Context, r *writeReq) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.err = make(chan error, 1)
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return errStoreClosed
	}
	w.reqs <- r
	w.mu.RUnlock()
	return <-r.err
}

// close lets the writes already queued finish, then closes the connection.
func (w *writer) close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	close(w.reqs)
	w.mu.Unlock()
	<-w.done
	for _, st := range w.stmts {
		st.Close()
	}
	var err error
	if w.conn != nil {
		err = w.conn.Close()
	}
	return errors.Join(err, w.db.Close())
}

func (w *writer) loop() {
	defer close(w.done)
	batch := make([]*writeReq, 0, maxBatch)
	for r := range w.reqs {
		batch = append(batch[:0], r)
	fill:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-w.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		w.run(batch)
		clear(batch)
	}
}

func (w *writer) run(batch []*writeReq) {
	ctx := context.Background() // a caller's cancel must not interrupt the others' writes
	if w.conn == nil {
		c, err := w.db.Conn(ctx)
		if err != nil {
			for _, r := range batch {
				r.err <- err
			}
			return
		}
		w.conn = c
	}
	live, reads := batch[:0], true
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err <- err // the caller gave up before its write began: nothing written
			continue
		}
		live = append(live, r)
		reads = reads && r.read
	}
	if reads || len(live) == 1 {
		for _, r := range live {
			r.err <- w.alone(ctx, r)
		}
		return
	}
	errs, err := w.together(ctx, live)
	if err != nil {
		for _, r := range live {
			r.err <- w.alone(ctx, r)
		}
		return
	}
	for i, r := range live {
		r.err <- errs[i]
	}
}

// together runs the writes in one transaction, each in a savepoint. The
// error is not about one write: the transaction was rolled back.
func (w *writer) together(ctx context.Context, rs []*writeReq) ([]error, error) {
	if err := w.control(ctx, "BEGIN IMMEDIATE"); err != nil {
		return nil, err
	}
	t := txn{Conn: w.conn, w: w}
	errs := make([]error, len(rs))
	for i, r := range rs {
		if err := w.control(ctx, "SAVEPOINT w"); err != nil {
			return nil, w.rollback(ctx, err)
		}
		if err := r.fn(ctx, t); err != nil {
			if !aboutOneWrite(err) {
				return nil, w.rollback(ctx, err)
			}
			errs[i] = err
			if err := w.control(ctx, "ROLLBACK TO w"); err != nil {
				return nil, w.rollback(ctx, err)
			}
		}
		if err := w.control(ctx, "RELEASE w"); err != nil {
			return nil, w.rollback(ctx, err)
		}
	}
	if err := w.control(ctx, "COMMIT"); err != nil {
		return nil, w.rollback(ctx, err)
	}
	return errs, nil
}

// alone runs one request in a transaction of its own (a read in none).
func (w *writer) alone(ctx context.Context, r *writeReq) error {
	t := txn{Conn: w.conn, w: w}
	if r.read {
		return r.fn(ctx, t)
	}
	if err := w.control(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	if err := r.fn(ctx, t); err != nil {
		return w.rollback(ctx, err)
	}
	if err := w.control(ctx, "COMMIT"); err != nil {
		return w.rollback(ctx, err)
	}
	return nil
}

// control runs a transaction-control statement, prepared once.
func (w *writer) control(ctx context.Context, q string) error {
	st, err := w.stmt(ctx, q)
	if err == nil {
		_, err = st.ExecContext(ctx)
	}
	return err
}

// rollback ends the transaction after err (SQLite may have ended it
// already: then ROLLBACK fails, harmlessly) and returns err.
func (w *writer) rollback(ctx context.Context, err error) error {
	_ = w.control(ctx, "ROLLBACK")
	return err
}

func (w *writer) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := w.stmts[q]; ok {
		return st, nil
	}
	st, err := w.conn.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	w.stmts[q] = st
	return st, nil
}

// aboutOneWrite reports whether err concerns only the write that returned
// it (its row changed or is gone, or the move is not allowed).
func aboutOneWrite(err error) bool {
	var te *content.TransitionError
	return errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound) || errors.As(err, &te)
}

// queryRow runs a prepared query of one row on the writer's connection and
// scans it into dest. A missing row is ErrNotFound.
func (w *writer) queryRow(ctx context.Context, q string, args []any, dest ...any) error {
	return w.read(ctx, func(ctx context.Context, tx txn) error {
		st, err := tx.prepared(ctx, q)
		if err != nil {
			return err
		}
		err = st.QueryRowContext(ctx, args...).Scan(dest...)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	})
}

// exec runs one prepared statement as a write of its own (batched with others).
func (w *writer) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := w.write(ctx, func(ctx context.Context, tx txn) error {
		st, err := tx.prepared(ctx, q)
		if err != nil {
			return err
		}
		res, err = st.ExecContext(ctx, args...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

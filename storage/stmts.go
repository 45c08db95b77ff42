package storage

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// stmtCache keeps prepared statements for the queries the delivery engine
// runs for every delivery, so SQLite parses each of them once per
// connection instead of once per call.
type stmtCache struct {
	mu     sync.Mutex
	m      map[string]*sql.Stmt
	closed bool
	// warming counts background prepares; Close waits for them, so none
	// opens a connection (and SQLite's files) after the store is closed.
	warming sync.WaitGroup
}

var errStoreClosed = errors.New("storage: store closed")

// stmt returns q prepared (database/sql prepares it on each connection as
// it is used there). The lock is not held while preparing: preparing waits
// for a free connection.
func (s *Store) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st := s.cachedStmt(q); st != nil {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	if s.stmts.closed {
		st.Close()
		return nil, errStoreClosed
	}
	if prev, ok := s.stmts.m[q]; ok {
		st.Close()
		return prev, nil
	}
	if s.stmts.m == nil {
		s.stmts.m = map[string]*sql.Stmt{}
	}
	s.stmts.m[q] = st
	return st, nil
}

func (s *Store) cachedStmt(q string) *sql.Stmt {
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	return s.stmts.m[q]
}

// execCached runs a prepared q outside a transaction.
func (s *Store) execCached(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := s.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// queryRowCached runs a prepared q that returns one row.
func (s *Store) queryRowCached(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := s.stmt(ctx, q)
	if err != nil {
		return s.db.QueryRowContext(ctx, q, args...) // reports the same error on Scan
	}
	return st.QueryRowContext(ctx, args...)
}

// txStmt returns q prepared, bound to tx. A transaction holds its
// connection, so a statement not cached yet is prepared on that connection
// only (waiting for another one could deadlock the pool); it is cached for
// later transactions in the background.
func (s *Store) txStmt(ctx context.Context, tx *sql.Tx, q string) (*sql.Stmt, error) {
	if st := s.cachedStmt(q); st != nil {
		return tx.StmtContext(ctx, st), nil
	}
	s.stmts.mu.Lock()
	if !s.stmts.closed {
		s.stmts.warming.Add(1)
		go func() {
			defer s.stmts.warming.Done()
			_, _ = s.stmt(context.Background(), q)
		}()
	}
	s.stmts.mu.Unlock()
	return tx.PrepareContext(ctx, q)
}

func (s *Store) closeStmts() {
	s.stmts.mu.Lock()
	s.stmts.closed = true
	s.stmts.mu.Unlock()
	s.stmts.warming.Wait()
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	for _, st := range s.stmts.m {
		st.Close()
	}
	s.stmts.m = nil
}

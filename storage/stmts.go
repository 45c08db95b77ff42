package storage

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// stmtCache keeps prepared statements for frequent reads on the pool, so
// SQLite parses each of them once per connection instead of once per call.
// (The delivery path's statements live on the writer's connection:
// writer.go.)
type stmtCache struct {
	mu     sync.Mutex
	m      map[string]*sql.Stmt
	closed bool
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

// queryRowCached runs a prepared q that returns one row.
func (s *Store) queryRowCached(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := s.stmt(ctx, q)
	if err != nil {
		return s.db.QueryRowContext(ctx, q, args...) // reports the same error on Scan
	}
	return st.QueryRowContext(ctx, args...)
}

func (s *Store) closeStmts() {
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	s.stmts.closed = true
	for _, st := range s.stmts.m {
		st.Close()
	}
	s.stmts.m = nil
}

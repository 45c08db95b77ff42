package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// GetValue returns a stored value that has not expired.
func (s *Store) GetValue(ctx context.Context, key string) (string, error) {
	var v string
	var exp sql.NullString
	err := s.w.queryRow(ctx, "SELECT value, expires_at FROM kv WHERE key = ?", []any{key}, &v, &exp)
	if errors.Is(err, ErrNotFound) {
		return "", fmt.Errorf("storage: value %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("storage: value %s: %w", key, err)
	}
	if t := parseTSPtr(exp); t != nil && !s.now().Before(*t) {
		return "", fmt.Errorf("storage: value %s expired: %w", key, ErrNotFound)
	}
	return v, nil
}

// SetValue stores a value; ttl 0 keeps it until deleted.
func (s *Store) SetValue(ctx context.Context, key, value string, ttl time.Duration) error {
	q, args := s.setValue(key, value, ttl)
	if err := s.w.exec(ctx, q, args...); err != nil {
		return fmt.Errorf("storage: set %s: %w", key, err)
	}
	return nil
}

// SetValueLater stores a value without waiting: it is committed with the
// next write (or within 50 ms), and a crash before that loses it. For
// values the caller also keeps in memory and can get again (a platform
// token).
func (s *Store) SetValueLater(ctx context.Context, key, value string, ttl time.Duration) {
	q, args := s.setValue(key, value, ttl)
	s.w.writeLater(ctx, stmtOp{q, args})
}

func (s *Store) setValue(key, value string, ttl time.Duration) (string, []any) {
	var exp any
	if ttl > 0 {
		exp = ts(s.now().Add(ttl))
	}
	return `INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`, []any{key, value, exp}
}

// DeleteValue removes a value; deleting a missing key is not an error.
func (s *Store) DeleteValue(ctx context.Context, key string) error {
	if err := s.w.exec(ctx, "DELETE FROM kv WHERE key = ?", key); err != nil {
		return fmt.Errorf("storage: delete %s: %w", key, err)
	}
	return nil
}

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
	var exp any
	if ttl > 0 {
		exp = ts(s.now().Add(ttl))
	}
	_, err := s.w.exec(ctx, `INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`, key, value, exp)
	if err != nil {
		return fmt.Errorf("storage: set %s: %w", key, err)
	}
	return nil
}

// DeleteValue removes a value; deleting a missing key is not an error.
func (s *Store) DeleteValue(ctx context.Context, key string) error {
	if _, err := s.w.exec(ctx, "DELETE FROM kv WHERE key = ?", key); err != nil {
		return fmt.Errorf("storage: delete %s: %w", key, err)
	}
	return nil
}

package storage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// APIToken is who an API token acts as.
type APIToken struct {
	ID         int64
	Name       string
	Department string
	Role       string
}

// Roles an API token may have.
var Roles = []string{"admin", "editor", "reviewer", "viewer"}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateToken makes a new API token and returns it; only its hash is stored.
func (s *Store) CreateToken(ctx context.Context, name, department, role string) (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("storage: token: %w", err)
	}
	token := "hrld_" + base64.RawURLEncoding.EncodeToString(b[:])
	_, err := s.db.ExecContext(ctx, "INSERT INTO api_tokens (name, department, role, token_hash, created_at) VALUES (?,?,?,?,?)",
		name, department, role, hashToken(token), ts(s.now()))
	if err != nil {
		return "", fmt.Errorf("storage: create token: %w", err)
	}
	return token, nil
}

// TokenFor returns who a presented token acts as; ErrNotFound if it is
// unknown or revoked.
func (s *Store) TokenFor(ctx context.Context, token string) (APIToken, error) {
	var t APIToken
	err := s.db.QueryRowContext(ctx, "SELECT id, name, department, role FROM api_tokens WHERE token_hash = ? AND revoked = 0",
		hashToken(token)).Scan(&t.ID, &t.Name, &t.Department, &t.Role)
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("storage: token: %w", ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("storage: token: %w", err)
	}
	_, _ = s.db.ExecContext(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", ts(s.now()), t.ID)
	return t, nil
}

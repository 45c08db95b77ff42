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
	"time"
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

// Session is a logged-in console user.
type Session struct {
	APIToken
	CSRF string
}

// CreateSession starts a console session for a token and returns the
// cookie value and the session's CSRF token.
func (s *Store) CreateSession(ctx context.Context, t APIToken, ttl time.Duration) (cookie, csrf string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", fmt.Errorf("storage: session: %w", err)
	}
	cookie = base64.RawURLEncoding.EncodeToString(b[:16])
	csrf = base64.RawURLEncoding.EncodeToString(b[16:])
	_, err = s.db.ExecContext(ctx, "INSERT INTO sessions (id_hash, token_id, csrf, expires_at) VALUES (?,?,?,?)",
		hashToken(cookie), t.ID, csrf, ts(s.now().Add(ttl)))
	if err != nil {
		return "", "", fmt.Errorf("storage: session: %w", err)
	}
	return cookie, csrf, nil
}

// SessionFor returns the live session a cookie names.
func (s *Store) SessionFor(ctx context.Context, cookie string) (Session, error) {
	var sess Session
	err := s.db.QueryRowContext(ctx, `SELECT t.id, t.name, t.department, t.role, s.csrf FROM sessions s
JOIN api_tokens t ON t.id = s.token_id WHERE s.id_hash = ? AND s.expires_at > ? AND t.revoked = 0`, hashToken(cookie), ts(s.now())).
		Scan(&sess.ID, &sess.Name, &sess.Department, &sess.Role, &sess.CSRF)
	if errors.Is(err, sql.ErrNoRows) {
		return sess, fmt.Errorf("storage: session: %w", ErrNotFound)
	}
	if err != nil {
		return sess, fmt.Errorf("storage: session: %w", err)
	}
	return sess, nil
}

// EndSession logs a session out.
func (s *Store) EndSession(ctx context.Context, cookie string) error {
	_, err := s.db.ExecContext(ctx, "DELETE FROM sessions WHERE id_hash = ?", hashToken(cookie))
	return err
}

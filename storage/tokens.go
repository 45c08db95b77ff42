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

// APIToken is who an API token (or a console session) acts as.
type APIToken struct {
	ID         int64
	Name       string
	Department string
	Role       string
}

// Roles an API token or a user may have.
var Roles = []string{"admin", "editor", "reviewer", "viewer"}

// TokenInfo describes a token for listing; it never holds the token itself.
type TokenInfo struct {
	Name       string     `json:"name"`
	Department string     `json:"department"`
	Role       string     `json:"role"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	Revoked    bool       `json:"revoked"`
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateTokenExpiring makes a new API token that stops working at expires
// (zero: never) and returns it; only its hash is stored.
func (s *Store) CreateTokenExpiring(ctx context.Context, name, department, role string, expires time.Time) (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("storage: token: %w", err)
	}
	token := "hrld_" + base64.RawURLEncoding.EncodeToString(b[:])
	var exp any
	if !expires.IsZero() {
		exp = ts(expires)
	}
	_, err := s.db.ExecContext(ctx, "INSERT INTO api_tokens (name, department, role, token_hash, created_at, expires_at) VALUES (?,?,?,?,?,?)",
		name, department, role, hashToken(token), ts(s.now()), exp)
	if err != nil {
		return "", fmt.Errorf("storage: create token: %w", err)
	}
	return token, nil
}

// TokenFor returns who a presented token acts as; ErrNotFound if it is
// unknown, revoked or expired.
func (s *Store) TokenFor(ctx context.Context, token string) (APIToken, error) {
	var t APIToken
	now := ts(s.now())
	err := s.db.QueryRowContext(ctx, `SELECT id, name, department, role FROM api_tokens
WHERE token_hash = ? AND revoked = 0 AND (expires_at IS NULL OR expires_at > ?)`,
		hashToken(token), now).Scan(&t.ID, &t.Name, &t.Department, &t.Role)
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("storage: token: %w", ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("storage: token: %w", err)
	}
	_, _ = s.db.ExecContext(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", now, t.ID)
	return t, nil
}

// Tokens lists every token, oldest first, without the tokens themselves.
func (s *Store) Tokens(ctx context.Context) ([]TokenInfo, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT name, department, role, created_at, last_used_at, expires_at, revoked FROM api_tokens ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("storage: tokens: %w", err)
	}
	defer rows.Close()
	var out []TokenInfo
	for rows.Next() {
		var t TokenInfo
		var created string
		var used, exp sql.NullString
		if err := rows.Scan(&t.Name, &t.Department, &t.Role, &created, &used, &exp, &t.Revoked); err != nil {
			return nil, fmt.Errorf("storage: tokens: %w", err)
		}
		t.CreatedAt, t.LastUsedAt, t.ExpiresAt = parseTS(created), parseTSPtr(used), parseTSPtr(exp)
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeTokens revokes every live token with this name and ends the console
// sessions opened with them, in one transaction; it returns how many tokens
// it revoked (0: ErrNotFound).
func (s *Store) RevokeTokens(ctx context.Context, name string) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE token_id IN (SELECT id FROM api_tokens WHERE name = ? AND revoked = 0)", name); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "UPDATE api_tokens SET revoked = 1 WHERE name = ? AND revoked = 0", name)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		if n == 0 {
			return ErrNotFound
		}
		return insertAudit(ctx, tx, AuditEntry{Actor: "admin", Action: "token_revoked", Detail: fmt.Sprintf("吊销令牌：%s（%d 个）", name, n)}, ts(s.now()))
	})
	if err != nil {
		return 0, fmt.Errorf("storage: revoke token %s: %w", name, err)
	}
	return int(n), nil
}

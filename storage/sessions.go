package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// Session is a logged-in console user: a user with a password, or someone
// who signed in with an API token.
type Session struct {
	APIToken
	// UserID is the user's id for a password login, 0 for a token login.
	UserID int64
	CSRF   string
}

// SessionLimits bound a console session's life.
type SessionLimits struct {
	Idle     time.Duration // ends after this long without a request
	Absolute time.Duration // ends this long after sign-in, however active
}

// StartSession starts a console session for a user (userID not 0) or an API
// token (who.ID) and returns the cookie value and the session's CSRF token.
func (s *Store) StartSession(ctx context.Context, who APIToken, userID int64, lim SessionLimits) (cookie, csrf string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", fmt.Errorf("storage: session: %w", err)
	}
	cookie = base64.RawURLEncoding.EncodeToString(b[:16])
	csrf = base64.RawURLEncoding.EncodeToString(b[16:])
	var tokenID, uid any
	if userID != 0 {
		uid = userID
	} else {
		tokenID = who.ID
	}
	now := s.now()
	_, err = s.db.ExecContext(ctx, `INSERT INTO sessions (id_hash, token_id, user_id, csrf, created_at, last_seen_at, idle_seconds, expires_at)
VALUES (?,?,?,?,?,?,?,?)`,
		hashToken(cookie), tokenID, uid, csrf, ts(now), ts(now), int64(lim.Idle.Seconds()), ts(now.Add(lim.Absolute)))
	if err != nil {
		return "", "", fmt.Errorf("storage: session: %w", err)
	}
	return cookie, csrf, nil
}

// SessionFor returns the live session a cookie names and marks it used. A
// session is dead after its absolute expiry, after its idle time without a
// request, when its token is revoked or expired, or its user disabled.
func (s *Store) SessionFor(ctx context.Context, cookie string) (Session, error) {
	var sess Session
	now := s.now()
	h := hashToken(cookie)
	var lastSeen string
	var idle int64
	err := s.db.QueryRowContext(ctx, `
SELECT COALESCE(t.id, u.id), COALESCE(t.name, u.name), COALESCE(t.department, u.department), COALESCE(t.role, u.role),
       COALESCE(s.user_id, 0), s.csrf, s.last_seen_at, s.idle_seconds
FROM sessions s
LEFT JOIN api_tokens t ON t.id = s.token_id AND t.revoked = 0 AND (t.expires_at IS NULL OR t.expires_at > ?1)
LEFT JOIN users u ON u.id = s.user_id AND u.disabled = 0
WHERE s.id_hash = ?2 AND s.expires_at > ?1 AND (t.id IS NOT NULL OR u.id IS NOT NULL)`,
		ts(now), h).
		Scan(&sess.ID, &sess.Name, &sess.Department, &sess.Role, &sess.UserID, &sess.CSRF, &lastSeen, &idle)
	if errors.Is(err, sql.ErrNoRows) {
		return sess, fmt.Errorf("storage: session: %w", ErrNotFound)
	}
	if err != nil {
		return sess, fmt.Errorf("storage: session: %w", err)
	}
	seen := parseTS(lastSeen)
	if now.Sub(seen) >= time.Duration(idle)*time.Second {
		_, _ = s.db.ExecContext(ctx, "DELETE FROM sessions WHERE id_hash = ?", h)
		return Session{}, fmt.Errorf("storage: session idle: %w", ErrNotFound)
	}
	// Mark it used at most once a minute: a page view need not be a write.
	if now.Sub(seen) > time.Minute {
		_, _ = s.db.ExecContext(ctx, "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?", ts(now), h)
	}
	return sess, nil
}

// EndSession logs a session out.
func (s *Store) EndSession(ctx context.Context, cookie string) error {
	if _, err := s.db.ExecContext(ctx, "DELETE FROM sessions WHERE id_hash = ?", hashToken(cookie)); err != nil {
		return fmt.Errorf("storage: end session: %w", err)
	}
	return nil
}

// PruneSessions deletes sessions past their absolute expiry (housekeeping).
func (s *Store) PruneSessions(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at <= ?", ts(s.now())); err != nil {
		return fmt.Errorf("storage: prune sessions: %w", err)
	}
	return nil
}

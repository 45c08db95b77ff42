package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// User is a person who signs in to the console with a name and a password.
type User struct {
	ID                int64     `json:"-"`
	Name              string    `json:"name"`
	Department        string    `json:"department"`
	Role              string    `json:"role"`
	Disabled          bool      `json:"disabled"`
	CreatedAt         time.Time `json:"created_at"`
	PasswordChangedAt time.Time `json:"password_changed_at"`
	PasswordHash      string    `json:"-"`
}

// Token is who the user acts as.
func (u User) Token() APIToken {
	return APIToken{ID: u.ID, Name: u.Name, Department: u.Department, Role: u.Role}
}

// CreateUser adds a user with an already hashed password; ErrConflict if the
// name is taken.
func (s *Store) CreateUser(ctx context.Context, u User, actor string) error {
	now := ts(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO users (name, department, role, password_hash, created_at, password_changed_at) VALUES (?,?,?,?,?,?)",
			u.Name, u.Department, u.Role, u.PasswordHash, now, now)
		if err != nil {
			if strings.Contains(err.Error(), "UNIQUE") {
				return ErrConflict
			}
			return err
		}
		return insertAudit(ctx, tx, AuditEntry{Actor: actor, Action: "user_added", Detail: fmt.Sprintf("添加用户 %s（%s，%s）", u.Name, u.Department, u.Role)}, now)
	})
	if err != nil {
		return fmt.Errorf("storage: add user %s: %w", u.Name, err)
	}
	return nil
}

// UserByName returns a user, disabled or not; ErrNotFound if there is none.
func (s *Store) UserByName(ctx context.Context, name string) (User, error) {
	users, err := s.queryUsers(ctx, "WHERE name = ?", name)
	if err != nil {
		return User{}, err
	}
	if len(users) == 0 {
		return User{}, fmt.Errorf("storage: user %s: %w", name, ErrNotFound)
	}
	return users[0], nil
}

// Users lists every user by name.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	return s.queryUsers(ctx, "ORDER BY name")
}

func (s *Store) queryUsers(ctx context.Context, where string, args ...any) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, name, department, role, password_hash, disabled, created_at, password_changed_at FROM users "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var u User
		var created, changed string
		if err := rows.Scan(&u.ID, &u.Name, &u.Department, &u.Role, &u.PasswordHash, &u.Disabled, &created, &changed); err != nil {
			return nil, fmt.Errorf("storage: users: %w", err)
		}
		u.CreatedAt, u.PasswordChangedAt = parseTS(created), parseTS(changed)
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetPassword replaces a user's password hash and ends all of the user's
// sessions, in one transaction.
func (s *Store) SetPassword(ctx context.Context, name, hash, actor string) error {
	return s.changeUser(ctx, name, actor, "password_changed", "修改密码："+name,
		"UPDATE users SET password_hash = ?, password_changed_at = ? WHERE name = ?", hash, ts(s.now()), name)
}

// SetUserDisabled disables (or enables again) a user; disabling ends all of
// the user's sessions.
func (s *Store) SetUserDisabled(ctx context.Context, name string, disabled bool, actor string) error {
	action, detail := "user_disabled", "停用用户："+name
	if !disabled {
		action, detail = "user_enabled", "启用用户："+name
	}
	return s.changeUser(ctx, name, actor, action, detail, "UPDATE users SET disabled = ? WHERE name = ?", disabled, name)
}

func (s *Store) changeUser(ctx context.Context, name, actor, action, detail, update string, args ...any) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, update, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?)", name); err != nil {
			return err
		}
		return insertAudit(ctx, tx, AuditEntry{Actor: actor, Action: action, Detail: detail}, ts(s.now()))
	})
	if err != nil {
		return fmt.Errorf("storage: user %s: %w", name, err)
	}
	return nil
}

// LoginFailure records one failed sign-in for each subject ("name:…",
// "addr:…") with its audit entry, in one transaction.
func (s *Store) LoginFailure(ctx context.Context, actor, detail string, subjects ...string) error {
	now := ts(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, sub := range subjects {
			if _, err := tx.ExecContext(ctx, "INSERT INTO login_failures (subject, at) VALUES (?, ?)", sub, now); err != nil {
				return err
			}
		}
		return insertAudit(ctx, tx, AuditEntry{Actor: actor, Action: "login_failed", Detail: detail}, now)
	})
	if err != nil {
		return fmt.Errorf("storage: login failure: %w", err)
	}
	return nil
}

// LoginFailures returns how many failures subject had since t and when the
// latest was.
func (s *Store) LoginFailures(ctx context.Context, subject string, since time.Time) (int, time.Time, error) {
	var n int
	var last sql.NullString
	err := s.db.QueryRowContext(ctx, "SELECT COUNT(*), MAX(at) FROM login_failures WHERE subject = ? AND at > ?", subject, ts(since)).Scan(&n, &last)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("storage: login failures: %w", err)
	}
	var at time.Time
	if last.Valid {
		at = parseTS(last.String)
	}
	return n, at, nil
}

// ClearLoginFailures forgets a subject's failures (after a good sign-in) and
// any failure older than before (housekeeping).
func (s *Store) ClearLoginFailures(ctx context.Context, subject string, before time.Time) error {
	_, err := s.db.ExecContext(ctx, "DELETE FROM login_failures WHERE subject = ? OR at < ?", subject, ts(before))
	if err != nil {
		return fmt.Errorf("storage: clear login failures: %w", err)
	}
	return nil
}

package storage

import (
	"context"
	"database/sql"
	"errors"
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

// SetPassword replaces a user's password hash, ends all of the user's
// sessions and lifts a lock on the name, in one transaction.
func (s *Store) SetPassword(ctx context.Context, name, hash, actor string) error {
	return s.changeUser(ctx, name, actor, "password_changed", "修改密码（并解除登录锁定）："+name,
		"UPDATE users SET password_hash = ?, password_changed_at = ? WHERE name = ?", hash, ts(s.now()), name)
}

// UnlockUser lifts a lock on a user's name (forgets the name's failed
// sign-ins); ErrNotFound if there is no such user.
func (s *Store) UnlockUser(ctx context.Context, name, actor string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, "SELECT id FROM users WHERE name = ?", name).Scan(&id); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM login_failures WHERE subject = ?", "name:"+name); err != nil {
			return err
		}
		return insertAudit(ctx, tx, AuditEntry{Actor: actor, Action: "user_unlocked", Detail: "解除登录锁定：" + name}, ts(s.now()))
	})
	if err != nil {
		return fmt.Errorf("storage: unlock user %s: %w", name, err)
	}
	return nil
}

// SetUserRole changes a user's role and department and ends the user's
// sessions (the next sign-in carries the new rights).
func (s *Store) SetUserRole(ctx context.Context, name, department, role, actor string) error {
	return s.changeUser(ctx, name, actor, "user_changed", fmt.Sprintf("修改用户 %s：部门 %s，角色 %s", name, department, role),
		"UPDATE users SET department = ?, role = ? WHERE name = ?", department, role, name)
}

// knownAddrTTL is how long an address a user signed in from stays known.
const knownAddrTTL = 180 * 24 * time.Hour

// knownAddrKey is the kv key of a known address (an address holds no "@").
func knownAddrKey(name, addr string) string { return "signin:" + name + "@" + addr }

// RememberSignInAddress notes that name signed in with the right password
// from addr (kept for 180 days after the latest such sign-in).
func (s *Store) RememberSignInAddress(ctx context.Context, name, addr string) error {
	return s.SetValue(ctx, knownAddrKey(name, addr), ts(s.now()), knownAddrTTL)
}

// KnownSignInAddress reports whether name signed in with the right password
// from addr within the last 180 days.
func (s *Store) KnownSignInAddress(ctx context.Context, name, addr string) (bool, error) {
	_, err := s.GetValue(ctx, knownAddrKey(name, addr))
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
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
		if action == "password_changed" {
			if _, err := tx.ExecContext(ctx, "DELETE FROM login_failures WHERE subject = ?", "name:"+name); err != nil {
				return err
			}
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

// LockedNames returns, for each user name with at least limit failed
// sign-ins since since, the time of its latest failure.
func (s *Store) LockedNames(ctx context.Context, since time.Time, limit int) (map[string]time.Time, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT substr(subject, 6), MAX(at) FROM login_failures
		WHERE subject LIKE 'name:%' AND at > ? GROUP BY subject HAVING COUNT(*) >= ?`, ts(since), limit)
	if err != nil {
		return nil, fmt.Errorf("storage: locked names: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var name, last string
		if err := rows.Scan(&name, &last); err != nil {
			return nil, fmt.Errorf("storage: locked names: %w", err)
		}
		out[name] = parseTS(last)
	}
	return out, rows.Err()
}

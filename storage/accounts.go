package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Account health values.
const (
	HealthUnknown   = "unknown"
	HealthOK        = "ok"
	HealthUnhealthy = "unhealthy"
)

// Account is an account as the store keeps it: what the config says plus
// what herald has learned (health).
type Account struct {
	ID              string     `json:"id"`
	Name            string     `json:"name"`
	Platform        string     `json:"platform"`
	Groups          []string   `json:"groups"`
	Department      string     `json:"department"`
	WeChatType      string     `json:"wechat_type,omitempty"`
	Active          bool       `json:"active"`
	Health          string     `json:"health"`
	HealthMessage   string     `json:"health_message,omitempty"`
	HealthCheckedAt *time.Time `json:"health_checked_at,omitempty"`
}

// SyncAccounts makes the accounts table match the configured accounts:
// new ones are added, changed ones updated, and ones no longer configured
// are kept but marked inactive, never deleted with their history.
func (s *Store) SyncAccounts(ctx context.Context, accounts []Account) error {
	now := ts(s.now())
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE accounts SET active = 0, updated_at = ? WHERE active = 1", now); err != nil {
			return err
		}
		for _, a := range accounts {
			groups, _ := json.Marshal(a.Groups)
			if a.Groups == nil {
				groups = []byte("[]")
			}
			_, err := tx.ExecContext(ctx, `
INSERT INTO accounts (id, name, platform, groups_json, department, wechat_type, active, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, platform = excluded.platform,
  groups_json = excluded.groups_json, department = excluded.department,
  wechat_type = excluded.wechat_type, active = 1, updated_at = excluded.updated_at`,
				a.ID, a.Name, a.Platform, string(groups), a.Department, a.WeChatType, now, now)
			if err != nil {
				return fmt.Errorf("account %s: %w", a.ID, err)
			}
		}
		return nil
	})
}

const accountCols = "id, name, platform, groups_json, department, wechat_type, active, health, health_message, health_checked_at"

func scanAccount(row interface{ Scan(...any) error }) (Account, error) {
	var a Account
	var groups string
	var checked sql.NullString
	if err := row.Scan(&a.ID, &a.Name, &a.Platform, &groups, &a.Department, &a.WeChatType, &a.Active, &a.Health, &a.HealthMessage, &checked); err != nil {
		return a, err
	}
	if err := json.Unmarshal([]byte(groups), &a.Groups); err != nil {
		return a, fmt.Errorf("account %s groups: %w", a.ID, err)
	}
	a.HealthCheckedAt = parseTSPtr(checked)
	return a, nil
}

// Accounts lists accounts ordered by id; inactive ones only when includeInactive.
func (s *Store) Accounts(ctx context.Context, includeInactive bool) ([]Account, error) {
	q := "SELECT " + accountCols + " FROM accounts"
	if !includeInactive {
		q += " WHERE active = 1"
	}
	rows, err := s.db.QueryContext(ctx, q+" ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("storage: list accounts: %w", err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("storage: list accounts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Account returns one account, active or not.
func (s *Store) Account(ctx context.Context, id string) (Account, error) {
	a, err := scanAccount(s.db.QueryRowContext(ctx, "SELECT "+accountCols+" FROM accounts WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("storage: account %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("storage: account %s: %w", id, err)
	}
	return a, nil
}

// SetAccountHealth records what herald last learned of an account's credentials.
func (s *Store) SetAccountHealth(ctx context.Context, id, health, message string) error {
	now := ts(s.now())
	res, err := s.db.ExecContext(ctx, "UPDATE accounts SET health = ?, health_message = ?, health_checked_at = ?, updated_at = ? WHERE id = ?",
		health, message, now, now, id)
	if err != nil {
		return fmt.Errorf("storage: set health of %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("storage: account %s: %w", id, ErrNotFound)
	}
	return nil
}

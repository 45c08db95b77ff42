package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Repost task states per account.
const (
	TaskPending = "pending" // not posted yet, due time not passed
	TaskDone    = "done"    // posted before the due time
	TaskLate    = "late"    // posted after the due time
	TaskMissing = "missing" // not posted, due time passed
)

// Task is a repost task from the higher level (上级转载任务).
type Task struct {
	ID         int64
	Title      string
	URL        string
	Due        time.Time
	Targets    string
	CreatedAt  time.Time
	RemindedAt *time.Time
	OverdueAt  *time.Time
	Accounts   []TaskAccount
}

// TaskAccount is one target account's progress on a task.
type TaskAccount struct {
	Account     string
	State       string
	URL         string
	PublishedAt *time.Time
}

// AddTask records a task for the given accounts.
func (s *Store) AddTask(ctx context.Context, t Task, accounts []string) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "INSERT INTO repost_tasks (title, url, due_at, targets, created_at) VALUES (?, ?, ?, ?, ?)",
			t.Title, t.URL, ts(t.Due), t.Targets, ts(s.now()))
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		for _, a := range accounts {
			if _, err := tx.ExecContext(ctx, "INSERT INTO repost_task_accounts (task_id, account_id) VALUES (?, ?)", id, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("storage: add task: %w", err)
	}
	return id, nil
}

// Tasks returns every task with its accounts, newest due first.
func (s *Store) Tasks(ctx context.Context) ([]Task, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, title, url, due_at, targets, created_at, reminded_at, overdue_at FROM repost_tasks ORDER BY due_at DESC, id DESC")
	if err != nil {
		return nil, fmt.Errorf("storage: tasks: %w", err)
	}
	var out []Task
	byID := map[int64]int{}
	for rows.Next() {
		var t Task
		var due, created string
		var reminded, overdue sql.NullString
		if err := rows.Scan(&t.ID, &t.Title, &t.URL, &due, &t.Targets, &created, &reminded, &overdue); err != nil {
			rows.Close()
			return nil, err
		}
		t.Due, t.CreatedAt, t.RemindedAt, t.OverdueAt = parseTS(due), parseTS(created), parseTSPtr(reminded), parseTSPtr(overdue)
		byID[t.ID] = len(out)
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.db.QueryContext(ctx, "SELECT task_id, account_id, state, url, published_at FROM repost_task_accounts ORDER BY task_id, account_id")
	if err != nil {
		return nil, fmt.Errorf("storage: task accounts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var a TaskAccount
		var at sql.NullString
		if err := rows.Scan(&id, &a.Account, &a.State, &a.URL, &at); err != nil {
			return nil, err
		}
		a.PublishedAt = parseTSPtr(at)
		if i, ok := byID[id]; ok {
			out[i].Accounts = append(out[i].Accounts, a)
		}
	}
	return out, rows.Err()
}

// Task returns one task.
func (s *Store) Task(ctx context.Context, id int64) (Task, error) {
	ts, err := s.Tasks(ctx)
	if err != nil {
		return Task{}, err
	}
	for _, t := range ts {
		if t.ID == id {
			return t, nil
		}
	}
	return Task{}, fmt.Errorf("storage: task %d: %w", id, ErrNotFound)
}

// SetTaskAccount records an account's progress on a task.
func (s *Store) SetTaskAccount(ctx context.Context, id int64, a TaskAccount) error {
	res, err := s.db.ExecContext(ctx, "UPDATE repost_task_accounts SET state = ?, url = ?, published_at = ? WHERE task_id = ? AND account_id = ?",
		a.State, a.URL, tsPtr(a.PublishedAt), id, a.Account)
	if err != nil {
		return fmt.Errorf("storage: task %d account %s: %w", id, a.Account, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("storage: task %d account %s: %w", id, a.Account, ErrNotFound)
	}
	return nil
}

// MarkTaskReminded records that the reminder went out; it reports false if
// it had gone out already (another run sent it).
func (s *Store) MarkTaskReminded(ctx context.Context, id int64) (bool, error) {
	return s.markTask(ctx, id, "reminded_at")
}

// MarkTaskOverdue records that the robot was told who missed the task.
func (s *Store) MarkTaskOverdue(ctx context.Context, id int64) (bool, error) {
	return s.markTask(ctx, id, "overdue_at")
}

func (s *Store) markTask(ctx context.Context, id int64, col string) (bool, error) {
	res, err := s.db.ExecContext(ctx, "UPDATE repost_tasks SET "+col+" = ? WHERE id = ? AND "+col+" IS NULL", ts(s.now()), id)
	if err != nil {
		return false, fmt.Errorf("storage: task %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		if _, err := s.Task(ctx, id); errors.Is(err, ErrNotFound) {
			return false, err
		}
	}
	return n > 0, nil
}

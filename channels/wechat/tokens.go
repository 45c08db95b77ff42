package wechat

import (
	"context"
	"sync"
	"time"
)

// tokenMemoTTL is how long a token read from the store is used without
// reading the store again.
const tokenMemoTTL = 30 * time.Second

// tokenMemo keeps the tokens this process read or fetched in memory for
// tokenMemoTTL, so that a delivery's six calls read the token store once
// instead of six times. Another herald process (the CLI) may fetch a new
// token meanwhile: a token that turned stale answers 40001, withToken then
// deletes it (here and in the store) and gets a fresh one.
type tokenMemo struct {
	KV
	now func() time.Time

	mu sync.Mutex
	m  map[string]memoEntry
}

type memoEntry struct {
	value string
	until time.Time
}

func newTokenMemo(kv KV, now func() time.Time) *tokenMemo {
	return &tokenMemo{KV: kv, now: now, m: map[string]memoEntry{}}
}

// GetValue implements KV.
func (t *tokenMemo) GetValue(ctx context.Context, key string) (string, error) {
	now := t.now()
	t.mu.Lock()
	e, ok := t.m[key]
	t.mu.Unlock()
	if ok && now.Before(e.until) {
		return e.value, nil
	}
	v, err := t.KV.GetValue(ctx, key)
	if err != nil {
		return v, err
	}
	t.remember(key, v, now.Add(tokenMemoTTL))
	return v, nil
}

// laterKV is a KV that can store a value without waiting for the write.
type laterKV interface {
	SetValueLater(ctx context.Context, key, value string, ttl time.Duration)
}

// SetValue implements KV. The value is used from memory at once; a store
// that can writes it without waiting (a crash before the write only means
// the next process fetches a token of its own).
func (t *tokenMemo) SetValue(ctx context.Context, key, value string, ttl time.Duration) error {
	if l, ok := t.KV.(laterKV); ok {
		l.SetValueLater(ctx, key, value, ttl)
	} else if err := t.KV.SetValue(ctx, key, value, ttl); err != nil {
		t.forget(key)
		return err
	}
	until := t.now().Add(tokenMemoTTL)
	if ttl > 0 && ttl < tokenMemoTTL {
		until = t.now().Add(ttl)
	}
	t.remember(key, value, until)
	return nil
}

// DeleteValue implements KV.
func (t *tokenMemo) DeleteValue(ctx context.Context, key string) error {
	t.forget(key)
	return t.KV.DeleteValue(ctx, key)
}

func (t *tokenMemo) remember(key, value string, until time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.m[key] = memoEntry{value, until}
}

func (t *tokenMemo) forget(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, key)
}

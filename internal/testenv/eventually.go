package testenv

import (
	"testing"
	"time"
)

// EventuallyWithin is how long Eventually waits before it fails the test:
// long enough for a machine shared by many builds, short enough that a
// condition that never comes fails the test rather than its timeout.
const EventuallyWithin = 30 * time.Second

// Eventually waits until cond holds, asking every 10 ms, and fails the test
// naming what it waited for if EventuallyWithin passes first. It is the one
// way tests wait for something another goroutine or process does; they
// never sleep for a fixed time instead.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	EventuallyFor(t, what, EventuallyWithin, cond)
}

// EventuallyFor is Eventually with its own limit, for the few waits that
// are long by nature (a fan-out through a slow sandbox, a restore).
func EventuallyFor(t testing.TB, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

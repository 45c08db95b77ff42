package testenv

import (
	"sync"
	"time"
)

// Clock is a clock the test moves. It is safe for concurrent use, and its
// Now method is what the packages take as their `now func() time.Time`.
// It never runs backwards.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a Clock showing start.
func NewClock(start time.Time) *Clock { return &Clock{t: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.t = c.t.Add(d)
	}
}

// Set moves the clock to t if t is later; an earlier t leaves it where it is.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.t) {
		c.t = t
	}
}

package scheduler

import (
	mrand "math/rand/v2"
	"time"

	"github.com/herald-gov/herald/channels"
)

// RetryPolicy decides when a delivery whose attempt failed for a passing
// reason is tried again.
type RetryPolicy interface {
	// NextRetry returns when to try again after the attempts-th attempt
	// failed with err at now.
	NextRetry(attempts int, err error, now time.Time) time.Time
}

// Backoff is exponential backoff with full jitter between Base and Max. A
// platform's own "retry at" hint (e.g. WeChat's "next minute") is honoured
// when later, within Max.
type Backoff struct {
	Base, Max time.Duration
	// Jitter returns a number in [0, n); default math/rand/v2.
	Jitter func(n int64) int64
}

// NextRetry implements RetryPolicy.
func (b Backoff) NextRetry(attempts int, err error, now time.Time) time.Time {
	d := b.Base << min(attempts, 20)
	if d > b.Max || d <= 0 {
		d = b.Max
	}
	jitter := b.Jitter
	if jitter == nil {
		jitter = mrand.Int64N
	}
	next := now.Add(b.Base/2 + time.Duration(jitter(int64(d))))
	if at := channels.RetryAt(err); at.After(next) {
		next = at
		if limit := now.Add(b.Max); next.After(limit) {
			next = limit
		}
	}
	return next
}

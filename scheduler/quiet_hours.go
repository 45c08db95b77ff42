package scheduler

import (
	"time"

	"github.com/herald-gov/herald/configs"
)

// quietHours is delivery.quiet_hours: non-urgent deliveries wait it out.
type quietHours struct {
	on     bool
	lo, hi int // minutes after local midnight
	loc    *time.Location
}

func newQuietHours(cfg *configs.Config) quietHours {
	q := quietHours{loc: cfg.Location}
	if qh := cfg.Delivery.QuietHours; qh.Start != "" {
		q.lo, _ = configs.ParseClock(qh.Start)
		q.hi, _ = configs.ParseClock(qh.End)
		q.on = true
	}
	return q
}

// in reports whether t falls in the quiet window, and when it ends.
func (q quietHours) in(t time.Time) (bool, time.Time) {
	if !q.on {
		return false, time.Time{}
	}
	lt := t.In(q.loc)
	m := lt.Hour()*60 + lt.Minute()
	y, mo, d := lt.Date()
	end := time.Date(y, mo, d, q.hi/60, q.hi%60, 0, 0, q.loc)
	if q.lo <= q.hi {
		return m >= q.lo && m < q.hi, end
	}
	if m >= q.lo { // the window wraps midnight: it ends tomorrow
		return true, end.AddDate(0, 0, 1)
	}
	return m < q.hi, end
}

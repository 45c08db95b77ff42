package configs

import "time"

// Today is the start of the day now falls on in the configured timezone:
// herald's one notion of "today" (statistics days, snapshots, reports and
// the demo all count days this way, never in UTC or the machine's zone).
func (c *Config) Today(now time.Time) time.Time {
	y, m, d := now.In(c.Location).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, c.Location)
}

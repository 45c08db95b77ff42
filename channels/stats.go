package channels

import (
	"context"
	"time"

	"github.com/herald-gov/herald/configs"
)

// Figures is a set of daily figures a platform may give, as bits. The
// values are stored (daily_stats.answered): never renumber them.
type Figures uint8

// The daily figures, grouped by the platform call that answers them.
const (
	// FigFollowers: followers at the end of the day.
	FigFollowers Figures = 1 << iota
	// FigMovement: new and lost followers.
	FigMovement
	// FigPosts: how many posts the account published that day.
	FigPosts
	// FigArticles: reads, shares, likes, 在看 and comments.
	FigArticles
)

// DayStats is one account's figures for one local day. A nil figure is one
// the platform did not give: it is stored empty, never as 0.
type DayStats struct {
	Date                                   string // YYYY-MM-DD in the configured timezone
	Followers, NewFollowers, LostFollowers *int64
	Posts                                  *int64
	Reads, Shares, Likes, Zaikan, Comments *int64
	// Answered are the figures the platform answered for this day,
	// including those it answered with nothing (a day before its article
	// statistics begin, an account without that permission): asking again
	// would not give more.
	Answered Figures
}

// PostStats are one post's interaction counts as of a day.
type PostStats struct {
	PostID                   string
	Date                     string
	Reposts, Comments, Likes int64
}

// StatsRequest asks for one account's figures over a span of local days.
type StatsRequest struct {
	// From and To are local midnights, inclusive; To is at the latest
	// yesterday, the last day whose figures the platforms have.
	From, To time.Time
	// Want reports whether a figure of a day is still wanted; nil wants
	// every figure of every day. A channel asks only for what is wanted
	// (in the spans its platform allows), and may return more.
	Want func(date string, f Figures) bool
	// Now is the collection's clock reading: snapshots are dated by it.
	Now time.Time
	// PostIDs are the platform ids of the account's posts whose
	// interaction counts are wanted (Weibo posts herald made).
	PostIDs []string
}

// Wants reports whether any day of from..to still wants f.
func (r StatsRequest) Wants(from, to time.Time, f Figures) bool {
	if r.Want == nil {
		return true
	}
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		if r.Want(d.Format("2006-01-02"), f) {
			return true
		}
	}
	return false
}

// StatsResult is what a channel got for one account.
type StatsResult struct {
	Days  []DayStats
	Posts []PostStats
	// Calls is how many platform calls it made.
	Calls int
}

// StatsSource is a channel that gives accounts' daily statistics. The
// statistics collector (package stats) asks it and stores what it gives; the
// platform's answers are decoded only here.
type StatsSource interface {
	// DailyFigures are the figures a complete past day of the platform's
	// accounts has: a day missing any of them is collected again on resume.
	DailyFigures() Figures
	// DailyStats asks the platform for one account's figures. It returns
	// what it got even when some calls failed, with a classified error
	// naming what is missing.
	DailyStats(ctx context.Context, acct *configs.Account, req StatsRequest) (StatsResult, error)
}

// SnapshotSource is a StatsSource whose platform gives some figures only as
// of now (Weibo's followers): each collection takes a snapshot, stored for
// the local day it was taken on.
type SnapshotSource interface {
	StatsSource
	// Snapshot returns the accounts' figures as of now, each dated with
	// the local day of now in the configured timezone, keyed by account
	// id; errs names the accounts it could not get.
	Snapshot(ctx context.Context, accts []*configs.Account, now time.Time) (snap map[string]DayStats, errs map[string]error, calls int)
}

package channels

import (
	"context"
	"time"

	"github.com/herald-gov/herald/configs"
)

// Post is one publication as the platform lists it, whoever made it: herald,
// or a clerk in the platform's own back office.
type Post struct {
	// RemoteID names the publication on the platform: the article URL on
	// WeChat (one published batch may hold several articles), the status id
	// on Weibo.
	RemoteID  string
	Title     string
	URL       string
	SourceURL string // WeChat 阅读原文
	// Text is the article's HTML (WeChat) or the post's text (Weibo).
	Text        string
	PublishedAt time.Time
}

// ReadFrom says what to read and what was read before.
type ReadFrom struct {
	// Since: publications before it are not wanted.
	Since time.Time
	// CoveredFrom: every publication from CoveredFrom up to the last read is
	// stored already (zero: nothing was read yet). A reader goes no further
	// back than needed: when CoveredFrom <= Since, only what is newer than
	// the newest stored publication.
	CoveredFrom time.Time
	// Newest and Oldest are the stored publications at both ends (Weibo's
	// since_id and max_id cursors); empty when nothing was read.
	Newest, Oldest string
	// Known reports whether a publication was read before.
	Known func(remoteID string) bool
	// Pace is called before every platform call (the quota's rate limiter);
	// nil: no pacing.
	Pace func(ctx context.Context) error
}

// Wait paces one call.
func (f ReadFrom) Wait(ctx context.Context) error {
	if f.Pace == nil {
		return ctx.Err()
	}
	return f.Pace(ctx)
}

// readTries is how often a reading call is tried when the platform answers
// with a transient error (busy, per-minute limit, no answer).
const readTries = 4

// Call paces and makes one reading call, trying again with backoff (0.2 s,
// 0.4 s, 0.8 s) while it fails with a transient error. Reading has no
// effect on the platform, so a retry is always safe.
func (f ReadFrom) Call(ctx context.Context, call func() error) error {
	for try := 0; ; try++ {
		if err := f.Wait(ctx); err != nil {
			return err
		}
		err := call()
		if err == nil || ClassOf(err) != ClassTransient || try == readTries-1 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(200<<try) * time.Millisecond):
		}
	}
}

// PublicationReader is implemented by channels that can list what an
// account published, with its text. It is separate from Channel: reading
// is the patrol's business, not the delivery engine's.
type PublicationReader interface {
	// ReadPublications returns the account's publications at or after
	// from.Since that from.Known does not know, newest first. On an error it
	// returns what it read before the error, and the error (a *Error whose
	// class says whether to try again later).
	ReadPublications(ctx context.Context, acct *configs.Account, from ReadFrom) ([]Post, error)
}

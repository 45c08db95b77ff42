// Package channels defines how herald talks to a publishing platform: one
// Channel per platform (channels/wechat, channels/weibo), errors sorted into
// the classes the scheduler acts on, and what a channel needs from the store.
// channels/sandbox is the local stand-in for the platforms.
package channels

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
)

// Publication is one delivery attempt: an item revision going to one account.
type Publication struct {
	DeliveryID int64
	AttemptID  string
	// AttemptStarted is when this attempt moved to sending; a lookup only
	// matches what the platform published after it.
	AttemptStarted time.Time
	Kind           content.Kind
	Notify         bool
	Revision       content.Revision
	// Department is the publishing department's name (broadcasts show it).
	Department string
	// Progress is what this channel last saved for the delivery with
	// Store.SaveProgress, in this attempt or an earlier one (empty if
	// nothing). Its format belongs to the channel; nothing else reads it.
	Progress string
	// Cancelled, when set, reports whether the item was cancelled since the
	// attempt started. A channel whose attempt makes several calls asks it
	// just before the one that publishes, and stops there (ErrCancelled).
	Cancelled func(ctx context.Context) bool
}

// ErrCancelled is returned by Publish when the item was cancelled before
// the publishing call: nothing went out. It is transient, so the scheduler
// moves the delivery back from sending, and the store turns that into
// cancelled for a cancelled item.
var ErrCancelled = &Error{Class: ClassTransient, Message: "稿件已撤销，未发出"}

// StopIfCancelled returns ErrCancelled when p's item was cancelled since
// the attempt started; channels call it just before the publishing call,
// and only when nothing earlier can have published.
func StopIfCancelled(ctx context.Context, p Publication) error {
	if p.Cancelled != nil && p.Cancelled(ctx) {
		return ErrCancelled
	}
	return nil
}

// Result is what a published delivery is on the platform.
type Result struct {
	RemoteID string // WeChat publish_id or article_id; Weibo status id
	URL      string
	// Note is something the clerk should know although it was published,
	// e.g. that followers were not notified because the quota was used up.
	Note string
}

// Outcome is what a lookup found out about an attempt whose answer was lost.
type Outcome int

// Lookup outcomes.
const (
	// NotPublished: the platform has nothing from this attempt; retrying is safe.
	NotPublished Outcome = iota + 1
	// Published: it went out; the Result says where.
	Published
	// Failed: the platform took it and refused it (e.g. rejected by review).
	Failed
	// StillUnknown: the platform cannot tell yet; look again later.
	StillUnknown
)

// Channel publishes to one platform.
type Channel interface {
	// Platform is "wechat" or "weibo".
	Platform() string
	// Publish makes the platform call sequence for one attempt. It returns
	// an *Error whose class says what the scheduler should do; a lost answer
	// on the publishing call is ClassUnknown, never a failure.
	Publish(ctx context.Context, acct *configs.Account, p Publication) (Result, error)
	// Lookup finds out what an attempt did when its answer was lost.
	Lookup(ctx context.Context, acct *configs.Account, p Publication) (Outcome, Result, error)
	// Check verifies the account's credentials with the platform.
	Check(ctx context.Context, acct *configs.Account) error
}

// Store is what channels need from herald's store.
type Store interface {
	ImageData(ctx context.Context, sha string) ([]byte, error)
	// Media returns an earlier upload of these bytes to the account; an
	// error wrapping storage.ErrNotFound when there was none.
	Media(ctx context.Context, account, sha, kind string) (mediaID, url string, err error)
	SaveMedia(ctx context.Context, account, sha, kind, mediaID, url string) error
	// SaveProgress records the channel's own progress of an attempt in
	// flight (opaque to the store), kept with the delivery across attempts.
	SaveProgress(ctx context.Context, deliveryID int64, attemptID, progress string) error
	MassSendsSince(ctx context.Context, account string, t time.Time) (int, error)
	HasMassSend(ctx context.Context, deliveryID int64) (bool, error)
	RecordMassSend(ctx context.Context, deliveryID int64, account string) error
	PublishedSince(ctx context.Context, account string, t time.Time) ([]time.Time, error)
	// PostOwner returns the delivery (and its item) that published remoteID
	// on the account; found is false when none of herald's did.
	PostOwner(ctx context.Context, account, remoteID string) (deliveryID, itemID int64, found bool, err error)
}

// Class sorts platform errors by what to do about them.
type Class int

// Error classes.
const (
	// ClassTransient: nothing happened; retry with backoff.
	ClassTransient Class = iota + 1
	// ClassQuota: a platform quota is used up; retry at RetryAt.
	ClassQuota
	// ClassCredentials: the account's credentials or permissions are wrong;
	// hold its deliveries until an administrator fixes them.
	ClassCredentials
	// ClassContent: the platform refuses this content; failed, no retry.
	ClassContent
	// ClassUnknown: the answer to a publishing call was lost; look it up
	// before anything is retried.
	ClassUnknown
)

func (c Class) String() string {
	switch c {
	case ClassTransient:
		return "transient"
	case ClassQuota:
		return "quota"
	case ClassCredentials:
		return "credentials"
	case ClassContent:
		return "content"
	case ClassUnknown:
		return "unknown"
	}
	return "unclassified"
}

// Error is a classified platform error with a message a clerk can act on.
type Error struct {
	Class   Class
	Code    int    // the platform's error code, 0 if none
	Message string // for a clerk, in Chinese
	RetryAt time.Time
	Err     error
}

func (e *Error) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("%s（错误码 %d）", e.Message, e.Code)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// ClassOf returns err's class; an unclassified error counts as transient.
func ClassOf(err error) Class {
	var e *Error
	if errors.As(err, &e) {
		return e.Class
	}
	return ClassTransient
}

// RetryAt returns when a quota error may be retried (zero if not a quota error).
func RetryAt(err error) time.Time {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAt
	}
	return time.Time{}
}

// Registry holds the channel of each platform.
type Registry map[string]Channel

// For returns the platform's channel.
func (r Registry) For(platform string) (Channel, error) {
	c, ok := r[platform]
	if !ok {
		return nil, fmt.Errorf("channels: no channel for platform %q", platform)
	}
	return c, nil
}

// NextLocalMidnight returns the start of the day after t in loc, when daily
// platform quotas reset.
func NextLocalMidnight(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}

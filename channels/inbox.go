package channels

import (
	"context"
	"errors"
	"time"

	"github.com/herald-gov/herald/configs"
)

// Inbox entry kinds (design.md, 回应).
const (
	KindMessage      = "message"       // a user's message to a WeChat account
	KindComment      = "comment"       // a 留言 under a WeChat article
	KindWeiboComment = "weibo_comment" // a comment on a Weibo post
	KindWeiboMention = "weibo_mention" // a Weibo post that @mentions the account
)

// Incoming is one message, comment or mention as a channel read it.
type Incoming struct {
	Kind string
	// Key is the platform's own key of the entry, unique per account and
	// kind: the same entry read twice has the same key.
	Key      string
	FromID   string
	FromName string
	Text     string
	At       time.Time
	// Target is what Reply needs to answer the entry, in the channel's own
	// words (opaque to everything else).
	Target string
	// PostKey names the article or post the entry is on ("" for a message);
	// Title and URL describe it when the channel knows them.
	PostKey string
	Title   string
	URL     string
	// AnswerBy is the end of the platform's window for an answer (a WeChat
	// message: 48 h after it came); zero when the platform sets none.
	AnswerBy time.Time
}

// InboxArticle is one of herald's publications whose comments may be read:
// a WeChat article with its msg_data_id.
type InboxArticle struct {
	MsgDataID   int64
	Index       int
	ItemID      int64
	Title       string
	URL         string
	PublishedAt time.Time
}

// InboxSource is one place an account's entries are read from (a WeChat
// article's comments, a Weibo stream), with where reading stopped.
type InboxSource struct {
	// Key names the source in the store (unique per account).
	Key string
	// Cursor is the channel's own record of where the last read stopped
	// ("" at first).
	Cursor  string
	ItemID  int64
	Title   string
	URL     string
	PostKey string
	// PublishedAt is when the article was published (zero for a stream).
	PublishedAt time.Time
}

// InboxPage is one platform call's worth of entries and the cursor after
// them: stored together, so a read cut short resumes where it stopped.
type InboxPage struct {
	Entries []Incoming
	Cursor  string
	// More: the source has more to read now.
	More bool
}

// ErrUnreadable is wrapped by a read error that means the platform will
// never give this source's entries (WeChat 88000 no comment permission,
// 88001 no such msg_data): the source is recorded and not asked again.
var ErrUnreadable = errors.New("comments of this publication cannot be read")

// ReplyTo is what a channel needs to answer an entry.
type ReplyTo struct {
	Kind     string
	Target   string
	FromID   string
	AnswerBy time.Time
}

// InboxReader is implemented by a channel that reads an account's messages,
// comments and mentions and answers them: an optional capability, kept apart
// from Channel. Each platform's package owns its codes; the inbox decodes
// nothing.
type InboxReader interface {
	// InboxSources lists where the account's entries are read from: for
	// WeChat one source per article (only articles with a msg_data_id), for
	// Weibo its comment and mention streams. cursors maps a source key to
	// its stored cursor.
	InboxSources(acct *configs.Account, articles []InboxArticle, cursors map[string]string) []InboxSource
	// ReadInbox reads one page of src after its cursor. An error wrapping
	// ErrUnreadable means the source will never be readable; any other
	// error is a *Error whose class says whether to try later.
	ReadInbox(ctx context.Context, acct *configs.Account, src InboxSource) (InboxPage, error)
	// CheckReply refuses, in one line a clerk understands, a reply the
	// platform would refuse (too long, the window passed); nil if fine.
	CheckReply(to ReplyTo, text string, now time.Time) error
	// Reply answers an entry: one platform call. A lost answer is a
	// ClassUnknown *Error; a refusal is ClassContent with the clerk's line.
	// The platform's "already answered" (WeChat 88005) is success.
	Reply(ctx context.Context, acct *configs.Account, to ReplyTo, text string) (remoteID string, err error)
	// LookupReply finds out whether an earlier reply whose answer was lost
	// is on the platform: Published, NotPublished, or StillUnknown when the
	// platform cannot tell (then a person must look).
	LookupReply(ctx context.Context, acct *configs.Account, to ReplyTo) (Outcome, error)
}

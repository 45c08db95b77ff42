package weibo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
)

// The inbox's Weibo side: comments on the account's posts (comments/to_me)
// and posts that @mention it (statuses/mentions), read with since_id and
// answered with comments/reply (a mention: comments/create on its post).
// Private messages have no open API: herald cannot read or answer them.

// CommentMax is the longest comment, in Weibo's count (20012 beyond).
const CommentMax = 140

// inboxPage is how many entries one read asks for.
const inboxPage = 200

// Sources of an account's entries.
const (
	sourceComments = "weibo:comments"
	sourceMentions = "weibo:mentions"
)

var _ channels.InboxReader = (*Channel)(nil)

// streamCursor is where reading a stream stopped. Since: everything up to it
// is stored. While a read pages back (more than a page arrived at once),
// Max is the next page's max_id and Top the newest id seen in this read.
type streamCursor struct {
	Since string `json:"since,omitempty"`
	Max   string `json:"max,omitempty"`
	Top   string `json:"top,omitempty"`
}

// InboxSources lists the account's two streams.
func (c *Channel) InboxSources(acct *configs.Account, _ []channels.InboxArticle, cursors map[string]string) []channels.InboxSource {
	return []channels.InboxSource{{Key: sourceComments, Cursor: cursors[sourceComments]}, {Key: sourceMentions, Cursor: cursors[sourceMentions]}}
}

// weiboComment is a comment or a mention as the API lists it.
type weiboComment struct {
	ID        json.Number `json:"id"`
	IDStr     string      `json:"idstr"`
	Text      string      `json:"text"`
	CreatedAt string      `json:"created_at"`
	User      struct {
		IDStr      string `json:"idstr"`
		ScreenName string `json:"screen_name"`
	} `json:"user"`
	Status *struct {
		ID    json.Number `json:"id"`
		IDStr string      `json:"idstr"`
		Text  string      `json:"text"`
	} `json:"status"`
}

func (w weiboComment) id() string {
	if w.IDStr != "" {
		return w.IDStr
	}
	return w.ID.String()
}

// bigger compares decimal ids (int64, never float64).
func bigger(a, b string) bool {
	x, _ := strconv.ParseInt(a, 10, 64)
	y, _ := strconv.ParseInt(b, 10, 64)
	return x > y
}

// ReadInbox reads one page of a stream, newest first, after the cursor.
func (c *Channel) ReadInbox(ctx context.Context, acct *configs.Account, src channels.InboxSource) (channels.InboxPage, error) {
	var cur streamCursor
	if src.Cursor != "" {
		_ = json.Unmarshal([]byte(src.Cursor), &cur)
	}
	q := url.Values{"count": {strconv.Itoa(inboxPage)}, "page": {"1"}}
	if cur.Since != "" {
		q.Set("since_id", cur.Since)
	}
	if cur.Max != "" {
		q.Set("max_id", cur.Max)
	}
	endpoint, kind := "comments/to_me", channels.KindWeiboComment
	if src.Key == sourceMentions {
		endpoint, kind = "statuses/mentions", channels.KindWeiboMention
	}
	var out struct {
		Comments []weiboComment `json:"comments"`
		Statuses []weiboComment `json:"statuses"`
	}
	if err := c.client.do(ctx, http.MethodGet, endpoint, acct.AccessToken, q, nil, "", &out); err != nil {
		return channels.InboxPage{}, c.classify(err, false)
	}
	list := append(out.Comments, out.Statuses...)
	page := channels.InboxPage{}
	top, oldest := cur.Top, ""
	for _, w := range list {
		id := w.id()
		at, _ := time.Parse(time.RubyDate, w.CreatedAt)
		in := channels.Incoming{Kind: kind, Key: id, FromID: w.User.IDStr, FromName: w.User.ScreenName, Text: w.Text, At: at}
		if kind == channels.KindWeiboComment && w.Status != nil {
			post := w.Status.IDStr
			if post == "" {
				post = w.Status.ID.String()
			}
			in.Target, in.PostKey, in.Title = id+"/"+post, post, postTitle(w.Status.Text)
			in.URL = "https://weibo.com/" + acct.UID + "/" + post
		} else {
			in.Target, in.PostKey = id, id
			in.URL = "https://weibo.com/" + w.User.IDStr + "/" + id
		}
		page.Entries = append(page.Entries, in)
		if top == "" || bigger(id, top) {
			top = id
		}
		if oldest == "" || bigger(oldest, id) {
			oldest = id
		}
	}
	next := streamCursor{Since: cur.Since}
	if len(list) >= inboxPage && oldest != "" {
		n, _ := strconv.ParseInt(oldest, 10, 64)
		next.Max, next.Top = strconv.FormatInt(n-1, 10), top
		page.More = true
	} else if top != "" {
		next.Since = top
	}
	b, _ := json.Marshal(next)
	page.Cursor = string(b)
	return page, nil
}

// CheckReply refuses an empty or too long comment.
func (c *Channel) CheckReply(to channels.ReplyTo, text string, _ time.Time) error {
	if strings.TrimSpace(text) == "" {
		return &channels.Error{Class: channels.ClassContent, Message: "回复内容为空"}
	}
	if to.Kind != channels.KindWeiboComment && to.Kind != channels.KindWeiboMention {
		return &channels.Error{Class: channels.ClassContent, Message: "微博不支持回复这类互动：" + to.Kind}
	}
	if n := content.WeiboLength(text); n > CommentMax {
		return &channels.Error{Class: channels.ClassContent, Message: fmt.Sprintf("回复有%d字，超过微博评论上限%d字，请删减", n, CommentMax)}
	}
	return nil
}

// Reply answers a comment with comments/reply, or a mention with a
// comment on its post (comments/create). A lost answer is unknown.
func (c *Channel) Reply(ctx context.Context, acct *configs.Account, to channels.ReplyTo, text string) (string, error) {
	form := url.Values{"comment": {text}}
	endpoint := "comments/create"
	if to.Kind == channels.KindWeiboComment {
		cid, post, ok := strings.Cut(to.Target, "/")
		if !ok {
			return "", &channels.Error{Class: channels.ClassContent, Message: "评论编号无效"}
		}
		form.Set("cid", cid)
		form.Set("id", post)
		endpoint = "comments/reply"
	} else {
		form.Set("id", to.Target)
	}
	var out weiboComment
	err := c.client.do(ctx, http.MethodPost, endpoint, acct.AccessToken, nil, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded", &out)
	if err != nil {
		var api *APIError
		if errors.As(err, &api) && api.Code == 20101 {
			return "", &channels.Error{Class: channels.ClassContent, Code: 20101, Message: "该微博或评论已被删除，无法回复", Err: err}
		}
		if errors.As(err, &api) && api.Code == 20012 {
			return "", &channels.Error{Class: channels.ClassContent, Code: 20012, Message: fmt.Sprintf("回复超过微博评论上限%d字", CommentMax), Err: err}
		}
		return "", c.classify(err, true)
	}
	return out.id(), nil
}

// LookupReply looks for the account's answer among the post's comments
// (comments/show): an answer to this comment (or, for a mention, any
// comment of the account's on that post).
func (c *Channel) LookupReply(ctx context.Context, acct *configs.Account, to channels.ReplyTo) (channels.Outcome, error) {
	cid, post := "", to.Target
	if to.Kind == channels.KindWeiboComment {
		var ok bool
		if cid, post, ok = strings.Cut(to.Target, "/"); !ok {
			return channels.StillUnknown, nil
		}
	}
	var out struct {
		Comments []struct {
			weiboComment
			ReplyComment *struct {
				IDStr string `json:"idstr"`
			} `json:"reply_comment"`
		} `json:"comments"`
	}
	q := url.Values{"id": {post}, "count": {strconv.Itoa(inboxPage)}}
	if err := c.client.do(ctx, http.MethodGet, "comments/show", acct.AccessToken, q, nil, "", &out); err != nil {
		return channels.StillUnknown, c.classify(err, false)
	}
	for _, cm := range out.Comments {
		if cm.User.IDStr != acct.UID {
			continue
		}
		if cid == "" || (cm.ReplyComment != nil && cm.ReplyComment.IDStr == cid) {
			return channels.Published, nil
		}
	}
	if len(out.Comments) >= inboxPage {
		return channels.StillUnknown, nil // beyond one page: a person looks
	}
	return channels.NotPublished, nil
}

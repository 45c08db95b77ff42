package wechat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
)

// The inbox's WeChat side: comments (留言) under herald's articles, read
// with comment/list and answered with comment/reply/add, and users'
// messages (pushed: push.go) answered with message/custom/send. The library
// (v2.1.14) has no comment API: these go through util.PostJSONContext with
// the account's token (client.go's postJSON).

// Limits WeChat sets on answers.
const (
	// CommentReplyMax is the longest author reply to a comment, in characters (88007 beyond).
	CommentReplyMax = 600
	// CustomTextMax is the longest custom text message in bytes (45002 beyond).
	CustomTextMax = 2048
	// CustomWindow is how long after a user's last message they may be answered.
	CustomWindow = 48 * time.Hour
	// commentPage is comment/list's page: the page says 50 or more is refused.
	commentPage = 49
	// commentOverlap is how far back a read starts before the stored
	// cursor, so a comment deleted meanwhile (which shifts the list) makes
	// none missed; the store keeps each comment once.
	commentOverlap = 5
)

// MsgDataStore is implemented by a store that keeps a delivery's
// msg_data_id (the key of its comments).
type MsgDataStore interface {
	SaveMsgDataID(ctx context.Context, deliveryID, msgDataID int64) error
}

// saveMsgDataID keeps what freepublish/submit or a mass send answered as
// msg_data_id; losing it loses only the article's comments, never the
// publication, so a failure is logged.
func (c *Channel) saveMsgDataID(ctx context.Context, p channels.Publication, v string) {
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id == 0 {
		return
	}
	s, ok := c.store.(MsgDataStore)
	if !ok {
		return
	}
	if err := s.SaveMsgDataID(ctx, p.DeliveryID, id); err != nil {
		c.log.Warn("wechat: msg_data_id not saved; the article's comments will not be read", "delivery", p.DeliveryID, "err", err)
	}
}

var _ channels.InboxReader = (*Channel)(nil)

// commentCursor is where reading an article's comments stopped.
type commentCursor struct {
	Begin int `json:"begin"`
}

// InboxSources lists one source per article: its comments.
func (c *Channel) InboxSources(acct *configs.Account, articles []channels.InboxArticle, cursors map[string]string) []channels.InboxSource {
	out := make([]channels.InboxSource, 0, len(articles))
	for _, a := range articles {
		key := fmt.Sprintf("comment:%d/%d", a.MsgDataID, a.Index)
		out = append(out, channels.InboxSource{Key: key, Cursor: cursors[key], ItemID: a.ItemID, Title: a.Title, URL: a.URL,
			PostKey: fmt.Sprintf("%d/%d", a.MsgDataID, a.Index), PublishedAt: a.PublishedAt})
	}
	return out
}

type commentList struct {
	Total   int `json:"total"`
	Comment []struct {
		UserCommentID int64  `json:"user_comment_id"`
		OpenID        string `json:"openid"`
		CreateTime    int64  `json:"create_time"`
		Content       string `json:"content"`
		Reply         *struct {
			Content    string `json:"content"`
			CreateTime int64  `json:"create_time"`
		} `json:"reply"`
	} `json:"comment"`
}

// parsePostKey reads "msg_data_id/index".
func parsePostKey(k string) (int64, int, error) {
	a, b, ok := strings.Cut(k, "/")
	id, err := strconv.ParseInt(a, 10, 64)
	if !ok || err != nil {
		return 0, 0, fmt.Errorf("wechat: bad article key %q", k)
	}
	idx, err := strconv.Atoi(b)
	if err != nil {
		return 0, 0, fmt.Errorf("wechat: bad article key %q", k)
	}
	return id, idx, nil
}

// ReadInbox reads one page of an article's comments after the cursor.
func (c *Channel) ReadInbox(ctx context.Context, acct *configs.Account, src channels.InboxSource) (channels.InboxPage, error) {
	msgDataID, index, err := parsePostKey(src.PostKey)
	if err != nil {
		return channels.InboxPage{}, err
	}
	var cur commentCursor
	if src.Cursor != "" {
		_ = json.Unmarshal([]byte(src.Cursor), &cur)
	}
	begin := max(0, cur.Begin-commentOverlap)
	var list commentList
	err = c.account(acct).postJSON(ctx, "/cgi-bin/comment/list",
		map[string]any{"msg_data_id": msgDataID, "index": index, "begin": begin, "count": commentPage, "type": 0}, &list)
	if err != nil {
		return channels.InboxPage{}, c.classifyComment(err)
	}
	page := channels.InboxPage{}
	for _, cm := range list.Comment {
		key := fmt.Sprintf("%d/%d/%d", msgDataID, index, cm.UserCommentID)
		page.Entries = append(page.Entries, channels.Incoming{Kind: channels.KindComment, Key: key, FromID: cm.OpenID, Text: cm.Content,
			At: time.Unix(cm.CreateTime, 0), Target: key, PostKey: src.PostKey, Title: src.Title, URL: src.URL})
	}
	next := max(cur.Begin, begin+len(list.Comment))
	b, _ := json.Marshal(commentCursor{Begin: next})
	page.Cursor = string(b)
	page.More = len(list.Comment) > 0 && next < list.Total
	return page, nil
}

// commentMessages are the clerk's lines for comment codes.
var commentMessages = map[int]string{
	88000: "该公众号没有留言管理权限，herald 无法读取或回复留言",
	88001: "该文章不存在或不支持留言（没有可用的 msg_data_id）",
	88004: "该留言已被用户删除，无法回复",
	88005: "该留言已有作者回复",
	88007: fmt.Sprintf("回复为空或超过%d字，微信不接受", CommentReplyMax),
	88008: "该留言不存在（可能已被删除），无法回复",
	88010: "留言分页参数错误（herald 的缺陷，请报告）",
	45015: "已超过48小时客服消息时限（或用户已取消关注），请在公众平台回复",
	45047: "48小时内客服消息已达5条上限，请在公众平台回复",
	45002: fmt.Sprintf("回复超过微信客服消息上限（%d字节）", CustomTextMax),
}

// classifyComment sorts a comment or custom-message error: 88000/88001 are
// unreadable sources; the other codes are refusals worded for the clerk.
func (c *Channel) classifyComment(err error) error {
	var ae *apiError
	if errors.As(err, &ae) {
		if msg, ok := commentMessages[ae.Code]; ok {
			e := &channels.Error{Class: channels.ClassContent, Code: ae.Code, Message: msg, Err: err}
			if ae.Code == 88000 || ae.Code == 88001 {
				e.Err = fmt.Errorf("%w: %w", channels.ErrUnreadable, err)
			}
			return e
		}
	}
	return c.classify(err, false)
}

// CheckReply refuses what WeChat would: an empty or too long answer, a
// message whose 48 h window has passed.
func (c *Channel) CheckReply(to channels.ReplyTo, text string, now time.Time) error {
	if strings.TrimSpace(text) == "" {
		return &channels.Error{Class: channels.ClassContent, Message: "回复内容为空"}
	}
	switch to.Kind {
	case channels.KindComment:
		if n := utf8.RuneCountInString(text); n > CommentReplyMax {
			return &channels.Error{Class: channels.ClassContent, Message: fmt.Sprintf("回复有%d字，超过微信留言回复上限%d字，请删减", n, CommentReplyMax)}
		}
	case channels.KindMessage:
		if !to.AnswerBy.IsZero() && !now.Before(to.AnswerBy) {
			return &channels.Error{Class: channels.ClassContent, Code: 45015, Message: "已超过48小时客服消息时限，herald 无法再回复，请在公众平台回复"}
		}
		if len(text) > CustomTextMax {
			return &channels.Error{Class: channels.ClassContent, Message: fmt.Sprintf("回复超过微信客服消息上限（%d字节，约%d个汉字），请删减", CustomTextMax, CustomTextMax/3)}
		}
	default:
		return &channels.Error{Class: channels.ClassContent, Message: "微信不支持回复这类互动：" + to.Kind}
	}
	return nil
}

// Reply answers a comment (comment/reply/add: 88005, already answered, is
// success) or a message (message/custom/send). A lost answer is unknown.
func (c *Channel) Reply(ctx context.Context, acct *configs.Account, to channels.ReplyTo, text string) (string, error) {
	a := c.account(acct)
	switch to.Kind {
	case channels.KindComment:
		parts := strings.Split(to.Target, "/")
		if len(parts) != 3 {
			return "", &channels.Error{Class: channels.ClassContent, Message: "留言编号无效"}
		}
		id, _ := strconv.ParseInt(parts[0], 10, 64)
		idx, _ := strconv.Atoi(parts[1])
		ucid, _ := strconv.ParseInt(parts[2], 10, 64)
		err := a.postJSON(ctx, "/cgi-bin/comment/reply/add",
			map[string]any{"msg_data_id": id, "index": idx, "user_comment_id": ucid, "content": text}, nil)
		var ae *apiError
		if errors.As(err, &ae) && ae.Code == 88005 {
			return to.Target, nil // one author reply per comment: it is there
		}
		if err != nil {
			return "", c.replyError(err)
		}
		return to.Target, nil
	case channels.KindMessage:
		err := a.postJSON(ctx, "/cgi-bin/message/custom/send",
			map[string]any{"touser": to.Target, "msgtype": "text", "text": map[string]string{"content": text}}, nil)
		if err != nil {
			return "", c.replyError(err)
		}
		return "", nil
	}
	return "", &channels.Error{Class: channels.ClassContent, Message: "微信不支持回复这类互动：" + to.Kind}
}

// replyError: a call with no answer may have gone out (unknown).
func (c *Channel) replyError(err error) error {
	var tr *transportError
	if errors.As(err, &tr) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &channels.Error{Class: channels.ClassUnknown, Message: "微信未答复回复请求，可能已发出", Err: err}
	}
	return c.classifyComment(err)
}

// LookupReply looks a comment up in comment/list: its author reply is there
// or not. A message cannot be looked up (WeChat keeps no list of sent
// custom messages): StillUnknown.
func (c *Channel) LookupReply(ctx context.Context, acct *configs.Account, to channels.ReplyTo) (channels.Outcome, error) {
	if to.Kind != channels.KindComment {
		return channels.StillUnknown, nil
	}
	parts := strings.Split(to.Target, "/")
	if len(parts) != 3 {
		return channels.StillUnknown, nil
	}
	id, _ := strconv.ParseInt(parts[0], 10, 64)
	idx, _ := strconv.Atoi(parts[1])
	ucid, _ := strconv.ParseInt(parts[2], 10, 64)
	a := c.account(acct)
	for begin := 0; ; begin += commentPage {
		var list commentList
		err := a.postJSON(ctx, "/cgi-bin/comment/list", map[string]any{"msg_data_id": id, "index": idx, "begin": begin, "count": commentPage, "type": 0}, &list)
		if err != nil {
			return channels.StillUnknown, c.classifyComment(err)
		}
		for _, cm := range list.Comment {
			if cm.UserCommentID == ucid {
				if cm.Reply != nil && cm.Reply.Content != "" {
					return channels.Published, nil
				}
				return channels.NotPublished, nil
			}
		}
		if len(list.Comment) == 0 || begin+len(list.Comment) >= list.Total {
			return channels.NotPublished, nil // the comment is gone: so is any reply
		}
	}
}

package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// The public's side of the platforms: users write to an official account
// (a message, pushed to herald), comment under its articles (read with
// comment/list) and comment on or mention a Weibo account; herald answers
// with comment/reply/add, message/custom/send and comments/reply, under the
// platforms' limits and codes (platforms.md, "Comments (留言) and the push").

// Limits the sandbox enforces (and herald's channels check before calling).
const (
	// CommentReplyMax is the longest author reply to a WeChat comment (88007 beyond).
	CommentReplyMax = 600
	// CustomWindow is how long after a user's last message the account may answer (45015 after).
	CustomWindow = 48 * time.Hour
	// CustomMax is how many answers fit in one window (45047 beyond).
	CustomMax = 5
	// CustomTextMax is the longest custom text message in bytes (45002 beyond).
	CustomTextMax = 2048
	// WeiboCommentMax is the longest Weibo comment, in Weibo's count (20012 beyond... see wbCommentReply).
	WeiboCommentMax = 140
)

// Comment is one 留言 under a WeChat article, with the author's reply.
type Comment struct {
	AppID         string    `json:"app_id"`
	MsgDataID     int64     `json:"msg_data_id"`
	Index         int       `json:"index"`
	UserCommentID int64     `json:"user_comment_id"`
	OpenID        string    `json:"openid"`
	Content       string    `json:"content"`
	CreatedAt     time.Time `json:"created_at"`
	Deleted       bool      `json:"deleted,omitempty"`
	Reply         string    `json:"reply,omitempty"`
	RepliedAt     time.Time `json:"replied_at,omitzero"`
	// ReplyCalls counts reply/add calls that reached this comment (refused ones included).
	ReplyCalls int `json:"reply_calls"`
}

// UserMessage is a message a user sent to an official account.
type UserMessage struct {
	AppID   string    `json:"app_id"`
	OpenID  string    `json:"openid"`
	MsgID   int64     `json:"msg_id"`
	Content string    `json:"content"`
	At      time.Time `json:"at"`
}

// CustomMessage is an answer the account sent with message/custom/send.
type CustomMessage struct {
	AppID   string    `json:"app_id"`
	ToUser  string    `json:"touser"`
	Content string    `json:"content"`
	At      time.Time `json:"at"`
}

// WeiboComment is a comment on a Weibo post (a user's, or the account's reply).
type WeiboComment struct {
	UID      string    `json:"uid"` // the account whose post it is on
	ID       int64     `json:"id"`
	PostID   int64     `json:"post_id"`
	FromUID  string    `json:"from_uid"`
	FromName string    `json:"from_name"`
	Text     string    `json:"text"`
	At       time.Time `json:"at"`
	// ReplyTo is the comment this one answers (0: none).
	ReplyTo int64 `json:"reply_to,omitempty"`
	Deleted bool  `json:"deleted,omitempty"`
}

// WeiboMention is a post by someone else that @mentions the account.
type WeiboMention struct {
	UID      string    `json:"uid"`
	ID       int64     `json:"id"`
	FromUID  string    `json:"from_uid"`
	FromName string    `json:"from_name"`
	Text     string    `json:"text"`
	At       time.Time `json:"at"`
}

// InboxState is what the public wrote and what the accounts answered.
type InboxState struct {
	Comments      []Comment       `json:"comments"`
	Messages      []UserMessage   `json:"messages"`
	Custom        []CustomMessage `json:"custom"`
	WeiboComments []WeiboComment  `json:"weibo_comments"`
	WeiboMentions []WeiboMention  `json:"weibo_mentions"`
}

type inboxState struct {
	push     map[string]PushConfig
	comments []*Comment
	messages []UserMessage
	custom   []CustomMessage
	wbComm   []*WeiboComment
	wbMent   []*WeiboMention
	// noComments: apps without comment permission (88000).
	noComments map[string]bool
	// listsLeft: comment/list answers before the list fails (-1: no failure).
	listsLeft int
}

// ib returns the inbox state, made on first use. s.mu must be held.
func (s *Server) ib() *inboxState {
	if s.inbox == nil {
		s.inbox = &inboxState{push: map[string]PushConfig{}, noComments: map[string]bool{}, listsLeft: -1}
	}
	return s.inbox
}

// Inbox returns what the public wrote and what the accounts answered.
func (s *Server) Inbox() InboxState {
	s.mu.Lock()
	defer s.mu.Unlock()
	ib := s.ib()
	st := InboxState{Comments: []Comment{}, Messages: append([]UserMessage{}, ib.messages...), Custom: append([]CustomMessage{}, ib.custom...),
		WeiboComments: []WeiboComment{}, WeiboMentions: []WeiboMention{}}
	for _, c := range ib.comments {
		st.Comments = append(st.Comments, *c)
	}
	for _, c := range ib.wbComm {
		st.WeiboComments = append(st.WeiboComments, *c)
	}
	for _, m := range ib.wbMent {
		st.WeiboMentions = append(st.WeiboMentions, *m)
	}
	return st
}

// DenyComments makes the app's comment calls answer 88000 (no comment permission).
func (s *Server) DenyComments(appID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ib().noComments[appID] = true
}

// FailCommentListAfter makes comment/list answer n more times and then fail
// with -1 (system busy) until called with a negative n: a read that stops
// part-way.
func (s *Server) FailCommentListAfter(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ib().listsLeft = n
}

// LeaveMessage has a user send text to an official account at a time: the
// platform records it and, when the app has a push URL, pushes it there
// (the answer is returned). Pushing the same message again (WeChat's retry)
// is Repush.
func (s *Server) LeaveMessage(ctx context.Context, appID, openID, text string, at time.Time) (UserMessage, PushResult, error) {
	s.mu.Lock()
	if _, ok := s.apps[appID]; !ok {
		s.mu.Unlock()
		return UserMessage{}, PushResult{}, fmt.Errorf("sandbox: no WeChat app %s", appID)
	}
	m := UserMessage{AppID: appID, OpenID: openID, MsgID: 24000000000000000 + s.nextID(), Content: text, At: at}
	ib := s.ib()
	ib.messages = append(ib.messages, m)
	_, pushing := ib.push[appID]
	s.mu.Unlock()
	if !pushing {
		return m, PushResult{}, nil
	}
	res, err := s.Repush(ctx, m)
	return m, res, err
}

// MessageXML is the plaintext push of a user's text message.
func MessageXML(m UserMessage) string {
	return "<xml><ToUserName>" + cdata(m.AppID) + "</ToUserName><FromUserName>" + cdata(m.OpenID) + "</FromUserName><CreateTime>" +
		strconv.FormatInt(m.At.Unix(), 10) + "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>" + cdata(m.Content) +
		"</Content><MsgId>" + strconv.FormatInt(m.MsgID, 10) + "</MsgId></xml>"
}

// Repush pushes a user's message again, as WeChat does when herald's answer
// did not come within 5 s.
func (s *Server) Repush(ctx context.Context, m UserMessage) (PushResult, error) {
	return s.pushXML(ctx, m.AppID, MessageXML(m))
}

// PushEvent pushes an event's plaintext XML (built by the caller) to the app.
func (s *Server) PushEvent(ctx context.Context, appID, xml string) (PushResult, error) {
	return s.pushXML(ctx, appID, xml)
}

// PublishFinishedXML is the PUBLISHJOBFINISH event for a publish_id as the
// platform would push it now: status 0 with the article URLs once the
// publish is complete (completing it, as the platform does on its own).
func (s *Server) PublishFinishedXML(appID, publishID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	app, ok := s.apps[appID]
	if !ok {
		return "", fmt.Errorf("sandbox: no WeChat app %s", appID)
	}
	job, ok := app.publishes[publishID]
	if !ok {
		return "", fmt.Errorf("sandbox: no publish %s", publishID)
	}
	status, items := job.status, ""
	if status != 4 {
		if job.articleID == "" {
			s.completePublish(app, job)
		}
		n := 0
		for _, a := range app.published {
			if a.PublishID == job.id {
				n++
				items += "<item><idx>" + strconv.Itoa(a.Index) + "</idx><article_url>" + cdata(a.URL) + "</article_url></item>"
			}
		}
		items = "<article_detail><count>" + strconv.Itoa(n) + "</count>" + items + "</article_detail>"
	} else {
		items = "<fail_idx>1</fail_idx>"
	}
	return "<xml><ToUserName>" + cdata(appID) + "</ToUserName><FromUserName><![CDATA[oSystem]]></FromUserName><CreateTime>" +
		strconv.FormatInt(s.now().Unix(), 10) + "</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[PUBLISHJOBFINISH]]></Event>" +
		"<PublishEventInfo><publish_id>" + job.id + "</publish_id><publish_status>" + strconv.Itoa(status) + "</publish_status>" +
		"<article_id>" + cdata(job.articleID) + "</article_id>" + items + "</PublishEventInfo></xml>", nil
}

// LeaveComment has a user comment under a published article (msg_data_id,
// 0-based index) at a time.
func (s *Server) LeaveComment(appID string, msgDataID int64, index int, openID, text string, at time.Time) (Comment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	app, ok := s.apps[appID]
	if !ok {
		return Comment{}, fmt.Errorf("sandbox: no WeChat app %s", appID)
	}
	s.settle(app)
	if s.article(app, msgDataID, index) == nil {
		return Comment{}, fmt.Errorf("sandbox: app %s has no article %d/%d", appID, msgDataID, index)
	}
	ib := s.ib()
	var n int64 = 1
	for _, c := range ib.comments {
		if c.AppID == appID && c.MsgDataID == msgDataID && c.Index == index {
			n++
		}
	}
	c := &Comment{AppID: appID, MsgDataID: msgDataID, Index: index, UserCommentID: n, OpenID: openID, Content: text, CreatedAt: at}
	ib.comments = append(ib.comments, c)
	return *c, nil
}

// DeleteComment has the user delete their comment (a reply then gets 88004).
func (s *Server) DeleteComment(appID string, msgDataID int64, index int, userCommentID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.comment(appID, msgDataID, index, userCommentID); c != nil {
		c.Deleted = true
	}
}

func (s *Server) article(app *wxApp, msgDataID int64, index int) *Article {
	for _, a := range app.published {
		if a.MsgDataID == msgDataID && a.Index == index+1 && !a.Deleted {
			return a
		}
	}
	for _, m := range app.mass {
		if m.MsgDataID == msgDataID && index == 0 && !m.Deleted {
			return &Article{MsgDataID: msgDataID}
		}
	}
	return nil
}

func (s *Server) comment(appID string, msgDataID int64, index int, id int64) *Comment {
	for _, c := range s.ib().comments {
		if c.AppID == appID && c.MsgDataID == msgDataID && c.Index == index && c.UserCommentID == id {
			return c
		}
	}
	return nil
}

func (s *Server) registerInbox() {
	add := func(path string, publish bool, fn func(*request) reply) {
		s.paths[path] = handlerFor{platform: "wechat", publish: publish, fn: fn}
	}
	add("/cgi-bin/comment/list", false, s.authed(s.wxCommentList))
	add("/cgi-bin/comment/reply/add", true, s.authed(s.wxCommentReply))
	add("/cgi-bin/message/custom/send", true, s.authed(s.wxCustomSend))
	addWb := func(path string, publish bool, fn func(*request) reply) {
		s.paths["/2/"+path+".json"] = handlerFor{platform: "weibo", publish: publish, fn: fn}
	}
	addWb("comments/to_me", false, s.wbAuthed(s.wbCommentsToMe))
	addWb("statuses/mentions", false, s.wbAuthed(s.wbMentions))
	addWb("comments/reply", true, s.wbAuthed(s.wbCommentReply))
	addWb("comments/create", true, s.wbAuthed(s.wbCommentReply))
	addWb("comments/show", false, s.wbAuthed(s.wbCommentsShow))
}

// POST /cgi-bin/comment/list {msg_data_id, index, begin, count, type}:
// the article's comments, oldest first.
func (s *Server) wxCommentList(req *request, app *wxApp) reply {
	var in struct {
		MsgDataID json.Number `json:"msg_data_id"`
		Index     int         `json:"index"`
		Begin     int         `json:"begin"`
		Count     int         `json:"count"`
		Type      int         `json:"type"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return s.wxError(47001, "data format error")
	}
	if s.ib().noComments[app.cfg.AppID] {
		return s.wxError(88000, "without comment privilege")
	}
	if ib := s.ib(); ib.listsLeft == 0 {
		return s.wxError(-1, "system error")
	} else if ib.listsLeft > 0 {
		ib.listsLeft--
	}
	id, err := in.MsgDataID.Int64()
	if err != nil {
		return s.wxError(47001, "data format error")
	}
	if in.Count < 1 || in.Count >= 50 || in.Begin < 0 {
		return s.wxError(88010, "count range error. cout <= 0 or count > 50")
	}
	s.settle(app)
	if s.article(app, id, in.Index) == nil {
		return s.wxError(88001, "msg_data is not exists")
	}
	var all []*Comment
	for _, c := range s.ib().comments {
		if c.AppID == app.cfg.AppID && c.MsgDataID == id && c.Index == in.Index && !c.Deleted && (in.Type != 2) {
			all = append(all, c)
		}
	}
	out := []map[string]any{}
	for i := in.Begin; i < len(all) && len(out) < in.Count; i++ {
		c := all[i]
		m := map[string]any{"user_comment_id": c.UserCommentID, "openid": c.OpenID, "create_time": c.CreatedAt.Unix(),
			"content": c.Content, "comment_type": 0}
		if c.Reply != "" {
			m["reply"] = map[string]any{"content": c.Reply, "create_time": c.RepliedAt.Unix()}
		}
		out = append(out, m)
	}
	return jsonReply(map[string]any{"errcode": 0, "errmsg": "ok", "total": len(all), "comment": out})
}

// POST /cgi-bin/comment/reply/add {msg_data_id, index, user_comment_id, content}.
func (s *Server) wxCommentReply(req *request, app *wxApp) reply {
	var in struct {
		MsgDataID     json.Number `json:"msg_data_id"`
		Index         int         `json:"index"`
		UserCommentID int64       `json:"user_comment_id"`
		Content       string      `json:"content"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return s.wxError(47001, "data format error")
	}
	if s.ib().noComments[app.cfg.AppID] {
		return s.wxError(88000, "without comment privilege")
	}
	id, err := in.MsgDataID.Int64()
	if err != nil {
		return s.wxError(47001, "data format error")
	}
	if s.article(app, id, in.Index) == nil {
		return s.wxError(88001, "msg_data is not exists")
	}
	c := s.comment(app.cfg.AppID, id, in.Index, in.UserCommentID)
	if c == nil {
		return s.wxError(88008, "comment is not exists")
	}
	c.ReplyCalls++
	switch {
	case c.Deleted:
		return s.wxError(88004, "comment was deleted by user")
	case c.Reply != "":
		return s.wxError(88005, "already reply")
	case in.Content == "" || utf8.RuneCountInString(in.Content) > CommentReplyMax:
		return s.wxError(88007, "reply content beyond max len or content len is zero")
	}
	c.Reply, c.RepliedAt = in.Content, s.now()
	return jsonReply(map[string]any{"errcode": 0, "errmsg": "ok"})
}

// POST /cgi-bin/message/custom/send {touser, msgtype: text, text: {content}}.
func (s *Server) wxCustomSend(req *request, app *wxApp) reply {
	var in struct {
		ToUser  string `json:"touser"`
		MsgType string `json:"msgtype"`
		Text    struct {
			Content string `json:"content"`
		} `json:"text"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil || in.MsgType != "text" {
		return s.wxError(47001, "data format error")
	}
	if len(in.Text.Content) > CustomTextMax {
		return s.wxError(45002, "content size out of limit")
	}
	ib := s.ib()
	var last time.Time
	for _, m := range ib.messages {
		if m.AppID == app.cfg.AppID && m.OpenID == in.ToUser && m.At.After(last) {
			last = m.At
		}
	}
	if last.IsZero() || s.now().Sub(last) > CustomWindow {
		return s.wxError(45015, "response out of time limit or subscription is canceled")
	}
	sent := 0
	for _, c := range ib.custom {
		if c.AppID == app.cfg.AppID && c.ToUser == in.ToUser && !c.At.Before(last) {
			sent++
		}
	}
	if sent >= CustomMax {
		return s.wxError(45047, "out of response count limit")
	}
	ib.custom = append(ib.custom, CustomMessage{AppID: app.cfg.AppID, ToUser: in.ToUser, Content: in.Text.Content, At: s.now()})
	return jsonReply(map[string]any{"errcode": 0, "errmsg": "ok"})
}

package sandbox

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// weiboIDBase makes Weibo comment and mention ids larger than 2^53, as the
// platform's are: a client decoding them as float64 loses them.
const weiboIDBase = 4960000000000000000

// CommentOnPost has a Weibo user comment on one of the account's posts.
func (s *Server) CommentOnPost(uid string, postID int64, fromUID, fromName, text string, at time.Time) (WeiboComment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[uid]
	if !ok {
		return WeiboComment{}, fmt.Errorf("sandbox: no Weibo user %s", uid)
	}
	if s.wbPost(u, postID) == nil {
		return WeiboComment{}, fmt.Errorf("sandbox: user %s has no post %d", uid, postID)
	}
	c := &WeiboComment{UID: uid, ID: weiboIDBase + s.nextID(), PostID: postID, FromUID: fromUID, FromName: fromName, Text: text, At: at}
	s.ib().wbComm = append(s.ib().wbComm, c)
	return *c, nil
}

// DeleteWeiboComment has its author delete a comment.
func (s *Server) DeleteWeiboComment(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.ib().wbComm {
		if c.ID == id {
			c.Deleted = true
		}
	}
}

// Mention has a Weibo user post a text that @mentions the account.
func (s *Server) Mention(uid, fromUID, fromName, text string, at time.Time) (WeiboMention, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[uid]
	if !ok {
		return WeiboMention{}, fmt.Errorf("sandbox: no Weibo user %s", uid)
	}
	m := &WeiboMention{UID: uid, ID: weiboIDBase + s.nextID(), FromUID: fromUID, FromName: fromName, Text: "@" + u.cfg.Name + " " + text, At: at}
	s.ib().wbMent = append(s.ib().wbMent, m)
	return *m, nil
}

func (s *Server) wbPost(u *wbUser, id int64) *WeiboPost {
	for _, p := range u.posts {
		if p.ID == id && !p.Deleted {
			return p
		}
	}
	return nil
}

// window picks, from items oldest first, those after since_id and at or
// before max_id, newest first, one page of count.
func window[T any](req *request, items []T, id func(T) int64, maxCount int) ([]T, reply, bool) {
	count, _ := strconv.Atoi(req.param("count"))
	if count <= 0 {
		count = 50
	}
	if count > maxCount {
		return nil, req.s.wbError(req, http.StatusBadRequest, 10008, "param error, see doc for more info."), false
	}
	page, _ := strconv.Atoi(req.param("page"))
	if page <= 0 {
		page = 1
	}
	since, _ := strconv.ParseInt(req.param("since_id"), 10, 64)
	maxID, _ := strconv.ParseInt(req.param("max_id"), 10, 64)
	var eligible []T
	for i := len(items) - 1; i >= 0; i-- {
		n := id(items[i])
		if n > since && (maxID == 0 || n <= maxID) {
			eligible = append(eligible, items[i])
		}
	}
	lo := (page - 1) * count
	if lo >= len(eligible) {
		return nil, reply{}, true
	}
	return eligible[lo:min(lo+count, len(eligible))], reply{}, true
}

func (s *Server) wbCommentObject(u *wbUser, c *WeiboComment) map[string]any {
	id := strconv.FormatInt(c.ID, 10)
	obj := map[string]any{"id": c.ID, "idstr": id, "mid": id, "text": c.Text, "created_at": c.At.In(s.loc).Format(time.RubyDate),
		"user": map[string]any{"id": c.FromUID, "idstr": c.FromUID, "screen_name": c.FromName}}
	if p := s.wbPost(u, c.PostID); p != nil {
		obj["status"] = s.statusObject(u, p)
	}
	if c.ReplyTo != 0 {
		obj["reply_comment"] = map[string]any{"id": c.ReplyTo, "idstr": strconv.FormatInt(c.ReplyTo, 10)}
	}
	return obj
}

// GET comments/to_me.json: comments on the account's posts by others, newest first.
func (s *Server) wbCommentsToMe(req *request, u *wbUser) reply {
	var mine []*WeiboComment
	for _, c := range s.ib().wbComm {
		if c.UID == u.cfg.UID && c.FromUID != u.cfg.UID && !c.Deleted {
			mine = append(mine, c)
		}
	}
	page, rep, ok := window(req, mine, func(c *WeiboComment) int64 { return c.ID }, 200)
	if !ok {
		return rep
	}
	out := []map[string]any{}
	for _, c := range page {
		out = append(out, s.wbCommentObject(u, c))
	}
	return jsonReply(map[string]any{"comments": out, "total_number": len(mine)})
}

// GET statuses/mentions.json: posts that @mention the account, newest first.
func (s *Server) wbMentions(req *request, u *wbUser) reply {
	var mine []*WeiboMention
	for _, m := range s.ib().wbMent {
		if m.UID == u.cfg.UID {
			mine = append(mine, m)
		}
	}
	page, rep, ok := window(req, mine, func(m *WeiboMention) int64 { return m.ID }, 200)
	if !ok {
		return rep
	}
	out := []map[string]any{}
	for _, m := range page {
		id := strconv.FormatInt(m.ID, 10)
		out = append(out, map[string]any{"id": m.ID, "idstr": id, "mid": id, "text": m.Text, "created_at": m.At.In(s.loc).Format(time.RubyDate),
			"user": map[string]any{"id": m.FromUID, "idstr": m.FromUID, "screen_name": m.FromName}})
	}
	return jsonReply(map[string]any{"statuses": out, "total_number": len(mine)})
}

// POST comments/reply.json: cid, id, comment: the account answers a comment
// (or, with id a mention's post, comments on that post).
func (s *Server) wbCommentReply(req *request, u *wbUser) reply {
	if req.r.Method != http.MethodPost {
		return s.wbError(req, http.StatusBadRequest, 10021, "HTTP method is not suported for this request!")
	}
	cid, _ := strconv.ParseInt(req.param("cid"), 10, 64)
	id, _ := strconv.ParseInt(req.param("id"), 10, 64)
	text := req.param("comment")
	if text == "" || weiboLength(text) > WeiboCommentMax {
		return s.wbError(req, http.StatusBadRequest, 20012, "Text too long, please input text less than 140 characters!")
	}
	var target *WeiboComment
	for _, c := range s.ib().wbComm {
		if c.ID == cid {
			target = c
		}
	}
	var mention *WeiboMention
	for _, m := range s.ib().wbMent {
		if m.ID == id && m.UID == u.cfg.UID {
			mention = m
		}
	}
	switch {
	case target != nil && !target.Deleted && target.UID == u.cfg.UID:
	case mention != nil:
	default:
		return s.wbError(req, http.StatusBadRequest, 20101, "Target weibo does not exist!")
	}
	c := &WeiboComment{UID: u.cfg.UID, ID: weiboIDBase + s.nextID(), PostID: id, FromUID: u.cfg.UID, FromName: u.cfg.Name, Text: text, At: s.now(), ReplyTo: cid}
	if req.param("without_mention") != "1" && target != nil {
		c.Text = "回复@" + target.FromName + ":" + text
	}
	s.ib().wbComm = append(s.ib().wbComm, c)
	return jsonReply(s.wbCommentObject(u, c))
}

// GET comments/show.json?id=: a post's comments, newest first.
func (s *Server) wbCommentsShow(req *request, u *wbUser) reply {
	id, _ := strconv.ParseInt(req.param("id"), 10, 64)
	var on []*WeiboComment
	for _, c := range s.ib().wbComm {
		if c.PostID == id && !c.Deleted {
			on = append(on, c)
		}
	}
	page, rep, ok := window(req, on, func(c *WeiboComment) int64 { return c.ID }, 200)
	if !ok {
		return rep
	}
	out := []map[string]any{}
	for _, c := range page {
		out = append(out, s.wbCommentObject(u, c))
	}
	return jsonReply(map[string]any{"comments": out, "total_number": len(on)})
}

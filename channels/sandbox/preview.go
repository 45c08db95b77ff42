package sandbox

import (
	"encoding/json"
	"time"
)

// PreviewDailyLimit is how many mass/preview messages an account may send a day.
const PreviewDailyLimit = 100

// Preview is one mass/preview message: a draft's articles sent to one
// follower's WeChat, not published.
type Preview struct {
	AppID    string    `json:"app_id"`
	ToWxName string    `json:"towxname,omitempty"`
	ToUser   string    `json:"touser,omitempty"`
	MediaID  string    `json:"media_id"`
	Title    string    `json:"title"`
	Content  string    `json:"content"`
	At       time.Time `json:"at"`
}

// POST /cgi-bin/message/mass/preview {towxname|touser, mpnews: {media_id},
// msgtype}: sends a draft to one user; 100 a day per account (45009 after).
func (s *Server) wxMassPreview(req *request, app *wxApp) reply {
	var in struct {
		ToWxName string `json:"towxname"`
		ToUser   string `json:"touser"`
		MPNews   struct {
			MediaID string `json:"media_id"`
		} `json:"mpnews"`
		MsgType string `json:"msgtype"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil || in.MsgType != "mpnews" || (in.ToWxName == "" && in.ToUser == "") {
		return s.wxError(47001, "data format error")
	}
	d, ok := app.drafts[in.MPNews.MediaID]
	if !ok || d.submitted {
		return s.wxError(40007, "invalid media_id")
	}
	now := s.now()
	today := 0
	for _, p := range app.previews {
		if s.day(p.At).Equal(s.day(now)) {
			today++
		}
	}
	if today >= PreviewDailyLimit {
		return s.wxError(45009, "reach max api daily quota limit")
	}
	p := Preview{AppID: app.cfg.AppID, ToWxName: in.ToWxName, ToUser: in.ToUser, MediaID: in.MPNews.MediaID, At: now}
	if len(d.articles) > 0 {
		p.Title, p.Content = d.articles[0].Title, d.articles[0].Content
	}
	app.previews = append(app.previews, p)
	return jsonReply(map[string]any{"errcode": 0, "errmsg": "preview success", "msg_id": 1000000000 + s.nextID()})
}

// POST /cgi-bin/draft/delete {media_id}: removes a draft from the draft box.
func (s *Server) wxDraftDelete(req *request, app *wxApp) reply {
	var in struct {
		MediaID string `json:"media_id"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return s.wxError(47001, "data format error")
	}
	if _, ok := app.drafts[in.MediaID]; !ok {
		return s.wxError(40007, "invalid media_id")
	}
	delete(app.drafts, in.MediaID)
	return jsonReply(map[string]any{"errcode": 0, "errmsg": "ok"})
}

// POST /cgi-bin/draft/get {media_id}: a draft still in the draft box
// (news_item); one that freepublish or a mass send consumed, or that never
// was, is 40007.
func (s *Server) wxDraftGet(req *request, app *wxApp) reply {
	var in struct {
		MediaID string `json:"media_id"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return s.wxError(47001, "data format error")
	}
	d, ok := app.drafts[in.MediaID]
	if !ok || d.submitted {
		return s.wxError(40007, "invalid media_id")
	}
	return jsonReply(map[string]any{"news_item": d.articles, "create_time": d.created.Unix(), "update_time": d.created.Unix()})
}

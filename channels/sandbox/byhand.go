package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Publications "made by hand": what a clerk publishes in the platforms' own
// back offices (the WeChat 公众平台, the Weibo client) without herald. The
// platform lists them like any other publication; herald's patrol must find
// them by reading the platform, not its own records.

// HandArticle is an article a clerk published in the WeChat back office.
type HandArticle struct {
	Title     string
	Author    string
	Digest    string
	Content   string // the article's HTML, as the editor saved it
	SourceURL string // 阅读原文
	// At is when it was published (default: the platform's now).
	At time.Time
}

// PlaceArticle publishes an article on a WeChat account as if by hand, and
// returns it as the platform lists it.
func (s *Server) PlaceArticle(appID string, h HandArticle) (Article, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	app, ok := s.apps[appID]
	if !ok {
		return Article{}, fmt.Errorf("sandbox: no WeChat app %q", appID)
	}
	at := h.At
	if at.IsZero() {
		at = s.now()
	}
	n := s.nextID()
	id := fmt.Sprintf("sbx_%s_H%06d", appID, n)
	sum := sha256.Sum256([]byte(id))
	a := &Article{AppID: appID, ArticleID: id, PublishID: strconv.FormatInt(3247483000+n, 10), MsgDataID: 2750000000 + n, Index: 1,
		ArticleType: "news", Title: h.Title, Author: h.Author, Digest: h.Digest, Content: h.Content, SourceURL: h.SourceURL,
		URL: "https://mp.weixin.qq.com/s/sbx_" + hex.EncodeToString(sum[:9]), PublishedAt: at, ByHand: true}
	app.published = append(app.published, a)
	slices.SortStableFunc(app.published, func(x, y *Article) int { return x.PublishedAt.Compare(y.PublishedAt) })
	s.accounts["wechat/"+appID].addPost(s, at, a.URL)
	return *a, nil
}

// PlaceWeiboPost posts on a Weibo account as if by hand in the Weibo
// client (no length or safe-domain rule applies there), at at (zero: now).
func (s *Server) PlaceWeiboPost(uid, text string, at time.Time) (WeiboPost, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[uid]
	if !ok {
		return WeiboPost{}, fmt.Errorf("sandbox: no Weibo user %q", uid)
	}
	if at.IsZero() {
		at = s.now()
	}
	p := &WeiboPost{UID: uid, ID: 5000000000000000 + s.nextID(), Text: text, CreatedAt: at, ByHand: true}
	u.posts = append(u.posts, p)
	slices.SortStableFunc(u.posts, func(x, y *WeiboPost) int { return x.CreatedAt.Compare(y.CreatedAt) })
	s.accounts["weibo/"+uid].addPost(s, at, strconv.FormatInt(p.ID, 10))
	return *p, nil
}

// contentServed counts how often the platform handed out a publication's
// text (batchget with content, user_timeline), by its URL or post id: a
// reader that reads incrementally asks for each text once.
func (s *Server) contentServed(key, id string) {
	if s.served == nil {
		s.served = map[string]map[string]int{}
	}
	m := s.served[key]
	if m == nil {
		m = map[string]int{}
		s.served[key] = m
	}
	m[id]++
}

func (s *Server) servedOf(key string) map[string]int {
	out := map[string]int{}
	for id, n := range s.served[key] {
		out[id] = n
	}
	return out
}

// longText is what the timeline shows of a post longer than 140 characters
// (a 长微博 made in the client): its start and a 全文 link; the whole text
// comes from statuses/show with isGetLongText=1 (?: the open API's
// documented way is not confirmed; handle both).
func (s *Server) longText(u *wbUser, p *WeiboPost) (string, bool) {
	if weiboLength(p.Text) <= 140 {
		return "", false
	}
	r := []rune(p.Text)
	n := 0
	for weiboLength(string(r[:n+1])) <= 130 {
		n++
	}
	return string(r[:n]) + "... 全文： http://m.weibo.cn/" + u.cfg.UID + "/" + strconv.FormatInt(p.ID, 10), true
}

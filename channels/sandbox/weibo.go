package sandbox

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// WeiboUser registers a Weibo account with the sandbox.
type WeiboUser struct {
	UID   string
	Token string
	Name  string
	// Expires is when the OAuth2 token lapses (zero: never).
	Expires time.Time
	// SafeDomain is the app's safe domain (a host): every post must carry a URL on it.
	SafeDomain string
	// Followers on the statistics epoch.
	Followers   int
	SilentSince string
}

type wbUser struct {
	cfg   WeiboUser
	posts []*WeiboPost
	// history is the synthetic back catalogue the statistics count (made on
	// first use): the posts of each day before the sandbox started.
	history []*WeiboPost
}

// timeline is every post of the user, the back catalogue the statistics
// describe and the posts made since, oldest first: what the timeline,
// statuses/count and statuses/show answer from.
func (s *Server) timeline(u *wbUser) []*WeiboPost {
	if u.history == nil && s.opts.WeiboHistory {
		u.history = []*WeiboPost{}
		p := s.accounts["weibo/"+u.cfg.UID]
		e := time.Date(epoch.Year(), epoch.Month(), epoch.Day(), 0, 0, 0, 0, s.loc)
		for d := e; d.Before(s.start); d = d.AddDate(0, 0, 1) {
			for i, hp := range p.historyPosts(s, d) {
				id := int64(4000000000000000 + s.dayIndex(d)*100 + i + 1)
				u.history = append(u.history, &WeiboPost{UID: u.cfg.UID, ID: id, CreatedAt: hp.at,
					Text: strings.TrimSuffix(strings.TrimPrefix(hp.title, "工作动态（"), "）") + " 工作动态 https://" + u.cfg.SafeDomain + "/h/" + strconv.FormatInt(id, 10)})
			}
		}
	}
	if len(u.history) == 0 {
		return u.posts
	}
	all := append(append(make([]*WeiboPost, 0, len(u.history)+len(u.posts)), u.history...), u.posts...)
	slices.SortStableFunc(all, func(x, y *WeiboPost) int { return x.CreatedAt.Compare(y.CreatedAt) })
	return all
}

// WeiboPost is one post the sandbox platform actually made.
type WeiboPost struct {
	UID       string    `json:"uid"`
	ID        int64     `json:"id"`
	Text      string    `json:"text"`
	Pic       bool      `json:"pic"`
	PicBytes  int       `json:"pic_bytes,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// ByHand marks a post made in the Weibo client (PlaceWeiboPost).
	ByHand bool `json:"by_hand,omitempty"`
	// Deleted: removed by statuses/destroy; gone from the timeline and show.
	Deleted bool `json:"deleted,omitempty"`
}

// AddWeiboUser registers a Weibo account.
func (s *Server) AddWeiboUser(u WeiboUser) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.Followers == 0 {
		u.Followers = 800
	}
	w := &wbUser{cfg: u}
	s.users[u.UID] = w
	s.wbTokens[u.Token] = w
	s.accounts["weibo/"+u.UID] = newProfile(s, "weibo/"+u.UID, u.Followers, u.SilentSince)
}

// ExpireWeiboToken makes a user's token expired (21327 from then on).
func (s *Server) ExpireWeiboToken(uid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.users[uid]; u != nil {
		u.cfg.Expires = s.now().Add(-time.Second)
	}
}

func (s *Server) registerWeibo() {
	add := func(path string, publish bool, fn func(*request) reply) {
		s.paths["/2/"+path+".json"] = handlerFor{platform: "weibo", publish: publish, fn: fn}
	}
	add("statuses/share", true, s.wbAuthed(s.wbShare))
	add("users/show", false, s.wbAuthed(s.wbUserShow))
	add("users/counts", false, s.wbAuthed(s.wbUserCounts))
	add("statuses/count", false, s.wbAuthed(s.wbStatusCount))
	add("statuses/user_timeline", false, s.wbAuthed(s.wbTimeline))
	add("statuses/show", false, s.wbAuthed(s.wbShow))
	add("statuses/destroy", false, s.wbAuthed(s.wbDestroy))
}

// weiboError is Weibo's error body; error_code is sometimes a string.
func weiboError(status, code int, msg, path string, asString bool) reply {
	var c any = code
	if asString {
		c = strconv.Itoa(code)
	}
	return jsonReply(map[string]any{"error": msg, "error_code": c, "request": path}).withStatus(status)
}

func (r reply) withStatus(status int) reply { r.status = status; return r }

func (s *Server) wbError(req *request, status, code int, msg string) reply {
	return weiboError(status, code, msg, req.path, s.rng.IntN(2) == 0)
}

func (s *Server) wbAuthed(fn func(*request, *wbUser) reply) func(*request) reply {
	return func(req *request) reply {
		t := req.param("access_token")
		if t == "" {
			t = strings.TrimPrefix(req.r.Header.Get("Authorization"), "OAuth2 ")
		}
		u, ok := s.wbTokens[t]
		if !ok || t == "" {
			return s.wbError(req, http.StatusUnauthorized, 21332, "invalid_access_token")
		}
		req.key = "weibo/" + u.cfg.UID
		if !u.cfg.Expires.IsZero() && !s.now().Before(u.cfg.Expires) {
			return s.wbError(req, http.StatusUnauthorized, 21327, "expired_token")
		}
		return fn(req, u)
	}
}

// weiboLength counts as Weibo does: a non-ASCII character is 1, ASCII half, rounded up.
func weiboLength(s string) int {
	half := 0
	for _, r := range s {
		if r < 0x80 {
			half++
		} else {
			half += 2
		}
	}
	return (half + 1) / 2
}

var urlPattern = regexp.MustCompile(`https?://[^\s，。、；）)]+`)

// POST statuses/share.json: form, or multipart with pic.
func (s *Server) wbShare(req *request, u *wbUser) reply {
	if req.r.Method != http.MethodPost {
		return s.wbError(req, http.StatusMethodNotAllowed, 10021, "HTTP METHOD is not suported for this request!")
	}
	text := req.param("status")
	if strings.TrimSpace(text) == "" {
		return s.wbError(req, http.StatusBadRequest, 10016, "miss required parameter (status), see doc for more info.")
	}
	if weiboLength(text) > 140 {
		return s.wbError(req, http.StatusBadRequest, 20012, "Text too long, please input text less than 140 characters!")
	}
	safe := false
	for _, m := range urlPattern.FindAllString(text, -1) {
		if pu, err := url.Parse(m); err == nil && strings.EqualFold(pu.Hostname(), u.cfg.SafeDomain) {
			safe = true
		}
	}
	if !safe {
		return s.wbError(req, http.StatusBadRequest, 10017, "appkey not bind domain!")
	}
	now := s.now()
	recent := 0
	for _, p := range u.posts {
		if now.Sub(p.CreatedAt) < 24*time.Hour && p.Text == text {
			return s.wbError(req, http.StatusBadRequest, 20019, "Repeat content!")
		}
		if now.Sub(p.CreatedAt) < time.Hour {
			recent++
		}
	}
	if recent >= 30 {
		return s.wbError(req, http.StatusBadRequest, 20016, "Out of limit!")
	}
	p := &WeiboPost{UID: u.cfg.UID, ID: 5000000000000000 + s.nextID(), Text: text, CreatedAt: now}
	if pic, ok := req.files["pic"]; ok {
		switch http.DetectContentType(pic) {
		case "image/jpeg", "image/png", "image/gif":
		default:
			return s.wbError(req, http.StatusBadRequest, 20005, "Unsupported image type, only suport JPG, GIF, PNG!")
		}
		if len(pic) >= 5<<20 {
			return s.wbError(req, http.StatusBadRequest, 20006, "Image size too large.")
		}
		p.Pic, p.PicBytes = true, len(pic)
	}
	u.posts = append(u.posts, p)
	s.accounts["weibo/"+u.cfg.UID].addPost(s, now, strconv.FormatInt(p.ID, 10))
	return jsonReply(s.statusObject(u, p))
}

func (s *Server) statusObject(u *wbUser, p *WeiboPost) map[string]any {
	id := strconv.FormatInt(p.ID, 10)
	obj := map[string]any{"created_at": p.CreatedAt.In(s.loc).Format(time.RubyDate), "id": p.ID, "idstr": id, "mid": id,
		"text": p.Text, "source": "herald sandbox", "reposts_count": 0, "comments_count": 0, "attitudes_count": 0,
		"user": map[string]any{"id": u.cfg.UID, "idstr": u.cfg.UID, "screen_name": u.cfg.Name}}
	if long, ok := s.longText(u, p); ok { // a long post (made in the client) is listed cut (byhand.go)
		obj["text"], obj["isLongText"] = long, true
	}
	if p.Pic {
		obj["thumbnail_pic"] = "https://wx1.sinaimg.cn/thumbnail/sbx" + id + ".jpg"
		obj["original_pic"] = "https://wx1.sinaimg.cn/large/sbx" + id + ".jpg"
	}
	return obj
}

func (s *Server) wbCounts(u *wbUser) map[string]any {
	p := s.accounts["weibo/"+u.cfg.UID]
	today := s.day(s.now())
	statuses := len(s.timeline(u))
	return map[string]any{"id": u.cfg.UID, "idstr": u.cfg.UID, "followers_count": p.followersOn(s, today),
		"friends_count": 120 + int(p.noise("friends")*300), "statuses_count": statuses}
}

// GET users/show.json?uid=
func (s *Server) wbUserShow(req *request, _ *wbUser) reply {
	u, ok := s.users[req.param("uid")]
	if !ok {
		return s.wbError(req, http.StatusBadRequest, 20003, "User does not exists!")
	}
	obj := s.wbCounts(u)
	obj["screen_name"], obj["name"] = u.cfg.Name, u.cfg.Name
	return jsonReply(obj)
}

// GET users/counts.json?uids= (at most 100).
func (s *Server) wbUserCounts(req *request, _ *wbUser) reply {
	uids := splitIDs(req.param("uids"))
	if len(uids) == 0 || len(uids) > 100 {
		return s.wbError(req, http.StatusBadRequest, 10008, "param error, see doc for more info.")
	}
	out := []map[string]any{}
	for _, uid := range uids {
		if u, ok := s.users[uid]; ok {
			c := s.wbCounts(u)
			out = append(out, c)
		}
	}
	return jsonReply(out)
}

// GET statuses/count.json?ids= (at most 100).
func (s *Server) wbStatusCount(req *request, _ *wbUser) reply {
	ids := splitIDs(req.param("ids"))
	if len(ids) == 0 || len(ids) > 100 {
		return s.wbError(req, http.StatusBadRequest, 10008, "param error, see doc for more info.")
	}
	out := []map[string]any{}
	for _, id := range ids {
		for _, u := range s.users {
			for _, p := range s.timeline(u) {
				if strconv.FormatInt(p.ID, 10) == id {
					c := s.postCounts(u, p)
					c["id"] = p.ID
					out = append(out, c)
				}
			}
		}
	}
	return jsonReply(out)
}

// postCounts grows with the post's age, deterministically.
func (s *Server) postCounts(u *wbUser, p *WeiboPost) map[string]any {
	pr := s.accounts["weibo/"+u.cfg.UID]
	age := min(s.now().Sub(p.CreatedAt).Hours()/24, 7) / 7
	scale := float64(pr.base) * 0.004 * (0.2 + age)
	id := strconv.FormatInt(p.ID, 10)
	return map[string]any{
		"reposts":   int(scale * pr.noise("rp", id)),
		"comments":  int(scale * 0.6 * pr.noise("cm", id)),
		"attitudes": int(scale * 2.5 * pr.noise("at", id)),
	}
}

// GET statuses/user_timeline.json: the authorised user's own posts, newest
// first. since_id keeps only posts newer than that post, max_id only that post
// and older ones (the platform's ids grow with time; the sandbox orders by
// time, so posts placed by hand in the past keep their place).
func (s *Server) wbTimeline(req *request, u *wbUser) reply {
	count, _ := strconv.Atoi(req.param("count"))
	if count <= 0 {
		count = 20
	}
	if count > 100 {
		return s.wbError(req, http.StatusBadRequest, 10008, "param error, see doc for more info.")
	}
	page, _ := strconv.Atoi(req.param("page"))
	if page <= 0 {
		page = 1
	}
	posts := s.timeline(u)
	lo, hi := 0, len(posts) // the posts eligible: posts[lo:hi], oldest first
	if id := req.param("since_id"); id != "" && id != "0" {
		lo = timelinePos(posts, id)
	}
	if id := req.param("max_id"); id != "" && id != "0" {
		hi = timelinePos(posts, id)
	}
	lo = min(lo, hi)
	var live []*WeiboPost
	for _, p := range posts[lo:hi] {
		if !p.Deleted {
			live = append(live, p)
		}
	}
	statuses := []map[string]any{}
	for i := len(live) - 1 - (page-1)*count; i >= 0 && len(statuses) < count; i-- {
		statuses = append(statuses, s.statusObject(u, live[i]))
		s.contentServed("weibo/"+u.cfg.UID, strconv.FormatInt(live[i].ID, 10))
	}
	return jsonReply(map[string]any{"statuses": statuses, "total_number": len(live)})
}

// timelinePos is where a since_id or max_id cuts the time-ordered posts: just
// after that post (since_id excludes it, max_id includes it); an unknown id
// cuts by number.
func timelinePos(posts []*WeiboPost, id string) int {
	for i, p := range posts {
		if strconv.FormatInt(p.ID, 10) == id {
			return i + 1
		}
	}
	n, _ := strconv.ParseInt(id, 10, 64)
	pos := 0
	for i, p := range posts {
		if p.ID <= n {
			pos = i + 1
		}
	}
	return pos
}

// GET statuses/show.json?id=
func (s *Server) wbShow(req *request, u *wbUser) reply {
	id := req.param("id")
	for _, p := range s.timeline(u) {
		if strconv.FormatInt(p.ID, 10) == id && !p.Deleted {
			obj := s.statusObject(u, p)
			if req.param("isGetLongText") == "1" && obj["isLongText"] == true {
				obj["longText"] = map[string]any{"longTextContent": p.Text}
				s.contentServed("weibo/"+u.cfg.UID, "long/"+id)
			}
			return jsonReply(obj)
		}
	}
	return s.wbError(req, http.StatusBadRequest, 20101, "target weibo does not exist!")
}

// POST statuses/destroy.json id=: deletes one of the user's own posts and
// returns it; a post that does not exist (or is already deleted) is 20101.
func (s *Server) wbDestroy(req *request, u *wbUser) reply {
	if req.r.Method != http.MethodPost {
		return s.wbError(req, http.StatusMethodNotAllowed, 10021, "HTTP METHOD is not suported for this request!")
	}
	id := req.param("id")
	for _, p := range u.posts {
		if strconv.FormatInt(p.ID, 10) == id && !p.Deleted {
			p.Deleted = true
			return jsonReply(s.statusObject(u, p))
		}
	}
	return s.wbError(req, http.StatusBadRequest, 20101, "target weibo does not exist!")
}

func splitIDs(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

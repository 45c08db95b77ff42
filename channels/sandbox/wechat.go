package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// WeChatApp registers an official account with the sandbox.
type WeChatApp struct {
	AppID  string
	Secret string
	Name   string
	// Type is "subscription" (1 mass send a day) or "service" (4 a month).
	Type string
	// Uncertified accounts get 48001 from freepublish and the new datacube APIs.
	Uncertified bool
	// Followers on the statistics epoch; it also sets how much the account posts.
	Followers int
	// SilentSince ("YYYY-MM-DD"): the synthetic history has no posts from this day on.
	SilentSince string
}

type wxApp struct {
	cfg WeChatApp

	tokenDay     time.Time
	tokenFetches int
	stable       *wxToken
	forceDay     time.Time
	forces       int
	lastForce    time.Time

	materials map[string]*wxMaterial
	imgURLs   map[string]string // uploadimg URL -> sha256 of the image
	drafts    map[string]*wxDraft
	publishes map[string]*publishJob
	published []*Article
	mass      []MassSend
	clientIDs map[string]time.Time // clientmsgid -> when it was used (deduplicated for 24 h)
	previews  []Preview
}

type wxToken struct {
	app     string
	expires time.Time
	stable  bool
}

type wxMaterial struct {
	id, url, kind string
	sha256        string // of the uploaded bytes, for tests
}

type draftArticle struct {
	ArticleType        string `json:"article_type"`
	Title              string `json:"title"`
	Author             string `json:"author"`
	Digest             string `json:"digest"`
	Content            string `json:"content"`
	ContentSourceURL   string `json:"content_source_url"`
	ThumbMediaID       string `json:"thumb_media_id"`
	NeedOpenComment    int    `json:"need_open_comment"`
	OnlyFansCanComment int    `json:"only_fans_can_comment"`
	ImageInfo          *struct {
		ImageList []struct {
			ImageMediaID string `json:"image_media_id"`
		} `json:"image_list"`
	} `json:"image_info,omitempty"`
}

type wxDraft struct {
	id       string
	articles []draftArticle
	created  time.Time
	// submitted: freepublish/submit or a mass send used the draft; it left
	// the draft box and cannot be published or mass-sent again (40007).
	submitted bool
}

type publishJob struct {
	id        string
	draft     *wxDraft
	polls     int
	status    int
	articleID string
	msgDataID int64
	submitted time.Time
}

// Article is one article the sandbox platform actually published.
type Article struct {
	AppID       string `json:"app_id"`
	ArticleID   string `json:"article_id"`
	PublishID   string `json:"publish_id"`
	MsgDataID   int64  `json:"msg_data_id"`
	Index       int    `json:"idx"`
	ArticleType string `json:"article_type"`
	Title       string `json:"title"`
	Author      string `json:"author,omitempty"`
	Digest      string `json:"digest,omitempty"`
	Content     string `json:"content"`
	SourceURL   string `json:"content_source_url,omitempty"`
	ThumbID     string `json:"thumb_media_id,omitempty"`
	// ThumbSHA256 is the sha256 of the cover material's bytes.
	ThumbSHA256 string    `json:"thumb_sha256,omitempty"`
	Images      int       `json:"images"`
	URL         string    `json:"url"`
	PublishedAt time.Time `json:"published_at"`
	// ByHand marks an article a clerk published in the back office (PlaceArticle).
	ByHand bool `json:"by_hand,omitempty"`
	// MsgID is the mass send that published it (0: freepublish).
	MsgID int64 `json:"msg_id,omitempty"`
	// Deleted: removed after publication (freepublish/delete, mass/delete).
	Deleted   bool      `json:"deleted,omitempty"`
	DeletedAt time.Time `json:"deleted_at,omitzero"`
}

// MassSend is one mass send the sandbox platform accepted.
type MassSend struct {
	AppID       string    `json:"app_id"`
	MediaID     string    `json:"media_id"`
	ClientMsgID string    `json:"clientmsgid"`
	MsgID       int64     `json:"msg_id"`
	MsgDataID   int64     `json:"msg_data_id"`
	At          time.Time `json:"at"`
	Deleted     bool      `json:"deleted,omitempty"`
}

// AddWeChatApp registers an official account.
func (s *Server) AddWeChatApp(a WeChatApp) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a.Type == "" {
		a.Type = "subscription"
	}
	if a.Followers == 0 {
		a.Followers = 500
	}
	s.apps[a.AppID] = &wxApp{cfg: a, materials: map[string]*wxMaterial{}, imgURLs: map[string]string{},
		drafts: map[string]*wxDraft{}, publishes: map[string]*publishJob{}, clientIDs: map[string]time.Time{}}
	s.accounts["wechat/"+a.AppID] = newProfile(s, "wechat/"+a.AppID, a.Followers, a.SilentSince)
}

// InvalidateTokens makes every access token of the app invalid (40001 on next use).
func (s *Server) InvalidateTokens(appID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t, tok := range s.tokens {
		if tok.app == appID {
			delete(s.tokens, t)
		}
	}
	if a := s.apps[appID]; a != nil {
		a.stable = nil
	}
}

func (s *Server) registerWeChat() {
	add := func(path string, publish bool, fn func(*request) reply) {
		s.paths[path] = handlerFor{platform: "wechat", publish: publish, fn: fn}
	}
	add("/cgi-bin/token", false, s.wxToken)
	add("/cgi-bin/stable_token", false, s.wxStableToken)
	add("/cgi-bin/material/add_material", false, s.authed(s.wxAddMaterial))
	add("/cgi-bin/media/uploadimg", false, s.authed(s.wxUploadImg))
	add("/cgi-bin/draft/add", false, s.authed(s.wxDraftAdd))
	add("/cgi-bin/freepublish/submit", true, s.authed(s.wxPublishSubmit))
	add("/cgi-bin/freepublish/get", false, s.authed(s.wxPublishGet))
	add("/cgi-bin/freepublish/batchget", false, s.authed(s.wxBatchGet))
	add("/cgi-bin/freepublish/delete", false, s.authed(s.wxPublishDelete))
	add("/cgi-bin/message/mass/sendall", true, s.authed(s.wxMassSend))
	add("/cgi-bin/message/mass/get", false, s.authed(s.wxMassGet))
	add("/cgi-bin/message/mass/delete", false, s.authed(s.wxMassDelete))
	add("/cgi-bin/message/mass/preview", false, s.authed(s.wxMassPreview))
	add("/cgi-bin/draft/delete", false, s.authed(s.wxDraftDelete))
	add("/cgi-bin/draft/get", false, s.authed(s.wxDraftGet))
	add("/cgi-bin/user/get", false, s.authed(s.wxUserGet))
	add("/datacube/getusersummary", false, s.authed(s.wxUserSummary))
	add("/datacube/getusercumulate", false, s.authed(s.wxUserCumulate))
	add("/datacube/getbizsummary", false, s.authed(s.wxBizSummary))
	add("/datacube/getarticletotaldetail", false, s.authed(s.wxArticleTotalDetail))
}

// wxError is WeChat's error body: HTTP 200, errcode, errmsg with a rid suffix.
func (s *Server) wxError(code int, msg string) reply {
	rid := fmt.Sprintf("%08x-%08x-%08x", s.rng.Uint32(), s.rng.Uint32(), s.rng.Uint32())
	return jsonReply(map[string]any{"errcode": code, "errmsg": msg + " rid: " + rid})
}

func (s *Server) ipAllowed(ip string) bool {
	return len(s.opts.AllowIPs) == 0 || slices.Contains(s.opts.AllowIPs, ip)
}

// authed checks access_token and the IP whitelist before fn.
func (s *Server) authed(fn func(*request, *wxApp) reply) func(*request) reply {
	return func(req *request) reply {
		t := req.r.URL.Query().Get("access_token")
		if t == "" {
			return s.wxError(41001, "access_token missing")
		}
		tok, ok := s.tokens[t]
		if !ok {
			return s.wxError(40001, "invalid credential, access_token is invalid or not latest")
		}
		app := s.apps[tok.app]
		req.key = "wechat/" + tok.app
		s.lastIP[tok.app] = req.ip
		if !s.now().Before(tok.expires) {
			return s.wxError(42001, "access_token expired")
		}
		if !s.ipAllowed(req.ip) {
			return s.wxError(40164, fmt.Sprintf("invalid ip %s ipv6 ::ffff:%s, not in whitelist", req.ip, req.ip))
		}
		if s.quota[tok.app+" "+req.path] {
			return s.wxError(45009, "reach max api daily quota limit")
		}
		return fn(req, app)
	}
}

func (s *Server) newToken(appID string, ttl time.Duration, stable bool) *wxToken {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%d/%d", appID, s.nextID(), s.rng.Uint64())))
	t := &wxToken{app: appID, expires: s.now().Add(ttl), stable: stable}
	s.tokens[strings.ToUpper(hex.EncodeToString(sum[:]))[:64]+"_sbx"] = t
	return t
}

func tokenString(s *Server, t *wxToken) string {
	for k, v := range s.tokens {
		if v == t {
			return k
		}
	}
	return ""
}

func (s *Server) checkCredentials(req *request, appID, secret string) (*wxApp, reply, bool) {
	app, ok := s.apps[appID]
	if !ok {
		return nil, s.wxError(40013, "invalid appid"), false
	}
	req.key = "wechat/" + appID
	s.lastIP[appID] = req.ip
	if !s.ipAllowed(req.ip) {
		return nil, s.wxError(40164, fmt.Sprintf("invalid ip %s ipv6 ::ffff:%s, not in whitelist", req.ip, req.ip)), false
	}
	if secret != app.cfg.Secret {
		return nil, s.wxError(40125, "invalid appsecret"), false
	}
	return app, reply{}, true
}

// GET /cgi-bin/token: a new token; the previous ones stay valid 5 more minutes.
func (s *Server) wxToken(req *request) reply {
	q := req.r.URL.Query()
	if q.Get("grant_type") != "client_credential" {
		return s.wxError(40002, "invalid grant_type")
	}
	app, rep, ok := s.checkCredentials(req, q.Get("appid"), q.Get("secret"))
	if !ok {
		return rep
	}
	if today := s.day(s.now()); !today.Equal(app.tokenDay) {
		app.tokenDay, app.tokenFetches = today, 0
	}
	if app.tokenFetches >= s.opts.TokenDailyLimit {
		return s.wxError(45009, "reach max api daily quota limit")
	}
	app.tokenFetches++
	overlap := s.now().Add(5 * time.Minute)
	for _, t := range s.tokens {
		if t.app == app.cfg.AppID && !t.stable && t.expires.After(overlap) {
			t.expires = overlap
		}
	}
	t := s.newToken(app.cfg.AppID, 7200*time.Second, false)
	return jsonReply(map[string]any{"access_token": tokenString(s, t), "expires_in": 7200})
}

// POST /cgi-bin/stable_token: the same token until 5 minutes before expiry;
// force_refresh at most 20 times a day, 30 s apart.
func (s *Server) wxStableToken(req *request) reply {
	var in struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return s.wxError(47001, "data format error")
	}
	if in.GrantType != "client_credential" {
		return s.wxError(40002, "invalid grant_type")
	}
	app, rep, ok := s.checkCredentials(req, in.AppID, in.Secret)
	if !ok {
		return rep
	}
	now := s.now()
	if in.ForceRefresh {
		if today := s.day(now); !today.Equal(app.forceDay) {
			app.forceDay, app.forces = today, 0
		}
		if app.forces >= 20 {
			return s.wxError(45009, "reach max api daily quota limit")
		}
		if now.Sub(app.lastForce) < 30*time.Second {
			return s.wxError(45011, "api minute-quota reach limit  mustslower  retry next minute")
		}
		app.forces++
		app.lastForce = now
	}
	if in.ForceRefresh || app.stable == nil || !now.Before(app.stable.expires.Add(-5*time.Minute)) || tokenString(s, app.stable) == "" {
		if app.stable != nil {
			if old := tokenString(s, app.stable); old != "" && in.ForceRefresh {
				delete(s.tokens, old)
			}
		}
		app.stable = s.newToken(app.cfg.AppID, 7200*time.Second, true)
	}
	left := int(app.stable.expires.Sub(now).Seconds())
	return jsonReply(map[string]any{"access_token": tokenString(s, app.stable), "expires_in": left})
}

var validImage = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/bmp": true}

// POST /cgi-bin/material/add_material?type=image|thumb, multipart field media.
func (s *Server) wxAddMaterial(req *request, app *wxApp) reply {
	kind := req.r.URL.Query().Get("type")
	data, ok := req.files["media"]
	if !ok {
		return s.wxError(41005, "media data missing")
	}
	mime := http.DetectContentType(data)
	switch kind {
	case "image":
		if !validImage[mime] {
			return s.wxError(40005, "invalid file type")
		}
		if len(data) > 10<<20 {
			return s.wxError(40009, "invalid image size")
		}
	case "thumb":
		if mime != "image/jpeg" {
			return s.wxError(40005, "invalid file type")
		}
		if len(data) > 64<<10 {
			return s.wxError(40009, "invalid image size")
		}
	case "voice", "video":
		return s.wxError(40005, "invalid file type")
	default:
		return s.wxError(40004, "invalid media type")
	}
	if len(app.materials) >= 100000 {
		return s.wxError(45001, "media size out of limit")
	}
	n := s.nextID()
	id := fmt.Sprintf("sbx_%s_M%06d", app.cfg.AppID, n)
	sum := sha256.Sum256(data)
	m := &wxMaterial{id: id, kind: kind, url: fmt.Sprintf("http://mmbiz.qpic.cn/sbx_mmbiz/%s/%d/0?wx_fmt=%s", app.cfg.AppID, n, strings.TrimPrefix(mime, "image/")),
		sha256: hex.EncodeToString(sum[:])}
	app.materials[id] = m
	return jsonReply(map[string]any{"media_id": id, "url": m.url})
}

// POST /cgi-bin/media/uploadimg: jpg/png under 1 MB, for images inside article HTML.
func (s *Server) wxUploadImg(req *request, app *wxApp) reply {
	data, ok := req.files["media"]
	if !ok {
		return s.wxError(41005, "media data missing")
	}
	mime := http.DetectContentType(data)
	if mime != "image/jpeg" && mime != "image/png" {
		return s.wxError(40005, "invalid file type")
	}
	if len(data) >= 1<<20 {
		return s.wxError(40009, "invalid image size")
	}
	u := fmt.Sprintf("http://mmbiz.qpic.cn/sbx_mmbiz_img/%s/%d/0", app.cfg.AppID, s.nextID())
	sum := sha256.Sum256(data)
	app.imgURLs[u] = hex.EncodeToString(sum[:])
	return jsonReply(map[string]any{"url": u})
}

var imgSrc = regexp.MustCompile(`(?i)<img[^>]*?\ssrc\s*=\s*["']([^"']*)["'][^>]*>`)
var scriptTag = regexp.MustCompile(`(?is)<script.*?</script>`)

// POST /cgi-bin/draft/add.
func (s *Server) wxDraftAdd(req *request, app *wxApp) reply {
	var in struct {
		Articles []draftArticle `json:"articles"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return s.wxError(47001, "data format error")
	}
	if len(in.Articles) == 0 {
		return s.wxError(44003, "empty news data")
	}
	if len(in.Articles) > 8 {
		return s.wxError(45008, "article size out of limit")
	}
	for i := range in.Articles {
		a := &in.Articles[i]
		if a.ArticleType == "" {
			a.ArticleType = "news"
		}
		switch {
		case a.Title == "":
			return s.wxError(44003, "empty news data")
		case utf8.RuneCountInString(a.Title) > 32:
			return s.wxError(45003, "title size out of limit")
		case utf8.RuneCountInString(a.Author) > 16:
			return s.wxError(45110, "author size out of limit")
		case utf8.RuneCountInString(a.Digest) > 128:
			return s.wxError(45004, "description size out of limit")
		case utf8.RuneCountInString(a.Content) >= 20000 || len(a.Content) >= 1<<20:
			return s.wxError(45002, "content size out of limit")
		case len(a.ContentSourceURL) > 1024:
			return s.wxError(45005, "url size out of limit")
		}
		switch a.ArticleType {
		case "news":
			m, ok := app.materials[a.ThumbMediaID]
			if a.ThumbMediaID == "" || !ok || m.kind == "voice" {
				return s.wxError(40007, "invalid media_id")
			}
		case "newspic":
			if a.ImageInfo == nil || len(a.ImageInfo.ImageList) == 0 {
				return s.wxError(40007, "invalid media_id")
			}
			if len(a.ImageInfo.ImageList) > 20 {
				return s.wxError(45008, "article size out of limit")
			}
			for _, im := range a.ImageInfo.ImageList {
				if m, ok := app.materials[im.ImageMediaID]; !ok || m.kind != "image" {
					return s.wxError(40007, "invalid media_id")
				}
			}
		default:
			return s.wxError(47001, "data format error")
		}
		// The platform strips scripts and images not hosted on mmbiz.
		a.Content = scriptTag.ReplaceAllString(a.Content, "")
		a.Content = imgSrc.ReplaceAllStringFunc(a.Content, func(tag string) string {
			src := imgSrc.FindStringSubmatch(tag)[1]
			if app.imgURLs[src] != "" || strings.HasPrefix(src, "http://mmbiz.qpic.cn/sbx_mmbiz/"+app.cfg.AppID+"/") {
				return tag
			}
			s.stripped[app.cfg.AppID]++
			return ""
		})
	}
	id := fmt.Sprintf("sbx_%s_D%06d", app.cfg.AppID, s.nextID())
	app.drafts[id] = &wxDraft{id: id, articles: in.Articles, created: s.now()}
	return jsonReply(map[string]any{"media_id": id})
}

// POST /cgi-bin/freepublish/submit: queues a publish; publish_id is a string of digits.
func (s *Server) wxPublishSubmit(req *request, app *wxApp) reply {
	var in struct {
		MediaID string `json:"media_id"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return s.wxError(47001, "data format error")
	}
	if app.cfg.Uncertified {
		return s.wxError(48001, "api unauthorized")
	}
	d, ok := app.drafts[in.MediaID]
	if !ok || d.submitted {
		return s.wxError(40007, "invalid media_id")
	}
	d.submitted = true
	n := s.nextID()
	job := &publishJob{id: strconv.FormatInt(2247483000+n, 10), draft: d, submitted: s.now(), msgDataID: 2650000000 + n}
	// The outcome is fixed at submission, from the seed: a share is rejected.
	if s.faults.RejectShare > 0 && s.rng.Float64() < s.faults.RejectShare {
		job.status = 4
	}
	app.publishes[job.id] = job
	return jsonReply(map[string]any{"errcode": 0, "errmsg": "ok", "publish_id": job.id, "msg_data_id": job.msgDataID})
}

// POST /cgi-bin/freepublish/get: publishing for PublishPolls answers, then final.
func (s *Server) wxPublishGet(req *request, app *wxApp) reply {
	var in struct {
		PublishID json.Number `json:"publish_id"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		var alt struct {
			PublishID string `json:"publish_id"`
		}
		if err := json.Unmarshal(req.body, &alt); err != nil {
			return s.wxError(47001, "data format error")
		}
		in.PublishID = json.Number(alt.PublishID)
	}
	job, ok := app.publishes[string(in.PublishID)]
	if !ok {
		return s.wxError(53600, "Article ID 无效")
	}
	job.polls++
	out := map[string]any{"errcode": 0, "errmsg": "ok", "publish_id": job.id}
	if job.polls <= s.opts.PublishPolls && job.articleID == "" && job.status != 4 {
		out["publish_status"] = 1
		return jsonReply(out)
	}
	if job.status == 4 {
		out["publish_status"] = 4
		out["fail_idx"] = []int{1}
		return jsonReply(out)
	}
	if job.articleID == "" {
		s.completePublish(app, job)
	}
	for _, a := range app.published {
		if a.PublishID == job.id && a.Deleted {
			out["publish_status"] = 5 // deleted by the user after success
			out["article_id"] = job.articleID
			return jsonReply(out)
		}
	}
	items := []map[string]any{}
	for _, a := range app.published {
		if a.PublishID == job.id {
			items = append(items, map[string]any{"idx": a.Index, "article_url": a.URL})
		}
	}
	out["publish_status"] = 0
	out["article_id"] = job.articleID
	out["article_detail"] = map[string]any{"count": len(items), "item": items}
	out["fail_idx"] = []int{}
	return jsonReply(out)
}

// completePublish makes a queued publish visible: the articles go out.
func (s *Server) completePublish(app *wxApp, job *publishJob) {
	job.articleID = fmt.Sprintf("sbx_%s_A%06d", app.cfg.AppID, s.nextID())
	for i, d := range job.draft.articles {
		sum := sha256.Sum256([]byte(job.articleID + strconv.Itoa(i)))
		a := &Article{AppID: app.cfg.AppID, ArticleID: job.articleID, PublishID: job.id, MsgDataID: job.msgDataID, Index: i + 1,
			ArticleType: d.ArticleType, Title: d.Title, Author: d.Author, Digest: d.Digest, Content: d.Content,
			SourceURL: d.ContentSourceURL, ThumbID: d.ThumbMediaID,
			URL: "https://mp.weixin.qq.com/s/sbx_" + hex.EncodeToString(sum[:9]), PublishedAt: job.submitted}
		if m, ok := app.materials[d.ThumbMediaID]; ok {
			a.ThumbSHA256 = m.sha256
		}
		if d.ImageInfo != nil {
			a.Images = len(d.ImageInfo.ImageList)
		}
		app.published = append(app.published, a)
		s.accounts["wechat/"+app.cfg.AppID].addPost(s, job.submitted, a.URL)
	}
}

// settle completes every publish whose answer nobody asked for: on the real
// platform a publish goes out whether or not its status is polled.
func (s *Server) settle(app *wxApp) {
	for _, job := range app.publishes {
		if job.articleID == "" && job.status != 4 {
			s.completePublish(app, job)
		}
	}
	slices.SortStableFunc(app.published, func(a, b *Article) int { return a.PublishedAt.Compare(b.PublishedAt) })
}

// POST /cgi-bin/freepublish/batchget: the published list, newest first,
// synthetic history included.
func (s *Server) wxBatchGet(req *request, app *wxApp) reply {
	var in struct {
		Offset    int             `json:"offset"`
		Count     int             `json:"count"`
		NoContent json.RawMessage `json:"no_content"` // 0/1 in the docs, a boolean from some clients
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return s.wxError(47001, "data format error")
	}
	noContent := string(in.NoContent) == "1" || string(in.NoContent) == "true"
	if app.cfg.Uncertified {
		return s.wxError(48001, "api unauthorized")
	}
	if in.Count < 1 || in.Count > 20 || in.Offset < 0 {
		return s.wxError(40097, "invalid args")
	}
	s.settle(app)
	all := s.publishedList(app)
	items := []map[string]any{}
	for i := in.Offset; i < len(all) && i < in.Offset+in.Count; i++ {
		a := all[i]
		news := map[string]any{"title": a.Title, "author": a.Author, "digest": a.Digest, "content_source_url": a.SourceURL,
			"thumb_media_id": a.ThumbID, "url": a.URL, "is_deleted": a.Deleted, "show_cover_pic": 1}
		if !noContent {
			news["content"] = a.Content
			s.contentServed("wechat/"+app.cfg.AppID, a.URL)
		}
		ts := a.PublishedAt.Unix()
		items = append(items, map[string]any{"article_id": a.ArticleID, "update_time": ts,
			"content": map[string]any{"news_item": []any{news}, "create_time": ts, "update_time": ts}})
	}
	return jsonReply(map[string]any{"total_count": len(all), "item_count": len(items), "item": items})
}

// publishedList is every published article, real and synthetic, newest first.
func (s *Server) publishedList(app *wxApp) []*Article {
	p := s.accounts["wechat/"+app.cfg.AppID]
	out := slices.Clone(app.published)
	if s.opts.MassSendsUnlisted {
		out = slices.DeleteFunc(out, func(a *Article) bool { return a.MsgID != 0 })
	}
	slices.Reverse(out) // newest first among equal times too
	out = append(out, p.historyArticles(s, app.cfg.AppID)...)
	slices.SortStableFunc(out, func(a, b *Article) int { return b.PublishedAt.Compare(a.PublishedAt) })
	return out
}

// POST /cgi-bin/message/mass/sendall.
func (s *Server) wxMassSend(req *request, app *wxApp) reply {
	var in struct {
		Filter struct {
			IsToAll bool `json:"is_to_all"`
		} `json:"filter"`
		MPNews struct {
			MediaID string `json:"media_id"`
		} `json:"mpnews"`
		MsgType     string `json:"msgtype"`
		ClientMsgID string `json:"clientmsgid"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil || in.MsgType != "mpnews" {
		return s.wxError(47001, "data format error")
	}
	now := s.now()
	// The platform checks the draft before the clientmsgid: a draft that
	// freepublish (or another mass send) consumed has left the draft box.
	d, ok := app.drafts[in.MPNews.MediaID]
	if !ok || d.submitted {
		return s.wxError(40007, "invalid media_id")
	}
	if at, ok := app.clientIDs[in.ClientMsgID]; in.ClientMsgID != "" && ok && now.Sub(at) < 24*time.Hour {
		return s.wxError(45065, "clientmsgid exist")
	}
	today, month := s.day(now), 0
	sentToday := 0
	for _, m := range app.mass {
		if s.day(m.At).Equal(today) {
			sentToday++
		}
		if y, mo, _ := m.At.In(s.loc).Date(); y == now.In(s.loc).Year() && mo == now.In(s.loc).Month() {
			month++
		}
	}
	if sentToday >= 1 || (app.cfg.Type == "service" && month >= 4) {
		return s.wxError(45028, "has no masssend quota")
	}
	if in.ClientMsgID != "" {
		app.clientIDs[in.ClientMsgID] = now
	}
	m := MassSend{AppID: app.cfg.AppID, MediaID: in.MPNews.MediaID, ClientMsgID: in.ClientMsgID, MsgID: 1000000000 + s.nextID(), At: now}
	m.MsgDataID = 2650000000 + m.MsgID
	app.mass = append(app.mass, m)
	// A mass send also publishes: the draft's articles go out (and appear in
	// the published list), and the draft is consumed.
	d.submitted = true
	articleID := fmt.Sprintf("sbx_%s_A%06d", app.cfg.AppID, s.nextID())
	for i, da := range d.articles {
		sum := sha256.Sum256([]byte(articleID + strconv.Itoa(i)))
		a := &Article{AppID: app.cfg.AppID, ArticleID: articleID, MsgDataID: m.MsgDataID, MsgID: m.MsgID, Index: i + 1,
			ArticleType: da.ArticleType, Title: da.Title, Author: da.Author, Digest: da.Digest, Content: da.Content,
			SourceURL: da.ContentSourceURL, ThumbID: da.ThumbMediaID,
			URL: "https://mp.weixin.qq.com/s/sbx_" + hex.EncodeToString(sum[:9]), PublishedAt: now}
		if da.ImageInfo != nil {
			a.Images = len(da.ImageInfo.ImageList)
		}
		app.published = append(app.published, a)
		s.accounts["wechat/"+app.cfg.AppID].addPost(s, now, a.URL)
	}
	return jsonReply(map[string]any{"errcode": 0, "errmsg": "send job submission success", "msg_id": m.MsgID, "msg_data_id": m.MsgDataID})
}

// POST /cgi-bin/message/mass/get {msg_id}: the mass send's status.
func (s *Server) wxMassGet(req *request, app *wxApp) reply {
	var in struct {
		MsgID json.Number `json:"msg_id"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return s.wxError(47001, "data format error")
	}
	for _, m := range app.mass {
		if strconv.FormatInt(m.MsgID, 10) == string(in.MsgID) {
			status := "SEND_SUCCESS"
			if m.Deleted {
				status = "DELETE"
			}
			return jsonReply(map[string]any{"msg_id": m.MsgID, "msg_status": status})
		}
	}
	return s.wxError(40007, "invalid msg_id")
}

// POST /cgi-bin/message/mass/delete {msg_id, article_idx}: deletes a mass
// send's articles (article_idx 0 or absent: all of them). Irreversible.
func (s *Server) wxMassDelete(req *request, app *wxApp) reply {
	var in struct {
		MsgID      json.Number `json:"msg_id"`
		ArticleIdx int         `json:"article_idx"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return s.wxError(47001, "data format error")
	}
	for i := range app.mass {
		m := &app.mass[i]
		if strconv.FormatInt(m.MsgID, 10) != string(in.MsgID) {
			continue
		}
		m.Deleted = true
		for _, a := range app.published {
			if a.MsgID == m.MsgID && (in.ArticleIdx == 0 || a.Index == in.ArticleIdx) && !a.Deleted {
				a.Deleted, a.DeletedAt = true, s.now()
			}
		}
		return jsonReply(map[string]any{"errcode": 0, "errmsg": "ok"})
	}
	return s.wxError(40007, "invalid msg_id")
}

// POST /cgi-bin/freepublish/delete {article_id, index}: deletes a published
// article (index 0 or absent: every article of it). Irreversible; deleting
// again answers ok.
func (s *Server) wxPublishDelete(req *request, app *wxApp) reply {
	var in struct {
		ArticleID string `json:"article_id"`
		Index     int    `json:"index"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return s.wxError(47001, "data format error")
	}
	if app.cfg.Uncertified {
		return s.wxError(48001, "api unauthorized")
	}
	s.settle(app)
	found := false
	for _, a := range app.published {
		if a.ArticleID == in.ArticleID && (in.Index == 0 || a.Index == in.Index) {
			found = true
			if !a.Deleted {
				a.Deleted, a.DeletedAt = true, s.now()
			}
		}
	}
	if !found {
		return s.wxError(53600, "Article ID 无效")
	}
	return jsonReply(map[string]any{"errcode": 0, "errmsg": "ok"})
}

// GET /cgi-bin/user/get: follower openids, 10000 a page.
func (s *Server) wxUserGet(req *request, app *wxApp) reply {
	p := s.accounts["wechat/"+app.cfg.AppID]
	total := p.followersOn(s, s.day(s.now()).AddDate(0, 0, -1))
	start := 0
	if next := req.r.URL.Query().Get("next_openid"); next != "" {
		i, err := strconv.Atoi(strings.TrimPrefix(next, "osbx"+app.cfg.AppID+"_"))
		if err != nil {
			return s.wxError(40003, "invalid openid")
		}
		start = i + 1
	}
	end := min(start+10000, total)
	ids := make([]string, 0, max(0, end-start))
	for i := start; i < end; i++ {
		ids = append(ids, fmt.Sprintf("osbx%s_%d", app.cfg.AppID, i))
	}
	next := ""
	if len(ids) > 0 {
		next = ids[len(ids)-1]
	}
	return jsonReply(map[string]any{"total": total, "count": len(ids), "data": map[string]any{"openid": ids}, "next_openid": next})
}

// dateRange parses a datacube request and checks it against the span limit.
func (s *Server) dateRange(req *request, span int) (from, to time.Time, rep reply, ok bool) {
	var in struct {
		Begin string `json:"begin_date"`
		End   string `json:"end_date"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return from, to, s.wxError(47001, "data format error"), false
	}
	var err1, err2 error
	from, err1 = time.ParseInLocation("2006-01-02", in.Begin, s.loc)
	to, err2 = time.ParseInLocation("2006-01-02", in.End, s.loc)
	if err1 != nil || err2 != nil {
		return from, to, s.wxError(61500, "date format error"), false
	}
	today := s.day(s.now())
	if !to.Before(today) || to.Before(from) || int(to.Sub(from).Hours()/24)+1 > span {
		return from, to, s.wxError(61501, "date range error"), false
	}
	// Yesterday's figures are ready after 08:00.
	if to.Equal(today.AddDate(0, 0, -1)) && s.now().In(s.loc).Hour() < 8 {
		return from, to, s.wxError(61503, "data not ready"), false
	}
	return from, to, reply{}, true
}

func eachDay(from, to time.Time, fn func(d time.Time)) {
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		fn(d)
	}
}

// POST /datacube/getusersummary (<= 7 days): one row per source with movement.
func (s *Server) wxUserSummary(req *request, app *wxApp) reply {
	from, to, rep, ok := s.dateRange(req, 7)
	if !ok {
		return rep
	}
	p := s.accounts["wechat/"+app.cfg.AppID]
	list := []map[string]any{}
	eachDay(from, to, func(d time.Time) {
		for _, row := range p.sources(s, d) {
			list = append(list, map[string]any{"ref_date": d.Format("2006-01-02"), "user_source": row.source,
				"new_user": row.newUsers, "cancel_user": row.cancel})
		}
	})
	return jsonReply(map[string]any{"list": list})
}

// POST /datacube/getusercumulate (<= 7 days).
func (s *Server) wxUserCumulate(req *request, app *wxApp) reply {
	from, to, rep, ok := s.dateRange(req, 7)
	if !ok {
		return rep
	}
	p := s.accounts["wechat/"+app.cfg.AppID]
	list := []map[string]any{}
	eachDay(from, to, func(d time.Time) {
		list = append(list, map[string]any{"ref_date": d.Format("2006-01-02"), "user_source": 0, "cumulate_user": p.followersOn(s, d)})
	})
	return jsonReply(map[string]any{"list": list})
}

// newStatsFrom is the first day the new article statistics APIs have data for.
var newStatsFrom = time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)

// POST /datacube/getbizsummary (<= 30 days; certified accounts): one entry
// per day from 2025-11-01, its figures under "detail".
func (s *Server) wxBizSummary(req *request, app *wxApp) reply {
	if app.cfg.Uncertified {
		return s.wxError(48001, "api unauthorized")
	}
	from, to, rep, ok := s.dateRange(req, 30)
	if !ok {
		return rep
	}
	p := s.accounts["wechat/"+app.cfg.AppID]
	list := []map[string]any{}
	eachDay(from, to, func(d time.Time) {
		if d.Format("2006-01-02") < newStatsFrom.Format("2006-01-02") {
			return
		}
		r := p.readsOn(s, d)
		// The day's figures are nested under "detail", as WeChat answers them.
		list = append(list, map[string]any{"ref_date": d.Format("2006-01-02"), "detail": map[string]any{
			"read_user": r.read, "read_user_source": []map[string]any{{"source": 0, "read_user": r.read}},
			"share_user": r.share, "zaikan_user": r.zaikan, "like_user": r.like, "comment_count": r.comment, "collection_user": r.collect}})
	})
	return jsonReply(map[string]any{"list": list, "is_delay": false})
}

// POST /datacube/getarticletotaldetail (1 day): articles published that day,
// each with up to 30 days of figures.
func (s *Server) wxArticleTotalDetail(req *request, app *wxApp) reply {
	if app.cfg.Uncertified {
		return s.wxError(48001, "api unauthorized")
	}
	from, _, rep, ok := s.dateRange(req, 1)
	if !ok {
		return rep
	}
	s.settle(app)
	p := s.accounts["wechat/"+app.cfg.AppID]
	yesterday := s.day(s.now()).AddDate(0, 0, -1)
	list := []map[string]any{}
	for _, post := range p.postsOn(s, from) {
		details := []map[string]any{}
		for age := 0; age < 30; age++ {
			d := from.AddDate(0, 0, age)
			if d.After(yesterday) {
				break
			}
			r := post.figuresAt(age)
			details = append(details, map[string]any{"stat_date": d.Format("2006-01-02"), "read_user": r.read,
				"share_user": r.share, "zaikan_user": r.zaikan, "like_user": r.like, "comment_count": r.comment, "collection_user": r.collect})
		}
		list = append(list, map[string]any{"ref_date": from.Format("2006-01-02"), "msgid": post.msgID, "url": post.url,
			"publish_type": 0, "detail_list": details})
	}
	return jsonReply(map[string]any{"list": list, "is_delay": false})
}

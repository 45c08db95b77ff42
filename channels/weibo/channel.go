package weibo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
)

// PostsPerHour is Weibo's posting limit per user; herald keeps under it.
const PostsPerHour = 30

// Channel publishes to Weibo accounts.
type Channel struct {
	client *Client
	store  channels.Store
	loc    *time.Location
	now    func() time.Time
	log    *slog.Logger
}

// New returns the Weibo channel for the config's weibo.api_base, on the
// clock now (nil: the wall clock).
func New(cfg *configs.Config, store channels.Store, log *slog.Logger, now func() time.Time) *Channel {
	if now == nil {
		now = time.Now
	}
	return &Channel{client: NewClient(cfg.Weibo.APIBase, cfg.Weibo.Timeout), store: store, loc: cfg.Location, now: now, log: log}
}

// Client returns the channel's API client.
func (c *Channel) Client() *Client { return c.client }

// Platform is "weibo".
func (c *Channel) Platform() string { return configs.PlatformWeibo }

// BuildText makes a post's text from an item revision: the text trimmed to
// Weibo's 140 characters (an ASCII character counts half), then the
// account's link_url appended unless the text already holds a URL on that
// host (Weibo refuses posts without a URL on the app's safe domain). An item
// source URL on another host stays only if the length allows.
func BuildText(kind content.Kind, r *content.Revision, linkURL string) string {
	var body string
	switch kind {
	case content.KindShort:
		body = strings.TrimSpace(r.Body)
		if body == "" {
			body = r.Title
		}
	case content.KindBroadcast:
		if r.Broadcast != nil {
			body = content.BroadcastShortText(r.Broadcast, content.WeiboTextMax)
		}
	default:
		digest := r.Digest
		if digest == "" {
			digest = content.PlainText(r.Body)
		}
		body = "【" + r.Title + "】" + digest
	}
	body = strings.Join(strings.Fields(body), " ")
	host := hostOf(linkURL)
	suffix := ""
	if !hasURLOn(body, host) {
		suffix = " " + linkURL
	}
	budget := content.WeiboTextMax - content.WeiboLength(suffix)
	if src := r.SourceURL; src != "" && hostOf(src) != host && !strings.Contains(body, src) {
		withSource := " 原文：" + src
		if content.WeiboLength(body)+content.WeiboLength(withSource) <= budget {
			body += withSource
		}
	}
	return content.TrimWeibo(body, budget) + suffix
}

var urlPattern = regexp.MustCompile(`https?://[^\s，。、；）)]+`)

func hasURLOn(text, host string) bool {
	for _, m := range urlPattern.FindAllString(text, -1) {
		if strings.EqualFold(hostOf(m), host) {
			return true
		}
	}
	return false
}

func hostOf(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// picture returns the image to send as pic: the cover (a graphic's first
// page), else the first image.
func picture(r *content.Revision) (content.ImageRef, bool) {
	if c, ok := r.Cover(); ok {
		return c, true
	}
	if ims := r.ImagesByRole(content.RoleImage); len(ims) > 0 {
		return ims[0], true
	}
	return content.ImageRef{}, false
}

// Publish posts one delivery through statuses/share.
func (c *Channel) Publish(ctx context.Context, acct *configs.Account, p channels.Publication) (channels.Result, error) {
	now := c.now()
	recent, err := c.store.PublishedSince(ctx, acct.ID, now.Add(-time.Hour))
	if err != nil {
		return channels.Result{}, err
	}
	if len(recent) >= PostsPerHour {
		retry := recent[len(recent)-PostsPerHour].Add(time.Hour)
		return channels.Result{}, &channels.Error{Class: channels.ClassQuota, RetryAt: retry,
			Message: fmt.Sprintf("微博每小时最多发布%d条，%s 后继续", PostsPerHour, retry.In(c.loc).Format("15:04"))}
	}
	text := BuildText(p.Kind, &p.Revision, acct.LinkURL)
	var pic []byte
	picName := ""
	if im, ok := picture(&p.Revision); ok {
		if im.MIME == "image/bmp" {
			return channels.Result{}, &channels.Error{Class: channels.ClassContent, Message: "微博配图不支持 BMP 格式：请换成 JPG 或 PNG"}
		}
		if pic, err = c.store.ImageData(ctx, im.SHA256); err != nil {
			return channels.Result{}, err
		}
		picName = "pic" + strings.TrimPrefix(im.MIME, "image/")
	}
	if err := channels.StopIfCancelled(ctx, p); err != nil {
		return channels.Result{}, err
	}
	// Rule 4: before the call, record that this delivery is making it (the
	// first such call's time is kept across attempts), so that a 20019 can
	// tell this delivery's own earlier post from someone else's.
	earlier, hadEarlier := firstCall(p.Progress)
	first := now
	if hadEarlier {
		first = earlier
	}
	if err := c.store.SaveProgress(ctx, p.DeliveryID, p.AttemptID, progressOf(first)); err != nil {
		return channels.Result{}, err
	}
	st, err := c.client.Share(ctx, acct.AccessToken, text, pic, picName)
	if err == nil {
		return c.result(acct, st), nil
	}
	var api *APIError
	if errors.As(err, &api) && api.Code == 20019 {
		return c.repeated(ctx, acct, p, text, earlier, hadEarlier, err)
	}
	return channels.Result{}, c.classify(err, true)
}

// progressPrefix marks the channel's progress: the time of the delivery's
// first statuses/share call.
const progressPrefix = "weibo-share:"

func progressOf(t time.Time) string { return progressPrefix + t.UTC().Format(time.RFC3339Nano) }

// firstCall reads the time of an earlier attempt's statuses/share call
// from the delivery's progress.
func firstCall(progress string) (time.Time, bool) {
	v, ok := strings.CutPrefix(progress, progressPrefix)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	return t, err == nil
}

// clockSlack allows for the platform's clock and herald's disagreeing.
const clockSlack = 2 * time.Minute

// repeated settles a 20019 (the same text is already out on the account).
// It is published only when the post is this delivery's own earlier
// attempt: an earlier attempt recorded its call before making it, the post
// was made after that, and no other delivery of herald's owns the post.
// Otherwise the delivery fails, naming the item whose post it is.
func (c *Channel) repeated(ctx context.Context, acct *configs.Account, p channels.Publication, text string, earlier time.Time, hadEarlier bool, cause error) (channels.Result, error) {
	since := c.now().Add(-24 * time.Hour)
	if hadEarlier {
		since = earlier.Add(-clockSlack)
	}
	m, err := c.find(ctx, acct, p.DeliveryID, comparable(text), c.now().Add(-24*time.Hour))
	if err != nil {
		return channels.Result{}, err
	}
	if m.own != nil {
		if created, cerr := m.own.Created(); hadEarlier && cerr == nil && !created.Before(since) {
			res := c.result(acct, m.own)
			c.log.Info("weibo: 20019 is this delivery's earlier post", "account", acct.ID, "delivery", p.DeliveryID, "status", res.RemoteID)
			return res, nil
		}
	}
	msg := "与已发布的微博内容重复：24小时内此账号已发过相同文字（不是本稿件发出的）"
	if m.otherItem != 0 {
		msg = fmt.Sprintf("与已发布的微博内容重复：稿件 %d 已在此账号发过相同文字（%s）", m.otherItem, m.otherURL)
	}
	return channels.Result{}, &channels.Error{Class: channels.ClassContent, Code: 20019, Message: msg, Err: cause}
}

// match is what the account's timeline holds of a text.
type match struct {
	// own is the newest post of the text that no other delivery owns.
	own *Status
	// otherItem and otherURL name the item of another delivery that owns a
	// post of the text (0 if none).
	otherItem int64
	otherURL  string
}

// find searches the account's own timeline, newest first back to since,
// for posts of the text (comparable form), and asks the store whose they are.
func (c *Channel) find(ctx context.Context, acct *configs.Account, deliveryID int64, want string, since time.Time) (match, error) {
	var m match
	for page := 1; page <= 3; page++ {
		posts, err := c.client.Timeline(ctx, acct.AccessToken, 100, page)
		if err != nil {
			return m, c.classify(err, false)
		}
		for i := range posts {
			st := &posts[i]
			created, err := st.Created()
			if err == nil && created.Before(since) {
				return m, nil
			}
			if comparable(st.Text) != want {
				continue
			}
			res := c.result(acct, st)
			owner, item, found, err := c.store.PostOwner(ctx, acct.ID, res.RemoteID)
			if err != nil {
				return m, err
			}
			switch {
			case found && owner != deliveryID:
				if m.otherItem == 0 {
					m.otherItem, m.otherURL = item, res.URL
				}
			case m.own == nil:
				m.own = st
			}
		}
		if len(posts) < 100 {
			break
		}
	}
	return m, nil
}

func (c *Channel) result(acct *configs.Account, st *Status) channels.Result {
	id := st.IDStr
	if id == "" {
		id = fmt.Sprint(st.ID)
	}
	return channels.Result{RemoteID: id, URL: "https://weibo.com/" + acct.UID + "/" + id}
}

// classify sorts a Weibo error. publishing marks the posting call, where a
// lost answer means the outcome is unknown.
func (c *Channel) classify(err error, publishing bool) error {
	var tr *TransportError
	if errors.As(err, &tr) || errors.Is(err, context.DeadlineExceeded) {
		if publishing {
			return &channels.Error{Class: channels.ClassUnknown, Message: "微博未答复，正在核实是否已发出", Err: err}
		}
		return &channels.Error{Class: channels.ClassTransient, Message: "微博接口暂时无法访问", Err: err}
	}
	var api *APIError
	if !errors.As(err, &api) {
		return err
	}
	e := &channels.Error{Code: api.Code, Err: err}
	switch api.Code {
	case 10022, 10023, 10024, 20016:
		e.Class, e.Message, e.RetryAt = channels.ClassTransient, "微博调用频率超限，稍后重试", c.now().Add(time.Minute)
	case 21327, 21315, 21317:
		e.Class, e.Message = channels.ClassCredentials, "微博授权已过期，请重新授权"
	case 21332, 21314, 21316, 21301:
		e.Class, e.Message = channels.ClassCredentials, "微博授权无效，请重新授权"
	case 20012:
		e.Class, e.Message = channels.ClassContent, "微博正文超过140字"
	case 10017:
		e.Class, e.Message = channels.ClassContent, "微博拒绝：正文须含应用安全域名下的链接（检查账号的 link_url）"
	case 20019:
		e.Class, e.Message = channels.ClassContent, "微博拒绝重复内容：24小时内已发过相同文字"
	case 20005, 20006:
		e.Class, e.Message = channels.ClassContent, "微博配图不符合要求："+api.Msg
	default:
		if api.HTTPStatus >= 500 {
			e.Class, e.Message = channels.ClassTransient, "微博服务暂时不可用"
		} else {
			e.Class, e.Message = channels.ClassContent, "微博拒绝："+api.Msg
		}
	}
	return e
}

// comparable strips URLs (Weibo may shorten them) and spaces from a post's text.
func comparable(s string) string {
	return strings.Join(strings.Fields(urlPattern.ReplaceAllString(s, "")), "")
}

// Lookup searches the account's own timeline for this attempt's post: a
// post of the text made since the attempt started that no other delivery
// of herald's owns.
func (c *Channel) Lookup(ctx context.Context, acct *configs.Account, p channels.Publication) (channels.Outcome, channels.Result, error) {
	want := comparable(BuildText(p.Kind, &p.Revision, acct.LinkURL))
	m, err := c.find(ctx, acct, p.DeliveryID, want, p.AttemptStarted.Add(-clockSlack))
	if err != nil {
		return channels.StillUnknown, channels.Result{}, err
	}
	if m.own != nil {
		return channels.Published, c.result(acct, m.own), nil
	}
	return channels.NotPublished, channels.Result{}, nil
}

// Check verifies the account's token: expiry date first, then users/show.
func (c *Channel) Check(ctx context.Context, acct *configs.Account) error {
	if exp, ok := acct.TokenExpiry(c.loc); ok && !c.now().Before(exp) {
		return &channels.Error{Class: channels.ClassCredentials, Code: 21327, Message: "微博授权已过期，请重新授权"}
	}
	if _, err := c.client.UserShow(ctx, acct.AccessToken, acct.UID); err != nil {
		return c.classify(err, false)
	}
	return nil
}

// TokenDaysLeft returns whole days until the account's token expires, and
// whether an expiry is configured.
func TokenDaysLeft(acct *configs.Account, now time.Time, loc *time.Location) (int, bool) {
	exp, ok := acct.TokenExpiry(loc)
	if !ok {
		return 0, false
	}
	y, m, d := now.In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, loc)
	return int(exp.Sub(today).Hours()/24) - 1, true
}

// ExpiryWarnDays is how many days before a token lapses herald warns.
const ExpiryWarnDays = 7

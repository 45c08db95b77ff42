package wechat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
)

// Media kinds in the store's platform_media map.
const (
	mediaMaterial = "wechat_material" // permanent image: cover, newspic page
	mediaBodyImg  = "wechat_uploadimg"
)

// Store is what the WeChat channel needs from herald's store.
type Store interface {
	channels.Store
	KV
	// MassSendAt returns when a mass send was recorded for a delivery.
	MassSendAt(ctx context.Context, deliveryID int64) (time.Time, bool, error)
	// ForgetMassSend drops the record of a mass send the platform refused.
	ForgetMassSend(ctx context.Context, deliveryID int64) error
}

// Options tune the channel; zero values take the defaults.
type Options struct {
	// PollFor bounds how long Publish polls freepublish/get before handing
	// the attempt over as unknown (default 2 minutes).
	PollFor time.Duration
	// PollEvery is the first poll interval; it doubles up to 10 s (default 1 s).
	PollEvery time.Duration
	// SettleWindow: a lookup that finds nothing for an attempt younger than
	// this says StillUnknown, since a publish the platform accepted may not
	// be listed yet (default 15 minutes).
	SettleWindow time.Duration
	// Now is the clock (nil: the wall clock): settle windows, quotas,
	// tokens. How long a poll waits is real time whatever the clock.
	Now func() time.Time
}

// Channel publishes to WeChat official accounts.
type Channel struct {
	store  Store
	stable bool
	loc    *time.Location
	now    func() time.Time
	log    *slog.Logger
	opts   Options
	ep     *endpoint // where calls go and how long they may take
	tokens *tokenMemo

	mu       sync.Mutex
	accounts map[string]*account
}

// New returns the WeChat channel for the config's wechat.api_base and
// wechat.timeout; channels with different settings coexist in one process.
func New(cfg *configs.Config, store Store, log *slog.Logger, opts Options) *Channel {
	if opts.PollFor == 0 {
		opts.PollFor = 2 * time.Minute
	}
	if opts.PollEvery == 0 {
		opts.PollEvery = time.Second
	}
	if opts.SettleWindow == 0 {
		opts.SettleWindow = 15 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Channel{store: store, stable: cfg.WeChat.StableToken, loc: cfg.Location, now: opts.Now, log: log, opts: opts,
		ep: newEndpoint(cfg.WeChat.APIBase, cfg.WeChat.Timeout, cfg.Delivery.Workers), tokens: newTokenMemo(store, opts.Now), accounts: map[string]*account{}}
}

// Platform is "wechat".
func (c *Channel) Platform() string { return configs.PlatformWeChat }

func (c *Channel) account(acct *configs.Account) *account {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.accounts[acct.ID]
	if !ok {
		a = newAccount(acct.AppID, acct.AppSecret, c.stable, c.tokens, c.ep)
		c.accounts[acct.ID] = a
	}
	return a
}

// draftArticle is a draft/add article with the fields the library lacks.
type draftArticle struct {
	ArticleType        string     `json:"article_type"`
	Title              string     `json:"title"`
	Author             string     `json:"author,omitempty"`
	Digest             string     `json:"digest,omitempty"`
	Content            string     `json:"content"`
	ContentSourceURL   string     `json:"content_source_url,omitempty"`
	ThumbMediaID       string     `json:"thumb_media_id,omitempty"`
	NeedOpenComment    int        `json:"need_open_comment"`
	OnlyFansCanComment int        `json:"only_fans_can_comment"`
	ImageInfo          *imageInfo `json:"image_info,omitempty"`
}

type imageInfo struct {
	ImageList []imageItem `json:"image_list"`
}

type imageItem struct {
	ImageMediaID string `json:"image_media_id"`
}

// Title is what herald titles an item on WeChat: a short post without a
// title takes the opening of its text.
func Title(kind content.Kind, r *content.Revision) string {
	t := strings.TrimSpace(r.Title)
	if t == "" && kind == content.KindShort {
		runes := []rune(strings.Join(strings.Fields(r.Body), " "))
		if len(runes) > content.WeChatTitleMax {
			runes = append(runes[:content.WeChatTitleMax-1], '…')
		}
		t = string(runes)
	}
	return t
}

// Publish runs draft/add, freepublish/submit and freepublish/get for one
// attempt, uploading images first (each once per account). An item that
// notifies followers is published by the mass send of its draft instead
// (never freepublish and a mass send: followers would see it twice), while
// the account's mass-send quota allows; else it is published without
// notification and the result's note says so.
func (c *Channel) Publish(ctx context.Context, acct *configs.Account, p channels.Publication) (channels.Result, error) {
	a := c.account(acct)
	prog := parseProgress(p.Progress)
	if prog.MassMsgID != "" {
		return c.massResult(ctx, a, p, prog.MassMsgID) // an accepted mass send: find out how it went
	}
	publishID, draftID := prog.PublishID, prog.Draft
	note := ""
	if p.Notify && publishID == "" {
		res, fallback, err := c.publishByMassSend(ctx, acct, a, p, &draftID)
		if fallback == "" {
			return res, err
		}
		note = fallback // no quota left: published without notification
	}
	if publishID == "" {
		reused := draftID != ""
		if !reused {
			art, err := c.buildArticle(ctx, acct, a, p)
			if err != nil {
				return channels.Result{}, err
			}
			var d struct {
				MediaID string `json:"media_id"`
			}
			if err := a.postJSON(ctx, "/cgi-bin/draft/add", map[string]any{"articles": []draftArticle{art}}, &d); err != nil {
				return channels.Result{}, c.classify(err, false)
			}
			draftID = d.MediaID
			// The draft is this delivery's idempotency key: a retry submits this
			// draft again rather than making another.
			if err := c.saveProgress(ctx, p, progress{Draft: draftID}.String()); err != nil {
				return channels.Result{}, err
			}
		}
		if !reused { // a fresh draft: nothing of this delivery can be out yet
			if err := channels.StopIfCancelled(ctx, p); err != nil {
				return channels.Result{}, err
			}
		}
		var sub struct {
			PublishID flexString `json:"publish_id"`
			MsgDataID flexString `json:"msg_data_id"`
		}
		// The one call that can publish: a lost answer here is unknown.
		if err := a.postJSON(ctx, "/cgi-bin/freepublish/submit", map[string]string{"media_id": draftID}, &sub); err != nil {
			var ae *apiError
			if reused && errors.As(err, &ae) && ae.Code == 40007 {
				// The saved draft is no longer submittable: an earlier attempt did
				// submit it. Never make a new draft; find out what happened.
				return channels.Result{}, &channels.Error{Class: channels.ClassUnknown, Code: 40007, Message: "该草稿此前已提交发布，正在核实结果", Err: err}
			}
			return channels.Result{}, c.classify(err, true)
		}
		publishID = string(sub.PublishID)
		c.saveMsgDataID(ctx, p, string(sub.MsgDataID))
		if err := c.saveProgress(ctx, p, progress{Draft: draftID, PublishID: publishID}.String()); err != nil {
			return channels.Result{}, &channels.Error{Class: channels.ClassUnknown, Message: "已提交发布，但发布编号未能保存，正在核实", Err: err}
		}
	}
	res, err := c.poll(ctx, a, publishID)
	if err != nil {
		return channels.Result{}, err
	}
	res.Note = note
	return res, nil
}

// saveProgress records the delivery's progress, retrying briefly: losing a
// publish_id after the platform accepted the publish would force a slower
// lookup.
func (c *Channel) saveProgress(ctx context.Context, p channels.Publication, prog string) error {
	var err error
	for i := 0; i < 5; i++ {
		if err = c.store.SaveProgress(ctx, p.DeliveryID, p.AttemptID, prog); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(i+1) * 100 * time.Millisecond):
		}
	}
	return err
}

type publishStatus struct {
	PublishStatus int        `json:"publish_status"`
	ArticleID     string     `json:"article_id"`
	PublishID     flexString `json:"publish_id"`
	ArticleDetail struct {
		Item []struct {
			Idx        int    `json:"idx"`
			ArticleURL string `json:"article_url"`
		} `json:"item"`
	} `json:"article_detail"`
	FailIdx []int `json:"fail_idx"`
}

func (c *Channel) status(ctx context.Context, a *account, publishID string) (publishStatus, error) {
	var st publishStatus
	err := a.postJSON(ctx, "/cgi-bin/freepublish/get", map[string]string{"publish_id": publishID}, &st)
	return st, err
}

// poll asks freepublish/get with backoff until a final status or PollFor.
func (c *Channel) poll(ctx context.Context, a *account, publishID string) (channels.Result, error) {
	deadline := time.Now().Add(c.opts.PollFor) // a real wait, not the clock's
	wait := c.opts.PollEvery
	for {
		st, err := c.status(ctx, a, publishID)
		if err != nil {
			if channels.ClassOf(c.classify(err, false)) == channels.ClassTransient {
				// The publish was submitted: a failing status call leaves it unknown, not failed.
				return channels.Result{}, &channels.Error{Class: channels.ClassUnknown, Message: "已提交发布，暂时查不到结果，稍后核实", Err: err}
			}
			return channels.Result{}, c.classify(err, false)
		}
		if res, done, err := statusResult(publishID, st); done {
			return res, err
		}
		if !time.Now().Add(wait).Before(deadline) {
			return channels.Result{}, &channels.Error{Class: channels.ClassUnknown, Message: "微信仍在发布中，稍后核实结果"}
		}
		select {
		case <-ctx.Done():
			return channels.Result{}, &channels.Error{Class: channels.ClassUnknown, Message: "已提交发布，等待结果时中断，稍后核实", Err: ctx.Err()}
		case <-time.After(wait):
		}
		wait = min(wait*2, 10*time.Second)
	}
}

// statusResult turns a final publish status into a result or a content
// error; done is false while publishing.
func statusResult(publishID string, st publishStatus) (channels.Result, bool, error) {
	switch st.PublishStatus {
	case 0:
		url := ""
		if len(st.ArticleDetail.Item) > 0 {
			url = st.ArticleDetail.Item[0].ArticleURL
		}
		return channels.Result{RemoteID: publishID, URL: url}, true, nil
	case 1:
		return channels.Result{}, false, nil
	}
	reasons := map[int]string{
		2: "原创声明校验未通过",
		3: "发布失败（平台常规失败）",
		4: "未通过微信平台审核",
		5: "发布成功后已被删除",
		6: "发布成功后被平台封禁",
	}
	msg, ok := reasons[st.PublishStatus]
	if !ok {
		msg = fmt.Sprintf("微信返回未知发布状态 %d", st.PublishStatus)
	}
	return channels.Result{}, true, &channels.Error{Class: channels.ClassContent, Code: st.PublishStatus, Message: msg}
}

// buildArticle uploads what the article needs and builds the draft article.
func (c *Channel) buildArticle(ctx context.Context, acct *configs.Account, a *account, p channels.Publication) (draftArticle, error) {
	r := &p.Revision
	art := draftArticle{Title: Title(p.Kind, r), Author: r.Author, Digest: r.Digest, ContentSourceURL: r.SourceURL}
	switch p.Kind {
	case content.KindArticle, content.KindBroadcast:
		art.ArticleType = "news"
		cover, ok := r.Cover()
		if !ok {
			return art, &channels.Error{Class: channels.ClassContent, Message: "缺少封面图：微信图文必须有封面"}
		}
		id, _, err := c.material(ctx, acct, a, cover)
		if err != nil {
			return art, err
		}
		art.ThumbMediaID = id
		if p.Kind == content.KindBroadcast {
			var srcs []string
			for _, im := range r.ImagesByRole(content.RoleCover, content.RoleImage) {
				u, err := c.bodyImage(ctx, acct, a, im)
				if err != nil {
					return art, err
				}
				srcs = append(srcs, u)
			}
			if r.Broadcast == nil {
				return art, &channels.Error{Class: channels.ClassContent, Message: "检查播报缺少检查信息"}
			}
			art.Content = content.RenderBroadcastHTML(r.Broadcast, p.Department, srcs)
		} else {
			html, err := c.rehostBody(ctx, acct, a, r)
			if err != nil {
				return art, err
			}
			art.Content = html
		}
	case content.KindGraphic, content.KindShort:
		// A policy graphic (or a short post with pictures) goes out as an
		// image post: newspic, the first image the cover.
		art.ArticleType = "newspic"
		pics := r.ImagesByRole(content.RoleCover, content.RoleImage)
		if len(pics) == 0 {
			return art, &channels.Error{Class: channels.ClassContent, Message: "图片消息至少需要一张图片"}
		}
		info := &imageInfo{}
		for _, im := range pics {
			id, _, err := c.material(ctx, acct, a, im)
			if err != nil {
				return art, err
			}
			info.ImageList = append(info.ImageList, imageItem{ImageMediaID: id})
		}
		art.ImageInfo = info
		text := r.Digest
		if p.Kind == content.KindShort {
			text = r.Body
		}
		if text == "" {
			text = r.Title
		}
		art.Content = text
		art.Digest = ""
	default:
		return art, &channels.Error{Class: channels.ClassContent, Message: "未知的稿件类型 " + string(p.Kind)}
	}
	if utf8.RuneCountInString(art.Digest) > content.WeChatDigestMax {
		art.Digest = string([]rune(art.Digest)[:content.WeChatDigestMax])
	}
	return art, nil
}

// rehostBody replaces every herald image in the body by its uploadimg URL.
func (c *Channel) rehostBody(ctx context.Context, acct *configs.Account, a *account, r *content.Revision) (string, error) {
	urls := map[string]string{}
	for _, im := range r.ImagesByRole(content.RoleBody) {
		u, err := c.bodyImage(ctx, acct, a, im)
		if err != nil {
			return "", err
		}
		urls[content.ImageSrcPrefix+im.SHA256] = u
	}
	out, err := content.RewriteImageSources(r.Body, func(src string) string {
		if u, ok := urls[src]; ok {
			return u
		}
		return src
	})
	if err != nil {
		return "", &channels.Error{Class: channels.ClassContent, Message: "正文 HTML 无法处理", Err: err}
	}
	return out, nil
}

// material returns the account's permanent image for these bytes, uploading
// them the first time only.
func (c *Channel) material(ctx context.Context, acct *configs.Account, a *account, im content.ImageRef) (string, string, error) {
	if id, url, err := c.store.Media(ctx, acct.ID, im.SHA256, mediaMaterial); err == nil {
		return id, url, nil
	}
	data, err := c.store.ImageData(ctx, im.SHA256)
	if err != nil {
		return "", "", err
	}
	id, url, err := a.upload(ctx, "/cgi-bin/material/add_material", "&type=image", "image"+extOf(im.MIME), data)
	if err != nil {
		return "", "", c.classify(err, false)
	}
	if id == "" {
		return "", "", &channels.Error{Class: channels.ClassTransient, Message: "微信上传图片未返回素材编号"}
	}
	if err := c.store.SaveMedia(ctx, acct.ID, im.SHA256, mediaMaterial, id, url); err != nil {
		return "", "", err
	}
	return id, url, nil
}

// bodyImage returns the account's uploadimg URL for these bytes, uploading
// them the first time only.
func (c *Channel) bodyImage(ctx context.Context, acct *configs.Account, a *account, im content.ImageRef) (string, error) {
	if _, url, err := c.store.Media(ctx, acct.ID, im.SHA256, mediaBodyImg); err == nil {
		return url, nil
	}
	data, err := c.store.ImageData(ctx, im.SHA256)
	if err != nil {
		return "", err
	}
	_, url, err := a.upload(ctx, "/cgi-bin/media/uploadimg", "", "image"+extOf(im.MIME), data)
	if err != nil {
		return "", c.classify(err, false)
	}
	if url == "" {
		return "", &channels.Error{Class: channels.ClassTransient, Message: "微信上传正文图片未返回地址"}
	}
	if err := c.store.SaveMedia(ctx, acct.ID, im.SHA256, mediaBodyImg, "", url); err != nil {
		return "", err
	}
	return url, nil
}

func extOf(mime string) string {
	switch mime {
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "image/bmp":
		return ".bmp"
	}
	return ".jpg"
}

// Lookup finds out what an attempt did: by the mass send's msg_id or the
// publish_id when one was recorded, else by matching title and time in the
// published list.
func (c *Channel) Lookup(ctx context.Context, acct *configs.Account, p channels.Publication) (channels.Outcome, channels.Result, error) {
	a := c.account(acct)
	prog := parseProgress(p.Progress)
	if prog.MassMsgID != "" {
		return c.massLookup(ctx, a, p, prog.MassMsgID)
	}
	if p.Notify && prog.Draft != "" && prog.PublishID == "" {
		at, counted, err := c.store.MassSendAt(ctx, p.DeliveryID)
		if err != nil {
			return channels.StillUnknown, channels.Result{}, &channels.Error{Class: channels.ClassTransient, Message: "未能读取群发记录", Err: err}
		}
		if counted { // a mass send whose answer was lost: ask the draft it used
			return c.massDraftLookup(ctx, a, p, prog.Draft, at)
		}
	}
	if publishID := prog.PublishID; publishID != "" {
		st, err := c.status(ctx, a, publishID)
		if err != nil {
			return channels.StillUnknown, channels.Result{}, c.classify(err, false)
		}
		res, done, err := statusResult(publishID, st)
		switch {
		case !done:
			return channels.StillUnknown, channels.Result{}, nil
		case err != nil:
			return channels.Failed, channels.Result{}, err
		}
		return channels.Published, res, nil
	}
	res, found, err := c.findListed(ctx, a, Title(p.Kind, &p.Revision), p.AttemptStarted.Add(-time.Minute))
	if err != nil {
		return channels.StillUnknown, channels.Result{}, err
	}
	if found {
		return channels.Published, res, nil
	}
	if c.now().Sub(p.AttemptStarted) < c.opts.SettleWindow {
		return channels.StillUnknown, channels.Result{}, nil
	}
	return channels.NotPublished, channels.Result{}, nil
}

// findListed looks for an article with this title published at or after
// since in the account's published list (newest first, up to 100 entries).
func (c *Channel) findListed(ctx context.Context, a *account, title string, since time.Time) (channels.Result, bool, error) {
	for offset := 0; offset < 100; offset += 20 {
		var list batchPage // a deleted article still went out: is_deleted is not looked at
		err := a.postJSON(ctx, "/cgi-bin/freepublish/batchget", map[string]int{"offset": offset, "count": 20, "no_content": 1}, &list)
		if err != nil {
			return channels.Result{}, false, c.classify(err, false)
		}
		older := false
		for _, it := range list.Item {
			at := time.Unix(it.UpdateTime, 0)
			if at.Before(since) {
				older = true
				continue
			}
			for _, n := range it.Content.NewsItem {
				if n.Title == title {
					return channels.Result{RemoteID: it.ArticleID, URL: n.URL}, true, nil
				}
			}
		}
		if older || len(list.Item) < 20 {
			break
		}
	}
	return channels.Result{}, false, nil
}

// Check verifies the account's credentials: a token (from the cache when it
// has one, so no other process's token is invalidated) and one call to the
// publishing API.
func (c *Channel) Check(ctx context.Context, acct *configs.Account) error {
	a := c.account(acct)
	err := a.postJSON(ctx, "/cgi-bin/freepublish/batchget", map[string]int{"offset": 0, "count": 1, "no_content": 1}, nil)
	if err != nil {
		return c.classify(err, false)
	}
	return nil
}

// clerkMessages are what a clerk is told for codes that need a person.
var clerkMessages = map[int]string{
	40001: "access_token 无效：可能有其他系统在用同一 AppSecret 获取令牌",
	40013: "AppID 无效：请核对配置中的 app_id",
	40125: "AppSecret 错误或已重置：请在公众平台核对后更新配置",
	40164: "服务器IP未加入公众号IP白名单：请在公众平台“基本配置”中添加",
	40243: "AppSecret 已被冻结：请在公众平台解冻",
	48001: "该公众号没有此接口权限（发布接口需已认证的公众号）",
	41001: "缺少 access_token",
	45009: "该接口今日调用次数已达上限，明天继续",
	45028: "群发额度已用完",
	47001: "请求格式错误（herald 的缺陷，请报告）",
	53503: "草稿未通过发布检查",
	53504: "需前往公众平台操作：该草稿不能直接发布",
	53505: "请手动保存草稿后再发布",
	40007: "素材编号无效",
	40005: "图片格式不被微信接受",
	40009: "图片大小超过微信上限",
	45002: "正文超过微信上限",
	45003: "标题超过32字",
	45004: "摘要超过128字",
	45005: "原文链接过长",
	45110: "作者超过16字",
}

// classify sorts an error from the library or the platform. publishing
// marks freepublish/submit, where a lost answer means the outcome is unknown.
func (c *Channel) classify(err error, publishing bool) error {
	var ce *channels.Error
	if errors.As(err, &ce) {
		return ce
	}
	var tr *transportError
	if errors.As(err, &tr) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		if publishing {
			return &channels.Error{Class: channels.ClassUnknown, Message: "微信未答复发布请求，正在核实是否已发布", Err: err}
		}
		return &channels.Error{Class: channels.ClassTransient, Message: "微信接口暂时无法访问", Err: err}
	}
	var ae *apiError
	if !errors.As(err, &ae) {
		return err
	}
	msg, ok := clerkMessages[ae.Code]
	if !ok {
		msg = "微信拒绝：" + strings.TrimSpace(ae.Msg)
	}
	e := &channels.Error{Code: ae.Code, Message: msg, Err: err}
	switch ae.Code {
	case -1:
		e.Class, e.Message = channels.ClassTransient, "微信系统繁忙，稍后重试"
	case 45011:
		e.Class, e.Message, e.RetryAt = channels.ClassTransient, "微信接口调用频率超限，下一分钟重试", c.now().Add(time.Minute)
	case 45009, 45028:
		e.Class, e.RetryAt = channels.ClassQuota, channels.NextLocalMidnight(c.now(), c.loc)
	case 40001, 42001, 40013, 40125, 40164, 40243, 48001, 41001:
		e.Class = channels.ClassCredentials
	default:
		e.Class = channels.ClassContent
	}
	return e
}

package wechat

import (
	"context"
	"fmt"
	"strconv"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
)

// PreviewDailyLimit is how many previews WeChat sends for one account a day.
const PreviewDailyLimit = 100

// Preview sends a revision to one person's WeChat (their WeChat ID) as the
// article will look, through message/mass/preview: a draft made for the
// purpose, previewed, then deleted. Nothing is published, so a lost answer
// or a crash here at worst leaves a stray draft in the account's draft box
// (never a publication); the reviewer asks again. herald counts previews per
// account and local day and refuses the 101st before calling WeChat; the
// count is raised before the call, so a crash may spend one without a
// preview, never exceed the platform's limit.
func (c *Channel) Preview(ctx context.Context, acct *configs.Account, p channels.Publication, wxName string) error {
	key := fmt.Sprintf("wechat-preview:%s:%s", acct.ID, c.now().In(c.loc).Format("2006-01-02"))
	used := 0
	if v, err := c.store.GetValue(ctx, key); err == nil {
		used, _ = strconv.Atoi(v)
	}
	if used >= PreviewDailyLimit {
		return &channels.Error{Class: channels.ClassQuota, Message: fmt.Sprintf("%s 今天的 %d 次预览已用完，明天再试（微信限制）", acct.Name, PreviewDailyLimit),
			RetryAt: channels.NextLocalMidnight(c.now(), c.loc)}
	}
	if err := c.store.SetValue(ctx, key, strconv.Itoa(used+1), 0); err != nil {
		return err
	}
	a := c.account(acct)
	art, err := c.buildArticle(ctx, acct, a, p)
	if err != nil {
		return err
	}
	var d struct {
		MediaID string `json:"media_id"`
	}
	if err := a.postJSON(ctx, "/cgi-bin/draft/add", map[string]any{"articles": []draftArticle{art}}, &d); err != nil {
		return c.classify(err, false)
	}
	defer func() {
		// The draft was only for the preview: remove it, whatever happened.
		if err := a.postJSON(context.WithoutCancel(ctx), "/cgi-bin/draft/delete", map[string]string{"media_id": d.MediaID}, nil); err != nil {
			c.log.Warn("preview draft not deleted", "account", acct.ID, "err", c.classify(err, false))
		}
	}()
	err = a.postJSON(ctx, "/cgi-bin/message/mass/preview", map[string]any{
		"towxname": wxName, "mpnews": map[string]string{"media_id": d.MediaID}, "msgtype": "mpnews"}, nil)
	if err != nil {
		return c.classify(err, false)
	}
	return nil
}

package main

import (
	"context"
	"fmt"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/channels/wechat"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/storage"
)

// seedDemoInbox shows 回应 in the demo: citizens comment under an article
// herald published, write to a 公众号 and comment on and mention a Weibo
// account; one comment is five days old and overdue. Comments and mentions
// are read from the sandbox through the real channels (herald inbox sync);
// the messages come in as WeChat's push would bring them.
func seedDemoInbox(ctx context.Context, a *app, d *daemon, sb *sandbox.Server, cfg *configs.Config) error {
	snap := sb.Snapshot()
	now := time.Now()
	var wx *configs.Account
	var art sandbox.Article
	for i := range cfg.Accounts {
		acct := &cfg.Accounts[i]
		if acct.Platform != configs.PlatformWeChat {
			continue
		}
		for _, p := range snap.WeChat[acct.AppID].Published {
			if p.MsgDataID != 0 && !p.ByHand {
				wx, art = acct, p
				break
			}
		}
		if wx != nil {
			break
		}
	}
	if wx == nil {
		return nil
	}
	comments := []struct {
		who, text string
		ago       time.Duration
	}{
		{"o-demo-li", "请问这项政策什么时候开始执行？我们村符合条件吗？", 5 * 24 * time.Hour}, // overdue
		{"o-demo-wang", "办理地点在县政务服务中心几楼？周末能办吗？", 3 * time.Hour},
		{"o-demo-zhao", "点赞！希望多发这样的解读。", 40 * time.Minute},
	}
	for _, c := range comments {
		if _, err := sb.LeaveComment(wx.AppID, art.MsgDataID, art.Index-1, c.who, c.text, now.Add(-c.ago)); err != nil {
			return fmt.Errorf("demo: comment: %w", err)
		}
	}
	for _, m := range []struct{ who, text string }{
		{"o-demo-chen", "你好，孩子的医保卡丢了，在哪里补办？"},
		{"o-demo-sun", "东溪镇老街的路灯坏了好几天了，晚上很不安全。"},
	} {
		msg, _, err := sb.LeaveMessage(ctx, wx.AppID, m.who, m.text, now.Add(-2*time.Hour))
		if err != nil {
			return fmt.Errorf("demo: message: %w", err)
		}
		p, err := wechat.ParsePush([]byte(sandbox.MessageXML(msg)))
		if err != nil {
			return err
		}
		if _, err := d.inbox.Add(ctx, wx, []channels.Incoming{*p.Message}); err != nil {
			return err
		}
	}
	for i := range cfg.Accounts {
		acct := &cfg.Accounts[i]
		posts := snap.Weibo[acct.UID].Posts
		if acct.Platform != configs.PlatformWeibo || len(posts) == 0 {
			continue
		}
		if _, err := sb.CommentOnPost(acct.UID, posts[0].ID, "5201314", "青山网友", "这个活动在哪里报名？", now.Add(-90*time.Minute)); err != nil {
			return err
		}
		if _, err := sb.Mention(acct.UID, "6600123", "热心市民老周", "县城南门菜市场门口占道经营严重，请管一管。", now.Add(-30*time.Minute)); err != nil {
			return err
		}
		break
	}
	res := d.inbox.Sync(ctx, nil)
	open, err := d.store.InboxEntries(ctx, storage.InboxFilter{States: []string{storage.InboxOpen}})
	if err != nil {
		return err
	}
	overdue := 0
	for _, e := range open {
		if d.inbox.Overdue(e) {
			overdue++
		}
	}
	fmt.Fprintf(a.stdout, "inbox: %d entries to answer, %d overdue (%d read from the platforms; console 互动 page, herald inbox list)\n",
		len(open), overdue, len(res.Added))
	return nil
}

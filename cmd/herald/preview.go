package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/channels/wechat"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// previewItem sends an item's current revision to one person's WeChat
// through one of its WeChat accounts (the first one it targets unless
// accountID names another) and audits it. It returns the account used.
func previewItem(ctx context.Context, cfg *configs.Config, st *storage.Store, q *queue.Service, wc *wechat.Channel, actor queue.Actor, it content.Item, accountID, wxName string) (*configs.Account, error) {
	wxName = strings.TrimSpace(wxName)
	if wxName == "" {
		return nil, errors.New("请写预览接收人的微信号")
	}
	ds, err := st.Deliveries(ctx, it.ID)
	if err != nil {
		return nil, err
	}
	if accountID == "" {
		for _, d := range ds {
			if d.Platform == configs.PlatformWeChat {
				accountID = d.Account
				break
			}
		}
		if accountID == "" {
			return nil, errors.New("此稿件不发往微信公众号：请用 --account 指定一个公众号")
		}
	}
	acct, ok := cfg.Account(accountID)
	if !ok || acct.Platform != configs.PlatformWeChat {
		return nil, fmt.Errorf("%s 不是配置中的微信公众号", accountID)
	}
	visible, err := q.AccountIDs(ctx, actor)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(visible, accountID) {
		return nil, fmt.Errorf("无权使用公众号 %s 发送预览", accountID)
	}
	pub := channels.Publication{Kind: it.Kind, Revision: it.Revision}
	if d, ok := cfg.Department(it.Department); ok {
		pub.Department = d.Name
	}
	if err := wc.Preview(ctx, acct, pub, wxName); err != nil {
		return acct, err
	}
	_ = st.AddAudit(ctx, storage.AuditEntry{Actor: actor.Name, Action: "preview", ItemID: it.ID, RevisionID: it.Revision.ID, Account: acct.ID,
		Detail: fmt.Sprintf("第%d版经 %s 预览发送给微信号 %s", it.Revision.Number, acct.Name, wxName)})
	return acct, nil
}

// cmdPostPreview sends the current revision to a reviewer's phone.
func cmdPostPreview(ctx context.Context, a *app, args []string) error {
	fs := a.flags("post preview")
	cfgPath := fs.String("config", "", "配置文件")
	wxName := fs.String("to-wxname", "", "接收预览的微信号")
	account := fs.String("account", "", "发送预览的公众号（默认稿件的第一个公众号）")
	af := addActorFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	id, err := oneID(fs)
	if err != nil {
		return err
	}
	if *wxName == "" {
		return usagef("请用 --to-wxname 写明接收预览的微信号")
	}
	return a.withQueue(ctx, *cfgPath, af, func(cfg *configs.Config, st *storage.Store, q *queue.Service, actor queue.Actor) error {
		it, err := q.Item(ctx, actor, id)
		if err != nil {
			return err
		}
		wc, _, _ := newChannels(cfg, st, a.log)
		acct, err := previewItem(ctx, cfg, st, q, wc, actor, it, *account, *wxName)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "已通过 %s 把《%s》第%d版预览发送给微信号 %s\n", acct.Name, it.Revision.Title, it.Revision.Number, *wxName)
		return nil
	})
}

package wechat

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
)

var _ channels.Retracter = (*Channel)(nil)

// Retract deletes a published delivery: a mass send by message/mass/delete
// (msg_id), a freepublish by freepublish/delete (the article_id, found with
// freepublish/get from the publish_id). Both are irreversible. An article
// already deleted (publish status 5, or a mass send whose status is DELETE)
// is not an error.
func (c *Channel) Retract(ctx context.Context, acct *configs.Account, remoteID string) error {
	a := c.account(acct)
	if msgID, ok := strings.CutPrefix(remoteID, massPrefix); ok {
		id, err := strconv.ParseInt(msgID, 10, 64)
		if err != nil {
			return &channels.Error{Class: channels.ClassContent, Message: "群发编号无效：" + msgID}
		}
		if err := a.postJSON(ctx, "/cgi-bin/message/mass/delete", map[string]int64{"msg_id": id, "article_idx": 0}, nil); err != nil {
			return c.classify(err, false)
		}
		return nil
	}
	articleID := remoteID
	if _, err := strconv.ParseUint(remoteID, 10, 64); err == nil { // a publish_id
		st, err := c.status(ctx, a, remoteID)
		if err != nil {
			return c.classify(err, false)
		}
		switch st.PublishStatus {
		case 5:
			return nil // already deleted
		case 0:
			articleID = st.ArticleID
		default:
			return &channels.Error{Class: channels.ClassContent, Code: st.PublishStatus, Message: "微信上该文章不是已发布状态，无需删除"}
		}
	}
	if articleID == "" || strings.HasPrefix(articleID, legacyDraftPrefix) {
		return &channels.Error{Class: channels.ClassContent, Message: "herald 没有该文章的编号，无法删除：请在公众平台「发表记录」中手动删除"}
	}
	err := a.postJSON(ctx, "/cgi-bin/freepublish/delete", map[string]any{"article_id": articleID, "index": 0}, nil)
	var ae *apiError
	if errors.As(err, &ae) && ae.Code == 53600 {
		return &channels.Error{Class: channels.ClassContent, Code: ae.Code, Message: "微信找不到该文章（编号无效），可能已在公众平台删除", Err: err}
	}
	if err != nil {
		return c.classify(err, false)
	}
	return nil
}

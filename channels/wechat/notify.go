package wechat

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
)

// massPrefix marks a published delivery's remote id (channels.Result) that
// names a mass send: "mass:<msg_id>".
const massPrefix = "mass:"

// clientMsgIDWindow is how long WeChat deduplicates a clientmsgid (24 h),
// less a margin: within it, sending the same clientmsgid again is safe (the
// platform answers 45065 if the first one went out); beyond it, it is not.
const clientMsgIDWindow = 23 * time.Hour

// clientMsgID is the delivery's mass-send dedupe key: every attempt of one
// delivery sends the same one.
func clientMsgID(p channels.Publication) string {
	return "herald-" + strconv.FormatInt(p.DeliveryID, 10)
}

// publishByMassSend publishes a notifying item by the mass send of its draft
// (a mass send also publishes, and consumes the draft). The mass send is
// recorded, counting against the quota, before the call, so that a lost
// answer never lets herald call into 45028; a retry after a lost answer
// sends the same clientmsgid (45065 means the first one went out) and never
// falls back to freepublish.
//
// fallback is not empty when the account's mass-send quota is used up and no
// mass send was made for this delivery: the caller publishes the draft
// (*draftID, maybe made here) with freepublish, without notification, and
// fallback is the note for the clerk.
func (c *Channel) publishByMassSend(ctx context.Context, acct *configs.Account, a *account, p channels.Publication, draftID *string) (res channels.Result, fallback string, err error) {
	at, counted, err := c.store.MassSendAt(ctx, p.DeliveryID)
	if err != nil {
		return res, "", &channels.Error{Class: channels.ClassTransient, Message: "未能读取群发记录", Err: err}
	}
	if counted && c.now().Sub(at) > clientMsgIDWindow {
		// The platform no longer deduplicates the clientmsgid: sending again
		// could notify followers twice. A person must look.
		return res, "", &channels.Error{Class: channels.ClassContent, Message: "群发答复丢失已超过24小时，herald 无法确认是否已群发，不再重发：请在公众平台「发表记录」核实"}
	}
	if !counted {
		if note, err := c.massQuotaLeft(ctx, acct); err != nil || note != "" {
			if err != nil {
				return res, "", err
			}
			return res, note, nil
		}
	}
	if *draftID == "" {
		art, err := c.buildArticle(ctx, acct, a, p)
		if err != nil {
			return res, "", err
		}
		var d struct {
			MediaID string `json:"media_id"`
		}
		if err := a.postJSON(ctx, "/cgi-bin/draft/add", map[string]any{"articles": []draftArticle{art}}, &d); err != nil {
			return res, "", c.classify(err, false)
		}
		*draftID = d.MediaID
		if err := c.saveProgress(ctx, p, progress{Draft: d.MediaID}.String()); err != nil {
			return res, "", err
		}
	}
	if !counted {
		// No mass send of this delivery can be out yet: a cancel stops it here.
		if err := channels.StopIfCancelled(ctx, p); err != nil {
			return res, "", err
		}
		if err := c.store.RecordMassSend(ctx, p.DeliveryID, acct.ID); err != nil {
			return res, "", &channels.Error{Class: channels.ClassTransient, Message: "未能记录群发，未群发", Err: err}
		}
	}
	body := map[string]any{"filter": map[string]bool{"is_to_all": true}, "mpnews": map[string]string{"media_id": *draftID},
		"msgtype": "mpnews", "send_ignore_reprint": 0, "clientmsgid": clientMsgID(p)}
	var sent struct {
		MsgID     flexString `json:"msg_id"`
		MsgDataID flexString `json:"msg_data_id"`
	}
	// The one call that publishes (and notifies): a lost answer here is unknown.
	err = a.postJSON(ctx, "/cgi-bin/message/mass/sendall", body, &sent)
	var ae *apiError
	switch {
	case err == nil:
		msgID := string(sent.MsgID)
		c.saveMsgDataID(ctx, p, string(sent.MsgDataID))
		if serr := c.saveProgress(ctx, p, progress{Draft: *draftID, MassMsgID: msgID}.String()); serr != nil {
			return res, "", &channels.Error{Class: channels.ClassUnknown, Message: "已群发，但群发编号未能保存，正在核实", Err: serr}
		}
		res = channels.Result{RemoteID: massPrefix + msgID}
		if found, ok, _ := c.findListed(ctx, a, Title(p.Kind, &p.Revision), p.AttemptStarted.Add(-time.Minute)); ok {
			res.URL = found.URL
		}
		return res, "", nil
	case errors.As(err, &ae) && (ae.Code == 45065 || (counted && ae.Code == 40007)):
		// This clientmsgid was sent before (45065), or the draft herald made
		// for this delivery — which nothing but this delivery's mass send
		// uses — has left the draft box (40007: the platform checks the draft
		// before the clientmsgid): an earlier attempt's mass send went out
		// and its answer was lost. Never send again.
		c.log.Info("wechat: an earlier mass send of this delivery went out", "account", acct.ID, "delivery", p.DeliveryID, "code", ae.Code)
		found, ok, _ := c.findListed(ctx, a, Title(p.Kind, &p.Revision), at.Add(-time.Minute))
		if ok {
			return found, "", nil
		}
		return channels.Result{Note: "群发此前已发出（当时答复丢失），文章链接请在公众平台查看"}, "", nil
	case errors.As(err, &ae):
		if counted {
			// An earlier attempt's mass send may have gone out (e.g. the quota
			// is now used up by it): never fall back to freepublish.
			if ae.Code == 45028 {
				return res, "", &channels.Error{Class: channels.ClassQuota, Code: ae.Code, RetryAt: channels.NextLocalMidnight(c.now(), c.loc),
					Message: "此前的群发答复丢失，今日额度已用完：明天以同一群发编号重试（若已发出，微信会拒绝重复群发）", Err: err}
			}
			return res, "", &channels.Error{Class: channels.ClassUnknown, Code: ae.Code, Message: "此前的群发答复丢失，正在核实是否已发出", Err: err}
		}
		// Refused: nothing went out and the quota was not used.
		if ferr := c.store.ForgetMassSend(ctx, p.DeliveryID); ferr != nil {
			c.log.Error("wechat: refused mass send still counted against the quota", "account", acct.ID, "delivery", p.DeliveryID, "err", ferr)
		}
		if ae.Code == 45028 {
			return res, "微信答复群发额度已用完（可能已在公众平台手动群发），已发布但未通知粉丝", nil
		}
		return res, "", c.classify(err, false)
	}
	var tr *transportError
	if errors.As(err, &tr) {
		return res, "", &channels.Error{Class: channels.ClassUnknown, Message: "微信未答复群发请求，正在核实是否已发出（已计入群发额度）", Err: err}
	}
	return res, "", c.classify(err, true)
}

// massQuotaLeft returns a note for the clerk when the account's mass-send
// quota (subscription and service: 1 a day; service: 4 a month) is used up
// by the mass sends herald recorded.
func (c *Channel) massQuotaLeft(ctx context.Context, acct *configs.Account) (string, error) {
	now := c.now().In(c.loc)
	y, m, d := now.Date()
	sentToday, err1 := c.store.MassSendsSince(ctx, acct.ID, time.Date(y, m, d, 0, 0, 0, 0, c.loc))
	sentMonth, err2 := c.store.MassSendsSince(ctx, acct.ID, time.Date(y, m, 1, 0, 0, 0, 0, c.loc))
	if err := errors.Join(err1, err2); err != nil {
		return "", &channels.Error{Class: channels.ClassTransient, Message: "未能查询群发额度", Err: err}
	}
	if sentToday >= 1 {
		return "今日群发额度已用完（订阅号、服务号每天1次），已发布但未通知粉丝", nil
	}
	if acct.Type == configs.WeChatService && sentMonth >= 4 {
		return "本月群发额度已用完（服务号每月4次），已发布但未通知粉丝", nil
	}
	return "", nil
}

// massLookup asks message/mass/get how an accepted mass send went.
func (c *Channel) massLookup(ctx context.Context, a *account, p channels.Publication, msgID string) (channels.Outcome, channels.Result, error) {
	var st struct {
		MsgStatus string `json:"msg_status"`
	}
	id, err := strconv.ParseInt(msgID, 10, 64)
	if err != nil {
		return channels.Failed, channels.Result{}, &channels.Error{Class: channels.ClassContent, Message: "群发编号无效：" + msgID}
	}
	if err := a.postJSON(ctx, "/cgi-bin/message/mass/get", map[string]int64{"msg_id": id}, &st); err != nil {
		return channels.StillUnknown, channels.Result{}, c.classify(err, false)
	}
	res := channels.Result{RemoteID: massPrefix + msgID}
	switch strings.ToUpper(st.MsgStatus) {
	case "SEND_SUCCESS", "DELETE":
		if found, ok, _ := c.findListed(ctx, a, Title(p.Kind, &p.Revision), p.AttemptStarted.Add(-time.Minute)); ok {
			res.URL = found.URL
		}
		if strings.EqualFold(st.MsgStatus, "DELETE") {
			res.Note = "群发后已被删除"
		}
		return channels.Published, res, nil
	case "SENDING":
		return channels.StillUnknown, channels.Result{}, nil
	}
	return channels.Failed, channels.Result{}, &channels.Error{Class: channels.ClassContent, Message: fmt.Sprintf("群发失败（状态 %s）", st.MsgStatus)}
}

// massResult is Publish for an attempt whose mass send was accepted: it
// only asks how it went.
func (c *Channel) massResult(ctx context.Context, a *account, p channels.Publication, msgID string) (channels.Result, error) {
	outcome, res, err := c.massLookup(ctx, a, p, msgID)
	switch outcome {
	case channels.Published:
		return res, nil
	case channels.Failed:
		return channels.Result{}, err
	}
	return channels.Result{}, &channels.Error{Class: channels.ClassUnknown, Message: "群发已提交，结果未定，稍后核实", Err: err}
}

// massDraftLookup finds out what a mass send whose answer was lost did, from
// the draft it sent: a mass send takes its draft out of the draft box, and
// once this delivery's mass send is counted nothing else of herald's uses
// that draft. Gone (40007): the mass send went out. Still there: it did
// not, and sending again is safe (the same clientmsgid is refused with
// 45065 should it have gone out after all).
func (c *Channel) massDraftLookup(ctx context.Context, a *account, p channels.Publication, draft string, at time.Time) (channels.Outcome, channels.Result, error) {
	err := a.postJSON(ctx, "/cgi-bin/draft/get", map[string]string{"media_id": draft}, nil)
	var ae *apiError
	switch {
	case err == nil:
		return channels.NotPublished, channels.Result{}, nil
	case errors.As(err, &ae) && ae.Code == 40007:
		if found, ok, _ := c.findListed(ctx, a, Title(p.Kind, &p.Revision), at.Add(-time.Minute)); ok {
			return channels.Published, found, nil
		}
		return channels.Published, channels.Result{Note: "群发此前已发出（当时答复丢失），文章链接请在公众平台查看"}, nil
	}
	return channels.StillUnknown, channels.Result{}, c.classify(err, false)
}

package patrol

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// robotLimit keeps a message under the group robots' limits (WeCom: 2048
// bytes of text): longer lists are cut with a count of what was left out.
const robotLimit = 1800

// Robot posts plain-text messages to the office's group robot
// (reports.webhook_url; WeCom and DingTalk both take
// {"msgtype":"text","text":{"content":...}}).
type Robot struct {
	URL    string
	Client *http.Client
}

// NewRobot returns the robot for a webhook URL ("" means none: nothing is sent).
func NewRobot(url string) *Robot {
	return &Robot{URL: url, Client: &http.Client{Timeout: 10 * time.Second}}
}

// Enabled reports whether a robot is configured.
func (r *Robot) Enabled() bool { return r != nil && r.URL != "" }

// Send posts a heading and lines; it reports an error unless the robot took
// the message. The error never carries the webhook URL (it holds the robot's key).
func (r *Robot) Send(ctx context.Context, heading string, lines []string) error {
	if !r.Enabled() {
		return errors.New("未配置群机器人（reports.webhook_url）")
	}
	var b strings.Builder
	b.WriteString(heading + "\n")
	for i, l := range lines {
		if b.Len()+len(l) > robotLimit {
			fmt.Fprintf(&b, "……另有 %d 条，详见 herald patrol 或控制台“巡检”页\n", len(lines)-i)
			break
		}
		b.WriteString("· " + l + "\n")
	}
	body, _ := json.Marshal(map[string]any{"msgtype": "text", "text": map[string]string{"content": b.String()}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(body))
	if err != nil {
		return errors.New("群机器人地址无效")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.Client.Do(req)
	if err != nil {
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) && ue.Unwrap() != nil {
			return fmt.Errorf("群机器人不可达：%w", ue.Unwrap())
		}
		return errors.New("群机器人不可达")
	}
	defer resp.Body.Close()
	var ans struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&ans)
	if resp.StatusCode/100 != 2 || ans.ErrCode != 0 {
		return fmt.Errorf("群机器人拒绝消息：HTTP %d，errcode %d %s", resp.StatusCode, ans.ErrCode, ans.ErrMsg)
	}
	return nil
}

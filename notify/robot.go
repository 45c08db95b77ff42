// Package notify tells people in their WeCom (企业微信) or DingTalk (钉钉)
// group what needs them: an item waiting for their review level, an item
// sent back, a publication that failed, and (for other packages) dormancy and
// patrol alerts. Robot posts one message; Notifier follows the audit log and
// sends from the daemon, retrying with backoff without ever holding up the
// queue.
package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/internal/safehttp"
)

// Robot posts text messages to a group robot's webhook. WeCom and DingTalk
// take the same text message ({"msgtype":"text","text":{"content":…}}) and
// both answer {"errcode":0,…}; a DingTalk robot with 加签 also needs the
// timestamp and its HMAC-SHA256 signature in the URL.
type Robot struct {
	url    string
	secret string
	client *http.Client
	now    func() time.Time
}

// NewRobot returns the robot configured in notify (nil when none is set).
func NewRobot(cfg configs.Notify, client *http.Client) *Robot {
	if cfg.WebhookURL == "" {
		return nil
	}
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &Robot{url: cfg.WebhookURL, secret: cfg.Secret, client: client, now: time.Now}
}

// ErrRefused is a robot's refusal (its errcode), as opposed to no answer.
var ErrRefused = errors.New("notify: robot refused the message")

// Send posts one text message. Its errors never hold the webhook's key or
// signature.
func (r *Robot) Send(ctx context.Context, text string) error {
	target := r.url
	if r.secret != "" {
		var err error
		if target, err = r.signed(); err != nil {
			return err
		}
	}
	body, _ := json.Marshal(map[string]any{"msgtype": "text", "text": map[string]string{"content": text}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("notify: robot: %w", safehttp.Scrub(err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		return fmt.Errorf("notify: robot: %w", safehttp.Scrub(err))
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("notify: robot answered HTTP %d", resp.StatusCode)
	}
	var ans struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(raw, &ans); err == nil && ans.ErrCode != 0 {
		return fmt.Errorf("%w: errcode %d %s", ErrRefused, ans.ErrCode, safehttp.StripQueries(ans.ErrMsg))
	}
	return nil
}

// signed adds DingTalk's timestamp and sign parameters to the URL.
func (r *Robot) signed() (string, error) {
	u, err := url.Parse(r.url)
	if err != nil {
		return "", errors.New("notify: robot URL does not parse")
	}
	ts := strconv.FormatInt(r.now().UnixMilli(), 10)
	mac := hmac.New(sha256.New, []byte(r.secret))
	mac.Write([]byte(ts + "\n" + r.secret))
	q := u.Query()
	q.Set("timestamp", ts)
	q.Set("sign", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

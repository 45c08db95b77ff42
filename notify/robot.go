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
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/internal/ctxtime"
	"github.com/herald-gov/herald/internal/safehttp"
)

// Robot posts text messages to a group robot's webhook. WeCom and DingTalk
// take the same text message ({"msgtype":"text","text":{"content":…}}) and
// both answer {"errcode":0,…}; a DingTalk robot with 加签 also needs the
// timestamp and its HMAC-SHA256 signature in the URL.
//
// Robot paces its messages to the robot's limit (RobotPerMinute), retries
// a throttled one (45009) past the robot's window, and never sends a
// message again within a minute of a send that timed out (it may have
// arrived: ErrMaybeSent). It is safe for concurrent use: every sender in
// the daemon shares one Robot, and so its pace.
type Robot struct {
	url    string
	secret string
	client *http.Client
	now    func() time.Time
	// sleep waits d or until ctx ends (a test clock advances instead).
	sleep func(ctx context.Context, d time.Duration) error
	pace  pacer
}

// NewRobot returns the robot configured in notify (nil when none is set).
func NewRobot(cfg configs.Notify, client *http.Client) *Robot {
	if cfg.WebhookURL == "" {
		return nil
	}
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &Robot{url: cfg.WebhookURL, secret: cfg.Secret, client: client, now: time.Now, sleep: ctxtime.Sleep}
}

// ErrRefused is a robot's refusal (its errcode), as opposed to no answer.
var ErrRefused = errors.New("notify: robot refused the message")

// ErrMaybeSent is a send that got no answer in time: the message may have
// arrived, so it is not sent again (a repeat within a minute is skipped).
var ErrMaybeSent = errors.New("notify: the robot did not answer in time; the message may have arrived and is not sent again")

// errThrottled is the robot's 45009: over its limit of messages a minute.
const errThrottled = 45009

// Send posts one text message, paced to the robot's limit; a throttled
// message is retried past the robot's window for up to 10 minutes. Its
// errors never hold the webhook's key or signature.
func (r *Robot) Send(ctx context.Context, text string) error {
	if r.pace.mayHaveArrived(text, r.now()) {
		return nil // a send of it timed out within the minute: it may be there
	}
	giveUp := r.now().Add(throttledFor)
	for {
		if err := r.pace.wait(ctx, r.now, r.sleep); err != nil {
			return fmt.Errorf("notify: robot: %w", err)
		}
		code, err := r.post(ctx, text)
		if code != errThrottled || !r.now().Before(giveUp) {
			return err
		}
		// Others post to the same robot: its window is full now.
		r.pace.full(r.now())
	}
}

// post makes one call; code is the robot's errcode (0 when none).
func (r *Robot) post(ctx context.Context, text string) (int, error) {
	target := r.url
	if r.secret != "" {
		var err error
		if target, err = r.signed(); err != nil {
			return 0, err
		}
	}
	body, _ := json.Marshal(map[string]any{"msgtype": "text", "text": map[string]string{"content": text}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("notify: robot: %w", safehttp.Scrub(err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		var ne net.Error
		if ctx.Err() == nil && (errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())) {
			r.pace.timedOut(text, r.now())
			return 0, fmt.Errorf("%w (%w)", ErrMaybeSent, safehttp.Scrub(err))
		}
		return 0, fmt.Errorf("notify: robot: %w", safehttp.Scrub(err))
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return 0, fmt.Errorf("notify: robot answered HTTP %d", resp.StatusCode)
	}
	var ans struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(raw, &ans); err == nil && ans.ErrCode != 0 {
		return ans.ErrCode, fmt.Errorf("%w: errcode %d %s", ErrRefused, ans.ErrCode, safehttp.StripQueries(ans.ErrMsg))
	}
	return 0, nil
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

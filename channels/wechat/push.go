package wechat

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/herald-gov/herald/channels"
)

// WeChat's push (消息推送) in safe mode, done with the standard library:
// silenceper's officialaccount/server verifies and decrypts too, but parses
// the timestamp as 32-bit, does not deduplicate retries and does not parse
// PUBLISHJOBFINISH's PublishEventInfo, and it wants to write the answer
// itself; herald answers at once and does the work afterwards.

// PushMaxAge is how far a push's timestamp may be from herald's clock:
// WeChat retries within seconds, so anything older is a replay.
const PushMaxAge = 5 * time.Minute

// ErrPushRefused is wrapped by every reason a push is refused (403).
var ErrPushRefused = errors.New("push refused")

// PushKey is an account's 服务器配置: its Token and EncodingAESKey.
type PushKey struct {
	AppID          string
	Token          string
	EncodingAESKey string
}

func signature(parts ...string) string {
	ps := append([]string(nil), parts...)
	sort.Strings(ps)
	sum := sha1.Sum([]byte(strings.Join(ps, "")))
	return hex.EncodeToString(sum[:])
}

func sameSignature(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(got)), []byte(want)) == 1
}

func fresh(stamp string, now time.Time) bool {
	n, err := strconv.ParseInt(stamp, 10, 64)
	if err != nil {
		return false
	}
	d := now.Sub(time.Unix(n, 0))
	return d < PushMaxAge && d > -PushMaxAge
}

// VerifyURL checks WeChat's URL check (GET ?signature&timestamp&nonce&echostr)
// and returns the echostr to answer.
func (k PushKey) VerifyURL(q url.Values, now time.Time) (string, error) {
	if !sameSignature(q.Get("signature"), signature(k.Token, q.Get("timestamp"), q.Get("nonce"))) {
		return "", fmt.Errorf("%w: bad signature", ErrPushRefused)
	}
	if !fresh(q.Get("timestamp"), now) {
		return "", fmt.Errorf("%w: stale timestamp", ErrPushRefused)
	}
	return q.Get("echostr"), nil
}

// Open verifies a safe-mode push (encrypt_type=aes, msg_signature over the
// token, timestamp, nonce and the Encrypt element) and returns its
// decrypted XML. Any failure wraps ErrPushRefused.
func (k PushKey) Open(q url.Values, body []byte, now time.Time) ([]byte, error) {
	if q.Get("encrypt_type") != "aes" {
		return nil, fmt.Errorf("%w: not in safe mode", ErrPushRefused)
	}
	var env struct {
		Encrypt string `xml:"Encrypt"`
	}
	if err := xml.Unmarshal(body, &env); err != nil || env.Encrypt == "" {
		return nil, fmt.Errorf("%w: no Encrypt element", ErrPushRefused)
	}
	if !sameSignature(q.Get("msg_signature"), signature(k.Token, q.Get("timestamp"), q.Get("nonce"), env.Encrypt)) {
		return nil, fmt.Errorf("%w: bad msg_signature", ErrPushRefused)
	}
	if !fresh(q.Get("timestamp"), now) {
		return nil, fmt.Errorf("%w: stale timestamp", ErrPushRefused)
	}
	plain, err := k.decrypt(env.Encrypt)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrPushRefused, err)
	}
	return plain, nil
}

func (k PushKey) decrypt(enc string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(k.EncodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, errors.New("bad EncodingAESKey")
	}
	data, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, errors.New("ciphertext is not whole AES blocks")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	plain := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, key[:16]).CryptBlocks(plain, data)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > 32 || pad > len(plain) || !bytes.Equal(plain[len(plain)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, errors.New("bad padding (wrong key?)")
	}
	plain = plain[:len(plain)-pad]
	if len(plain) < 20 {
		return nil, errors.New("too short")
	}
	n := int(binary.BigEndian.Uint32(plain[16:20]))
	if n < 0 || 20+n > len(plain) {
		return nil, errors.New("bad length")
	}
	msg, appID := plain[20:20+n], string(plain[20+n:])
	if k.AppID != "" && appID != k.AppID {
		return nil, errors.New("for another app")
	}
	return msg, nil
}

// pushXML is the decrypted push: a message or an event.
type pushXML struct {
	ToUserName   string `xml:"ToUserName"`
	FromUserName string `xml:"FromUserName"`
	CreateTime   int64  `xml:"CreateTime"`
	MsgType      string `xml:"MsgType"`
	Content      string `xml:"Content"`
	MsgID        int64  `xml:"MsgId"`
	PicURL       string `xml:"PicUrl"`
	Title        string `xml:"Title"`
	Label        string `xml:"Label"`
	Recognition  string `xml:"Recognition"`
	Event        string `xml:"Event"`
	Publish      struct {
		PublishID     string `xml:"publish_id"`
		PublishStatus int    `xml:"publish_status"`
		ArticleID     string `xml:"article_id"`
		Items         []struct {
			Idx        int    `xml:"idx"`
			ArticleURL string `xml:"article_url"`
		} `xml:"article_detail>item"`
		FailIdx []int `xml:"fail_idx"`
	} `xml:"PublishEventInfo"`
}

// Push is what one decrypted push means to herald.
type Push struct {
	// Key is the push's dedupe key: MsgId for a message, the event, its
	// sender and time for an event (WeChat's retries carry the same).
	Key string
	// Message is a user's message as an inbox entry (nil for events).
	Message *channels.Incoming
	// Publish is a PUBLISHJOBFINISH event's outcome (nil otherwise).
	Publish *PublishFinished
}

// PublishFinished is what a PUBLISHJOBFINISH event says about a publish.
type PublishFinished struct {
	PublishID string
	Outcome   channels.Outcome // Published or Failed
	Result    channels.Result
	Err       error // the clerk's reason when Failed
}

// ParsePush reads a decrypted push.
func ParsePush(plain []byte) (Push, error) {
	var m pushXML
	if err := xml.Unmarshal(plain, &m); err != nil {
		return Push{}, fmt.Errorf("wechat push: %w", err)
	}
	at := time.Unix(m.CreateTime, 0)
	if m.MsgType == "event" {
		p := Push{Key: fmt.Sprintf("event:%s:%s:%d", m.Event, m.FromUserName, m.CreateTime)}
		if m.Event == "PUBLISHJOBFINISH" && m.Publish.PublishID != "" {
			st := publishStatus{PublishStatus: m.Publish.PublishStatus, ArticleID: m.Publish.ArticleID, PublishID: flexString(m.Publish.PublishID), FailIdx: m.Publish.FailIdx}
			for _, it := range m.Publish.Items {
				st.ArticleDetail.Item = append(st.ArticleDetail.Item, struct {
					Idx        int    `json:"idx"`
					ArticleURL string `json:"article_url"`
				}{it.Idx, it.ArticleURL})
			}
			res, done, err := statusResult(m.Publish.PublishID, st)
			if done {
				f := &PublishFinished{PublishID: m.Publish.PublishID, Outcome: channels.Published, Result: res}
				if err != nil {
					f.Outcome, f.Err = channels.Failed, err
				}
				p.Publish = f
			}
		}
		return p, nil
	}
	if m.MsgID == 0 {
		return Push{}, errors.New("wechat push: a message without MsgId")
	}
	text := m.Content
	switch m.MsgType {
	case "text":
	case "image":
		text = "[图片] " + m.PicURL
	case "voice":
		text = strings.TrimSpace("[语音] " + m.Recognition)
	case "video", "shortvideo":
		text = "[视频]"
	case "location":
		text = "[位置] " + m.Label
	case "link":
		text = "[链接] " + m.Title
	default:
		text = "[" + m.MsgType + "]"
	}
	key := strconv.FormatInt(m.MsgID, 10)
	return Push{Key: "msg:" + key, Message: &channels.Incoming{Kind: channels.KindMessage, Key: key, FromID: m.FromUserName, Text: text,
		At: at, Target: m.FromUserName, AnswerBy: at.Add(CustomWindow)}}, nil
}

// PublishIDOf returns the publish_id a delivery's saved progress names
// ("" if none): what a PUBLISHJOBFINISH event is matched against.
func PublishIDOf(progress string) string { return parseProgress(progress).PublishID }

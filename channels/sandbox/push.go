package sandbox

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// PushConfig is an official account's 服务器配置 (消息推送) in the sandbox:
// where the platform pushes users' messages and events, and the Token and
// EncodingAESKey both sides share. Pushes are in safe mode (encrypted).
type PushConfig struct {
	URL            string
	Token          string
	EncodingAESKey string // 43 characters
}

// SetPush configures where the app's pushes go.
func (s *Server) SetPush(appID string, p PushConfig) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ib().push[appID] = p
}

// PushResult is what herald answered to one push.
type PushResult struct {
	Status int
	Body   string
	// Took is how long the answer took.
	Took time.Duration
}

// SignURL returns the push URL's query for a safe-mode POST of encrypted
// (timestamp, nonce and msg_signature as WeChat computes them).
func SignURL(p PushConfig, encrypted string, at time.Time, nonce string) string {
	stamp := strconv.FormatInt(at.Unix(), 10)
	q := url.Values{}
	q.Set("signature", Signature(p.Token, stamp, nonce))
	q.Set("timestamp", stamp)
	q.Set("nonce", nonce)
	q.Set("openid", "")
	q.Set("encrypt_type", "aes")
	q.Set("msg_signature", Signature(p.Token, stamp, nonce, encrypted))
	return q.Encode()
}

// Signature is WeChat's push signature: the sha1 of the sorted parts joined.
func Signature(parts ...string) string {
	ps := append([]string(nil), parts...)
	sort.Strings(ps)
	sum := sha1.Sum([]byte(strings.Join(ps, "")))
	return hex.EncodeToString(sum[:])
}

// Encrypt is WeChat's safe-mode encryption of a push: AES-256-CBC with the
// key base64(EncodingAESKey+"="), IV its first 16 bytes, PKCS#7 padding to
// 32 bytes, over 16 random bytes, the message's length (4 bytes, big
// endian), the message and the appid.
func Encrypt(encodingAESKey, appID string, msg []byte, random []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return "", fmt.Errorf("sandbox: EncodingAESKey must be 43 characters of base64")
	}
	if len(random) != 16 {
		return "", errors.New("sandbox: 16 random bytes needed")
	}
	var plain bytes.Buffer
	plain.Write(random)
	_ = binary.Write(&plain, binary.BigEndian, uint32(len(msg)))
	plain.Write(msg)
	plain.WriteString(appID)
	pad := 32 - plain.Len()%32
	plain.Write(bytes.Repeat([]byte{byte(pad)}, pad))
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", err
	}
	out := make([]byte, plain.Len())
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(out, plain.Bytes())
	return base64.StdEncoding.EncodeToString(out), nil
}

// pushXML sends one message or event (its plaintext XML) to the app's push
// URL the way WeChat does, and returns what herald answered. Called without
// s.mu held.
func (s *Server) pushXML(ctx context.Context, appID string, plain string) (PushResult, error) {
	s.mu.Lock()
	p, ok := s.ib().push[appID]
	random := make([]byte, 16)
	for i := range random {
		random[i] = byte(s.rng.IntN(256))
	}
	nonce := strconv.FormatUint(s.rng.Uint64()%1e10, 10)
	s.mu.Unlock()
	if !ok || p.URL == "" {
		return PushResult{}, fmt.Errorf("sandbox: app %s has no push URL", appID)
	}
	enc, err := Encrypt(p.EncodingAESKey, appID, []byte(plain), random)
	if err != nil {
		return PushResult{}, err
	}
	body := "<xml><ToUserName><![CDATA[" + appID + "]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>"
	target := p.URL + "?" + SignURL(p, enc, s.now(), nonce)
	return Post(ctx, target, body)
}

// Post sends a push body to a URL with WeChat's 5 s patience.
func Post(ctx context.Context, target, body string) (PushResult, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		return PushResult{}, err
	}
	req.Header.Set("Content-Type", "text/xml")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return PushResult{}, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	return PushResult{Status: resp.StatusCode, Body: string(b), Took: time.Since(start)}, nil
}

// cdata quotes s for an XML CDATA section.
func cdata(s string) string {
	return "<![CDATA[" + strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>") + "]]>"
}

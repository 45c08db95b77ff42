// Package wechat is herald's WeChat official-account channel, built on
// github.com/silenceper/wechat/v2 (v2.1.14): its token handling, HTTP client
// and JSON helpers, with herald's own token cache in SQLite and the calls
// the library lacks (newspic drafts, publish with a string publish_id, the
// new datacube endpoints) made through its util.PostJSONContext.
package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/util"

	"github.com/herald-gov/herald/internal/safehttp"
)

// libraryBase is where the library's hard-coded URLs point.
const libraryBase = "https://api.weixin.qq.com"

// endpoint is one channel's connection settings: where its calls go, the
// transport they use and how long one call may take. It travels to the
// library's HTTP client in each request's context, so channels with
// different settings coexist in one process.
type endpoint struct {
	base    *url.URL
	rt      http.RoundTripper
	timeout time.Duration
}

type endpointKey struct{}

// newEndpoint makes the settings for one channel, keeping an idle
// connection for each of the calls that may run at once (conns). base has
// passed config validation; were it not a URL, every call would fail with
// "no Host".
func newEndpoint(base string, timeout time.Duration, conns int) *endpoint {
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil {
		u = &url.URL{}
	}
	return &endpoint{base: u, rt: safehttp.NewTransport(max(64, conns)), timeout: timeout}
}

// with returns ctx carrying the endpoint and bounded by its timeout.
func (e *endpoint) with(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx = context.WithValue(ctx, endpointKey{}, e)
	if e.timeout > 0 {
		return context.WithTimeout(ctx, e.timeout)
	}
	return context.WithCancel(ctx)
}

// router is the library's one process-wide *http.Client transport. It holds
// no settings of its own: a request carrying an endpoint in its context goes
// to that endpoint's base (the library's hard-coded host rewritten) through
// that endpoint's transport; any other request goes out unchanged.
type router struct{ fallback http.RoundTripper }

func (rt router) RoundTrip(req *http.Request) (*http.Response, error) {
	ep, ok := req.Context().Value(endpointKey{}).(*endpoint)
	if !ok {
		return rt.fallback.RoundTrip(req)
	}
	out := req.Clone(req.Context())
	if req.URL.Scheme+"://"+req.URL.Host == libraryBase {
		u := *req.URL
		u.Scheme, u.Host = ep.base.Scheme, ep.base.Host
		u.Path = ep.base.Path + req.URL.Path
		if u.RawPath != "" {
			u.RawPath = ep.base.EscapedPath() + req.URL.EscapedPath()
		}
		out.URL, out.Host = &u, ""
	}
	return ep.rt.RoundTrip(out)
}

var routerOnce sync.Once

// installRouter points the library's HTTP client at the router, once. It is
// the only change herald makes to the library's global state, and it is the
// same for every channel: each channel's api_base and timeout travel with
// its requests (endpoint), so two channels with different settings coexist.
func installRouter() {
	routerOnce.Do(func() {
		util.DefaultHTTPClient = &http.Client{Transport: router{fallback: safehttp.NewTransport(0)}}
	})
}

// KV is the persistent key-value store the token cache lives in.
type KV interface {
	GetValue(ctx context.Context, key string) (string, error)
	SetValue(ctx context.Context, key, value string, ttl time.Duration) error
	DeleteValue(ctx context.Context, key string) error
}

// tokenCache is the library's cache.Cache on herald's SQLite store, so tokens
// survive restarts: a restarted daemon neither spends the 2000-a-day token
// budget nor invalidates a token another process still uses.
type tokenCache struct{ kv KV }

var _ cache.Cache = tokenCache{}

func (c tokenCache) Get(key string) any {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := c.kv.GetValue(ctx, "wechat:"+key)
	if err != nil {
		return nil
	}
	return v
}

func (c tokenCache) Set(key string, val any, timeout time.Duration) error {
	s, ok := val.(string)
	if !ok {
		return fmt.Errorf("wechat token cache: value for %s is %T, not a string", key, val)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return c.kv.SetValue(ctx, "wechat:"+key, s, timeout)
}

func (c tokenCache) IsExist(key string) bool { return c.Get(key) != nil }

func (c tokenCache) Delete(key string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return c.kv.DeleteValue(ctx, "wechat:"+key)
}

// apiError is a WeChat error answer.
type apiError struct {
	Code int
	Msg  string
	API  string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("wechat %s: errcode %d: %s", e.API, e.Code, e.Msg)
}

// transportError is a call whose answer never came.
type transportError struct {
	API string
	Err error
}

func (e *transportError) Error() string { return fmt.Sprintf("wechat %s: no answer: %v", e.API, e.Err) }
func (e *transportError) Unwrap() error { return e.Err }

var errcodeInText = regexp.MustCompile(`errcode\s*[=:]\s*(-?\d+)`)

// asAPIError recognises the library's error forms: *util.CommonError, and
// the plain text with "errcode=N" that token fetches and uploads return.
func asAPIError(api string, err error) error {
	err = safehttp.Scrub(err)
	var ce *util.CommonError
	if errors.As(err, &ce) {
		return &apiError{Code: int(ce.ErrCode), Msg: ce.ErrMsg, API: api}
	}
	if m := errcodeInText.FindStringSubmatch(err.Error()); m != nil {
		code, _ := strconv.Atoi(m[1])
		return &apiError{Code: code, Msg: err.Error(), API: api}
	}
	return &transportError{API: api, Err: err}
}

// account is one official account's token handle.
type account struct {
	appID    string
	handle   credential.AccessTokenContextHandle
	cacheKey string
	cache    tokenCache
	ep       *endpoint
}

func newAccount(appID, secret string, stable bool, kv KV, ep *endpoint) *account {
	installRouter()
	c := tokenCache{kv}
	prefix := credential.CacheKeyOfficialAccountPrefix
	a := &account{appID: appID, cache: c, ep: ep}
	if stable {
		a.handle = credential.NewStableAccessToken(appID, secret, prefix, c)
		a.cacheKey = fmt.Sprintf("%s_stable_access_token_%s", prefix, appID)
	} else {
		a.handle = credential.NewDefaultAccessToken(appID, secret, prefix, c)
		a.cacheKey = fmt.Sprintf("%s_access_token_%s", prefix, appID)
	}
	return a
}

func (a *account) token(ctx context.Context) (string, error) {
	ctx, cancel := a.ep.with(ctx)
	defer cancel()
	t, err := a.handle.GetAccessTokenContext(ctx)
	if err != nil {
		return "", asAPIError("token", err)
	}
	return t, nil
}

// errBody is the common part of every WeChat answer.
type errBody struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// withToken runs call with the account's token; on 40001/42001 it drops the
// cached token and tries once more (the library never does).
func (a *account) withToken(ctx context.Context, api string, call func(ctx context.Context, token string) ([]byte, error), out any) error {
	for try := 0; ; try++ {
		token, err := a.token(ctx)
		if err != nil {
			return err
		}
		cctx, cancel := a.ep.with(ctx)
		body, err := call(cctx, token)
		cancel()
		if err != nil {
			return &transportError{API: api, Err: safehttp.Scrub(err)}
		}
		var e errBody
		if err := json.Unmarshal(body, &e); err != nil {
			return &transportError{API: api, Err: fmt.Errorf("undecodable answer: %w", err)}
		}
		if (e.ErrCode == 40001 || e.ErrCode == 42001) && try == 0 {
			_ = a.cache.Delete(a.cacheKey)
			continue
		}
		if e.ErrCode != 0 {
			return &apiError{Code: e.ErrCode, Msg: e.ErrMsg, API: api}
		}
		if out != nil {
			if err := json.Unmarshal(body, out); err != nil {
				return &transportError{API: api, Err: fmt.Errorf("undecodable answer: %w", err)}
			}
		}
		return nil
	}
}

// postJSON POSTs a JSON body to a WeChat path through the library.
func (a *account) postJSON(ctx context.Context, path string, body, out any) error {
	return a.withToken(ctx, path, func(ctx context.Context, token string) ([]byte, error) {
		return util.PostJSONContext(ctx, libraryBase+path+"?access_token="+token, body)
	}, out)
}

// upload sends a file to a media path through the library's multipart helper.
// An answer without the id or URL asked for is an error, never a silent nil.
func (a *account) upload(ctx context.Context, path, query, name string, data []byte) (mediaID, url string, err error) {
	var out struct {
		MediaID string `json:"media_id"`
		URL     string `json:"url"`
	}
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, err := mw.CreateFormFile("media", name)
	if err == nil {
		_, err = fw.Write(data)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return "", "", fmt.Errorf("wechat %s: form: %w", path, err)
	}
	// The library's PostFileByStream takes no context (and answers a non-200
	// status with nil, nil); its HTTPPostContext sends the same form with one.
	header := map[string]string{"Content-Type": mw.FormDataContentType()}
	err = a.withToken(ctx, path, func(ctx context.Context, token string) ([]byte, error) {
		return util.HTTPPostContext(ctx, libraryBase+path+"?access_token="+token+query, form.Bytes(), header)
	}, &out)
	if err != nil {
		return "", "", err
	}
	if out.URL == "" && out.MediaID == "" {
		return "", "", &transportError{API: path, Err: errors.New("answer had neither media_id nor url")}
	}
	return out.MediaID, out.URL, nil
}

// flexString decodes a JSON string or number as a string (publish_id is a
// string on current pages and a number on older ones).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("neither string nor number: %s", b)
	}
	*f = flexString(n.String())
	return nil
}

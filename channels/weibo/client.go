// Package weibo is herald's Weibo channel and a small client for the Weibo
// API endpoints herald uses (no maintained Go client exists).
package weibo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/herald-gov/herald/internal/safehttp"
)

// Client calls the Weibo API at one base URL. The access token travels in
// the Authorization header (Weibo's "OAuth2 TOKEN" form), never in a URL,
// and every transport error is scrubbed of query strings before it leaves.
type Client struct {
	base string
	http *safehttp.Client
}

// NewClient returns a client for apiBase (e.g. https://api.weibo.com);
// requests go to apiBase + /2/<endpoint>.json.
func NewClient(apiBase string, timeout time.Duration) *Client {
	return &Client{base: strings.TrimRight(apiBase, "/"), http: safehttp.NewClient(timeout, 32)}
}

// APIError is an error answer from Weibo.
type APIError struct {
	HTTPStatus int
	Code       int
	Msg        string
	Request    string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("weibo %s: error %d: %s (HTTP %d)", e.Request, e.Code, e.Msg, e.HTTPStatus)
}

// TransportError is a call whose answer never came (or came broken): the
// request may or may not have had its effect.
type TransportError struct {
	Endpoint string
	Err      error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("weibo %s: no answer: %v", e.Endpoint, e.Err)
}
func (e *TransportError) Unwrap() error { return e.Err }

// Status is a Weibo post.
type Status struct {
	ID          int64  `json:"id"`
	IDStr       string `json:"idstr"`
	MID         string `json:"mid"`
	Text        string `json:"text"`
	CreatedAt   string `json:"created_at"`
	OriginalPic string `json:"original_pic"`
	User        struct {
		IDStr string `json:"idstr"`
	} `json:"user"`
}

// Created parses the post's created_at.
func (s *Status) Created() (time.Time, error) {
	return time.Parse(time.RubyDate, s.CreatedAt)
}

// UserCounts are an account's counts.
type UserCounts struct {
	ID             json.Number `json:"id"`
	FollowersCount int         `json:"followers_count"`
	FriendsCount   int         `json:"friends_count"`
	StatusesCount  int         `json:"statuses_count"`
}

// StatusCounts are a post's interaction counts.
type StatusCounts struct {
	ID        json.Number `json:"id"`
	Comments  int         `json:"comments"`
	Reposts   int         `json:"reposts"`
	Attitudes int         `json:"attitudes"` // likes
}

// flexCode decodes error_code given as a number or a string.
type flexCode int

func (c *flexCode) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("error_code %s: %w", b, err)
	}
	*c = flexCode(n)
	return nil
}

func (c *Client) do(ctx context.Context, method, endpoint, token string, q url.Values, body io.Reader, contentType string, out any) error {
	u := c.base + "/2/" + endpoint + ".json"
	if method == http.MethodGet && len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("weibo %s: %w", endpoint, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "OAuth2 "+token)
	resp, err := c.http.Do(req)
	if err != nil {
		return &TransportError{endpoint, err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return &TransportError{endpoint, safehttp.Scrub(err)}
	}
	var e struct {
		Error     string   `json:"error"`
		ErrorCode flexCode `json:"error_code"`
		Request   string   `json:"request"`
	}
	if len(data) > 0 && data[0] == '{' {
		if err := json.Unmarshal(data, &e); err == nil && e.ErrorCode != 0 {
			return &APIError{HTTPStatus: resp.StatusCode, Code: int(e.ErrorCode), Msg: e.Error, Request: e.Request}
		}
	}
	if resp.StatusCode >= 500 {
		return &TransportError{endpoint, fmt.Errorf("HTTP %d", resp.StatusCode)}
	}
	if resp.StatusCode != http.StatusOK {
		return &APIError{HTTPStatus: resp.StatusCode, Msg: strings.TrimSpace(string(data)), Request: "/2/" + endpoint + ".json"}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &TransportError{endpoint, fmt.Errorf("undecodable answer: %w", err)}
	}
	return nil
}

// Share posts text (with an optional picture) through statuses/share.
func (c *Client) Share(ctx context.Context, token, text string, pic []byte, picName string) (*Status, error) {
	var st Status
	if len(pic) == 0 {
		form := url.Values{"status": {text}}
		err := c.do(ctx, http.MethodPost, "statuses/share", token, nil, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded", &st)
		return &st, err
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("status", text)
	w, err := mw.CreateFormFile("pic", picName)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(pic); err != nil {
		return nil, err
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	err = c.do(ctx, http.MethodPost, "statuses/share", token, nil, &body, mw.FormDataContentType(), &st)
	return &st, err
}

// UserShow returns an account's profile counts (users/show).
func (c *Client) UserShow(ctx context.Context, token, uid string) (*UserCounts, error) {
	var u UserCounts
	err := c.do(ctx, http.MethodGet, "users/show", token, url.Values{"uid": {uid}}, nil, "", &u)
	return &u, err
}

// MaxBatch is how many ids users/counts and statuses/count take at once.
const MaxBatch = 100

// UserCounts returns the counts of many accounts, 100 a call.
func (c *Client) UserCounts(ctx context.Context, token string, uids []string) ([]UserCounts, error) {
	var out []UserCounts
	for start := 0; start < len(uids); start += MaxBatch {
		var batch []UserCounts
		ids := strings.Join(uids[start:min(start+MaxBatch, len(uids))], ",")
		if err := c.do(ctx, http.MethodGet, "users/counts", token, url.Values{"uids": {ids}}, nil, "", &batch); err != nil {
			return out, err
		}
		out = append(out, batch...)
	}
	return out, nil
}

// StatusCounts returns the interaction counts of many posts, 100 a call.
func (c *Client) StatusCounts(ctx context.Context, token string, ids []string) ([]StatusCounts, error) {
	var out []StatusCounts
	for start := 0; start < len(ids); start += MaxBatch {
		var batch []StatusCounts
		q := url.Values{"ids": {strings.Join(ids[start:min(start+MaxBatch, len(ids))], ",")}}
		if err := c.do(ctx, http.MethodGet, "statuses/count", token, q, nil, "", &batch); err != nil {
			return out, err
		}
		out = append(out, batch...)
	}
	return out, nil
}

// Timeline returns a page of the authorised user's own posts, newest first.
func (c *Client) Timeline(ctx context.Context, token string, count, page int) ([]Status, error) {
	var out struct {
		Statuses []Status `json:"statuses"`
	}
	q := url.Values{"count": {strconv.Itoa(count)}, "page": {strconv.Itoa(page)}}
	err := c.do(ctx, http.MethodGet, "statuses/user_timeline", token, q, nil, "", &out)
	return out.Statuses, err
}

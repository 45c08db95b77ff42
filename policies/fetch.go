package policies

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html/charset"
)

// UserAgent names herald to the sites it reads.
const UserAgent = "herald-policy-watch/1 (government news office; reads the configured 政策文件 lists only)"

// maxPage is the largest page herald reads; county pages are far smaller.
const maxPage = 8 << 20

// errOtherHost is returned when a page redirects to another host.
var errOtherHost = errors.New("redirect to another host refused")

// HTTPError is a page that answered with a status other than 200.
type HTTPError struct {
	URL    string
	Status int
}

func (e *HTTPError) Error() string { return fmt.Sprintf("%s answered HTTP %d", e.URL, e.Status) }

// page is a fetched page decoded to UTF-8.
type page struct {
	URL         *url.URL // after redirects (same host only)
	ContentType string
	Body        string
}

// fetcher reads pages from one host at a time, politely: one request at a
// time, a pause between requests, a timeout, a User-Agent naming herald, no
// redirect to another host.
type fetcher struct {
	client *http.Client
	delay  time.Duration
	last   time.Time
}

func newFetcher(base *http.Client, timeout, delay time.Duration) *fetcher {
	c := &http.Client{Timeout: timeout}
	if base != nil {
		c.Transport = base.Transport
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("too many redirects")
		}
		if req.URL.Host != via[0].URL.Host {
			return fmt.Errorf("%w: %s → %s", errOtherHost, via[0].URL.Host, req.URL.Host)
		}
		return nil
	}
	return &fetcher{client: c, delay: delay}
}

// get fetches u and decodes it to UTF-8 (county sites still serve GBK).
func (f *fetcher) get(ctx context.Context, u *url.URL) (*page, error) {
	if wait := f.delay - time.Since(f.last); !f.last.IsZero() && wait > 0 {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
	defer func() { f.last = time.Now() }()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.5")
	resp, err := f.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is named by the caller, once
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &HTTPError{URL: u.String(), Status: resp.StatusCode}
	}
	ct := resp.Header.Get("Content-Type")
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxPage+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > maxPage {
		return nil, fmt.Errorf("page larger than %d MB", maxPage>>20)
	}
	body := string(raw)
	if enc, name, _ := charset.DetermineEncoding(raw, ct); name != "utf-8" && name != "" {
		if dec, err := enc.NewDecoder().Bytes(raw); err == nil {
			body = string(dec)
		}
	}
	mt, _, _ := mime.ParseMediaType(ct)
	return &page{URL: resp.Request.URL, ContentType: strings.ToLower(mt), Body: body}, nil
}

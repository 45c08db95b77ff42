// Package safehttp is the one place where herald's HTTP clients keep
// credentials out of error text. Go's HTTP client puts the request URL into
// every transport error ("Post \"https://…?access_token=…\": dial tcp …"),
// and the WeChat library adds it to its status errors ("uri=…?secret=…");
// WeChat tokens, app secrets and the group robot's key all travel in query
// strings. Scrub removes every query string (and every credential-looking
// name=value pair) from an error's text before the error leaves a client, so
// nothing downstream — logs, CLI output, database rows, backups — can hold
// one. Every client (the WeChat channel through its library, the Weibo
// client, the group robot) sends its errors through Scrub; Client does it
// for callers that hold a plain *http.Client.
package safehttp

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

var (
	// urlWithQuery is an absolute URL followed by a query string; the query
	// ends at whitespace, a quote or a closing bracket.
	urlWithQuery = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://[^\s"'<>?#]*)\?[^\s"'<>)\]]*`)
	// credentialPair is a name=value pair whose name says it is a
	// credential, wherever it stands (a relative URL, a form body echoed
	// in an error, a library message).
	credentialPair = regexp.MustCompile(`(?i)\b(access_token|refresh_token|appsecret|app_secret|secret|key|token|password|passwd|sign|signature|ticket|code)=[^&\s"'<>,;)\]]*`)
)

// Redacted stands where a query string or credential was removed.
const Redacted = "…"

// StripQueries returns s with the query string of every URL in it removed
// and every credential-looking name=value pair's value replaced.
func StripQueries(s string) string {
	if !strings.ContainsAny(s, "?=") {
		return s
	}
	s = urlWithQuery.ReplaceAllString(s, "$1?"+Redacted)
	return credentialPair.ReplaceAllString(s, "$1="+Redacted)
}

// Scrub returns err with every URL query string and credential removed from
// its text. The result still unwraps to the cause below the *url.Error (a
// net.Error, context.DeadlineExceeded, …) so errors.Is/As keep working, but
// never to an error whose text holds the URL.
func Scrub(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := StripQueries(msg)
	if clean == msg && !hasURLError(err) {
		return err
	}
	return &scrubbed{msg: clean, cause: causeBelowURL(err)}
}

func hasURLError(err error) bool {
	var ue *url.Error
	return errors.As(err, &ue)
}

// causeBelowURL is what a scrubbed error unwraps to: the error a *url.Error
// wraps (scrubbed in turn), or nothing when no *url.Error is in the chain.
func causeBelowURL(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) || ue.Err == nil {
		return nil
	}
	return Scrub(ue.Err)
}

type scrubbed struct {
	msg   string
	cause error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.cause }

// Timeout reports whether the cause was a timeout (net.Error's method).
func (e *scrubbed) Timeout() bool {
	var t interface{ Timeout() bool }
	return e.cause != nil && errors.As(e.cause, &t) && t.Timeout()
}

// NewTransport returns a transport with herald's connection settings:
// perHost idle connections kept for reuse (and no fewer in all, so that as
// many calls as run at once find a connection to reuse).
func NewTransport(perHost int) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if perHost > 0 {
		tr.MaxIdleConnsPerHost = perHost
		tr.MaxIdleConns = max(tr.MaxIdleConns, perHost)
	}
	return tr
}

// Client is an *http.Client whose errors never hold a query string.
type Client struct {
	HTTP *http.Client
}

// NewClient returns a Client with a timeout per request.
func NewClient(timeout time.Duration, perHost int) *Client {
	return &Client{HTTP: &http.Client{Timeout: timeout, Transport: NewTransport(perHost)}}
}

// Do sends req; any error comes back scrubbed.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, Scrub(err)
	}
	return resp, nil
}

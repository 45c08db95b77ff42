package policies

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// trackingParams are query keys that say where a visitor came from, not
// which document: the same page linked as ?from=list, ?utm_source=… or
// ?spm=… is one document.
var trackingParams = map[string]bool{
	"from": true, "source": true, "src": true, "spm": true, "ref": true, "referer": true, "share": true,
	"share_from": true, "sharefrom": true, "scene": true, "isappinstalled": true, "clicktime": true, "enterid": true,
	"timestamp": true, "_t": true, "t": true, "v": true, "tdsourcetag": true, "fromsite": true, "wd": true,
	"eqid": true, "channel": true, "winzoom": true, "fontsize": true,
}

// stripTracking is u without tracking query keys and fragment; the other
// keys (id=, articleId=, which name the document on some sites) are kept
// in their order.
func stripTracking(u *url.URL) *url.URL {
	c := *u
	c.Fragment, c.RawFragment = "", ""
	if c.RawQuery == "" {
		return &c
	}
	var kept []string
	for _, kv := range strings.Split(c.RawQuery, "&") {
		k, _, _ := strings.Cut(kv, "=")
		k, _ = url.QueryUnescape(k)
		lk := strings.ToLower(k)
		if kv == "" || trackingParams[lk] || strings.HasPrefix(lk, "utm_") {
			continue
		}
		kept = append(kept, kv)
	}
	c.RawQuery = strings.Join(kept, "&")
	c.ForceQuery = false
	return &c
}

// canonicalURL is the document's own address: the page's
// <link rel="canonical"> when it points to a page on the same host (templates
// that name the home page or a column's index as every page's canonical are
// ignored), else the address it was read at without tracking query keys.
func canonicalURL(root *html.Node, at *url.URL) *url.URL {
	var found *url.URL
	walkElements(root, func(n *html.Node) bool {
		if found != nil {
			return false
		}
		if n.DataAtom == atom.Link && strings.EqualFold(strings.TrimSpace(attr(n, "rel")), "canonical") {
			if u := resolve(at, attr(n, "href")); u != nil && u.Host == at.Host && documentPath(u.Path) {
				found = u
			}
		}
		return n.DataAtom == atom.Html || n.DataAtom == atom.Head || n.DataAtom == atom.Body
	})
	if found != nil {
		return stripTracking(found)
	}
	return stripTracking(at)
}

// documentPath is a path that can be one document's: not the site's root, a
// folder or a column's index page.
func documentPath(p string) bool {
	if p == "" || strings.HasSuffix(p, "/") {
		return false
	}
	base := strings.ToLower(p[strings.LastIndex(p, "/")+1:])
	return !strings.HasPrefix(base, "index.") && !strings.HasPrefix(base, "default.")
}

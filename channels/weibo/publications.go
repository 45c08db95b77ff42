package weibo

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
)

var _ channels.PublicationReader = (*Channel)(nil)

// ListedStatus is a post as the timeline lists it: a long post (长微博, up
// to 2,000 characters, made in the client) comes cut, with IsLongText set.
type ListedStatus struct {
	Status
	IsLongText bool `json:"isLongText"`
	LongText   *struct {
		Content string `json:"longTextContent"`
	} `json:"longText"`
}

// TimelineRange returns a page of the authorised user's own posts, newest
// first, newer than sinceID and no newer than maxID (either may be empty).
func (c *Client) TimelineRange(ctx context.Context, token string, count, page int, sinceID, maxID string) ([]ListedStatus, error) {
	var out struct {
		Statuses []ListedStatus `json:"statuses"`
	}
	q := url.Values{"count": {strconv.Itoa(count)}, "page": {strconv.Itoa(page)}}
	if sinceID != "" {
		q.Set("since_id", sinceID)
	}
	if maxID != "" {
		q.Set("max_id", maxID)
	}
	err := c.do(ctx, http.MethodGet, "statuses/user_timeline", token, q, nil, "", &out)
	return out.Statuses, err
}

// LongText returns the whole text of a long post (statuses/show with
// isGetLongText=1), or "" when the answer has none.
func (c *Client) LongText(ctx context.Context, token, id string) (string, error) {
	var st ListedStatus
	if err := c.do(ctx, http.MethodGet, "statuses/show", token, url.Values{"id": {id}, "isGetLongText": {"1"}}, nil, "", &st); err != nil {
		return "", err
	}
	if st.LongText != nil {
		return st.LongText.Content, nil
	}
	return "", nil
}

// readPages bounds one read: 100 posts a page, 20 pages.
const readPages = 20

// ReadPublications reads the account's own timeline (statuses/user_timeline).
// Posts read before are not fetched again: the newer ones come with since_id
// set to the newest stored post, and, when the window reaches further back
// than what is stored, the older ones with max_id set to the oldest.
func (c *Channel) ReadPublications(ctx context.Context, acct *configs.Account, from channels.ReadFrom) ([]channels.Post, error) {
	known := from.Known
	if known == nil {
		known = func(string) bool { return false }
	}
	var out []channels.Post
	seen := map[string]bool{}
	read := func(sinceID, maxID string) error {
		for page := 1; page <= readPages; page++ {
			var posts []ListedStatus
			err := from.Call(ctx, func() error {
				var err error
				if posts, err = c.client.TimelineRange(ctx, acct.AccessToken, 100, page, sinceID, maxID); err != nil {
					return c.classify(err, false)
				}
				return nil
			})
			if err != nil {
				return err
			}
			for i := range posts {
				st := &posts[i].Status
				at, err := st.Created()
				if err != nil {
					continue
				}
				if at.Before(from.Since) {
					return nil
				}
				r := c.result(acct, st)
				if known(r.RemoteID) || seen[r.RemoteID] {
					continue
				}
				seen[r.RemoteID] = true
				text := st.Text
				if posts[i].IsLongText { // the whole text, not the start the timeline shows
					var long string
					err := from.Call(ctx, func() error {
						var err error
						if long, err = c.client.LongText(ctx, acct.AccessToken, r.RemoteID); err != nil {
							return c.classify(err, false)
						}
						return nil
					})
					if err != nil {
						return err
					}
					if long != "" {
						text = long
					}
				}
				out = append(out, channels.Post{RemoteID: r.RemoteID, Title: postTitle(text), URL: r.URL, Text: text, PublishedAt: at})
			}
			if len(posts) < 100 {
				return nil
			}
		}
		return nil
	}
	if from.CoveredFrom.IsZero() || from.Newest == "" {
		return out, read("", "")
	}
	if err := read(from.Newest, ""); err != nil {
		return out, err
	}
	if from.CoveredFrom.After(from.Since) && from.Oldest != "" {
		return out, read("", from.Oldest)
	}
	return out, nil
}

// postTitle is a post's first sentence or 30 characters: Weibo posts have no title.
func postTitle(text string) string {
	r := []rune(content.PlainText(text))
	for i, ch := range r {
		if ch == '。' || ch == '！' || ch == '？' || ch == '\n' || i >= 30 {
			return string(r[:i])
		}
	}
	return string(r)
}

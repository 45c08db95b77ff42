package wechat

import (
	"context"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
)

var _ channels.PublicationReader = (*Channel)(nil)

// batchPage is freepublish/batchget's answer.
type batchPage struct {
	TotalCount int `json:"total_count"`
	ItemCount  int `json:"item_count"`
	Item       []struct {
		ArticleID  string `json:"article_id"`
		UpdateTime int64  `json:"update_time"`
		Content    struct {
			NewsItem []struct {
				Title            string `json:"title"`
				Content          string `json:"content"`
				ContentSourceURL string `json:"content_source_url"`
				URL              string `json:"url"`
				IsDeleted        bool   `json:"is_deleted"`
			} `json:"news_item"`
		} `json:"content"`
	} `json:"item"`
}

// batchMax is the most batchget lists in one call.
const batchMax = 20

// ReadPublications reads the published list (freepublish/batchget, newest
// first). The text of what was read before is not fetched again: when
// anything is stored, the list is first read without content
// (no_content=1) to find the new articles' positions, and only those
// positions are then fetched with content.
func (c *Channel) ReadPublications(ctx context.Context, acct *configs.Account, from channels.ReadFrom) ([]channels.Post, error) {
	a := c.account(acct)
	get := func(offset, count int, content bool) (batchPage, error) {
		noContent := 1
		if content {
			noContent = 0
		}
		var p batchPage
		err := from.Call(ctx, func() error {
			p = batchPage{}
			if err := a.postJSON(ctx, "/cgi-bin/freepublish/batchget", map[string]int{"offset": offset, "count": count, "no_content": noContent}, &p); err != nil {
				return c.classify(err, false)
			}
			return nil
		})
		return p, err
	}
	known := from.Known
	if known == nil {
		known = func(string) bool { return false }
	}
	stopAtKnown := !from.CoveredFrom.IsZero() && !from.CoveredFrom.After(from.Since)
	var out []channels.Post
	wantURLs := map[string]bool{} // new articles the listing found, whose text is still to come
	// take goes through one page of the list; want (listing without
	// content) collects the positions whose text is needed, keep (with
	// content) collects the posts. It reports whether the read is done.
	take := func(p batchPage, offset int, want map[int]bool, keep bool) (done bool) {
		for i, it := range p.Item {
			at := time.Unix(it.UpdateTime, 0)
			if at.Before(from.Since) {
				return true
			}
			fresh, stored := false, false
			for _, n := range it.Content.NewsItem {
				switch {
				case n.IsDeleted:
				case known(n.URL):
					stored = true
				default:
					fresh = true
					if keep {
						out = append(out, channels.Post{RemoteID: n.URL, Title: n.Title, URL: n.URL, SourceURL: n.ContentSourceURL, Text: n.Content, PublishedAt: at})
					}
					if want != nil {
						wantURLs[n.URL] = true
					}
				}
			}
			if want != nil && fresh {
				want[offset+i] = true
			}
			if stored && !fresh && stopAtKnown {
				return true // everything older was read before
			}
		}
		return len(p.Item) < batchMax || offset+len(p.Item) >= p.TotalCount
	}
	if from.CoveredFrom.IsZero() {
		// Nothing stored: read with content from the top.
		for offset := 0; ; offset += batchMax {
			p, err := get(offset, batchMax, true)
			if err != nil {
				return out, err
			}
			if take(p, offset, nil, true) {
				return out, nil
			}
		}
	}
	want := map[int]bool{}
	for offset := 0; ; offset += batchMax {
		p, err := get(offset, batchMax, false)
		if err != nil {
			return out, err
		}
		if take(p, offset, want, false) {
			break
		}
	}
	// Fetch the wanted positions with content, in runs of up to 20.
	seen := map[string]bool{}
	for pos := 0; len(want) > 0; {
		for !want[pos] {
			pos++
		}
		n := 0
		for n < batchMax && want[pos+n] {
			n++
		}
		p, err := get(pos, n, true)
		if err != nil {
			return out, err
		}
		for _, it := range p.Item { // the list may have moved: keep what is new, by id
			at := time.Unix(it.UpdateTime, 0)
			for _, n := range it.Content.NewsItem {
				if !n.IsDeleted && !known(n.URL) && !at.Before(from.Since) && !seen[n.URL] {
					seen[n.URL] = true
					delete(wantURLs, n.URL)
					out = append(out, channels.Post{RemoteID: n.URL, Title: n.Title, URL: n.URL, SourceURL: n.ContentSourceURL, Text: n.Content, PublishedAt: at})
				}
			}
		}
		for i := pos; i < pos+n; i++ {
			delete(want, i)
		}
		pos += n
	}
	if len(wantURLs) > 0 {
		// The list moved between the two reads (something was published or
		// deleted): what was missed is read next time, from the top.
		return out, &channels.Error{Class: channels.ClassTransient, Message: "公众号已发布列表在读取时发生变化，稍后重读"}
	}
	return out, nil
}

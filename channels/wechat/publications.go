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
		var p batchPage
		if err := from.Wait(ctx); err != nil {
			return p, err
		}
		noContent := 1
		if content {
			noContent = 0
		}
		err := a.postJSON(ctx, "/cgi-bin/freepublish/batchget", map[string]int{"offset": offset, "count": count, "no_content": noContent}, &p)
		if err != nil {
			return p, c.classify(err, false)
		}
		return p, nil
	}
	known := from.Known
	if known == nil {
		known = func(string) bool { return false }
	}
	stopAtKnown := !from.CoveredFrom.IsZero() && !from.CoveredFrom.After(from.Since)
	var out []channels.Post
	// wanted: positions in the list whose text is needed.
	take := func(p batchPage, offset int, want map[int]bool, keep bool) (done bool) {
		for i, it := range p.Item {
			at := time.Unix(it.UpdateTime, 0)
			if at.Before(from.Since) {
				return true
			}
			allKnown := true
			for _, n := range it.Content.NewsItem {
				if n.IsDeleted || known(n.URL) {
					continue
				}
				allKnown = false
				if keep {
					out = append(out, channels.Post{RemoteID: n.URL, Title: n.Title, URL: n.URL, SourceURL: n.ContentSourceURL, Text: n.Content, PublishedAt: at})
				}
			}
			if want != nil && !allKnown {
				want[offset+i] = true
			}
			if allKnown && stopAtKnown {
				return true
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
					out = append(out, channels.Post{RemoteID: n.URL, Title: n.Title, URL: n.URL, SourceURL: n.ContentSourceURL, Text: n.Content, PublishedAt: at})
				}
			}
		}
		for i := pos; i < pos+n; i++ {
			delete(want, i)
		}
		pos += n
	}
	return out, nil
}

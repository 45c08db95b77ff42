package inbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/storage"
)

// maxPages bounds how many pages one source gives in one sync; the rest
// comes at the next (the cursor says where).
const maxPages = 40

// syncWorkers is how many accounts are read at once.
const syncWorkers = 16

// An article's comments are read at every poll while it is fresh, then at
// most once per slowEvery: most comments come in an article's first days,
// and WeChat has no "comments since" (each article is one call).
const (
	freshFor  = 3 * 24 * time.Hour
	slowEvery = time.Hour
)

// SyncResult is what one sync did.
type SyncResult struct {
	Accounts int
	// Added are the new entries' ids.
	Added []int64
	// Unreadable counts sources found unreadable in this sync.
	Unreadable int
	// Failed maps an account to why its read stopped (what it read first is stored).
	Failed map[string]error
}

// Sync reads new comments and mentions of the accounts (nil: every account
// with an inbox reader), each account paced, several at once. A read that
// stops part-way keeps what it stored; the next sync resumes there.
func (s *Service) Sync(ctx context.Context, ids []string) SyncResult {
	var accts []*configs.Account
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	for i := range s.cfg.Accounts {
		a := &s.cfg.Accounts[i]
		if _, ok := s.readers[a.Platform]; ok && (len(ids) == 0 || want[a.ID]) {
			accts = append(accts, a)
		}
	}
	res := SyncResult{Accounts: len(accts), Failed: map[string]error{}}
	var mu sync.Mutex
	work := make(chan *configs.Account)
	var wg sync.WaitGroup
	for w := 0; w < min(syncWorkers, len(accts)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range work {
				added, unreadable, err := s.syncAccount(ctx, a)
				mu.Lock()
				res.Added = append(res.Added, added...)
				res.Unreadable += unreadable
				if err != nil {
					res.Failed[a.ID] = err
				}
				mu.Unlock()
			}
		}()
	}
	for _, a := range accts {
		select {
		case work <- a:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	return res
}

// syncAccount reads every source of one account.
func (s *Service) syncAccount(ctx context.Context, acct *configs.Account) (added []int64, unreadable int, err error) {
	reader := s.readers[acct.Platform]
	stored, err := s.store.InboxCursors(ctx, acct.ID)
	if err != nil {
		return nil, 0, err
	}
	cursors := map[string]string{}
	for k, c := range stored {
		cursors[k] = c.Cursor
	}
	var articles []channels.InboxArticle
	if acct.Platform == configs.PlatformWeChat {
		since := s.now().AddDate(0, 0, -s.cfg.Interaction.Days)
		rows, err := s.store.InboxArticles(ctx, acct.ID, since)
		if err != nil {
			return nil, 0, err
		}
		for _, r := range rows {
			articles = append(articles, channels.InboxArticle{MsgDataID: r.MsgDataID, ItemID: r.ItemID, Title: r.Title, URL: r.URL, PublishedAt: r.PublishedAt})
		}
	}
	lim := s.limiter(acct.ID)
	items := map[string]linked{}
	for _, src := range reader.InboxSources(acct, articles, cursors) {
		if stored[src.Key].Unreadable != "" {
			continue // the platform said it never will: not asked again
		}
		if c, ok := stored[src.Key]; ok && !src.PublishedAt.IsZero() && s.now().Sub(src.PublishedAt) > freshFor && s.now().Sub(c.ReadAt) < slowEvery {
			continue // an older article: read again within the hour
		}
		for page := 0; page < maxPages; page++ {
			if err := lim.Wait(ctx); err != nil {
				return added, unreadable, err
			}
			s.counted()
			got, err := reader.ReadInbox(ctx, acct, src)
			if errors.Is(err, channels.ErrUnreadable) {
				unreadable++
				s.log.Info("inbox: comments of a publication cannot be read; not asked again", "account", acct.ID, "source", src.Key, "err", err)
				if _, serr := s.store.AddInboxEntries(ctx, nil, &storage.InboxCursor{Source: src.Key, Cursor: src.Cursor, Unreadable: err.Error()}, acct.ID); serr != nil {
					return added, unreadable, serr
				}
				break
			}
			if err != nil {
				return added, unreadable, fmt.Errorf("%s: %w", src.Key, err)
			}
			entries := make([]storage.InboxEntry, len(got.Entries))
			for i, in := range got.Entries {
				entries[i] = s.entryOf(acct, in, src)
				if entries[i].ItemID == 0 && in.PostKey != "" {
					if err := s.linkItem(ctx, acct, &entries[i], items); err != nil {
						return added, unreadable, err
					}
				}
			}
			ids, err := s.store.AddInboxEntries(ctx, entries, &storage.InboxCursor{Source: src.Key, Cursor: got.Cursor}, acct.ID)
			if err != nil {
				return added, unreadable, err
			}
			added = append(added, ids...)
			src.Cursor = got.Cursor
			if !got.More {
				break
			}
		}
	}
	return added, unreadable, nil
}

// linked is the herald item a post is, if any.
type linked struct {
	id    int64
	title string
}

// linkItem names the herald item an entry is on when herald published the
// post it is on (a Weibo comment on herald's post).
func (s *Service) linkItem(ctx context.Context, acct *configs.Account, e *storage.InboxEntry, cache map[string]linked) error {
	l, ok := cache[e.PostKey]
	if !ok {
		id, title, err := s.store.PublicationItem(ctx, acct.ID, e.PostKey)
		if err != nil {
			return err
		}
		l = linked{id, title}
		cache[e.PostKey] = l
	}
	if l.id != 0 {
		e.ItemID = l.id
		if l.title != "" {
			e.Title = l.title
		}
	}
	return nil
}

// Package policies watches the county site's 政策文件 lists, reads each
// policy document, drafts a policy graphic from it and tracks whether each
// policy has been interpreted (解读) or explained (图解) in time.
//
// This is the one place herald reads the internet, and it reads only what
// the config names: each of policies.sources (a list page or an RSS/Atom
// feed) and the document pages its list links to on the same host. A
// redirect to another host is refused. Requests go one at a time with a
// pause between them, a timeout and a User-Agent naming herald. A document
// is stored once, known by its canonical URL (the page's rel=canonical, or
// its address without tracking queries such as ?from=list), its 索引号 or
// its 文号; a changed page updates it; a source or document that cannot be
// read, or a page that has lost the fields the document had (an error page
// served with HTTP 200), is reported and leaves what is stored untouched.
package policies

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/storage"
)

// Options tune a Syncer; the zero value is right for production.
type Options struct {
	// Client supplies the transport (tests); its redirect policy and
	// timeout are replaced by herald's own.
	Client *http.Client
	// Timeout per request (default 20s).
	Timeout time.Duration
	// Delay between two requests to a site (default 500ms).
	Delay time.Duration
}

// Syncer reads the configured sources into the store.
type Syncer struct {
	cfg  *configs.Config
	st   *storage.Store
	log  *slog.Logger
	opts Options
}

// NewSyncer returns a Syncer for cfg.Policies.Sources.
func NewSyncer(cfg *configs.Config, st *storage.Store, log *slog.Logger, opts Options) *Syncer {
	if opts.Timeout == 0 {
		opts.Timeout = 20 * time.Second
	}
	if opts.Delay == 0 {
		opts.Delay = 500 * time.Millisecond
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Syncer{cfg: cfg, st: st, log: log, opts: opts}
}

// Result is what one sync did.
type Result struct {
	Sources   int
	Documents int // document links followed
	New       []int64
	Updated   []int64
	Unchanged int
	// Problems are one line each, in plain Chinese: a source that cannot be
	// read or is not a list, a document that cannot be read, a page refused
	// because it lost what the stored document had.
	Problems []string
	// Notes are one line each, in plain Chinese, about documents stored
	// as they are: a page whose content is only a picture or a file.
	Notes []string
}

// Sync reads every source and every document its list links to. Problems
// with single sources or documents are collected in Result.Problems; the
// error is only for the store failing or ctx ending.
func (s *Syncer) Sync(ctx context.Context) (*Result, error) {
	res := &Result{}
	known, err := s.knownPolicies(ctx)
	if err != nil {
		return res, err
	}
	for _, src := range s.cfg.Policies.Sources {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		res.Sources++
		if err := s.syncSource(ctx, src, known, res); err != nil {
			return res, err
		}
	}
	s.log.Info("policy sync", "sources", res.Sources, "documents", res.Documents, "new", len(res.New),
		"updated", len(res.Updated), "unchanged", res.Unchanged, "problems", len(res.Problems))
	for _, p := range res.Problems {
		s.log.Warn("policy sync problem", "problem", p)
	}
	for _, n := range res.Notes {
		s.log.Info("policy sync note", "note", n)
	}
	return res, nil
}

func (s *Syncer) syncSource(ctx context.Context, src configs.PolicySource, known *knownPolicies, res *Result) error {
	base, err := url.Parse(src.URL)
	if err != nil {
		res.Problems = append(res.Problems, fmt.Sprintf("政策来源 %s：网址无效", src.URL))
		return nil
	}
	var pattern *regexp.Regexp
	if src.LinkPattern != "" {
		pattern, _ = regexp.Compile(src.LinkPattern) // validated with the config
	}
	f := newFetcher(s.opts.Client, s.opts.Timeout, s.opts.Delay)
	list, err := f.get(ctx, base)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		res.Problems = append(res.Problems, fmt.Sprintf("政策来源 %s：无法读取（%s），已保存的政策不变", src.URL, describe(err)))
		return nil
	}
	links, err := listLinks(list, pattern)
	if err != nil {
		res.Problems = append(res.Problems, fmt.Sprintf("政策来源 %s：%s，已保存的政策不变", src.URL, listProblem(err, pattern != nil)))
		return nil
	}
	for _, u := range links {
		if err := ctx.Err(); err != nil {
			return err
		}
		res.Documents++
		pg, err := f.get(ctx, u)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			res.Problems = append(res.Problems, fmt.Sprintf("政策文件 %s：无法读取（%s）", u, describe(err)))
			continue
		}
		doc, err := parseDocument(pg)
		switch {
		case errors.Is(err, errSoftNotFound):
			res.Problems = append(res.Problems, fmt.Sprintf("政策文件 %s：页面提示文件不存在或已删除（网站仍答复正常），已保存的版本不变", u))
			continue
		case err != nil:
			res.Problems = append(res.Problems, fmt.Sprintf("政策文件 %s：页面上找不到文件标题或正文", u))
			continue
		}
		if err := s.save(ctx, src, doc, known, res); err != nil {
			return err
		}
	}
	return nil
}

// describe words a fetch error for a clerk.
func describe(err error) string {
	var he *HTTPError
	switch {
	case errors.As(err, &he):
		if he.Status == http.StatusNotFound {
			return "HTTP 404，页面不存在"
		}
		return fmt.Sprintf("HTTP %d", he.Status)
	case errors.Is(err, errOtherHost):
		return "页面跳转到了其他网站，已拒绝：" + err.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return "超时"
	}
	return err.Error()
}

package main

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/channels/wechat"
	"github.com/herald-gov/herald/channels/weibo"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/inbox"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
	"github.com/herald-gov/herald/web"
)

// replyOrphanAge is how long a reply attempt may stay sending before serve
// looks it up (its process died between recording it and the answer): longer
// than any platform call may take.
const replyOrphanAge = 2 * time.Minute

// wireInbox makes the inbox and WeChat's push handler and gives the console
// and API the inbox.
func (d *daemon) wireInbox(cfg *configs.Config, st *storage.Store, q *queue.Service, wc *wechat.Channel, wb *weibo.Channel, handler *web.Server, log *slog.Logger) error {
	d.inbox = inbox.New(cfg, st, q, map[string]channels.InboxReader{configs.PlatformWeChat: wc, configs.PlatformWeibo: wb}, log, d.now)
	p, err := inbox.NewPush(d.inbox, log)
	if err != nil {
		return err
	}
	p.Wake = d.sched.Wake
	d.push = p
	handler.Inbox = d.inbox
	return nil
}

// withPush routes WeChat's push path to the push handler, everything else
// to the console and API.
func withPush(h http.Handler, p *inbox.Push) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p != nil && strings.HasPrefix(r.URL.Path, inbox.PushPath) {
			p.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// runInbox imports WeChat's pushes as they come and, every interaction.poll,
// reads comments and mentions, looks up replies whose process died, and
// tells the robot. The returned channel closes when both have stopped.
func (d *daemon) runInbox(ctx context.Context, log *slog.Logger) <-chan struct{} {
	done := make(chan struct{})
	pushDone := make(chan struct{})
	go func() { defer close(pushDone); d.push.Run(ctx) }()
	go func() {
		defer close(done)
		defer func() { <-pushDone }()
		every := d.cfg.Interaction.Poll
		if d.inboxPoll > 0 {
			every = d.inboxPoll
		}
		first := 5 * time.Second
		if d.inboxPoll > 0 {
			first = d.inboxPoll
		}
		t := time.NewTimer(first)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			d.pollInbox(ctx, log)
			t.Reset(every)
		}
	}()
	return done
}

func (d *daemon) pollInbox(ctx context.Context, log *slog.Logger) {
	if n, err := d.inbox.Resolve(ctx, replyOrphanAge); err != nil {
		log.Error("inbox: look up interrupted replies", "err", err)
	} else if n > 0 {
		log.Info("inbox: interrupted replies looked up", "settled", n)
	}
	res := d.inbox.Sync(ctx, nil)
	for id, err := range res.Failed {
		log.Warn("inbox: read stopped; resumes at the next poll", "account", id, "err", err)
	}
	if len(res.Added) > 0 {
		log.Info("inbox: new entries", "added", len(res.Added))
	}
	if d.robot != nil {
		if n, err := d.inbox.Notify(ctx, d.robot); err != nil {
			log.Error("inbox: robot", "err", err)
		} else if n > 0 {
			log.Info("inbox: robot messages sent", "messages", n)
		}
	}
}

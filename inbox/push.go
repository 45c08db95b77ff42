package inbox

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/channels/wechat"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// PushPath is where serve answers WeChat's push: PushPath + account id.
const PushPath = "/wechat/push/"

// maxPushBody bounds a push body (WeChat's are a few KB).
const maxPushBody = 64 << 10

// Push answers WeChat's push for the accounts with token and
// encoding_aes_key. A verified push is written to the spool directory
// (one file per push, named by its dedupe key, fsynced) before herald
// answers, so the answer never waits for the database and a crash after it
// loses nothing; Run imports the spool into the inbox and settles
// PUBLISHJOBFINISH deliveries. WeChat's retries of one push land on the
// same file, and the store keeps each message once.
type Push struct {
	svc   *Service
	keys  map[string]wechat.PushKey
	spool string
	log   *slog.Logger
	now   func() time.Time
	kick  chan struct{}
	// Wake, when set, is called after a delivery was settled (the scheduler
	// settles its item).
	Wake func()
}

// NewPush returns the push handler, spooling under dataDir/push.
func NewPush(svc *Service, log *slog.Logger) (*Push, error) {
	p := &Push{svc: svc, keys: map[string]wechat.PushKey{}, spool: filepath.Join(svc.cfg.DataDir, "push"), log: log, now: svc.now,
		kick: make(chan struct{}, 1)}
	for _, a := range svc.cfg.Accounts {
		if a.Platform == configs.PlatformWeChat && a.Token != "" {
			p.keys[a.ID] = wechat.PushKey{AppID: a.AppID, Token: a.Token, EncodingAESKey: a.EncodingAESKey}
		}
	}
	if err := os.MkdirAll(p.spool, 0o700); err != nil {
		return nil, fmt.Errorf("inbox: push spool: %w", err)
	}
	return p, nil
}

// ServeHTTP answers GET (URL verification) and POST (a safe-mode push) at
// PushPath + account id.
func (p *Push) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, PushPath)
	key, ok := p.keys[id]
	if !ok {
		http.NotFound(w, r)
		return
	}
	now := p.now()
	switch r.Method {
	case http.MethodGet:
		echo, err := key.VerifyURL(r.URL.Query(), now)
		if err != nil {
			p.log.Warn("wechat push: URL check refused", "account", id, "err", err)
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, echo)
	case http.MethodPost:
		body, err := io.ReadAll(io.LimitReader(r.Body, maxPushBody+1))
		if err != nil || len(body) > maxPushBody {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		plain, err := key.Open(r.URL.Query(), body, now)
		if err != nil {
			p.log.Warn("wechat push refused", "account", id, "err", err)
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		parsed, err := wechat.ParsePush(plain)
		if err != nil {
			// Authentic but not understood: answered, so WeChat stops retrying.
			p.log.Warn("wechat push not understood", "account", id, "err", err)
			_, _ = io.WriteString(w, "success")
			return
		}
		if err := p.write(id, parsed.Key, plain); err != nil {
			// Not kept: let WeChat retry.
			p.log.Error("wechat push not spooled; WeChat will retry", "account", id, "err", err)
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "success")
		select {
		case p.kick <- struct{}{}:
		default:
		}
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// write puts one push in the spool: a temporary file, synced, renamed to a
// name made of the account and the push's dedupe key.
func (p *Push) write(account, key string, plain []byte) error {
	sum := sha256.Sum256([]byte(account + "\x00" + key))
	name := filepath.Join(p.spool, hex.EncodeToString(sum[:16])+".push")
	f, err := os.CreateTemp(p.spool, ".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(append([]byte(account+"\n"), plain...))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	if d, err := os.Open(p.spool); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// Run imports the spool until ctx ends: at start (what a crash left),
// whenever a push came, and every few seconds.
func (p *Push) Run(ctx context.Context) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		if n, err := p.Import(ctx); err != nil {
			p.log.Warn("wechat push: import", "err", err, "imported", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-p.kick:
		case <-t.C:
		}
	}
}

// Import stores every spooled push (oldest first) and removes its file.
func (p *Push) Import(ctx context.Context) (int, error) {
	files, err := filepath.Glob(filepath.Join(p.spool, "*.push"))
	if err != nil {
		return 0, err
	}
	type spooled struct {
		path string
		mod  time.Time
	}
	var list []spooled
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			list = append(list, spooled{f, st.ModTime()})
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].mod.Before(list[j].mod) })
	n := 0
	for _, f := range list {
		if err := p.importFile(ctx, f.path); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (p *Push) importFile(ctx context.Context, path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	account, plain, _ := bytes.Cut(data, []byte("\n"))
	acct, ok := p.svc.cfg.Account(string(account))
	parsed, perr := wechat.ParsePush(plain)
	switch {
	case !ok || perr != nil:
		p.log.Warn("wechat push: spooled push dropped", "account", string(account), "err", perr)
	case parsed.Message != nil:
		if _, err := p.svc.Add(ctx, acct, []channels.Incoming{*parsed.Message}); err != nil {
			return err // kept in the spool: tried again
		}
	case parsed.Publish != nil:
		if err := p.settle(ctx, acct, parsed.Publish); err != nil {
			return err
		}
	}
	return os.Remove(path)
}

// settle records a PUBLISHJOBFINISH event on the delivery whose publish it
// names, if it is still sending or unknown: published with the article's
// URL, or failed with the platform's reason. The same guarded state change
// as the executor's (storage.UpdateDelivery with the attempt id): an
// executor still polling freepublish/get finds the delivery settled and
// records nothing over it.
func (p *Push) settle(ctx context.Context, acct *configs.Account, f *wechat.PublishFinished) error {
	ds, err := p.svc.store.InFlightDeliveries(ctx, acct.ID)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if wechat.PublishIDOf(d.Progress) != f.PublishID {
			continue
		}
		u := storage.DeliveryUpdate{ID: d.ID, From: d.State, AttemptID: d.AttemptID, Actor: "herald"}
		if f.Outcome == channels.Published {
			u.To, u.RemoteID, u.URL = content.DeliveryPublished, f.Result.RemoteID, f.Result.URL
			u.Detail = fmt.Sprintf("%s → published（微信推送发布结果）%s", d.State, f.Result.URL)
		} else {
			u.To, u.Error = content.DeliveryFailed, "平台已拒绝："+clerkLine(f.Err)
		}
		err := p.svc.store.UpdateDelivery(ctx, u)
		if err != nil && !errors.Is(err, storage.ErrConflict) && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		if err == nil {
			p.log.Info("delivery settled by WeChat's push", "delivery", d.ID, "to", u.To)
			if p.Wake != nil {
				p.Wake()
			}
		}
	}
	return nil
}

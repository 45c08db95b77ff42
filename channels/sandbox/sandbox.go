// Package sandbox is a local, faithful stand-in for the WeChat official
// account API and the Weibo API, for herald's demo and tests.
//
// One Server is an http.Handler that answers the WeChat paths (/cgi-bin/...,
// /datacube/...) and the Weibo paths (/2/...) with the JSON shapes, error
// bodies, limits and quotas that ../shared/platforms.md describes. Its
// statistics are deterministic from a seed. Faults (latency, transient
// errors, lost responses, token invalidation, quota exhaustion) are set per
// test through Options and methods, or through `herald sandbox` flags.
// /_sandbox/state tells what happened on the platform side, so that tests
// assert on platform effects, never on herald's own belief.
package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configure a Server.
type Options struct {
	// WeiboHistory gives each Weibo account the back catalogue its
	// statistics describe (posts on the days before the sandbox started,
	// as many as the synthetic figures count): the timeline, statuses/count
	// and statuses_count agree. Without it a Weibo account has only the
	// posts made since.
	WeiboHistory bool
	// Seed makes statistics, ids and injected faults reproducible.
	Seed uint64
	// Now is the platform's clock (default time.Now).
	Now func() time.Time
	// Faults in force from the start; see SetFaults.
	Faults Faults
	// AllowIPs, when not empty, is the IP whitelist every WeChat app shares:
	// calls from other addresses get 40164.
	AllowIPs []string
	// TokenDailyLimit is how many /cgi-bin/token fetches an app gets a day (default 2000).
	TokenDailyLimit int
	// MassSendsUnlisted leaves articles published by a mass send out of
	// freepublish/batchget, as the real platform was seen to do (its pages
	// do not say either way): a lost mass-send answer can then only be
	// found out through the draft (40007 once consumed), the clientmsgid
	// (45065) or message/mass/get by msg_id.
	MassSendsUnlisted bool
	// PublishPolls is how many freepublish/get answers say "publishing"
	// before the final status (default 1; negative: none).
	PublishPolls int
}

// Faults are injected misbehaviours. Zero means none.
type Faults struct {
	// Latency is added to every API call.
	Latency time.Duration `json:"latency"`
	// TransientRate is the share of API calls answered with a transient
	// error (WeChat -1 or 45011, Weibo 10023) and no effect.
	TransientRate float64 `json:"transient_rate"`
	// LostRate is the share of publishing calls (freepublish/submit,
	// mass/sendall, statuses/share) whose effect happens but whose answer is
	// never sent: the connection is closed.
	LostRate float64 `json:"lost_rate"`
	// RejectShare is the share of WeChat publishes that end in status 4
	// (rejected by platform review).
	RejectShare float64 `json:"reject_share"`
}

// Server is the sandbox platform. Create it with New.
type Server struct {
	opts Options
	loc  *time.Location
	// start is the local day the sandbox came up: synthetic history lies before it.
	start time.Time

	mu       sync.Mutex
	faults   Faults
	rng      *rand.Rand
	seq      int64
	apps     map[string]*wxApp
	tokens   map[string]*wxToken
	users    map[string]*wbUser
	wbTokens map[string]*wbUser
	loseNext map[string]int           // path -> how many upcoming answers to lose
	holds    map[string]chan struct{} // "path key" -> closed when the held answers may go
	quota    map[string]bool          // appid+" "+path -> 45009 until cleared
	calls    map[string]int           // "wechat/"+appid+" "+path or "weibo/"+uid+" "+path
	other    map[string]int           // calls no app or user could be tied to, by path
	lastIP   map[string]string        // appid -> the last caller IP seen
	stripped map[string]int           // appid -> external images stripped from draft content
	accounts map[string]*profile      // "wechat/"+appid or "weibo/"+uid -> statistics profile
	paths    map[string]handlerFor    // path -> handler
	// served counts texts handed out: "wechat/"+appid or "weibo/"+uid -> article URL or post id -> times
	served map[string]map[string]int
	// firstCall is when the first API call arrived (before any latency).
	firstCall time.Time
	// inbox is the public's side: messages, comments, mentions (inbox.go).
	inbox *inboxState
}

type handlerFor struct {
	platform string // "wechat" or "weibo"
	publish  bool   // eligible for lost answers
	fn       func(r *request) reply
}

// reply is a handler's answer, written (or lost) by ServeHTTP.
type reply struct {
	status int
	body   []byte
}

// New returns a Server with no accounts.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.TokenDailyLimit == 0 {
		opts.TokenDailyLimit = 2000
	}
	switch {
	case opts.PublishPolls == 0:
		opts.PublishPolls = 1
	case opts.PublishPolls < 0:
		opts.PublishPolls = 0
	}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	s := &Server{
		opts: opts, loc: loc, faults: opts.Faults,
		rng:      rand.New(rand.NewPCG(opts.Seed, 0x5eed)),
		apps:     map[string]*wxApp{},
		tokens:   map[string]*wxToken{},
		users:    map[string]*wbUser{},
		wbTokens: map[string]*wbUser{},
		loseNext: map[string]int{},
		holds:    map[string]chan struct{}{},
		quota:    map[string]bool{},
		calls:    map[string]int{},
		other:    map[string]int{},
		lastIP:   map[string]string{},
		stripped: map[string]int{},
		accounts: map[string]*profile{},
	}
	s.start = s.day(opts.Now())
	s.paths = map[string]handlerFor{}
	s.registerWeChat()
	s.registerWeibo()
	s.registerInbox()
	return s
}

func (s *Server) now() time.Time { return s.opts.Now() }

// day is the local (China) calendar day of t, at midnight.
func (s *Server) day(t time.Time) time.Time {
	y, m, d := t.In(s.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, s.loc)
}

// SetFaults replaces the faults in force.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// LoseNext makes the next n answers on path (e.g. "/cgi-bin/freepublish/submit")
// be lost after their effect has happened.
func (s *Server) LoseNext(path string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loseNext[path] += n
}

// Hold makes every answer on path (e.g. "/cgi-bin/freepublish/submit") to
// the given accounts ("wechat/"+appid or "weibo/"+uid) wait, after its effect
// has happened, until the returned release is called: a platform that is slow
// to answer. release may be called more than once.
func (s *Server) Hold(path string, accounts ...string) (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	gate := make(chan struct{})
	for _, a := range accounts {
		s.holds[path+" "+a] = gate
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			for _, a := range accounts {
				if s.holds[path+" "+a] == gate {
					delete(s.holds, path+" "+a)
				}
			}
			s.mu.Unlock()
			close(gate)
		})
	}
}

// ExhaustQuota makes path answer 45009 (daily API quota reached) for appID
// until RestoreQuota.
func (s *Server) ExhaustQuota(appID, path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quota[appID+" "+path] = true
}

// RestoreQuota undoes ExhaustQuota.
func (s *Server) RestoreQuota(appID, path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.quota, appID+" "+path)
}

// request is what a handler sees: the parsed request and who made it.
type request struct {
	s    *Server
	r    *http.Request
	path string
	ip   string
	// body is the raw body (JSON endpoints); form holds form and multipart values.
	body  []byte
	files map[string][]byte
	// key names the app or user the call was tied to, for call counting.
	key string
}

// ServeHTTP answers one API call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sandbox/") {
		s.serveIntrospection(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, SitePath) {
		s.serveSite(w, r)
		return
	}
	h, ok := s.paths[r.URL.Path]
	if !ok {
		http.Error(w, `{"errcode":404,"errmsg":"sandbox: no such API `+r.URL.Path+`"}`, http.StatusNotFound)
		return
	}
	s.mu.Lock()
	if s.firstCall.IsZero() {
		s.firstCall = time.Now()
	}
	s.mu.Unlock()
	req := &request{s: s, r: r, path: r.URL.Path, ip: clientIP(r)}
	if err := req.read(); err != nil {
		s.write(w, h.platform, s.badRequest(h.platform, req, err))
		return
	}
	s.mu.Lock()
	f := s.faults
	s.mu.Unlock()
	if f.Latency > 0 {
		select {
		case <-time.After(f.Latency):
		case <-r.Context().Done():
			return
		}
	}
	s.mu.Lock()
	var rep reply
	transient := f.TransientRate > 0 && s.rng.Float64() < f.TransientRate
	if transient {
		rep = s.transientError(h.platform, req)
	} else {
		rep = h.fn(req)
	}
	lose := false
	if h.publish && !transient && rep.status == http.StatusOK && isSuccess(rep) {
		if s.loseNext[req.path] > 0 {
			s.loseNext[req.path]--
			lose = true
		} else if f.LostRate > 0 && s.rng.Float64() < f.LostRate {
			lose = true
		}
	}
	if req.key != "" {
		s.calls[req.key+" "+req.path]++
	} else {
		s.other[req.path]++
	}
	gate := s.holds[req.path+" "+req.key]
	s.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		}
	}
	if lose {
		loseAnswer(w)
		return
	}
	s.write(w, h.platform, rep)
}

// isSuccess reports whether a 200 reply carries no WeChat errcode.
func isSuccess(rep reply) bool {
	var e struct {
		ErrCode int `json:"errcode"`
	}
	_ = json.Unmarshal(rep.body, &e)
	return e.ErrCode == 0
}

// loseAnswer closes the connection without a response, as a network that
// drops the answer would.
func loseAnswer(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	conn.Close()
}

func (s *Server) write(w http.ResponseWriter, platform string, rep reply) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if rep.status == 0 {
		rep.status = http.StatusOK
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}

func (req *request) read() error {
	r := req.r
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "multipart/form-data"):
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			return fmt.Errorf("bad multipart body: %w", err)
		}
		req.files = map[string][]byte{}
		for name, fhs := range r.MultipartForm.File {
			if len(fhs) == 0 {
				continue
			}
			f, err := fhs[0].Open()
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			_, err = buf.ReadFrom(f)
			f.Close()
			if err != nil {
				return err
			}
			req.files[name] = buf.Bytes()
		}
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
		if err := r.ParseForm(); err != nil {
			return fmt.Errorf("bad form body: %w", err)
		}
	default:
		if r.Body != nil {
			var buf bytes.Buffer
			if _, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, 16<<20)); err != nil {
				return fmt.Errorf("read body: %w", err)
			}
			req.body = buf.Bytes()
		}
	}
	return nil
}

// param returns a query, form or multipart value.
func (req *request) param(name string) string {
	if v := req.r.URL.Query().Get(name); v != "" {
		return v
	}
	if req.r.MultipartForm != nil {
		if vs := req.r.MultipartForm.Value[name]; len(vs) > 0 {
			return vs[0]
		}
	}
	if req.r.PostForm != nil {
		return req.r.PostForm.Get(name)
	}
	return ""
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) badRequest(platform string, req *request, err error) reply {
	if platform == "weibo" {
		return weiboError(http.StatusBadRequest, 10008, "param error, see doc for more info: "+err.Error(), req.path, false)
	}
	return s.wxError(47001, "data format error: "+err.Error())
}

func (s *Server) transientError(platform string, req *request) reply {
	if platform == "weibo" {
		return weiboError(http.StatusForbidden, 10023, "User requests out of rate limit!", req.path, s.rng.IntN(2) == 0)
	}
	if s.rng.IntN(2) == 0 {
		return s.wxError(-1, "system error")
	}
	return s.wxError(45011, "api minute-quota reach limit  mustslower  retry next minute")
}

func jsonReply(v any) reply {
	b, err := json.Marshal(v)
	if err != nil {
		return reply{status: http.StatusInternalServerError, body: []byte(`{"errcode":-1,"errmsg":"system error"}`)}
	}
	return reply{status: http.StatusOK, body: b}
}

// nextID returns a fresh number for ids; deterministic for a given call order.
func (s *Server) nextID() int64 {
	s.seq++
	return s.seq
}

// Serve runs the sandbox on addr until ctx ends, returning the bound address
// through ready (useful with port 0).
func (s *Server) Serve(ctx context.Context, addr string, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sandbox: listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
		return nil
	case err := <-errc:
		return fmt.Errorf("sandbox: %w", err)
	}
}

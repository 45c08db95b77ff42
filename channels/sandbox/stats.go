package sandbox

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"time"
)

// The statistics model. Every figure is a pure function of the seed, the
// account and the day, except what real publications through the API add:
//
//	followers(epoch) = the account's Followers
//	followers(d)     = followers(d-1) + new(d) - lost(d), exactly
//	new(d), lost(d)  scale with the account's size, lower at weekends
//	reads(d)         = sum over posts of the last 30 days of that post's reads at its age
//
// An account with at least 10,000 followers posts like a county release
// account (2-4 a weekday), 1,000 or more like a department (0-2), fewer like
// a township (0-1). Synthetic posts exist only before the day the sandbox
// started; from then on only what is published through the API counts.

// epoch is the first day of synthetic statistics.
var epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

type profile struct {
	key         string
	seed        uint64
	base        int
	silentSince string // YYYY-MM-DD or ""
	real        []post
	followers   []int // memo: followers on epoch+i
	history     map[string][]post
}

type post struct {
	at    time.Time
	msgID string
	url   string
	title string
	base  int // reads on the day of publication
}

func newProfile(s *Server, key string, base int, silentSince string) *profile {
	return &profile{key: key, seed: s.opts.Seed, base: base, silentSince: silentSince, history: map[string][]post{}}
}

// noise is a deterministic number in [0, 1) for the account and the parts.
func (p *profile) noise(parts ...any) float64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], p.seed)
	h.Write(b[:])
	h.Write([]byte(p.key))
	h.Write([]byte(fmt.Sprint(parts...)))
	// FNV's high bits mix poorly for inputs that differ at the end: finish
	// with splitmix64's mixer.
	z := h.Sum64()
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return float64(z>>11) / float64(1<<53)
}

func weekend(d time.Time) bool {
	wd := d.Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

func dayKey(d time.Time) string { return d.Format("2006-01-02") }

// movement returns new and lost followers on day d.
func (p *profile) movement(d time.Time) (newUsers, lost int) {
	wk := 1.0
	if weekend(d) {
		wk = 0.55
	}
	k := dayKey(d)
	newUsers = int(math.Round(float64(p.base) * 0.0016 * wk * (0.4 + 1.2*p.noise("new", k))))
	lost = int(math.Round(float64(p.base) * 0.0007 * (0.3 + 1.4*p.noise("lost", k))))
	return newUsers, lost
}

func (s *Server) dayIndex(d time.Time) int {
	e := time.Date(epoch.Year(), epoch.Month(), epoch.Day(), 0, 0, 0, 0, s.loc)
	return int(math.Round(d.Sub(e).Hours() / 24))
}

// followersOn returns the follower count at the end of day d.
func (p *profile) followersOn(s *Server, d time.Time) int {
	i := s.dayIndex(s.day(d))
	if i < 0 {
		return p.base
	}
	if len(p.followers) == 0 {
		p.followers = append(p.followers, p.base)
	}
	e := time.Date(epoch.Year(), epoch.Month(), epoch.Day(), 0, 0, 0, 0, s.loc)
	for len(p.followers) <= i {
		j := len(p.followers)
		n, l := p.movement(e.AddDate(0, 0, j))
		p.followers = append(p.followers, p.followers[j-1]+n-l)
	}
	return p.followers[i]
}

type sourceRow struct{ source, newUsers, cancel int }

var userSources = []int{0, 1, 17, 30, 51}

// sources splits a day's movement across follow sources; sources with no
// movement are left out, as the platform does.
func (p *profile) sources(s *Server, d time.Time) []sourceRow {
	if s.dayIndex(s.day(d)) <= 0 {
		return nil
	}
	n, l := p.movement(d)
	rows := make([]sourceRow, len(userSources))
	weights := make([]float64, len(userSources))
	total := 0.0
	for i := range userSources {
		weights[i] = 0.2 + p.noise("src", dayKey(d), i)
		total += weights[i]
	}
	split := func(v int, set func(i, x int)) {
		left := v
		for i := range userSources {
			x := int(float64(v) * weights[i] / total)
			if i == len(userSources)-1 {
				x = left
			}
			left -= x
			set(i, x)
		}
	}
	split(n, func(i, x int) { rows[i].newUsers = x })
	split(l, func(i, x int) { rows[i].cancel = x })
	var out []sourceRow
	for i, r := range rows {
		r.source = userSources[i]
		if r.newUsers != 0 || r.cancel != 0 {
			out = append(out, r)
		}
	}
	return out
}

// historyPosts is the synthetic back catalogue for day d.
func (p *profile) historyPosts(s *Server, d time.Time) []post {
	if !d.Before(s.start) || s.dayIndex(d) < 0 || (p.silentSince != "" && dayKey(d) >= p.silentSince) {
		return nil
	}
	k := dayKey(d)
	if got, ok := p.history[k]; ok {
		return got
	}
	x := p.noise("posts", k)
	var n int
	switch {
	case p.base >= 10000:
		n = 2 + int(x*3)
		if weekend(d) {
			n = 1 + int(x*2)
		}
	case p.base >= 1000:
		n = int(x * 3)
		if weekend(d) {
			n = int(x * 1.5)
		}
	default:
		n = int(x * 2)
		if weekend(d) {
			n = 0
		}
	}
	posts := make([]post, n)
	for i := range posts {
		at := d.Add(time.Duration(8*60+int(p.noise("at", k, i)*600)) * time.Minute)
		posts[i] = post{at: at, msgID: fmt.Sprintf("h%d_%d", s.dayIndex(d), i+1),
			url:   fmt.Sprintf("https://mp.weixin.qq.com/s/sbx_hist_%012x", uint64(p.noise("url", k, i)*(1<<48))),
			title: fmt.Sprintf("工作动态（%s 第%d条）", k, i+1), base: p.postBase(k, i)}
	}
	p.history[k] = posts
	return posts
}

func (p *profile) postBase(parts ...any) int {
	return int(float64(p.base)*0.05*(0.3+1.4*p.noise("reads", parts))) + 5
}

// addPost records a publication made through the API.
func (p *profile) addPost(s *Server, at time.Time, url string) {
	p.real = append(p.real, post{at: at, msgID: fmt.Sprintf("r%d_%d", s.dayIndex(s.day(at)), len(p.real)+1), url: url, base: p.postBase(url)})
}

// postsOn returns every post (synthetic and real) published on day d.
func (p *profile) postsOn(s *Server, d time.Time) []post {
	out := append([]post(nil), p.historyPosts(s, d)...)
	for _, r := range p.real {
		if s.day(r.at).Equal(d) {
			out = append(out, r)
		}
	}
	return out
}

type figures struct{ read, share, zaikan, like, comment, collect int }

var decay = []float64{0.55, 0.2, 0.1, 0.06, 0.04, 0.03, 0.02}

// figuresAt returns a post's figures on the day it is age days old.
func (pt post) figuresAt(age int) figures {
	var f float64
	switch {
	case age < 0 || age >= 30:
		return figures{}
	case age < len(decay):
		f = decay[age]
	default:
		f = 0.005
	}
	r := int(math.Round(float64(pt.base) * f))
	return figures{read: r, share: r * 4 / 100, zaikan: r / 100, like: r * 15 / 1000, comment: r * 3 / 1000, collect: r / 200}
}

// readsOn returns the account's article figures for day d.
func (p *profile) readsOn(s *Server, d time.Time) figures {
	var sum figures
	for age := 0; age < 30; age++ {
		for _, pt := range p.postsOn(s, d.AddDate(0, 0, -age)) {
			f := pt.figuresAt(age)
			sum.read += f.read
			sum.share += f.share
			sum.zaikan += f.zaikan
			sum.like += f.like
			sum.comment += f.comment
			sum.collect += f.collect
		}
	}
	return sum
}

// historyArticles renders the synthetic back catalogue as published articles.
func (p *profile) historyArticles(s *Server, appID string) []*Article {
	var out []*Article
	e := time.Date(epoch.Year(), epoch.Month(), epoch.Day(), 0, 0, 0, 0, s.loc)
	for d := e; d.Before(s.start); d = d.AddDate(0, 0, 1) {
		for i, pt := range p.historyPosts(s, d) {
			out = append(out, &Article{AppID: appID, ArticleID: "sbx_hist_" + pt.msgID, Index: i + 1, ArticleType: "news",
				Title: pt.title, URL: pt.url, PublishedAt: pt.at})
		}
	}
	return out
}

// DayFigures is the platform's truth for one account and day.
type DayFigures struct {
	Date          string `json:"date"`
	Followers     int    `json:"followers"`
	NewFollowers  int    `json:"new_followers"`
	LostFollowers int    `json:"lost_followers"`
	Posts         int    `json:"posts"`
	Reads         int    `json:"reads"`
	Shares        int    `json:"shares"`
	Likes         int    `json:"likes"`
	Zaikan        int    `json:"zaikan"`
	Comments      int    `json:"comments"`
}

// Figures returns the platform's figures for a WeChat app id or Weibo uid
// on a local date (YYYY-MM-DD).
func (s *Server) Figures(account, date string) (DayFigures, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.accounts["wechat/"+account]
	if p == nil {
		p = s.accounts["weibo/"+account]
	}
	if p == nil {
		return DayFigures{}, fmt.Errorf("sandbox: no account %q", account)
	}
	d, err := time.ParseInLocation("2006-01-02", date, s.loc)
	if err != nil {
		return DayFigures{}, fmt.Errorf("sandbox: bad date %q", date)
	}
	if a := s.apps[account]; a != nil {
		s.settle(a)
	}
	f := DayFigures{Date: date, Followers: p.followersOn(s, d), Posts: len(p.postsOn(s, d))}
	if s.dayIndex(d) > 0 {
		f.NewFollowers, f.LostFollowers = p.movement(d)
	}
	r := p.readsOn(s, d)
	f.Reads, f.Shares, f.Likes, f.Zaikan, f.Comments = r.read, r.share, r.like, r.zaikan, r.comment
	return f, nil
}

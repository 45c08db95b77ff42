package sandbox

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// State is what happened on the platform side, for tests and the demo.
type State struct {
	WeChat map[string]WeChatState `json:"wechat"`
	Weibo  map[string]WeiboState  `json:"weibo"`
	// Unattributed counts calls that no app or user could be tied to, by path.
	Unattributed map[string]int `json:"unattributed"`
	// FirstCallAt is when the first API call arrived, before any latency
	// (zero if none yet): how soon a publication reached the platform.
	FirstCallAt time.Time `json:"first_call_at,omitzero"`
}

// WeChatState is one official account as the platform sees it.
type WeChatState struct {
	Calls map[string]int `json:"calls"` // by path
	// Published lists articles published through the API (not the synthetic history).
	Published  []Article  `json:"published"`
	MassSends  []MassSend `json:"mass_sends"`
	Materials  int        `json:"materials"`
	BodyImages int        `json:"body_images"`
	// BodyImageSHA256 maps each uploadimg URL to the sha256 of its bytes.
	BodyImageSHA256 map[string]string `json:"body_image_sha256"`
	Drafts          int               `json:"drafts"`
	TokenFetches    int               `json:"token_fetches_today"`
	StrippedImages  int               `json:"stripped_images"`
	// Previews are the mass/preview messages sent to single users.
	Previews []Preview `json:"previews"`
	LastIP   string    `json:"last_ip,omitempty"`
	// ContentServed counts, by article URL, how often batchget handed out the article's text.
	ContentServed map[string]int `json:"content_served"`
}

// WeiboState is one Weibo account as the platform sees it.
type WeiboState struct {
	Calls map[string]int `json:"calls"`
	Posts []WeiboPost    `json:"posts"`
	// ContentServed counts, by post id, how often user_timeline handed out the post.
	ContentServed map[string]int `json:"content_served"`
}

// Snapshot returns the platform's state. Publishes queued but never polled
// are completed first, as the real platform completes them regardless.
func (s *Server) Snapshot() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := State{WeChat: map[string]WeChatState{}, Weibo: map[string]WeiboState{}, Unattributed: map[string]int{}, FirstCallAt: s.firstCall}
	for id, a := range s.apps {
		s.settle(a)
		ws := WeChatState{Calls: s.callsOf("wechat/" + id), Published: []Article{}, MassSends: append([]MassSend{}, a.mass...),
			BodyImages: len(a.imgURLs), Drafts: len(a.drafts), TokenFetches: a.tokenFetches, StrippedImages: s.stripped[id], LastIP: s.lastIP[id],
			ContentServed: s.servedOf("wechat/" + id)}
		ws.BodyImageSHA256 = make(map[string]string, len(a.imgURLs))
		for u, h := range a.imgURLs {
			ws.BodyImageSHA256[u] = h
		}
		for _, m := range a.materials {
			if m.kind == "image" || m.kind == "thumb" {
				ws.Materials++
			}
		}
		for _, p := range a.published {
			ws.Published = append(ws.Published, *p)
		}
		ws.Previews = append([]Preview{}, a.previews...)
		st.WeChat[id] = ws
	}
	for uid, u := range s.users {
		ws := WeiboState{Calls: s.callsOf("weibo/" + uid), Posts: []WeiboPost{}, ContentServed: s.servedOf("weibo/" + uid)}
		for _, p := range u.posts {
			ws.Posts = append(ws.Posts, *p)
		}
		st.Weibo[uid] = ws
	}
	for p, n := range s.other {
		st.Unattributed[p] = n
	}
	return st
}

func (s *Server) callsOf(key string) map[string]int {
	out := map[string]int{}
	for k, n := range s.calls {
		if who, path, ok := strings.Cut(k, " "); ok && who == key {
			out[path] = n
		}
	}
	return out
}

// serveIntrospection answers /_sandbox/state, /_sandbox/figures,
// /_sandbox/faults and POST /_sandbox/first_call (forget when the first API
// call came: the next one is the first again, for a benchmark that prepares
// the platform before it measures).
func (s *Server) serveIntrospection(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	switch r.URL.Path {
	case "/_sandbox/state":
		_ = enc.Encode(s.Snapshot())
	case "/_sandbox/figures":
		f, err := s.Figures(r.URL.Query().Get("account"), r.URL.Query().Get("date"))
		if err != nil {
			w.WriteHeader(http.StatusNotFound)
			_ = enc.Encode(map[string]string{"error": err.Error()})
			return
		}
		_ = enc.Encode(f)
	case "/_sandbox/inbox":
		_ = enc.Encode(s.Inbox())
	case "/_sandbox/first_call":
		if r.Method != http.MethodPost {
			w.WriteHeader(http.StatusMethodNotAllowed)
			_ = enc.Encode(map[string]string{"error": "POST to forget the first call"})
			return
		}
		s.mu.Lock()
		s.firstCall = time.Time{}
		s.mu.Unlock()
		_ = enc.Encode(map[string]string{"first_call_at": ""})
	case "/_sandbox/faults":
		if r.Method == http.MethodPost {
			var f Faults
			if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
				w.WriteHeader(http.StatusBadRequest)
				_ = enc.Encode(map[string]string{"error": err.Error()})
				return
			}
			s.SetFaults(f)
		}
		s.mu.Lock()
		f := s.faults
		s.mu.Unlock()
		_ = enc.Encode(f)
	default:
		w.WriteHeader(http.StatusNotFound)
		_ = enc.Encode(map[string]string{"error": "no such sandbox endpoint"})
	}
}

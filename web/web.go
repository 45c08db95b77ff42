// Package web serves herald's HTTP side: a health check, the JSON API under
// /api/v1 (bearer tokens with roles and department scope), the console
// (session login, CSRF, department scope) and a status page of counts.
package web

import (
	"context"
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/inbox"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

//go:embed templates/*.html templates/console/*.html
var templateFS embed.FS

// Server is herald's HTTP handler.
type Server struct {
	cfg   *configs.Config
	store *storage.Store
	queue *queue.Service
	log   *slog.Logger
	tmpl  *template.Template
	pages map[string]*template.Template
	mux   *http.ServeMux
	// proxies are http.trusted_proxies, parsed.
	proxies []netip.Prefix
	// now is the clock (New's now).
	now func() time.Time
	// Wake, when set, tells the scheduler that the API changed the queue.
	Wake func()
	// Inbox, when set, serves the 互动 page and /api/v1/inbox (inbox.go).
	Inbox *inbox.Service
	// Preview, when set, sends an item's current revision to one WeChat ID
	// (mass/preview) and says what it did; accountID "" means the item's
	// first WeChat account.
	Preview func(ctx context.Context, actor queue.Actor, it content.Item, accountID, wxName string) (string, error)
	// Replica, when set, says in one line how the database's replica is
	// doing; the accounts page shows it to admins.
	Replica func() string
	// Retract, when set, takes an item off the platforms
	// (queue.Service.Retract with the daemon's channels).
	Retract func(ctx context.Context, actor queue.Actor, id int64) (queue.RetractReport, error)
}

// New returns the handler, on the clock now (nil: the wall clock).
func New(cfg *configs.Config, st *storage.Store, q *queue.Service, log *slog.Logger, now func() time.Time) *Server {
	if now == nil {
		now = time.Now
	}
	s := &Server{cfg: cfg, store: st, queue: q, log: log, mux: http.NewServeMux(), pages: map[string]*template.Template{},
		proxies: parsePrefixes(cfg.HTTP.TrustedProxies), now: now}
	funcs := template.FuncMap{
		"local": func(t any) string {
			switch v := t.(type) {
			case *time.Time:
				if v == nil {
					return "-"
				}
				return v.In(cfg.Location).Format("01-02 15:04")
			case time.Time:
				return v.In(cfg.Location).Format("01-02 15:04")
			}
			return "-"
		},
		"label":    func(st content.ItemState) string { return st.Label() },
		"kind":     func(k content.Kind) string { return k.Label() },
		"inc":      func(i int) int { return i + 1 },
		"delivery": deliveryLabel,
		"platform": platformLabel,
		"role":     roleLabel,
		"health":   healthLabel,
		"dormant":  dormantLabel,
		"groups":   func(gs []string) string { return groupTitles(cfg, gs) },
		"group":    func(g string) string { return groupTitle(cfg, g) },
		"dept":     func(id string) string { return departmentName(cfg, id) },
		"changed":  changed,
		"abs": func(v int64) int64 {
			if v < 0 {
				return -v
			}
			return v
		},
		"deref":     func(p *int64) int64 { return *p },
		"stateName": func(st string) string { return content.ItemState(st).Label() },
	}
	s.tmpl = template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html"))
	for _, name := range []string{"login", "error", "calendar", "compose", "review", "review_item", "item", "accounts", "stats", "stats_account", "users", "patrol", "policies", "policy_graphic", "inbox"} {
		s.pages[name] = template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/console/layout.html", "templates/console/revision.html", "templates/console/"+name+".html"))
	}
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	s.mux.HandleFunc("GET /status", s.status)
	s.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/", http.StatusSeeOther)
	})
	s.routes()
	s.consoleRoutes()
	s.userRoutes()
	s.policyRoutes()
	s.actionRoutes()
	s.inboxRoutes()
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	s.mux.ServeHTTP(w, r)
}

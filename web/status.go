package web

import (
	"net/http"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// statusCount is one line of the status page.
type statusCount struct {
	Label string
	Class string
	N     int
}

var deliveryLabels = []struct {
	state content.DeliveryState
	label string
}{
	{content.DeliveryPending, "待发送"}, {content.DeliverySending, "发送中"}, {content.DeliveryUnknown, "核实中"},
	{content.DeliveryPublished, "已发布"}, {content.DeliveryFailed, "失败"}, {content.DeliveryCancelled, "已撤销"},
	{content.DeliveryUnverified, "无法核实"},
}

var itemStates = []content.ItemState{content.ItemDraft, content.ItemInReview, content.ItemApproved, content.ItemScheduled,
	content.ItemPublishing, content.ItemDone, content.ItemPartiallyFailed, content.ItemFailed, content.ItemCancelled, content.ItemExpired, content.ItemRetracted}

// status is the read-only status page. Anyone who reaches the port may see
// it, so it shows counts only: no title, comment, account, department or
// error. Everything else is behind the console's login.
func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	c, err := s.store.CountQueue(r.Context())
	if err != nil {
		s.log.Error("status page", "err", err)
		http.Error(w, "数据库读取失败", http.StatusInternalServerError)
		return
	}
	var items, deliveries, accounts []statusCount
	for _, st := range itemStates {
		items = append(items, statusCount{st.Label(), string(st), c.Items[string(st)]})
	}
	for _, d := range deliveryLabels {
		deliveries = append(deliveries, statusCount{d.label, string(d.state), c.Deliveries[string(d.state)]})
	}
	for _, h := range []struct{ key, label string }{{storage.HealthOK, "正常"}, {storage.HealthUnhealthy, "凭据异常"}, {storage.HealthUnknown, "未检查"}} {
		accounts = append(accounts, statusCount{h.label, h.key, c.Accounts[h.key]})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// The page has its own inline styles and nothing else: no script, no
	// frame around it, no form.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Referrer-Policy", "no-referrer")
	err = s.tmpl.ExecuteTemplate(w, "status.html", map[string]any{"Items": items, "Deliveries": deliveries, "Accounts": accounts,
		"Now": s.now().In(s.cfg.Location).Format("2006-01-02 15:04")})
	if err != nil {
		s.log.Error("status page", "err", err)
	}
}

package policies

import (
	"context"
	"time"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/storage"
)

// Coverage statuses of a policy.
const (
	StatusCovered = "covered" // a linked 解读 or 图解 is published
	StatusPending = "pending" // not yet, and the deadline has not passed
	StatusOverdue = "overdue" // not yet, and policies.interpret_within working days have passed
)

// Item is an item linked to a policy, as `herald policy list --json` shows it.
type Item struct {
	ID    int64  `json:"id"`
	Kind  string `json:"kind"`  // article (解读) or graphic (图解)
	State string `json:"state"` // the item's state
	Title string `json:"title"`
	// Published is the item's first publication, nil while none.
	Published *time.Time `json:"published_at"`
}

// View is a policy with its linked items and coverage status.
type View struct {
	ID        int64  `json:"id"`
	URL       string `json:"url"`
	Title     string `json:"title"`
	Issuer    string `json:"issuer"`
	DocNumber string `json:"doc_number"`
	Date      string `json:"date"` // YYYY-MM-DD: 发布日期, else 成文日期, else the day herald found it
	Items     []Item `json:"items"`
	Status    string `json:"status"`
	// Deadline is the last working day for its 解读/图解 (YYYY-MM-DD).
	Deadline string `json:"deadline"`
	// CoveredAt is the first publication of a linked item, nil while none.
	CoveredAt   *time.Time `json:"covered_at"`
	IndexNumber string     `json:"index_number,omitempty"`
	FirstSeen   time.Time  `json:"first_seen_at"`
	// NoText is "picture" or "attachment" for a document whose page is
	// only a picture (a 图解) or an attached file; Attachments are their
	// names.
	NoText      string   `json:"no_text,omitempty"`
	Attachments []string `json:"attachments,omitempty"`
}

// Label is the status in Chinese.
func (v *View) Label() string {
	switch v.Status {
	case StatusCovered:
		return "已解读"
	case StatusOverdue:
		return "已逾期"
	}
	return "待解读"
}

// Date is the day a policy's clock starts: its 发布日期, else its 成文日期,
// else the day herald first saw it, as YYYY-MM-DD in loc.
func Date(p *storage.Policy, loc *time.Location) string {
	return firstOf(p.PublishedDate, p.WrittenDate, p.FirstSeenAt.In(loc).Format("2006-01-02"))
}

// Deadline is the last working day by which a policy dated date must have a
// published 解读 or 图解: the within-th working day after it.
func Deadline(date string, within int, loc *time.Location) time.Time {
	d, err := time.ParseInLocation("2006-01-02", date, loc)
	if err != nil {
		return time.Time{}
	}
	return AddWorkdays(d, within)
}

// StatusAt is a policy's coverage at now: covered once a linked item is
// published, overdue once the deadline day has ended, pending before.
func StatusAt(deadline time.Time, covered bool, now time.Time) string {
	switch {
	case covered:
		return StatusCovered
	case !now.Before(deadline.AddDate(0, 0, 1)):
		return StatusOverdue
	}
	return StatusPending
}

// List returns every stored policy with its linked items and status at now.
func List(ctx context.Context, cfg *configs.Config, st *storage.Store, now time.Time) ([]View, error) {
	ps, err := st.Policies(ctx)
	if err != nil {
		return nil, err
	}
	links, err := st.PolicyLinks(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]View, 0, len(ps))
	for i := range ps {
		p := &ps[i]
		v := View{ID: p.ID, URL: p.URL, Title: p.Title, Issuer: p.Issuer, DocNumber: p.DocNumber, Date: Date(p, cfg.Location),
			Items: []Item{}, IndexNumber: p.IndexNumber, FirstSeen: p.FirstSeenAt, NoText: p.NoText, Attachments: p.Attachments}
		for _, l := range links[p.ID] {
			v.Items = append(v.Items, Item{ID: l.ItemID, Kind: l.Kind, State: l.State, Title: l.Title, Published: l.FirstPublished})
			if l.FirstPublished != nil && (v.CoveredAt == nil || l.FirstPublished.Before(*v.CoveredAt)) {
				t := *l.FirstPublished
				v.CoveredAt = &t
			}
		}
		deadline := Deadline(v.Date, cfg.Policies.InterpretWithin, cfg.Location)
		v.Deadline = deadline.Format("2006-01-02")
		v.Status = StatusAt(deadline, v.CoveredAt != nil, now)
		out = append(out, v)
	}
	return out, nil
}

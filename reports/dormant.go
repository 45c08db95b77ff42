// Package reports turns stored statistics into what clerks hand in: the
// two-week no-update warnings (国办秘函〔2019〕19号), and (to come) the
// monthly and quarterly workbooks.
package reports

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/storage"
)

// Dormancy levels: an account with no update in the two weeks before a
// check fails inspection outright.
const (
	LevelOK       = "ok"
	LevelWarn     = "warn"     // 10 days or more without a publication
	LevelCritical = "critical" // 14 days or more, or never
	WarnDays      = 10
	CriticalDays  = 14
)

// DormantRow is one account in `herald report dormant`.
type DormantRow struct {
	Account       string     `json:"account"`
	Name          string     `json:"name"`
	Platform      string     `json:"platform"`
	LastPublished *time.Time `json:"last_published"`
	DaysSince     *int       `json:"days_since"`
	Level         string     `json:"level"`
	// Breaches are the update rules (the national one and
	// patrol.update_rules) the account does not meet today.
	Breaches []RuleStatus `json:"breaches"`
}

// Dormant lists every active account with its last publication (herald's
// deliveries and the platform's own list as collected) and whole days since,
// in the configured timezone; most silent first.
func Dormant(ctx context.Context, cfg *configs.Config, st *storage.Store, now time.Time) ([]DormantRow, error) {
	last, err := st.LastPublished(ctx, cfg.Location)
	if err != nil {
		return nil, err
	}
	accounts, err := st.Accounts(ctx, false)
	if err != nil {
		return nil, err
	}
	rules, err := UpdateRules(ctx, cfg, st, now)
	if err != nil {
		return nil, err
	}
	today := midnight(now, cfg.Location)
	out := make([]DormantRow, 0, len(accounts))
	for _, a := range accounts {
		r := DormantRow{Account: a.ID, Name: a.Name, Platform: a.Platform, Level: LevelCritical, Breaches: []RuleStatus{}}
		for _, rs := range rules[a.ID] {
			if !rs.OK {
				r.Breaches = append(r.Breaches, rs)
			}
		}
		if t, ok := last[a.ID]; ok {
			t := t.In(cfg.Location)
			days := int(today.Sub(midnight(t, cfg.Location)).Hours()/24 + 0.5)
			r.LastPublished, r.DaysSince = &t, &days
			switch {
			case days >= CriticalDays:
				r.Level = LevelCritical
			case days >= WarnDays:
				r.Level = LevelWarn
			default:
				r.Level = LevelOK
			}
		}
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool { return silence(out[i]) > silence(out[j]) })
	return out, nil
}

func silence(r DormantRow) int {
	if r.DaysSince == nil {
		return 1 << 30
	}
	return *r.DaysSince
}

func midnight(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// Sender posts a text message to the office's group robot (notify.Robot).
type Sender interface {
	Send(ctx context.Context, text string) error
}

// NotifyDormant posts one text message to the group robot naming the accounts that newly reached warn or critical since the last
// notice; a run that finds nothing new sends nothing. It returns whether a
// message was sent.
func NotifyDormant(ctx context.Context, cfg *configs.Config, st *storage.Store, robot Sender, now time.Time) (bool, error) {
	if robot == nil {
		return false, nil
	}
	rows, err := Dormant(ctx, cfg, st, now)
	if err != nil {
		return false, err
	}
	type notice struct{ key, value, line string }
	var fresh []notice
	for _, r := range rows {
		if r.Level == LevelOK {
			continue
		}
		last := "never"
		line := fmt.Sprintf("%s（%s，%s）从未发布", r.Name, r.Account, r.Platform)
		if r.LastPublished != nil {
			last = r.LastPublished.Format("2006-01-02")
			line = fmt.Sprintf("%s（%s，%s）已 %d 天未更新，最近发布 %s", r.Name, r.Account, r.Platform, *r.DaysSince, last)
		}
		key, value := "dormant-notice:"+r.Account, r.Level+"|"+last
		if prev, err := st.GetValue(ctx, key); err == nil && prev == value {
			continue
		}
		fresh = append(fresh, notice{key, value, line})
	}
	if len(fresh) == 0 {
		return false, nil
	}
	var b strings.Builder
	b.WriteString("【herald 账号更新预警】按“两周内无更新即单项否决”的要求，以下账号需尽快更新：\n")
	for _, n := range fresh {
		b.WriteString("· " + n.line + "\n")
	}
	if err := robot.Send(ctx, b.String()); err != nil {
		return false, fmt.Errorf("reports: %w", err)
	}
	for _, n := range fresh { // remembered only once the robot took the message
		if err := st.SetValue(ctx, n.key, n.value, 0); err != nil {
			return true, err
		}
	}
	return true, nil
}

package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/storage"
)

// NationalRule is 国办秘函〔2019〕19号: an update within every 14 days.
var NationalRule = configs.UpdateRule{Targets: "all", Days: CriticalDays, MinPosts: 1}

// RuleStatus is one account measured against one update rule.
type RuleStatus struct {
	Rule     string `json:"rule"` // 「每14天至少1条」
	Days     int    `json:"days"`
	MinPosts int    `json:"min_posts"`
	Posts    int    `json:"posts"` // publications in the last Days days, today included
	OK       bool   `json:"ok"`
}

// RuleName words a rule the way offices write it.
func RuleName(r configs.UpdateRule) string {
	if r.Days == 7 {
		return fmt.Sprintf("每周至少%d条", r.MinPosts)
	}
	return fmt.Sprintf("每%d天至少%d条", r.Days, r.MinPosts)
}

// UpdateRules evaluates the national rule and patrol.update_rules for every
// configured account from the platforms' own lists: what the patrol read
// (publications by anyone, herald or by hand) and, for days the patrol has
// not read, the daily statistics' post counts. A day counts the larger of
// the two. The result lists every rule that applies to each account.
func UpdateRules(ctx context.Context, cfg *configs.Config, st *storage.Store, now time.Time) (map[string][]RuleStatus, error) {
	rules := append([]configs.UpdateRule{NationalRule}, cfg.Patrol.UpdateRules...)
	longest := 0
	for _, r := range rules {
		longest = max(longest, r.Days)
	}
	today := midnight(now, cfg.Location)
	first := today.AddDate(0, 0, -(longest - 1))
	perDay := map[string]map[string]int{} // account -> YYYY-MM-DD -> posts
	add := func(acct, day string, n int) {
		m := perDay[acct]
		if m == nil {
			m = map[string]int{}
			perDay[acct] = m
		}
		m[day] = max(m[day], n)
	}
	times, err := st.PublicationTimes(ctx, first)
	if err != nil {
		return nil, err
	}
	read := map[string]map[string]int{}
	for acct, ts := range times {
		read[acct] = map[string]int{}
		for _, t := range ts {
			read[acct][t.In(cfg.Location).Format("2006-01-02")]++
		}
	}
	for acct, days := range read {
		for d, n := range days {
			add(acct, d, n)
		}
	}
	stats, err := st.AllDailyStats(ctx, first.Format("2006-01-02"), today.Format("2006-01-02"))
	if err != nil {
		return nil, err
	}
	for _, s := range stats {
		if s.Posts != nil {
			add(s.Account, s.Date, int(*s.Posts))
		}
	}
	out := map[string][]RuleStatus{}
	for _, r := range rules {
		ids, err := cfg.TargetAccounts(r.Targets, "")
		if err != nil {
			return nil, fmt.Errorf("patrol.update_rules %q: %w", r.Targets, err)
		}
		from := today.AddDate(0, 0, -(r.Days - 1)).Format("2006-01-02")
		for _, id := range ids {
			n := 0
			for d, k := range perDay[id] {
				if d >= from {
					n += k
				}
			}
			out[id] = append(out[id], RuleStatus{Rule: RuleName(r), Days: r.Days, MinPosts: r.MinPosts, Posts: n, OK: n >= r.MinPosts})
		}
	}
	return out, nil
}

// NotifyBreaches posts one message to the group robot naming the accounts
// that newly stopped meeting a local update rule (NotifyDormant tells of the
// national one); an account is named again only
// after it has met the rule in between. It returns whether a message went out.
func NotifyBreaches(ctx context.Context, cfg *configs.Config, st *storage.Store, robot Sender, now time.Time) (bool, error) {
	if robot == nil {
		return false, nil
	}
	status, err := UpdateRules(ctx, cfg, st, now)
	if err != nil {
		return false, err
	}
	var lines, fresh []string
	for _, a := range cfg.Accounts {
		for _, r := range status[a.ID] {
			if r.Days == NationalRule.Days && r.MinPosts == NationalRule.MinPosts {
				continue // NotifyDormant tells of the two-week rule
			}
			key := "rule-notice:" + a.ID + "|" + r.Rule
			_, seenErr := st.GetValue(ctx, key)
			switch {
			case r.OK && seenErr == nil:
				if err := st.DeleteValue(ctx, key); err != nil {
					return false, err
				}
			case !r.OK && seenErr != nil:
				lines = append(lines, fmt.Sprintf("· %s（%s）要求%s，近%d天只发布%d条", a.Name, a.ID, r.Rule, r.Days, r.Posts))
				fresh = append(fresh, key)
			}
		}
	}
	if len(lines) == 0 {
		return false, nil
	}
	text := "【herald 更新要求预警】以下账号未达到更新要求，请尽快更新：\n"
	for _, l := range lines {
		text += l + "\n"
	}
	if err := robot.Send(ctx, text); err != nil {
		return false, err
	}
	for _, k := range fresh { // remembered only once the robot took the message
		if err := st.SetValue(ctx, k, now.Format(time.RFC3339), 0); err != nil {
			return true, err
		}
	}
	return true, nil
}

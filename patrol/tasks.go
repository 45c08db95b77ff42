package patrol

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/notify"
	"github.com/herald-gov/herald/storage"
)

// Repost tasks (上级转载任务): the higher level asks every target account to
// repost a piece by a due time. An account has done it when its own
// published list (read from the platform, whoever posted it) holds the
// piece, matched by title or by source URL.

// taskLookback: a repost made shortly before the task was entered counts.
const taskLookback = 7 * 24 * time.Hour

// AddTask records a task for the accounts TARGETS names.
func (p *Patrol) AddTask(ctx context.Context, title, url string, due time.Time, targets string) (int64, error) {
	title = strings.TrimSpace(title)
	if title == "" {
		return 0, fmt.Errorf("转载任务需要标题（--title）")
	}
	ids, err := p.cfg.TargetAccounts(targets, "") // tasks are the office's: every account
	if err != nil {
		return 0, err
	}
	return p.store.AddTask(ctx, storage.Task{Title: title, URL: strings.TrimSpace(url), Due: due, Targets: targets}, ids)
}

// UpdateTasks reads what the accounts of unfinished tasks published since
// and marks each account done, late, missing or still pending.
func (p *Patrol) UpdateTasks(ctx context.Context) ([]storage.Task, []Unreadable, error) {
	tasks, err := p.store.Tasks(ctx)
	if err != nil {
		return nil, nil, err
	}
	now := p.now()
	since := map[string]time.Time{}
	for _, t := range tasks {
		for _, a := range t.Accounts {
			if a.State != storage.TaskPending && a.State != storage.TaskMissing {
				continue
			}
			s := t.CreatedAt.Add(-taskLookback)
			if cur, ok := since[a.Account]; !ok || s.Before(cur) {
				since[a.Account] = s
			}
		}
	}
	// Read each account once, from its earliest open task on.
	var bad []Unreadable
	byStart := map[time.Time][]*configs.Account{}
	for id, s := range since {
		if acct, ok := p.cfg.Account(id); ok {
			byStart[s] = append(byStart[s], acct)
		}
	}
	for s, accts := range byStart {
		_, b := p.Read(ctx, s, accts)
		bad = append(bad, b...)
	}
	for i := range tasks {
		t := &tasks[i]
		pubs, err := p.store.Publications(ctx, accountIDs(t.Accounts), t.CreatedAt.Add(-taskLookback), now.Add(time.Minute))
		if err != nil {
			return nil, bad, err
		}
		for j := range t.Accounts {
			a := &t.Accounts[j]
			if a.State == storage.TaskDone || a.State == storage.TaskLate {
				continue
			}
			next := storage.TaskAccount{Account: a.Account, State: storage.TaskPending}
			if !now.Before(t.Due) {
				next.State = storage.TaskMissing
			}
			for _, pub := range pubs { // oldest first: the first repost counts
				if pub.Account == a.Account && p.reposts(t, &pub) {
					at := pub.PublishedAt
					next.URL, next.PublishedAt, next.State = pub.URL, &at, storage.TaskDone
					if at.After(t.Due) {
						next.State = storage.TaskLate
					}
					break
				}
			}
			if next.State != a.State || next.URL != a.URL {
				if err := p.store.SetTaskAccount(ctx, t.ID, next); err != nil {
					return nil, bad, err
				}
				*a = next
			}
		}
	}
	return tasks, bad, nil
}

func accountIDs(as []storage.TaskAccount) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Account
	}
	return out
}

// reposts reports whether a publication is the task's piece: the same
// title (normalised; a WeChat title is at most 32 characters, so a title of
// 12 characters or more that the task's title holds counts too; a Weibo post
// carries the title in its text, often as 【标题】), or the task's URL as the
// source link, the link or in the text.
func (p *Patrol) reposts(t *storage.Task, pub *storage.Publication) bool {
	if t.URL != "" && (pub.SourceURL == t.URL || pub.URL == t.URL || strings.Contains(pub.Text, t.URL)) {
		return true
	}
	want := content.NormalizeWording(t.Title)
	if want == "" {
		return false
	}
	title := content.NormalizeWording(pub.Title)
	if strings.Contains(title, want) || (utf8.RuneCountInString(title) >= minTitleRunes && strings.Contains(want, title)) {
		return true
	}
	if a, ok := p.cfg.Account(pub.Account); ok && a.Platform == configs.PlatformWeibo {
		return strings.Contains(content.NormalizeWording(pub.Text), want)
	}
	return false
}

// minTitleRunes: a publication's title shorter than this is too general to
// stand for a task's longer title (「工作动态」).
const minTitleRunes = 12

// Remind (nil robot: none configured, nothing to do) sends, for every task due within patrol.remind_before, one
// reminder naming the accounts that have not reposted it yet, and for every
// task past its due time one notice naming those that missed it. It returns
// how many messages went out.
func (p *Patrol) Remind(ctx context.Context, robot *notify.Robot) (int, error) {
	if robot == nil {
		return 0, nil
	}
	now := p.now()
	// Read the platforms only when a message may be due: a task in its
	// reminder window not yet reminded, or past due and not yet reported.
	// The rest of the time the daily patrol keeps the tasks current.
	stored, err := p.store.Tasks(ctx)
	if err != nil {
		return 0, err
	}
	due := false
	for _, t := range stored {
		due = due || (now.Before(t.Due) && !now.Before(t.Due.Add(-p.cfg.Patrol.RemindBefore)) && t.RemindedAt == nil) ||
			(!now.Before(t.Due) && t.OverdueAt == nil)
	}
	if !due {
		return 0, nil
	}
	tasks, _, err := p.UpdateTasks(ctx)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, t := range tasks {
		var waiting, missing []string
		for _, a := range t.Accounts {
			switch a.State {
			case storage.TaskPending:
				waiting = append(waiting, p.accountLabel(a.Account))
			case storage.TaskMissing:
				missing = append(missing, p.accountLabel(a.Account))
			}
		}
		due := t.Due.In(p.cfg.Location).Format("2006-01-02 15:04")
		switch {
		case now.Before(t.Due) && !now.Before(t.Due.Add(-p.cfg.Patrol.RemindBefore)) && t.RemindedAt == nil && len(waiting) > 0:
			head := fmt.Sprintf("【herald 转载任务提醒】《%s》须在 %s 前转载，以下 %d 个账号尚未转载：", notify.Flat(t.Title), due, len(waiting))
			if t.URL != "" {
				head += "\n原文：" + notify.Flat(t.URL)
			}
			if err := robot.Send(ctx, robotText(head, waiting)); err != nil {
				return sent, err
			}
			if _, err := p.store.MarkTaskReminded(ctx, t.ID); err != nil {
				return sent, err
			}
			sent++
		case !now.Before(t.Due) && t.OverdueAt == nil:
			if len(missing) > 0 {
				head := fmt.Sprintf("【herald 转载任务逾期】《%s》已于 %s 截止，以下 %d 个账号未转载：", notify.Flat(t.Title), due, len(missing))
				if err := robot.Send(ctx, robotText(head, missing)); err != nil {
					return sent, err
				}
				sent++
			}
			if _, err := p.store.MarkTaskOverdue(ctx, t.ID); err != nil {
				return sent, err
			}
		}
	}
	return sent, nil
}

func (p *Patrol) accountLabel(id string) string {
	if a, ok := p.cfg.Account(id); ok {
		return a.Name + "（" + id + "）"
	}
	return id
}

// NotifyFindings tells the robot about findings it was not told about yet.
func (p *Patrol) NotifyFindings(ctx context.Context, robot *notify.Robot) (int, error) {
	if robot == nil {
		return 0, nil
	}
	fs, err := p.store.Findings(ctx, time.Time{}, time.Time{}, true)
	if err != nil || len(fs) == 0 {
		return 0, err
	}
	slices.SortStableFunc(fs, func(a, b storage.Finding) int { return cmpString(a.Account, b.Account) })
	lines := make([]string, 0, len(fs))
	ids := make([]int64, 0, len(fs))
	for _, f := range fs {
		l := fmt.Sprintf("%s《%s》「%s」", p.accountLabel(f.Account), notify.Flat(f.Title), f.Term)
		if f.Suggestion != "" {
			l += "应为「" + f.Suggestion + "」"
		}
		lines = append(lines, l+" "+notify.Flat(f.URL))
		ids = append(ids, f.ID)
	}
	head := fmt.Sprintf("【herald 巡检】已发布内容中发现 %d 处问题，请尽快修改或删除：", len(fs))
	if err := robot.Send(ctx, robotText(head, lines)); err != nil {
		return 0, err
	}
	return len(fs), p.store.MarkFindingsNotified(ctx, ids)
}

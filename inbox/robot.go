package inbox

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/herald-gov/herald/notify"
	"github.com/herald-gov/herald/storage"
)

// Sender posts one robot message (notify.Robot).
type Sender interface {
	Send(ctx context.Context, text string) error
}

// Inspection thresholds: an entry left unanswered for three months fails an
// account at inspection (单项否决); the department is warned at two months,
// the news office at ten weeks.
const (
	warnDepartmentAfter = 60 * 24 * time.Hour
	warnOfficeAfter     = 70 * 24 * time.Hour
)

// Notify tells the robot, at most one message per account and kind of news
// per call (serve calls it every interaction.poll): new entries, entries due
// within interaction.remind_before, overdue entries, and entries open for two
// months (to the department) and ten weeks (to the news office). What was
// told is recorded, so nothing is told twice.
func (s *Service) Notify(ctx context.Context, robot Sender) (int, error) {
	if robot == nil {
		return 0, nil
	}
	open, err := s.store.InboxEntries(ctx, storage.InboxFilter{States: []string{storage.InboxOpen}})
	if err != nil {
		return 0, err
	}
	now := s.now()
	type batch struct {
		account string
		bit     int
		ids     []int64
		lines   []string
	}
	var batches []*batch
	index := map[string]*batch{}
	add := func(e storage.InboxEntry, bit int) {
		k := fmt.Sprintf("%s/%d", e.Account, bit)
		b := index[k]
		if b == nil {
			b = &batch{account: e.Account, bit: bit}
			index[k] = b
			batches = append(batches, b)
		}
		b.ids = append(b.ids, e.ID)
		b.lines = append(b.lines, fmt.Sprintf("%d %s：%s（%s前回复）", e.ID, kindLabel(e.Kind), cut(e.Text, 40), e.DueAt.In(s.cfg.Location).Format("01-02 15:04")))
	}
	for _, e := range open {
		age := now.Sub(e.ReceivedAt)
		switch {
		case e.Told&storage.ToldNew == 0:
			add(e, storage.ToldNew)
		case !now.Before(e.DueAt) && e.Told&storage.ToldOverdue == 0:
			add(e, storage.ToldOverdue)
		case now.Before(e.DueAt) && !now.Before(e.DueAt.Add(-s.cfg.Interaction.RemindBefore)) && e.Told&(storage.ToldReminder|storage.ToldOverdue) == 0:
			add(e, storage.ToldReminder)
		}
		if age >= warnOfficeAfter && e.Told&storage.ToldOffice == 0 {
			add(e, storage.ToldOffice)
		} else if age >= warnDepartmentAfter && e.Told&storage.ToldDepartment == 0 {
			add(e, storage.ToldDepartment)
		}
	}
	sent := 0
	for _, b := range batches {
		name, dept := b.account, ""
		if a, ok := s.cfg.Account(b.account); ok {
			name = a.Name
			if d, ok := s.cfg.Department(a.Department); ok {
				dept = d.Name
			}
		}
		var head string
		switch b.bit {
		case storage.ToldNew:
			head = fmt.Sprintf("【互动】%s 收到 %d 条新留言/消息，请及时回复：", name, len(b.ids))
		case storage.ToldReminder:
			head = fmt.Sprintf("【互动提醒】%s 有 %d 条留言/消息即将到期，请尽快回复：", name, len(b.ids))
		case storage.ToldOverdue:
			head = fmt.Sprintf("【互动超期】%s 有 %d 条留言/消息已超过回复期限：", name, len(b.ids))
		case storage.ToldDepartment:
			head = fmt.Sprintf("【互动预警】%s%s 有 %d 条留言已两个月未回复，满三个月将在检查中被单项否决：", dept, name, len(b.ids))
		case storage.ToldOffice:
			head = fmt.Sprintf("【互动预警·请新闻办督办】%s%s 有 %d 条留言已十周未回复，满三个月将在检查中被单项否决：", dept, name, len(b.ids))
		}
		if err := robot.Send(ctx, robotText(head, b.lines)); err != nil {
			return sent, err // not marked: told at the next call
		}
		if err := s.store.MarkInboxTold(ctx, b.ids, b.bit); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

func robotText(heading string, lines []string) string {
	return notify.List(heading, lines, "控制台“互动”页")
}

func cut(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// kindLabel is an entry kind in Chinese.
func kindLabel(kind string) string {
	switch kind {
	case "message":
		return "公众号消息"
	case "comment":
		return "文章留言"
	case "weibo_comment":
		return "微博评论"
	case "weibo_mention":
		return "微博@提及"
	}
	return kind
}

// KindLabel is an entry kind in Chinese (for pages and reports).
func KindLabel(kind string) string { return kindLabel(kind) }

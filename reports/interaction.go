package reports

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/storage"
)

// InteractionRow is one account's 回应 figures for a period: entries
// received in it and what became of them.
type InteractionRow struct {
	Account, Name, Platform string
	// Received: messages, comments and mentions received in the period.
	Received int
	// Answered: of those, answered from herald; Closed: closed as needing no answer.
	Answered, Closed int
	// Overdue: of those, still open past their due time when the report was made.
	Overdue int
	// Public: answers the public sees (comment and Weibo replies, not
	// private messages).
	Public int
	// MedianHours is the median time to answer (nil: nothing answered).
	MedianHours *float64
	// doneDays sums the days from receipt to the answer or closing.
	doneDays float64
}

// Rate is the reply rate: answered over received less closed (nil when
// nothing needed an answer).
func (r InteractionRow) Rate() *float64 {
	need := r.Received - r.Closed
	if need <= 0 {
		return nil
	}
	v := float64(r.Answered) / float64(need)
	return &v
}

// buildInteraction computes per account the figures of the entries
// received in [from, to).
func buildInteraction(ctx context.Context, cfg *configs.Config, st *storage.Store, from, to, now time.Time) ([]InteractionRow, error) {
	es, err := st.InboxEntries(ctx, storage.InboxFilter{ReceivedFrom: from, ReceivedTo: to})
	if err != nil {
		return nil, err
	}
	accounts, err := st.Accounts(ctx, true)
	if err != nil {
		return nil, err
	}
	rows := map[string]*InteractionRow{}
	var order []string
	for _, a := range accounts {
		rows[a.ID] = &InteractionRow{Account: a.ID, Name: a.Name, Platform: a.Platform}
		order = append(order, a.ID)
	}
	hours := map[string][]float64{}
	for _, e := range es {
		r := rows[e.Account]
		if r == nil {
			r = &InteractionRow{Account: e.Account, Name: e.Account, Platform: e.Platform}
			rows[e.Account] = r
			order = append(order, e.Account)
		}
		r.Received++
		switch e.State {
		case storage.InboxAnswered:
			r.Answered++
			if e.Kind != "message" {
				r.Public++
			}
			if e.DoneAt != nil {
				h := e.DoneAt.Sub(e.ReceivedAt).Hours()
				hours[e.Account] = append(hours[e.Account], h)
				r.doneDays += h / 24
			}
		case storage.InboxClosed:
			r.Closed++
			if e.DoneAt != nil {
				r.doneDays += e.DoneAt.Sub(e.ReceivedAt).Hours() / 24
			}
		case storage.InboxOpen:
			if !now.Before(e.DueAt) {
				r.Overdue++
			}
		}
	}
	out := make([]InteractionRow, 0, len(order))
	for _, id := range order {
		r := rows[id]
		if hs := hours[id]; len(hs) > 0 {
			sort.Float64s(hs)
			m := hs[len(hs)/2]
			if len(hs)%2 == 0 {
				m = (hs[len(hs)/2-1] + hs[len(hs)/2]) / 2
			}
			m = round2(m)
			r.MedianHours = &m
		}
		out = append(out, *r)
	}
	return out, nil
}

// interactionSheet writes 互动: per account the period's messages and
// comments, how many were answered, the reply rate, the median time to
// answer and how many are overdue.
func (m *Monthly) interactionSheet(wb *workbook, cfg *configs.Config) error {
	s, err := wb.newSheet("互动", wb.title+"（互动回应）", []column{{"账号ID", colText}, {"账号名称", colText}, {"平台", colText},
		{"留言/消息数", colCount}, {"已回复", colCount}, {"无需回复", colCount}, {"回复率", colPct}, {"回复用时中位数（小时）", colIndex},
		{"超期未复", colCount}})
	if err != nil {
		return err
	}
	s.headerRow()
	var total InteractionRow
	for _, r := range m.Interaction {
		s.add(r.Account, r.Name, platformName(r.Platform), r.Received, r.Answered, r.Closed, orNil(r.Rate()), orNil(r.MedianHours), r.Overdue)
		total.Received += r.Received
		total.Answered += r.Answered
		total.Closed += r.Closed
		total.Overdue += r.Overdue
	}
	s.add("合计", "", nil, total.Received, total.Answered, total.Closed, orNil(total.Rate()), nil, total.Overdue)
	s.noteRow("注：统计本期收到的公众号消息、文章留言、微博评论和@提及；回复率＝已回复÷（留言/消息数－无需回复）；" +
		"超期未复为制表时仍未回复且已过回复期限的条数。留言满三个月未回复，检查时单项否决。")
	return s.finish()
}

// interactionNote is the 互动 figures in one line for 汇总's note (the
// printed form has no room for more columns; the 互动 sheet has them per
// account).
func interactionNote(rows []InteractionRow) string {
	var t InteractionRow
	for _, r := range rows {
		t.Received += r.Received
		t.Answered += r.Answered
		t.Closed += r.Closed
		t.Overdue += r.Overdue
	}
	rate := "—"
	if r := t.Rate(); r != nil {
		rate = fmt.Sprintf("%.1f%%", *r*100)
	}
	return fmt.Sprintf("互动回应：本期收到留言/消息 %d 条，已回复 %d 条，无需回复 %d 条，回复率 %s，超期未复 %d 条（各账号见“互动”表）。",
		t.Received, t.Answered, t.Closed, rate, t.Overdue)
}

// orNil turns a nil *float64 into an untyped nil (an empty cell).
func orNil(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

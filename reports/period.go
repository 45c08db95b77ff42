package reports

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// PeriodKind says whether a period is a month, a quarter or a year.
type PeriodKind int

// The kinds of reporting period.
const (
	KindMonth PeriodKind = iota
	KindQuarter
	KindYear
)

// Period is a reporting period: a month, a quarter or a year, local dates
// inclusive.
type Period struct {
	Label    string // 2026-11, 2026-Q4 or 2026
	Kind     PeriodKind
	From, To time.Time
}

// ParseMonth parses YYYY-MM.
func ParseMonth(s string, loc *time.Location) (Period, error) {
	t, err := time.ParseInLocation("2006-01", s, loc)
	if err != nil {
		return Period{}, fmt.Errorf("月份 %q 应写成 2026-11", s)
	}
	return monthPeriod(t), nil
}

// ParseQuarter parses YYYY-Qn.
func ParseQuarter(s string, loc *time.Location) (Period, error) {
	y, q, ok := strings.Cut(strings.ToUpper(s), "-Q")
	year, err1 := strconv.Atoi(y)
	n, err2 := strconv.Atoi(q)
	if !ok || err1 != nil || err2 != nil || n < 1 || n > 4 || year < 2000 || year > 9999 {
		return Period{}, fmt.Errorf("季度 %q 应写成 2026-Q4", s)
	}
	return quarterPeriod(year, n, loc), nil
}

// ParseYear parses YYYY.
func ParseYear(s string, loc *time.Location) (Period, error) {
	year, err := strconv.Atoi(s)
	if err != nil || len(s) != 4 || year < 2000 {
		return Period{}, fmt.Errorf("年份 %q 应写成 2026", s)
	}
	return yearPeriod(year, loc), nil
}

func monthPeriod(t time.Time) Period {
	from := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())
	return Period{Label: from.Format("2006-01"), Kind: KindMonth, From: from, To: from.AddDate(0, 1, -1)}
}

func quarterPeriod(year, n int, loc *time.Location) Period {
	from := time.Date(year, time.Month(3*n-2), 1, 0, 0, 0, 0, loc)
	return Period{Label: fmt.Sprintf("%d-Q%d", year, n), Kind: KindQuarter, From: from, To: from.AddDate(0, 3, -1)}
}

func yearPeriod(year int, loc *time.Location) Period {
	from := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
	return Period{Label: strconv.Itoa(year), Kind: KindYear, From: from, To: from.AddDate(1, 0, -1)}
}

// Previous is the period of the same kind just before p: the month, quarter
// or year the month-on-month changes compare with.
func (p Period) Previous() Period {
	switch p.Kind {
	case KindQuarter:
		prev := p.From.AddDate(0, -3, 0)
		return quarterPeriod(prev.Year(), (int(prev.Month())+2)/3, prev.Location())
	case KindYear:
		return yearPeriod(p.From.Year()-1, p.From.Location())
	default:
		return monthPeriod(p.From.AddDate(0, -1, 0))
	}
}

// Months are the calendar months of p, in order.
func (p Period) Months() []Period {
	var out []Period
	for m := p.From; !m.After(p.To); m = m.AddDate(0, 1, 0) {
		out = append(out, monthPeriod(m))
	}
	return out
}

// Title names the period as report titles do: 2026年11月, 2026年第四季度, 2026年度.
func (p Period) Title() string {
	switch p.Kind {
	case KindQuarter:
		return fmt.Sprintf("%d年第%s季度", p.From.Year(), []string{"一", "二", "三", "四"}[(int(p.From.Month())-1)/3])
	case KindYear:
		return fmt.Sprintf("%d年度", p.From.Year())
	default:
		return fmt.Sprintf("%d年%d月", p.From.Year(), int(p.From.Month()))
	}
}

// previousName is how column headers name the previous period: 上月, 上季度, 上年.
func (p Period) previousName() string {
	switch p.Kind {
	case KindQuarter:
		return "上季度"
	case KindYear:
		return "上年"
	default:
		return "上月"
	}
}

func (p Period) days() []string {
	var out []string
	for d := p.From; !d.After(p.To); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format("2006-01-02"))
	}
	return out
}

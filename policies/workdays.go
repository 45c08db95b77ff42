package policies

import "time"

// China's public holidays and 调休 working weekends, from the State
// Council's yearly notices (国务院办公厅关于…年部分节假日安排的通知). A date
// in holidays is a day off even on a weekday; a date in workdays is a
// working day even on a weekend; any other Saturday or Sunday is off.
//
// 2025: 国办发明电〔2024〕12号 (12 November 2024).
// 2026: the notice of 4 November 2025.
// 2027: the State Council publishes the 2027 arrangement around November
// 2026 and it is not in this table yet: only the statutory holidays of
// 《全国年节及纪念日放假办法》 (as amended in 2024) are listed — 元旦 1 Jan,
// 春节 除夕 to 初三 (5–8 Feb), 清明 5 Apr, 劳动节 1–2 May, 端午 9 Jun,
// 中秋 15 Sep, 国庆 1–3 Oct — without the extra 调休 days off and the
// working weekends. Add them here when the notice is out.
var (
	holidays = dateSet(
		// 2025
		"2025-01-01",
		"2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31", "2025-02-01", "2025-02-02", "2025-02-03", "2025-02-04",
		"2025-04-04", "2025-04-05", "2025-04-06",
		"2025-05-01", "2025-05-02", "2025-05-03", "2025-05-04", "2025-05-05",
		"2025-05-31", "2025-06-01", "2025-06-02",
		"2025-10-01", "2025-10-02", "2025-10-03", "2025-10-04", "2025-10-05", "2025-10-06", "2025-10-07", "2025-10-08",
		// 2026
		"2026-01-01", "2026-01-02", "2026-01-03",
		"2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23",
		"2026-04-04", "2026-04-05", "2026-04-06",
		"2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05",
		"2026-06-19", "2026-06-20", "2026-06-21",
		"2026-09-25", "2026-09-26", "2026-09-27",
		"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07",
		// 2027: statutory days only (see above)
		"2027-01-01",
		"2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08",
		"2027-04-05",
		"2027-05-01", "2027-05-02",
		"2027-06-09",
		"2027-09-15",
		"2027-10-01", "2027-10-02", "2027-10-03",
	)
	workdays = dateSet(
		// 2025
		"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
		// 2026
		"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
	)
)

func dateSet(days ...string) map[string]bool {
	m := make(map[string]bool, len(days))
	for _, d := range days {
		m[d] = true
	}
	return m
}

// IsWorkday reports whether the calendar date of t (in t's location) is a
// working day in mainland China.
func IsWorkday(t time.Time) bool {
	d := t.Format("2006-01-02")
	if holidays[d] {
		return false
	}
	if workdays[d] {
		return true
	}
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AddWorkdays returns the date of the nth working day after day (midnight
// in day's location); n < 1 returns day itself.
func AddWorkdays(day time.Time, n int) time.Time {
	d := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, day.Location())
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if IsWorkday(d) {
			n--
		}
	}
	return d
}

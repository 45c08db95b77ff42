package policies

import (
	"testing"
	"time"
)

func TestWorkingDays(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	day := func(s string) time.Time {
		d, err := time.ParseInLocation("2006-01-02", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, c := range []struct {
		from    string
		n       int
		want    string
		because string
	}{
		{"2026-11-10", 3, "2026-11-13", "Tue + 3 = Fri"},
		{"2026-11-12", 3, "2026-11-17", "the weekend does not count"},
		{"2026-09-30", 3, "2026-10-10", "国庆 1–7 Oct off, Sat 10 Oct a 调休 working day"},
		{"2026-02-12", 3, "2026-02-24", "Sat 14 Feb works, 春节 15–23 Feb off"},
		{"2025-01-24", 3, "2025-02-05", "Sun 26 Jan and Mon 27 work, 春节 28 Jan – 4 Feb off"},
		{"2025-09-26", 1, "2025-09-28", "Sun 28 Sep 2025 works"},
		{"2026-12-31", 1, "2027-01-04", "元旦 2027 and the weekend"},
	} {
		if got := AddWorkdays(day(c.from), c.n).Format("2006-01-02"); got != c.want {
			t.Errorf("%s + %d working days = %s, want %s (%s)", c.from, c.n, got, c.want, c.because)
		}
	}
	for d, want := range map[string]bool{"2026-10-10": true, "2026-10-05": false, "2026-05-09": true, "2026-06-19": false, "2027-02-08": false, "2026-11-28": false} {
		if IsWorkday(day(d)) != want {
			t.Errorf("IsWorkday(%s) = %v", d, !want)
		}
	}
}

func TestStatusAtTheDeadline(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	deadline := Deadline("2026-11-10", 3, loc)
	for _, c := range []struct {
		now     time.Time
		covered bool
		want    string
	}{
		{time.Date(2026, 11, 10, 9, 0, 0, 0, loc), false, StatusPending},
		{time.Date(2026, 11, 13, 23, 59, 0, 0, loc), false, StatusPending},
		{time.Date(2026, 11, 14, 0, 0, 0, 0, loc), false, StatusOverdue},
		{time.Date(2026, 12, 1, 0, 0, 0, 0, loc), true, StatusCovered},
	} {
		if got := StatusAt(deadline, c.covered, c.now); got != c.want {
			t.Errorf("at %s covered=%v: %s, want %s", c.now, c.covered, got, c.want)
		}
	}
}

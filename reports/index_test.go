package reports

import (
	"math"
	"testing"

	"github.com/herald-gov/herald/storage"
)

// Expected values worked by hand (Python's math.log) from the formulas in
// the issue, not from this package's code.
func TestWCIHandWorked(t *testing.T) {
	in := WCIInput{
		Daily:    Figures{R: 1000, Z: 10, L: 15, RE: 40},
		Article:  Figures{R: 500, Z: 5, L: 7.5, RE: 20},
		Headline: Figures{R: 1000, Z: 10, L: 15, RE: 40},
		Best:     Figures{R: 1500, Z: 15, L: 22.5, RE: 60},
	}
	if got := subScore(in.Daily); math.Abs(got-6.451620196341248) > 1e-9 {
		t.Fatalf("O = %v", got)
	}
	if got := WCI(in); math.Abs(got-484.4690458287778) > 1e-9 {
		t.Fatalf("WCI = %v, want 484.469", got)
	}
	if got := WCI(WCIInput{}); got != 0 {
		t.Fatalf("WCI of nothing = %v", got)
	}
}

func TestWCIFromDailyRows(t *testing.T) {
	// 30 days, 2 articles a day, 1000 reads (10 在看, 15 likes, 40 shares) a
	// day, except a best day of 3000/30/45/120. Worked by hand: O from
	// 32000/30 reads a day, A from 32000/60 a article, H = O (approximated),
	// P = 1500/15/22.5/60 (the best day over its 2 articles).
	p := func(n int64) *int64 { return &n }
	var rows []storage.DailyStat
	for i := 0; i < 30; i++ {
		r := storage.DailyStat{Posts: p(2), Reads: p(1000), Zaikan: p(10), Likes: p(15), Shares: p(40)}
		if i == 0 {
			r.Reads, r.Zaikan, r.Likes, r.Shares = p(3000), p(30), p(45), p(120)
		}
		rows = append(rows, r)
	}
	if got := WCIFromDaily(rows); math.Abs(got-493.3421701346412) > 1e-9 {
		t.Fatalf("WCI from rows = %v, want 493.3421701346412", got)
	}
}

func TestBCIHandWorked(t *testing.T) {
	if got := BCI(40, 120, 35, 800); math.Abs(got-719.012991962994) > 1e-9 {
		t.Fatalf("BCI = %v, want 719.013", got)
	}
}

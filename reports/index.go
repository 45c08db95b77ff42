package reports

import (
	"math"

	"github.com/herald-gov/herald/storage"
)

// Figures are a reader-response tuple: reads R, 在看 Z, likes L, shares RE.
type Figures struct{ R, Z, L, RE float64 }

// subScore is the WCI (清博 V14.2) sub-score:
// 0.70·ln(R+1) + 0.09·ln(10·Z+1) + 0.06·ln(10·L+1) + 0.15·ln(10·RE+1).
func subScore(f Figures) float64 {
	return 0.70*math.Log(f.R+1) + 0.09*math.Log(10*f.Z+1) + 0.06*math.Log(10*f.L+1) + 0.15*math.Log(10*f.RE+1)
}

// WCIInput are the WCI's four inputs over a period.
type WCIInput struct {
	Daily    Figures // O: daily averages
	Article  Figures // A: per-article averages
	Headline Figures // H: headline-article figures per day
	Best     Figures // P: single-article maxima
}

// WCI = (0.6·O + 0.2·A + 0.1·H + 0.1·P)² × 1.2 × 10.
func WCI(in WCIInput) float64 {
	s := 0.6*subScore(in.Daily) + 0.2*subScore(in.Article) + 0.1*subScore(in.Headline) + 0.1*subScore(in.Best)
	return s * s * 1.2 * 10
}

// WCIApproximations names the inputs herald approximates, because the
// statistics API gives account-level daily figures, not per-article ones.
var WCIApproximations = []string{
	"H（头条）按每日全号数据近似：接口不区分头条",
	"P（单篇最高）按“当日数据 ÷ 当日发布数”的最高值近似：接口不给单篇日数据",
	"A（篇均）= 期间合计 ÷ 期间发布数",
}

// WCIFromDaily computes the WCI of one account from its stored daily rows.
func WCIFromDaily(rows []storage.DailyStat) float64 {
	var a WCIAccumulator
	for _, r := range rows {
		a.Add(r)
	}
	return a.WCI()
}

// WCIAccumulator gathers an account's daily rows one at a time for the WCI,
// so that a year of rows need not be held; accumulators of consecutive
// spans merge into the span they cover.
type WCIAccumulator struct {
	days, posts float64
	total, best Figures
}

// Add takes one daily row.
func (a *WCIAccumulator) Add(r storage.DailyStat) {
	a.days++
	f := Figures{R: val(r.Reads), Z: val(r.Zaikan), L: val(r.Likes), RE: val(r.Shares)}
	a.total.R += f.R
	a.total.Z += f.Z
	a.total.L += f.L
	a.total.RE += f.RE
	p := val(r.Posts)
	a.posts += p
	if p > 0 {
		per := Figures{f.R / p, f.Z / p, f.L / p, f.RE / p}
		if per.R > a.best.R {
			a.best = per
		}
	}
}

// Merge adds the rows of a later span.
func (a *WCIAccumulator) Merge(b WCIAccumulator) {
	a.days += b.days
	a.posts += b.posts
	a.total.R += b.total.R
	a.total.Z += b.total.Z
	a.total.L += b.total.L
	a.total.RE += b.total.RE
	if b.best.R > a.best.R {
		a.best = b.best
	}
}

// WCI is the index over the rows taken; 0 without rows.
func (a *WCIAccumulator) WCI() float64 {
	if a.days == 0 {
		return 0
	}
	t := a.total
	daily := Figures{t.R / a.days, t.Z / a.days, t.L / a.days, t.RE / a.days}
	article := Figures{}
	if a.posts > 0 {
		article = Figures{t.R / a.posts, t.Z / a.posts, t.L / a.posts, t.RE / a.posts}
	}
	return WCI(WCIInput{Daily: daily, Article: article, Headline: daily, Best: a.best})
}

// BCI is the Weibo communication index: (0.2·W1 + 0.8·W2) × 160, with
// W1 = ln(posts+1) and W2 = 0.4·ln(reposts+1) + 0.4·ln(comments+1) + 0.2·ln(likes+1).
func BCI(posts, reposts, comments, likes float64) float64 {
	w1 := math.Log(posts + 1)
	w2 := 0.4*math.Log(reposts+1) + 0.4*math.Log(comments+1) + 0.2*math.Log(likes+1)
	return (0.2*w1 + 0.8*w2) * 160
}

func val(p *int64) float64 {
	if p == nil {
		return 0
	}
	return float64(*p)
}

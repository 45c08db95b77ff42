package web

import (
	"fmt"
	"html/template"
	"math"
	"sort"
	"strings"
)

var chartColors = []string{"#C62828", "#1565C0", "#2E7D32", "#EF6C00", "#6A1B9A", "#00838F", "#AD1457", "#4E342E"}

// lineChart draws one line per series over the days as inline SVG (no
// script); labels are escaped.
func lineChart(title string, days []string, series map[string]map[string]float64) template.HTML {
	const w, h, left, right, top, bottom = 900, 320, 80, 20, 40, 40
	names := make([]string, 0, len(series))
	for n := range series {
		names = append(names, n)
	}
	sort.Strings(names)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, n := range names {
		for _, v := range series[n] {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-label="%s" viewBox="0 0 %d %d" xmlns="http://www.w3.org/2000/svg">`, template.HTMLEscapeString(title), w, h+20*((len(names)+3)/4))
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="18" fill="#333">%s</text>`, left, template.HTMLEscapeString(title))
	if math.IsInf(lo, 1) || len(days) < 2 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="16" fill="#777">暂无数据：统计尚未采集</text></svg>`, left, h/2)
		return template.HTML(b.String())
	}
	if hi == lo {
		hi = lo + 1
	}
	x := func(i int) float64 { return left + float64(i)*float64(w-left-right)/float64(len(days)-1) }
	y := func(v float64) float64 { return top + (hi-v)*float64(h-top-bottom)/(hi-lo) }
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#ccc"/>`, left, h-bottom, w-right, h-bottom)
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" fill="#777" text-anchor="end">%.0f</text>`, left-6, top+5, hi)
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" fill="#777" text-anchor="end">%.0f</text>`, left-6, h-bottom, lo)
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" fill="#777">%s</text>`, left, h-bottom+20, template.HTMLEscapeString(days[0]))
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" fill="#777" text-anchor="end">%s</text>`, w-right, h-bottom+20, template.HTMLEscapeString(days[len(days)-1]))
	for si, n := range names {
		color := chartColors[si%len(chartColors)]
		var pts []string
		for i, d := range days {
			if v, ok := series[n][d]; ok {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(v)))
			}
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2.5" points="%s"/>`, color, strings.Join(pts, " "))
		lx, ly := left+(si%4)*200, h+(si/4)*20+5
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="14" height="4" fill="%s"/><text x="%d" y="%d" font-size="14" fill="#333">%s</text>`,
			lx, ly, color, lx+20, ly+6, template.HTMLEscapeString(n))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

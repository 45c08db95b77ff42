package policies

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/internal/measure"
	"github.com/herald-gov/herald/storage"
)

// BenchmarkReadAndDraft reads the realistic notice's page (meta tags, the
// 信息公开 table, the text) and drafts its policy graphic.
func BenchmarkReadAndDraft(b *testing.B) {
	html := sitePage("t20261110_1001.html")
	u, _ := url.Parse("https://www.qingshan.gov.cn/zwgk/zcwj/202611/t20261110_1001.html")
	loc, _ := time.LoadLocation("Asia/Shanghai")
	b.ReportAllocs()
	b.SetBytes(int64(len(html)))
	for b.Loop() {
		d, err := parseDocument(&page{URL: u, Body: html})
		if err != nil {
			b.Fatal(err)
		}
		p := storage.Policy{URL: d.URL, Title: d.Title, Issuer: d.Issuer, DocNumber: d.DocNumber, PublishedDate: d.PublishedDate, Body: d.Body}
		if g := Draft(&p, loc); len(g.Points) != 7 {
			b.Fatalf("%d points", len(g.Points))
		}
	}
}

// hundredPages are 100 document pages of the shapes herald reads: the
// saved real pages of testdata/real and the county site's, in turn.
func hundredPages(b *testing.B) []*page {
	var pages []*page
	for len(pages) < 100 {
		for _, c := range realDocs {
			pages = append(pages, realPage(b, c.file, c.url))
		}
		for _, name := range []string{"t20261110_1001.html", "t20261030_1003.html", "t20261120_1005.html"} {
			u, _ := url.Parse("https://www.qingshan.gov.cn/zwgk/zcwj/" + name)
			pages = append(pages, &page{URL: u, Body: sitePage(name, "{{BODY}}", "")})
		}
	}
	return pages[:100]
}

// BenchmarkRead100Pages reads 100 document pages (fields, text, the
// content container) and prints pages per second, the bytes allocated per
// page and the most heap the 100 pages held at once.
func BenchmarkRead100Pages(b *testing.B) {
	pages := hundredPages(b)
	size := 0
	for _, p := range pages {
		size += len(p.Body)
	}
	// The heap the reading holds, above what was there before, page by page.
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, uint64(0)
	for _, p := range pages {
		if _, err := parseDocument(p); err != nil {
			b.Fatal(err)
		}
		runtime.ReadMemStats(&ms)
		if ms.HeapAlloc > base && ms.HeapAlloc-base > peak {
			peak = ms.HeapAlloc - base
		}
	}
	b.ReportAllocs()
	b.SetBytes(int64(size))
	start := time.Now()
	for b.Loop() {
		for _, p := range pages {
			if _, err := parseDocument(p); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(100*b.N)/time.Since(start).Seconds(), "pages/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(size)/100/1024, "KB/page")
}

// BenchmarkSync100Documents syncs a list of 100 document pages served on
// the loopback (fetch, decode, read, store in SQLite) and prints pages per
// second and the process's peak RSS.
func BenchmarkSync100Documents(b *testing.B) {
	pages := hundredPages(b)
	mux := http.NewServeMux()
	var list strings.Builder
	list.WriteString(`<html><body><ul class="list">`)
	for i, p := range pages {
		path := fmt.Sprintf("/zwgk/zcwj/t%03d.html", i)
		body := p.Body
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, body)
		})
		fmt.Fprintf(&list, `<li><a href="%s">政策文件第%d号的标题</a></li>`, path, i)
	}
	list.WriteString(`</ul></body></html>`)
	mux.HandleFunc("/zwgk/zcwj/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, list.String())
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	start := time.Now()
	docs := 0
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		cfg := testConfig(&testing.T{}, dir, srv.URL+"/zwgk/zcwj/")
		st, err := storage.Open(context.Background(), dir)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := NewSyncer(cfg, st, nil, Options{Delay: 1}).Sync(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if res.Documents != 100 || len(res.New) == 0 {
			b.Fatalf("read %d documents, %d new, problems %q", res.Documents, len(res.New), res.Problems)
		}
		docs += res.Documents
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(docs)/time.Since(start).Seconds(), "pages/s")
	b.ReportMetric(float64(measure.PeakRSS())/(1<<20), "peak-RSS-MB")
}

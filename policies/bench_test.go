package policies

import (
	"net/url"
	"testing"
	"time"

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

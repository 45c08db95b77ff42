package policies

import (
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestDocNumberShapes(t *testing.T) {
	for in, want := range map[string]string{
		"青政办发〔2026〕15号":        "青政办发〔2026〕15号",
		"国办发[2024]9号":          "国办发〔2024〕9号",
		"湘政发（2024） 3 号":        "湘政发〔2024〕3号",
		"京政发【2024】第3号":         "京政发〔2024〕第3号",
		"国务院令第723号":            "国务院令第723号",
		"中华人民共和国主席令第六十五号":      "中华人民共和国主席令第六十五号",
		"国家发展改革委令2024年第7号":     "国家发展改革委令2024年第7号",
		"国家税务总局公告2023年第1号":     "国家税务总局公告2023年第1号",
		"无":                    "",
		"暂无":                   "",
		"主题分类:综合政务":            "",
		"发布机构:省教育厅":            "",
		"002482096/2024-00031": "",
		"2024年第3号":             "",
		"关于印发实施方案的通知":          "",
	} {
		if got := docNumber(in); got != want {
			t.Errorf("docNumber(%q) = %q, want %q", in, got, want)
		}
	}
	for _, empty := range []string{"无", "暂无", "—", "--", "／", "空", "无文号", ""} {
		if !emptyValue.MatchString(empty) {
			t.Errorf("%q is not read as empty", empty)
		}
	}
}

func TestDatesAndIssuers(t *testing.T) {
	for in, want := range map[string]string{
		"2026年11月10日": "2026-11-10", "2026-11-10 09:30": "2026-11-10", "二〇二四年三月一日": "2024-03-01",
		"二〇二五年十二月三十一日": "2025-12-31", "2025年2月30日前": "", "2024年2月29日": "2024-02-29", "第3期": "",
	} {
		if got := normalizeDate(in); got != want {
			t.Errorf("normalizeDate(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"国务院关于促进…的若干意见": "国务院", "国家发展改革委 工业和信息化部关于…的通知": "国家发展改革委、工业和信息化部",
		"关于印发《…》的通知": "", "一图读懂《…》": "", "《条例》关于…的解读": "",
	} {
		if got := headingIssuer(in); got != want {
			t.Errorf("headingIssuer(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"辽阳网站": "", "本网": "", "杭州市人民政府门户网站": "", "县民政局": "县民政局", "无": ""} {
		if got := issuerOf(in); got != want {
			t.Errorf("issuerOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCanonicalURL(t *testing.T) {
	at, _ := url.Parse("http://www.qingshan.gov.cn/zwgk/zcwj/202611/t20261110_1001.html?from=list&utm_source=wx&id=7#top")
	for head, want := range map[string]string{
		``: "http://www.qingshan.gov.cn/zwgk/zcwj/202611/t20261110_1001.html?id=7",
		`<link rel="canonical" href="/art/2026/11/10/art_1_1001.html">`: "http://www.qingshan.gov.cn/art/2026/11/10/art_1_1001.html",
		`<link rel="canonical" href="/">`:                               "http://www.qingshan.gov.cn/zwgk/zcwj/202611/t20261110_1001.html?id=7",
		`<link rel="canonical" href="/zwgk/zcwj/index.html">`:           "http://www.qingshan.gov.cn/zwgk/zcwj/202611/t20261110_1001.html?id=7",
		`<link rel="canonical" href="http://other.example/a.html">`:     "http://www.qingshan.gov.cn/zwgk/zcwj/202611/t20261110_1001.html?id=7",
	} {
		root, err := html.Parse(strings.NewReader("<html><head>" + head + "</head><body></body></html>"))
		if err != nil {
			t.Fatal(err)
		}
		if got := canonicalURL(root, at).String(); got != want {
			t.Errorf("%s: canonical %s, want %s", head, got, want)
		}
	}
}

package policies

import (
	"errors"
	"strings"
	"testing"
)

func TestListsInCommentsAndDataStores(t *testing.T) {
	for _, c := range []struct {
		file, url string
		want      []string
	}{
		{"list_in_comment.html", "http://www.qingshan.gov.cn/zwgk/wjtz/index.html", []string{
			"http://www.qingshan.gov.cn/zwgk/wjtz/202611/t20261110_1001.html",
			"http://www.qingshan.gov.cn/zwgk/wjtz/202611/t20261105_1002.html",
			"http://www.qingshan.gov.cn/zwgk/wjtz/202610/t20261030_1003.html"}},
		{"list_hanweb_datastore.html", "http://www.qingshan.gov.cn/col/col1003/index.html", []string{
			"http://www.qingshan.gov.cn/art/2026/11/10/art_1003_1001.html",
			"http://www.qingshan.gov.cn/art/2026/11/5/art_1003_1002.html",
			"http://www.qingshan.gov.cn/art/2026/10/30/art_1003_1003.html"}},
	} {
		links, err := listLinks(realPage(t, c.file, c.url), nil)
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		var got []string
		for _, u := range links {
			got = append(got, u.String())
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%s: links\n got %v\nwant %v", c.file, got, c.want)
		}
	}
}

func TestListDrawnByScriptSaysSo(t *testing.T) {
	_, err := listLinks(realPage(t, "list_script_drawn.html", "http://www.qingshan.gov.cn/zwgk/zcjd/"), nil)
	if !errors.Is(err, errNotAList) {
		t.Fatalf("err = %v, want no list", err)
	}
	got := listProblem(err, false)
	want := "页面上的列表由脚本生成，网页本身没有文件链接（link_pattern 也读不到），请改用该网站的 RSS 订阅（http://www.qingshan.gov.cn/rss/zcjd.xml）" +
		"或信息公开目录页面（http://www.qingshan.gov.cn/zwgk/xxgkml/）作为来源"
	if got != want {
		t.Errorf("problem:\n got %s\nwant %s", got, want)
	}
	// A page that is no list at all is not told to use a feed.
	_, err = listLinks(&page{URL: realPage(t, "soft404.html", "http://www.qingshan.gov.cn/x/").URL, Body: sitePage("notalist.html")}, nil)
	if got := listProblem(err, false); !strings.HasPrefix(got, "页面上找不到政策文件列表") {
		t.Errorf("not a list: %s", got)
	}
}

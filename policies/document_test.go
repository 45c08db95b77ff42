package policies

import (
	"net/url"
	"strings"
	"testing"
)

// The www.gov.cn shape: the 信息公开 table with bold labels and spaced
// 索 引 号, the text in div.pages_content, the page's own pager class.
func TestDocumentInTheGovCnShape(t *testing.T) {
	html := `<html><head><meta charset="utf-8"><title>国务院办公厅关于某项工作的通知_国务院文件_中国政府网</title>
<meta name="manuscriptId" content="123"></head><body>
<div class="header"><a href="/">首页</a></div>
<div class="policyLibraryOverview_content"><table class="bd1">
<tr><td><b>索 引 号：</b></td><td>000014349/2026-00123</td><td><b>主题分类：</b></td><td>综合政务\其他</td></tr>
<tr><td><b>发文机关：</b></td><td>国务院办公厅</td><td><b>成文日期：</b></td><td>2026年03月02日</td></tr>
<tr><td><b>标　　题：</b></td><td colspan="3">国务院办公厅关于某项工作的通知</td></tr>
<tr><td><b>发文字号：</b></td><td>国办发〔2026〕9号</td><td><b>发布日期：</b></td><td>2026年03月05日</td></tr>
</table></div>
<div class="pages_content" id="UCAP-CONTENT">
<p>各省、自治区、直辖市人民政府，国务院各部委、各直属机构：</p>
<p>为做好某项工作，经国务院同意，现就有关事项通知如下。</p>
<p>一、总体要求。坚持问题导向。</p>
<p>二、保障措施。中央财政安排资金50亿元。</p>
<p>国务院办公厅</p><p>2026年3月2日</p>
</div>
<div class="pages"><a href="#">上一篇</a><a href="#">下一篇</a></div>
</body></html>`
	u, _ := url.Parse("https://www.gov.cn/zhengce/content/202603/content_1.htm")
	d, err := parseDocument(&page{URL: u, Body: html})
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "国务院办公厅关于某项工作的通知" || d.Issuer != "国务院办公厅" || d.DocNumber != "国办发〔2026〕9号" ||
		d.IndexNumber != "000014349/2026-00123" || d.WrittenDate != "2026-03-02" || d.PublishedDate != "2026-03-05" {
		t.Errorf("fields: %+v", d)
	}
	if !strings.HasPrefix(d.Body, "各省、自治区") || !strings.Contains(d.Body, "中央财政安排资金50亿元") || strings.Contains(d.Body, "下一篇") {
		t.Errorf("body: %q", d.Body)
	}
}

// Templates name the main column "right" (or "left") beside a side menu; a
// page without any content system's container is read from it by score.
func TestMainColumnNamedRight(t *testing.T) {
	html := `<html><head><title>青山县交通运输局关于春运期间道路客运安全的通知_青山县交通运输局</title></head><body>
<div class="left"><ul><li><a href="/a/">机构概况</a></li><li><a href="/b/">通知公告</a></li></ul></div>
<div class="right"><div class="wz"><p>各客运企业：</p><p>　　为做好2026年春运期间道路客运安全工作，现将有关要求通知如下。</p>
<p>　　一、严格落实车辆安全例检制度，严禁带病车辆上路运营。</p><p>青山县交通运输局</p><p>2026年1月20日</p></div></div>
</body></html>`
	u, _ := url.Parse("http://jtj.qingshan.gov.cn/tzgg/t1.html")
	d, err := parseDocument(&page{URL: u, Body: html})
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "青山县交通运输局关于春运期间道路客运安全的通知" || d.Issuer != "青山县交通运输局" || d.WrittenDate != "2026-01-20" ||
		!strings.HasPrefix(d.Body, "各客运企业：") || strings.Contains(d.Body, "机构概况") {
		t.Errorf("read %+v", d)
	}
}

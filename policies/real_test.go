package policies

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// realPage reads a saved page of testdata/real (see its README for where
// each comes from) as if fetched from u.
func realPage(t testing.TB, name, u string) *page {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "real", name))
	if err != nil {
		t.Fatal(err)
	}
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return &page{URL: pu, ContentType: "text/html", Body: string(b)}
}

// realDocs are the saved pages of issue 32 with every field herald must
// read from them.
var realDocs = []struct {
	file, url string
	want      Document
	first     string   // the body's first line
	last      string   // the body's last line
	has       []string // lines the body holds
}{
	{ // gov.cn, UCAP: the 信息公开 table of nested tables, td#UCAP-CONTENT
		file: "govcn_2018_content.html", url: "http://www.gov.cn/zhengce/content/2018-12/29/content_5353307.htm",
		want: Document{Title: "国务院关于在海南博鳌乐城国际医疗旅游先行区暂时调整实施《中华人民共和国药品管理法实施条例》有关规定的决定",
			Issuer: "国务院", DocNumber: "国发〔2018〕43号", IndexNumber: "000014349/2018-00222", WrittenDate: "2018-12-21", PublishedDate: "2018-12-29"},
		first: "国务院关于在海南博鳌乐城国际医疗旅游先行区", last: "（此件公开发布）",
		has: []string{"国发〔2018〕43号", "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：", "国务院", "2018年12月21日"},
	},
	{ // gov.cn 2023– template: a short 批复 beside longer blocks (a list of ministries, a login notice)
		file: "govcn_2024_pifu.html", url: "https://www.gov.cn/zhengce/content/202406/content_7000001.htm",
		want: Document{Title: "国务院关于同意设立青山国家农业科技园区的批复", Issuer: "国务院", DocNumber: "国函〔2024〕88号",
			IndexNumber: "000014349/2024-00088", WrittenDate: "2024-06-18", PublishedDate: "2024-06-25"},
		first: "国函〔2024〕88号", last: "（此件公开发布）",
		has: []string{"湖南省人民政府、科技部：", "一、同意设立青山国家农业科技园区，实行现行国家农业科技园区政策。"},
	},
	{ // 国务院公报: no meta, no table; heading and （…通过） only
		file: "govcn_gongbao_2007.html", url: "http://www.gov.cn/gongbao/content/2007/content_678912.htm",
		want: Document{Title: "全国人民代表大会常务委员会关于修改《中华人民共和国个人所得税法》的决定", Issuer: "全国人民代表大会常务委员会",
			WrittenDate: "2007-06-29"},
		first: "（2007年6月29日第十届全国人民代表大会常务委员会第二十八次会议通过）", last: "《中华人民共和国个人所得税法》根据本决定作相应修改，重新公布。",
	},
	{ // hanweb: 文号 「无」, ZJEG markers, wrappers page_bg/fn-left/bg-bottom/margin-top-15
		file: "hanweb_province_wuwenhao.html", url: "https://jyt.zj.gov.cn/art/2024/1/12/art_1532973_2504811.html",
		want: Document{Title: "浙江省教育厅办公室关于做好2024年寒假期间中小学生安全工作的通知", Issuer: "省教育厅",
			IndexNumber: "002482096/2024-00031", WrittenDate: "2024-01-10", PublishedDate: "2024-01-12"},
		first: "各市、县（市、区）教育局：", last: "2024年1月10日",
		has: []string{"三、做好假期值班值守。各地教育行政部门和学校要严格执行领导带班和24小时值班制度，遇有突发事件及时报告。"},
	},
	{ // TRS: empty 文号 cell, next cell 「主题分类:综合政务」; wrappers page_type, margin-top-15
		file: "trs_city_empty_wenhao.html", url: "https://www.hangzhou.gov.cn/art/2025/1/20/art_1229063389_1850000.html",
		want: Document{Title: "杭州市人民政府关于2025年春节期间烟花爆竹燃放管理的通告", Issuer: "杭州市人民政府",
			IndexNumber: "002489709/2025-00021", WrittenDate: "2025-01-17", PublishedDate: "2025-01-20"},
		first: "为保障2025年春节期间公共安全和人身财产安全，保护大气环境，根据《烟花爆竹安全管理条例》和《杭州市烟花爆竹安全管理规定》等有关规定，现就有关事项通告如下：",
		last:  "2025年1月17日",
	},
	{ // a ministry: moe-page-set wrapper, 信息索引 / 发文机构 / 发文字号, ContentSource a division
		file: "moe_ministry_xxgk.html", url: "http://www.moe.gov.cn/srcsite/A15/moe_776/s3258/202503/t20250312_1180000.html",
		want: Document{Title: "教育部关于做好2025年普通高校招生工作的通知", Issuer: "中华人民共和国教育部", DocNumber: "教学〔2025〕1号",
			IndexNumber: "360A15-07-2025-0004-1", WrittenDate: "2025-03-10", PublishedDate: "2025-03-10"},
		first: "教学〔2025〕1号", last: "2025年3月10日",
	},
	{ // hanweb ivs: empty 文件编号 followed by 「发布机构:省教育厅」
		file: "hanweb_ivs_fileno.html", url: "http://jyt.jiangxi.gov.cn/art/2025/4/3/art_25000_4500000.html",
		want: Document{Title: "关于公布2025年度省级示范性家长学校名单的通知", Issuer: "省教育厅",
			IndexNumber: "014500932/2025-00112", WrittenDate: "2025-03-31", PublishedDate: "2025-04-03"},
		first: "各设区市教育局，赣江新区社会发展局：", last: "2025年3月31日",
	},
	{ // a row of labels over a row of values; 索取号, 文件编号
		file: "health_label_rows.html", url: "http://wsjkw.shandong.gov.cn/zwgk/fdzdgknr/gfxwj/202501/t20250116_4800000.html",
		want: Document{Title: "山东省卫生健康委员会关于进一步改善护理服务的通知", Issuer: "山东省卫生健康委员会", DocNumber: "鲁卫医字〔2025〕3号",
			IndexNumber: "11370000004188889Q/2025-00012", WrittenDate: "2025-01-14", PublishedDate: "2025-01-14"},
		first: "各市卫生健康委，委属（管）医疗机构：", last: "2025年1月14日",
	},
	{ // 来源 and 日期 beside the title; ContentSource the site's own name
		file: "liaoyang_source.html", url: "http://www.liaoyang.gov.cn/zwgk/tzgg/202409/t20240920_1100000.html",
		want:  Document{Title: "2025年度辽阳市城乡居民基本医疗保险集中参保缴费的公告", Issuer: "辽阳市医疗保障局", PublishedDate: "2024-09-20"},
		first: "2025年度我市城乡居民基本医疗保险集中参保缴费工作即将开始，现将有关事项公告如下：", last: "咨询电话：0419-2222222。",
	},
	{ // joint notice: six bodies in the signature over ContentSource 产业处; the shown date over PubDate
		file: "joint_notice_trs.html", url: "http://fgw.hunan.gov.cn/fgw/tzgg/202502/t20250226_3400000.html",
		want: Document{Title: "关于印发《关于促进制造业数字化转型的若干措施》的通知",
			Issuer:    "国家发展改革委、工业和信息化部、财政部、自然资源部、生态环境部、商务部",
			DocNumber: "发改产业〔2025〕210号", WrittenDate: "2025-02-21", PublishedDate: "2025-02-26"},
		first: "发改产业〔2025〕210号", last: "三、加强要素保障。优先保障数字化转型项目用地、用能需求。",
	},
	{ // no content system: found by score; the QR prompt and print/close buttons inside the block
		file: "county_scored_chrome.html", url: "http://nyj.qingshan.gov.cn/tzgg/202603/t20260304_501.html",
		want: Document{Title: "青山县农业农村局关于做好2026年春耕生产工作的通知", Issuer: "青山县农业农村局",
			WrittenDate: "2026-03-03", PublishedDate: "2026-03-04"},
		first: "各乡镇人民政府：", last: "2026年3月3日",
	},
	{ // 图解: a picture is the whole content
		file: "hanweb_tujie_picture.html", url: "http://www.qingshan.gov.cn/art/2026/11/12/art_1003_1010.html",
		want: Document{Title: "一图读懂《青山县2026年农村危房改造实施方案》", Issuer: "县住建局", PublishedDate: "2026-11-12",
			NoText: NoTextPicture, Attachments: []string{"一图读懂《青山县2026年农村危房改造实施方案》"}},
	},
	{ // an attached file is the whole content
		file: "trs_attachment_only.html", url: "http://www.qingshan.gov.cn/zwgk/czxx/202602/t20260210_1020.html",
		want: Document{Title: "青山县2026年县级部门预算公开", Issuer: "县财政局", PublishedDate: "2026-02-10",
			NoText: NoTextAttachment, Attachments: []string{"青山县2026年县级部门预算公开表.pdf", "青山县2026年“三公”经费预算表.xls"}},
	},
}

func TestRealPages(t *testing.T) {
	for _, c := range realDocs {
		t.Run(c.file, func(t *testing.T) {
			d, err := parseDocument(realPage(t, c.file, c.url))
			if err != nil {
				t.Fatal(err)
			}
			want := c.want
			want.URL = c.url
			for _, f := range []struct{ name, got, want string }{
				{"url", d.URL, want.URL}, {"title", d.Title, want.Title}, {"issuer", d.Issuer, want.Issuer},
				{"doc_number", d.DocNumber, want.DocNumber}, {"index_number", d.IndexNumber, want.IndexNumber},
				{"written", d.WrittenDate, want.WrittenDate}, {"published", d.PublishedDate, want.PublishedDate},
				{"no_text", d.NoText, want.NoText}, {"attachments", strings.Join(d.Attachments, "|"), strings.Join(want.Attachments, "|")},
			} {
				if f.got != f.want {
					t.Errorf("%s = %q, want %q", f.name, f.got, f.want)
				}
			}
			lines := strings.Split(d.Body, "\n")
			if c.want.NoText != "" {
				if d.Body != "" {
					t.Errorf("a page without text got the body %q", d.Body)
				}
				return
			}
			if lines[0] != c.first || lines[len(lines)-1] != c.last {
				t.Errorf("body runs from %q to %q, want %q to %q:\n%s", lines[0], lines[len(lines)-1], c.first, c.last, d.Body)
			}
			for _, h := range c.has {
				if !containsLine(lines, h) {
					t.Errorf("body lacks the line %q:\n%s", h, d.Body)
				}
			}
			for _, chrome := range []string{"扫一扫", "打印本页", "关闭窗口", "分享到", "当前位置", "您的位置", "主办", "字号", "索引号", "首页"} {
				if strings.Contains(d.Body, chrome) {
					t.Errorf("body holds page chrome %q:\n%s", chrome, d.Body)
				}
			}
		})
	}
}

func containsLine(lines []string, l string) bool {
	for _, x := range lines {
		if x == l {
			return true
		}
	}
	return false
}

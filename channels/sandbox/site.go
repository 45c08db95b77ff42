package sandbox

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
)

// SitePath is where the sandbox serves a county government website's 政策文件
// column (the demo's policies.sources): a list page in the common shape
// (navigation, breadcrumbs, side column, pager, truncated titles) and its
// documents, dated in the days before the sandbox's today.
const SitePath = "/_site/zwgk/zcwj/"

// siteDoc is one policy document of the sandbox site.
type siteDoc struct {
	ID                            string
	DaysAgo                       int
	Title, Issuer, Number, Theme  string
	Paragraphs                    []string
	Date, Written, Path, ListDate string
}

var siteDocs = []siteDoc{
	{ID: "1011", DaysAgo: 1, Title: "青山县人民政府办公室关于印发《青山县冬季清洁取暖补贴实施办法》的通知", Issuer: "青山县人民政府办公室",
		Number: "青政办发〔2026〕21号", Theme: "城乡建设、环境保护", Paragraphs: []string{
			"为推进冬季清洁取暖，减轻群众取暖负担，经县人民政府同意，制定本办法。",
			"一、补贴对象。全县实施“煤改电”“煤改气”的农村住户。",
			"二、补贴标准。“煤改电”住户每户一次性补贴设备购置费2000元，采暖期每度电补贴0.2元，每户每年最高补贴1000度。",
			"三、申请方式。农户向所在乡镇便民服务中心申请，2027年1月31日前完成申报。",
			"四、咨询电话。县发改局能源股 0731-1234501。"}},
	{ID: "1010", DaysAgo: 4, Title: "青山县人力资源和社会保障局关于做好2026年度城乡居民养老保险缴费工作的通知", Issuer: "青山县人力资源和社会保障局",
		Number: "青人社发〔2026〕9号", Theme: "劳动、人事、监察", Paragraphs: []string{
			"各乡镇人民政府，县直有关单位：",
			"一、缴费时间。2026年度城乡居民养老保险集中缴费截至2026年12月31日。",
			"二、缴费档次。缴费标准设每年200元至5000元共十二个档次，政府补贴每人每年30元至150元。",
			"三、缴费方式。可通过“湘税社保”小程序、银行柜台或村级代办员缴纳。"}},
	{ID: "1009", DaysAgo: 9, Title: "关于进一步规范农村宅基地审批管理的通知", Issuer: "青山县自然资源局",
		Number: "青自然资发〔2026〕14号", Theme: "国土资源、能源", Paragraphs: []string{
			"为保障农民合理建房需求，规范宅基地审批，现就有关事项通知如下。",
			"一、面积标准。每户宅基地面积不超过130平方米。",
			"二、审批时限。乡镇自受理之日起20个工作日内作出审批决定。",
			"三、一户一宅。出卖、出租、赠与住宅后再申请宅基地的，不予批准。"}},
	{ID: "1008", DaysAgo: 23, Title: "青山县教育局关于2026年秋季学期学生资助政策的公告", Issuer: "青山县教育局",
		Number: "青教发〔2026〕33号", Theme: "教育", Paragraphs: []string{
			"一、学前教育。家庭经济困难幼儿每生每年补助1000元。",
			"二、义务教育。家庭经济困难寄宿生每生每年补助小学1000元、初中1250元。",
			"三、普通高中。国家助学金每生每年平均2000元，建档立卡学生免除学杂费。"}},
}

var siteList = template.Must(template.New("list").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>政策文件_青山县人民政府</title>
<meta name="SiteName" content="青山县人民政府"><meta name="ColumnName" content="政策文件"></head>
<body>` + siteHead + `
<div class="main">
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="` + SitePath + `">政策文件</a></div>
<div class="left-side"><h3>政务公开</h3><ul>
<li><a href="` + SitePath + `">政策文件</a></li><li><a href="/zwgk/gfxwj/">规范性文件库</a></li><li><a href="/zwgk/zcjd/">政策解读专栏</a></li>
</ul></div>
<div class="list-box"><ul class="list">
{{range .}}<li><a href="./{{.Path}}" title="{{.Title}}" target="_blank">{{.ListTitle}}</a><span>{{.ListDate}}</span></li>
{{end}}</ul>
<div class="page"><span>1</span></div>
</div></div>` + siteFoot + `</body></html>`))

var siteDocPage = template.Must(template.New("doc").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8">
<title>{{.Title}}_政策文件_青山县人民政府</title>
<meta name="SiteName" content="青山县人民政府">
<meta name="ColumnName" content="政策文件">
<meta name="ArticleTitle" content="{{.Title}}">
<meta name="PubDate" content="{{.ListDate}} 16:30">
<meta name="ContentSource" content="{{.Issuer}}">
</head>
<body>` + siteHead + `
<div class="main">
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="` + SitePath + `">政策文件</a></div>
<table class="xxgk-table">
<tr><th>索引号：</th><td>11431100MB1A23456X/2026-0{{.ID}}</td><th>主题分类：</th><td>{{.Theme}}</td></tr>
<tr><th>发文机关：</th><td>{{.Issuer}}</td><th>成文日期：</th><td>{{.Written}}</td></tr>
<tr><th>标　　题：</th><td colspan="3">{{.Title}}</td></tr>
<tr><th>发文字号：</th><td>{{.Number}}</td><th>发布日期：</th><td>{{.Date}}</td></tr>
</table>
<h1 class="art-title">{{.Title}}</h1>
<div id="zoom" class="TRS_Editor">
<p style="text-align:center">{{.Number}}</p>
{{range .Paragraphs}}<p>　　{{.}}</p>
{{end}}<p style="text-align:right">{{.Issuer}}</p>
<p style="text-align:right">{{.Written}}</p>
</div>
<div class="related"><h3>相关解读</h3></div>
</div>` + siteFoot + `</body></html>`))

const siteHead = `<div class="header"><div class="top"><a href="/">青山县人民政府</a> <a href="/wza/">无障碍浏览</a></div>
<div class="nav"><ul><li><a href="/index.html">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/xwzx/">新闻中心</a></li>
<li><a href="/zmhd/">政民互动</a></li><li><a href="/bsfw/">办事服务</a></li></ul></div></div>`

const siteFoot = `<div class="footer"><p>主办：青山县人民政府办公室　承办：青山县政务服务和大数据中心</p>
<p>网站标识码：4311000001　湘ICP备00000000号</p></div>`

// siteDocsNow dates the documents from the sandbox's today.
func (s *Server) siteDocsNow() []siteDoc {
	today := s.day(s.now())
	out := make([]siteDoc, len(siteDocs))
	for i, d := range siteDocs {
		t := today.AddDate(0, 0, -d.DaysAgo)
		w := t.AddDate(0, 0, -2)
		d.ListDate = t.Format("2006-01-02")
		d.Date = t.Format("2006年01月02日")
		d.Written = fmt.Sprintf("%d年%d月%d日", w.Year(), w.Month(), w.Day())
		d.Path = t.Format("200601") + "/t" + t.Format("20060102") + "_" + d.ID + ".html"
		out[i] = d
	}
	return out
}

// serveSite answers the county site's list and document pages.
func (s *Server) serveSite(w http.ResponseWriter, r *http.Request) {
	docs := s.siteDocsNow()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	rest := strings.TrimPrefix(r.URL.Path, SitePath)
	if rest == "" || rest == "index.html" {
		type entry struct {
			siteDoc
			ListTitle string
		}
		var list []entry
		for _, d := range docs {
			t := []rune(d.Title)
			lt := d.Title
			if len(t) > 24 {
				lt = string(t[:24]) + "..."
			}
			list = append(list, entry{d, lt})
		}
		_ = siteList.Execute(w, list)
		return
	}
	for _, d := range docs {
		if d.Path == rest {
			_ = siteDocPage.Execute(w, d)
			return
		}
	}
	http.NotFound(w, r)
}

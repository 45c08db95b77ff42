// 统计: draws each .chart[data-chart] with Apache ECharts (vendored in
// static/echarts): labelled axes, values on hover, a legend that toggles
// its series, and a width that follows the window (phones included).
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var colors = ["#C62828", "#1565C0", "#2E7D32", "#EF6C00", "#6A1B9A", "#00838F", "#AD1457", "#4E342E"];
  var charts = [];
  document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
    var d;
    try { d = JSON.parse(el.getAttribute("data-chart")); } catch (e) { return; }
    var narrow = el.clientWidth < 600;
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      color: colors,
      title: { text: d.title, left: 8, top: 4, textStyle: { fontSize: 15 } },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "无数据" : Number(v).toLocaleString("zh-CN"); } },
      legend: { type: "scroll", top: 32, left: 8, right: 8 },
      grid: { left: narrow ? 8 : 24, right: narrow ? 8 : 24, top: 84, bottom: 48, containLabel: true },
      xAxis: { type: "category", name: "日期", nameLocation: "middle", nameGap: 30, data: d.days.map(function (s) { return s.slice(5); }),
        axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", name: d.y_name, nameTextStyle: { align: "left" }, axisLabel: { formatter: function (v) {
        return v >= 10000 ? (v / 10000).toLocaleString("zh-CN") + "万" : v.toLocaleString("zh-CN"); } } },
      series: (d.series || []).map(function (s) {
        return { name: s.name, type: "line", data: s.data, connectNulls: false, showSymbol: false, emphasis: { focus: "series" } };
      })
    });
    el.chart = chart; // for the browser test
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();

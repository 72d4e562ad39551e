// 入户走访: the visits' coverage by month (第六条7–8) — the share of poor households visited in the
// month, and of resident non-poor households visited within the two months ending it.
(function () {
  "use strict";
  var el = document.getElementById("visits-coverage-chart");
  var source = document.getElementById("visits-coverage-data");
  if (!el || !source || !window.echarts) return;
  var d = JSON.parse(source.textContent);
  var chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    tooltip: {
      trigger: "axis",
      // Our own HTML: ECharts' default puts style attributes in it, which the CSP refuses (decision 0041).
      formatter: function (items) {
        var esc = echarts.format.encodeHTML;
        var lines = [esc(items[0].name)];
        items.forEach(function (p) {
          var value = p.value === null || p.value === undefined ? "—" : p.value + "%";
          lines.push('<span class="zc-dot zc-dot-visit-' + p.seriesIndex + '"></span>' + esc(p.seriesName) + "：" + value);
        });
        return lines.join("<br>");
      },
    },
    legend: { data: ["贫困户（当月）", "常住非贫困户（两个月内）"], bottom: 0 },
    grid: { left: 48, right: 16, top: 16, bottom: 56 },
    xAxis: { type: "category", data: d.months },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    series: [
      { name: "贫困户（当月）", type: "line", data: d.poor, connectNulls: false, itemStyle: { color: "#c62828" } },
      { name: "常住非贫困户（两个月内）", type: "line", data: d.non_poor, connectNulls: false, itemStyle: { color: "#1565c0" } },
    ],
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();

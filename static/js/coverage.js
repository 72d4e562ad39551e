// County / city / province: today's covered and uncovered villages per child region.
(function () {
  "use strict";
  var el = document.getElementById("coverage-chart");
  var source = document.getElementById("coverage-data");
  if (!el || !source || !window.echarts) return;
  var d = JSON.parse(source.textContent);
  var chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    tooltip: {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      // Our own HTML: ECharts' default puts style attributes in it, which the CSP refuses (decision
      // 0041), and region names from the roster are escaped, never markup (decision 0040).
      formatter: function (items) {
        var esc = echarts.format.encodeHTML;
        var lines = [esc(items[0].name)];
        items.forEach(function (p) {
          lines.push('<span class="zc-dot zc-dot-' + p.seriesIndex + '"></span>' + esc(p.seriesName) + "：" + p.value + " 个村");
        });
        return lines.join("<br>");
      },
    },
    legend: { data: ["有人在岗", "无人在岗"], bottom: 0 },
    grid: { left: 48, right: 16, top: 16, bottom: 56 },
    xAxis: { type: "category", data: d.names, axisLabel: { interval: 0, rotate: d.names.length > 8 ? 30 : 0 } },
    yAxis: { type: "value", name: "村", minInterval: 1 },
    series: [
      { name: "有人在岗", type: "bar", stack: "v", data: d.covered, itemStyle: { color: "#2e7d32" } },
      { name: "无人在岗", type: "bar", stack: "v", data: d.uncovered, itemStyle: { color: "#c62828" } },
    ],
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();

// County / city / province: today's covered and uncovered villages per child region.
(function () {
  "use strict";
  var el = document.getElementById("coverage-chart");
  var source = document.getElementById("coverage-data");
  if (!el || !source || !window.echarts) return;
  var d = JSON.parse(source.textContent);
  var chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
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

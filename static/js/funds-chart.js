// Funds overview: the year's net spending by 第二十七条 category.
(function () {
  "use strict";
  var el = document.getElementById("funds-category-chart");
  var source = document.getElementById("funds-category-data");
  if (!el || !source || !window.echarts) return;
  var d = JSON.parse(source.textContent);
  var chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    tooltip: { trigger: "item", formatter: "{b}<br>{c} 元（{d}%）" },
    series: [{
      type: "pie", radius: ["35%", "65%"], avoidLabelOverlap: true,
      label: { formatter: "{b}\n{d}%" },
      data: d.labels.map(function (label, i) { return { name: label, value: d.values[i] }; }),
    }],
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();

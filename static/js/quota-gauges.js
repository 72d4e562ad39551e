// 第二十二条 quota gauges on the assessment overview: the share of 优秀 against the cap. The numbers
// come from the element's data- attributes (no inline script under the Content-Security-Policy).
(function () {
  "use strict";
  if (!window.echarts) return;
  document.querySelectorAll(".zc-quota-gauge").forEach(function (el) {
    var excellent = Number(el.dataset.excellent) || 0;
    var total = Number(el.dataset.total) || 0;
    var cap = Number(el.dataset.cap) || 0;
    var ratio = (Number(el.dataset.percent) || 0) / 100;
    var pct = total ? Math.round((1000 * excellent) / total) / 10 : 0;
    echarts.init(el, null, { renderer: "svg" }).setOption({
      series: [{
        type: "gauge", min: 0, max: 100, splitNumber: 5, radius: "95%", center: ["50%", "58%"],
        startAngle: 200, endAngle: -20,
        axisLine: { lineStyle: { width: 14, color: [[ratio, "#2e7d32"], [1, "#c62828"]] } },
        axisTick: { show: false }, splitLine: { length: 8, distance: 2 }, axisLabel: { show: false },
        pointer: { width: 4, length: "60%" },
        detail: { formatter: excellent + " / " + cap, fontSize: 18, offsetCenter: [0, "35%"], valueAnimation: false },
        title: { offsetCenter: [0, "62%"], fontSize: 12, color: "#6c757d" },
        data: [{ value: pct, name: "优秀占比 " + pct + "%" }],
      }],
    });
  });
})();

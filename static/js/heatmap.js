// The township's month heat-map: cadres × days (公务 / 在村 / 请假 / 不在范围 / 缺勤).
(function () {
  "use strict";
  var el = document.getElementById("heatmap");
  var source = document.getElementById("heatmap-data");
  if (!el || !source || !window.echarts) return;
  var d = JSON.parse(source.textContent);
  // One 10 px band per cadre plus room for the axes and legend (CSS sets the 220 px minimum).
  el.style.height = (d.cadres.length + 4) * 10 + "px";
  var chart = echarts.init(el, null, { renderer: "svg" });
  var narrow = el.clientWidth < 560;
  var labels = ["缺勤", "不在范围", "请假", "在村", "公务"];
  chart.setOption({
    // The tooltip is HTML: names from the roster are escaped, never markup.
    tooltip: {
      formatter: function (p) {
        var esc = echarts.format.encodeHTML;
        return esc(d.cadres[p.value[1]]) + "<br>" + esc(d.month) + (p.value[0] + 1) + "日：" + labels[p.value[2]];
      },
    },
    grid: { left: narrow ? 84 : 150, right: 8, top: 10, bottom: 60 },
    xAxis: { type: "category", data: d.days, splitArea: { show: true }, name: "日" },
    yAxis: {
      type: "category", data: d.cadres, inverse: true, triggerEvent: true,
      axisLabel: { width: narrow ? 78 : 140, overflow: "truncate" },
    },
    visualMap: {
      type: "piecewise", orient: "horizontal", left: "center", bottom: 0,
      // a phone's 390 px holds the five states on one line
      itemGap: narrow ? 6 : 10, itemWidth: narrow ? 12 : 20,
      pieces: [
        { value: 4, label: "公务", color: "#1565c0" },
        { value: 3, label: "在村", color: "#2e7d32" },
        { value: 2, label: "请假", color: "#f9a825" },
        { value: 1, label: "不在范围", color: "#90a4ae" },
        { value: 0, label: "缺勤", color: "#c62828" },
      ],
    },
    series: [{ type: "heatmap", data: d.data, cursor: "pointer", itemStyle: { borderColor: "#fff", borderWidth: 1 } }],
  });
  // A cell opens that cadre's day; a name opens the cadre's month (the cadre's attendance page).
  chart.on("click", function (p) {
    var row = -1, day = "";
    if (p.componentType === "series") {
      row = p.value[1];
      day = "?day=" + d.ym + "-" + String(p.value[0] + 1).padStart(2, "0");
    } else if (p.componentType === "yAxis") {
      row = d.cadres.indexOf(p.value);
      day = "?month=" + d.ym;
    }
    if (row >= 0 && d.urls[row]) window.location.href = d.urls[row] + day;
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();

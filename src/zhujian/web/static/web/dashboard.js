/* Zhujian dashboard (驾驶舱): draws the comparison and trend charts from the data the page
   inlines (json_script). Every bar and point links to the records behind it. */
(function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function fmt(v) {
    if (v === null || v === undefined) return "—";
    return Number.isInteger(v) ? v.toLocaleString("zh-CN") : (Math.round(v * 10) / 10).toLocaleString("zh-CN");
  }

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  var charts = [];
  var FONT = '"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif';

  function make(el) {
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    charts.push(chart);
    return chart;
  }

  function unitChart() {
    var el = document.getElementById("unit-chart");
    var select = document.getElementById("unit-figure");
    var table = document.getElementById("unit-table");
    var empty = document.getElementById("unit-empty");
    if (!el || !select) return;
    var chart = make(el);
    var cache = {};

    function draw(d) {
      var s = d.series[0];
      var rows = d.units.map(function (u, i) {
        return { name: u.name, code: u.code, value: s.values[i] };
      });
      rows.sort(function (a, b) { return (b.value || 0) - (a.value || 0); });
      var blank = !rows.some(function (r) { return r.value; });
      if (empty) empty.hidden = !blank;
      el.style.height = Math.max(320, rows.length * 24 + 70) + "px";
      chart.resize();
      var shown = rows.slice().reverse(); // category axes draw from the bottom up
      chart.setOption({
        textStyle: { fontFamily: FONT },
        grid: { left: 8, right: 56, top: 28, bottom: 8, containLabel: true },
        tooltip: {
          trigger: "axis", axisPointer: { type: "shadow" },
          formatter: function (p) {
            return esc(p[0].name) + "：" + fmt(p[0].value) + " " + esc(s.unit) + "<br>点击查看记录";
          }
        },
        xAxis: { type: "value", name: s.unit, minInterval: s.unit === "%" ? 0 : 1 },
        yAxis: { type: "category", data: shown.map(function (r) { return r.name; }), axisTick: { show: false } },
        series: [{
          type: "bar", name: s.label, data: shown.map(function (r) { return r.value; }),
          itemStyle: { color: "#1d4f91" }, cursor: "pointer", barMaxWidth: 18,
          label: { show: true, position: "right", formatter: function (p) { return fmt(p.value); } }
        }]
      }, true);
      chart.off("click");
      chart.on("click", function (p) {
        var row = shown[p.dataIndex];
        if (row) window.location.href = s.url + encodeURIComponent(row.code);
      });
      if (table) {
        var html = '<table class="grid compact"><thead><tr><th scope="col">' + esc(d.level) +
          '</th><th scope="col" class="num">' + esc(s.label) + "（" + esc(s.unit) +
          "）</th></tr></thead><tbody>";
        rows.forEach(function (r) {
          html += '<tr><th scope="row">' + esc(r.name) + '</th><td class="num"><a href="' +
            esc(s.url + encodeURIComponent(r.code)) + '">' + fmt(r.value) + "</a></td></tr>";
        });
        table.innerHTML = html + "</tbody></table>";
      }
      el.setAttribute("data-figure", s.id);
    }

    function show(fid) {
      if (cache[fid]) { draw(cache[fid]); return; }
      el.setAttribute("aria-busy", "true");
      fetch(select.getAttribute("data-src") + "&figure=" + encodeURIComponent(fid), {
        credentials: "same-origin", headers: { Accept: "application/json" }
      }).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      }).then(function (d) {
        cache[fid] = d;
        el.removeAttribute("aria-busy");
        if (select.value === fid) draw(d);
      }).catch(function () {
        el.removeAttribute("aria-busy");
        if (empty) { empty.textContent = "数据加载失败，请刷新页面重试。"; empty.hidden = false; }
      });
    }

    show(select.value);
    select.addEventListener("change", function () { show(select.value); });
  }

  function trendCharts() {
    var d = data("trend-chart-data");
    if (!d) return;
    document.querySelectorAll("[data-trend]").forEach(function (el) {
      var s = d.series[Number(el.getAttribute("data-trend"))];
      if (!s) return;
      var chart = make(el);
      chart.setOption({
        textStyle: { fontFamily: FONT },
        grid: { left: 8, right: 16, top: 30, bottom: 4, containLabel: true },
        legend: { top: 0, right: 4, itemWidth: 18, textStyle: { fontSize: 11 } },
        tooltip: { trigger: "axis", valueFormatter: function (v) { return fmt(v) + " " + s.unit; } },
        xAxis: { type: "category", data: d.labels, boundaryGap: false },
        yAxis: { type: "value", minInterval: 1, splitNumber: 3 },
        series: [
          { name: d.thisYear, type: "line", data: s.now, symbolSize: 7, cursor: "pointer",
            itemStyle: { color: "#1d4f91" }, lineStyle: { width: 2.5 } },
          { name: d.lastYear, type: "line", data: s.before, symbolSize: 5, cursor: "pointer",
            itemStyle: { color: "#9aa5b1" }, lineStyle: { type: "dashed" } }
        ]
      });
      chart.on("click", function (p) {
        var months = p.seriesIndex === 0 ? d.months : d.monthsBefore;
        var code = months[p.dataIndex];
        if (code) window.location.href = s.url + encodeURIComponent(code) + s.unitQuery;
      });
    });
  }

  function start() {
    if (!window.echarts) return;
    unitChart();
    trendCharts();
    var timer;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
    });
    document.body.setAttribute("data-charts-ready", "1");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

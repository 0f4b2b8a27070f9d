/* Site monitoring page: draws the dust and noise curves from …/data.json, with the
   limits as dashed lines; the live range refreshes every 30 seconds. */
(function () {
  "use strict";
  var FONT = '"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif';
  var dustEl = document.getElementById("sm-dust");
  var noiseEl = document.getElementById("sm-noise");
  if (!dustEl || !noiseEl || !window.echarts) return;
  var url = dustEl.getAttribute("data-url");
  var dust = window.echarts.init(dustEl);
  var noise = window.echarts.init(noiseEl);
  var empty = document.getElementById("sm-empty");
  var current = "live";
  var timer = null;

  function option(title, series, marks) {
    return {
      textStyle: { fontFamily: FONT },
      title: { text: title, left: 0, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { top: 0, right: 0 },
      grid: { left: 8, right: 24, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "time" },
      yAxis: { type: "value", scale: true },
      series: series.map(function (s, i) {
        var item = { name: s.name, type: "line", showSymbol: false, data: s.points };
        if (i === 0 && marks.length) {
          item.markLine = { symbol: "none", lineStyle: { type: "dashed" }, data: marks };
        }
        return item;
      })
    };
  }

  function draw(d) {
    var dustSeries = d.series.filter(function (s) { return s.factor !== "LA"; });
    var noiseSeries = d.series.filter(function (s) { return s.factor === "LA"; });
    if (empty) empty.hidden = d.series.length > 0;
    var dustMarks = [];
    if (d.limits.a34002) dustMarks.push({ yAxis: d.limits.a34002, name: "PM10限值", label: { formatter: "PM10限值" } });
    if (d.limits.a34004) dustMarks.push({ yAxis: d.limits.a34004, name: "PM2.5限值", label: { formatter: "PM2.5限值" } });
    var noiseMarks = [];
    if (d.limits.LA_day) noiseMarks.push({ yAxis: d.limits.LA_day, label: { formatter: "昼间限值" } });
    if (d.limits.LA_night) noiseMarks.push({ yAxis: d.limits.LA_night, label: { formatter: "夜间限值" } });
    dust.setOption(option(dustEl.getAttribute("data-title") + " · " + d.label, dustSeries, dustMarks), true);
    noise.setOption(option(noiseEl.getAttribute("data-title") + " · " + d.label, noiseSeries, noiseMarks), true);
  }

  function load(range) {
    current = range;
    fetch(url + "?range=" + encodeURIComponent(range), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(draw)
      .catch(function () { if (empty) { empty.hidden = false; empty.textContent = "监测数据加载失败，请刷新页面重试。"; } });
    if (timer) clearInterval(timer);
    timer = range === "live" ? setInterval(function () { load("live"); }, 30000) : null;
  }

  document.querySelectorAll(".sm-ranges button").forEach(function (b) {
    b.addEventListener("click", function () {
      document.querySelectorAll(".sm-ranges button").forEach(function (x) { x.setAttribute("aria-pressed", "false"); });
      b.setAttribute("aria-pressed", "true");
      load(b.getAttribute("data-range"));
    });
  });
  window.addEventListener("resize", function () { dust.resize(); noise.resize(); });
  load(current);
})();

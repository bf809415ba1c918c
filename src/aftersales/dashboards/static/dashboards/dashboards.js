// Draws each dashboard chart with Apache ECharts (static/vendor/echarts) from the numbers the
// page embeds with json_script: {kind, categories, series: [{name, data, line?, axis?}],
// y_name, y2_name}. The same numbers are in the table below each chart.
(function () {
  "use strict";

  function option(spec) {
    var yAxis = [{ type: "value", name: spec.y_name || "" }];
    if (spec.kind === "pareto") {
      yAxis.push({ type: "value", name: spec.y2_name || "%", min: 0, max: 100 });
    }
    if (spec.kind === "lines") {
      yAxis[0].min = 0;
      yAxis[0].max = 100;
    }
    return {
      aria: { enabled: true },
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 48, containLabel: true },
      xAxis: {
        type: "category",
        data: spec.categories,
        axisLabel: { rotate: spec.categories.length > 10 ? 45 : 0 },
      },
      yAxis: yAxis,
      series: spec.series.map(function (item) {
        return {
          name: item.name,
          type: item.line ? "line" : "bar",
          stack: spec.kind === "stacked" ? "total" : undefined,
          yAxisIndex: item.axis || 0,
          connectNulls: true,
          data: item.data,
        };
      }),
    };
  }

  function draw() {
    if (typeof window.echarts === "undefined") {
      return;
    }
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var source = document.getElementById(element.dataset.chart);
      if (!source) {
        return;
      }
      var chart = window.echarts.init(element);
      chart.setOption(option(JSON.parse(source.textContent)));
      window.addEventListener("resize", function () {
        chart.resize();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

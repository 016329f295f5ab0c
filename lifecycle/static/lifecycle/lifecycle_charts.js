// Customer lifecycle charts (timeline, portfolio), drawn with Plotly.js served from our own static
// files (vendor/plotly/plotly.min.js). The server embeds each chart's data with json_script, next
// to tables of the same facts; without JavaScript those tables are the page.
//
// Markup: <div class="chart-plot" data-lifecycle-chart="<kind>" data-chart-data="<json_script id>"
//              data-chart-file="<download name>" role="img" aria-label="..." hidden></div>
// Export: <button data-chart-export="png|svg" data-chart-target="<plot id>">
(function () {
  "use strict";

  const COARSE = window.matchMedia("(pointer: coarse)").matches;
  const STAGES = ["new", "active", "loyal", "at_risk", "churned"];
  const DAY = 86400000;

  function cssVar(style, name, fallback) {
    return style.getPropertyValue(name).trim() || fallback;
  }

  // Stage colours come from app.css's .badge-stage-* so the chart and the badges always agree.
  function stageColours() {
    const colours = {};
    STAGES.forEach(function (stage) {
      const probe = document.createElement("span");
      probe.className = "badge badge-stage-" + stage;
      probe.hidden = true;
      document.body.appendChild(probe);
      const style = getComputedStyle(probe);
      colours[stage] = { strong: style.color, soft: style.backgroundColor };
      probe.remove();
    });
    return colours;
  }

  function theme() {
    const root = getComputedStyle(document.documentElement);
    return {
      font: getComputedStyle(document.body).fontFamily,
      text: cssVar(root, "--text", "#1b2333"),
      muted: cssVar(root, "--muted", "#5b6578"),
      border: cssVar(root, "--border", "#dde3ee"),
      surface: cssVar(root, "--surface", "#ffffff"),
      primary: cssVar(root, "--primary", "#2f5bea"),
      ok: cssVar(root, "--ok", "#17875a"),
      warn: cssVar(root, "--warn", "#b7791f"),
      danger: cssVar(root, "--danger", "#c62f3b"),
      stages: stageColours(),
    };
  }

  // Tenant data (notes, names) must stay text inside Plotly's small HTML dialect.
  function plain(value) {
    return String(value === null || value === undefined ? "" : value)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function axis(t, extra) {
    return Object.assign({
      automargin: true, gridcolor: t.border, linecolor: t.border, zerolinecolor: t.border,
      tickfont: { color: t.muted, size: 11 }, title: { font: { color: t.muted, size: 12 }, standoff: 6 },
    }, extra || {});
  }

  // The server sends wall-clock times; Plotly reads date milliseconds as UTC wall-clock too.
  function ms(value) {
    return Date.parse(value.replace(" ", "T") + "Z");
  }

  function iso(millis) {
    return new Date(millis).toISOString().replace("T", " ").slice(0, 19);
  }

  const GOOD = { signup: 1, first_purchase: 1, plan_upgrade: 1, renewal: 1, reactivation: 1 };
  const SHORT = {
    signup: "Signed up", first_purchase: "First purchase", plan_upgrade: "Upgrade", plan_downgrade: "Downgrade",
    renewal: "Renewal", cancellation: "Cancelled", reactivation: "Back",
  };

  function timeline(chart, t) {
    const LANE_STAGE = 3, LANE_MILESTONE = 2, LANE_SIGNAL = 1, LANE_VOICE = 0;
    const start = ms(chart.signed_up);
    const end = ms(chart.now);
    const pad = Math.max((end - start) * 0.02, 2 * DAY);
    const data = [];

    // The stage strip: one horizontal bar per stage span (all in one trace), hover tells why.
    const bands = chart.stages;
    data.push({
      type: "bar", orientation: "h", name: "Stage", yaxis: "y", showlegend: false, width: 0.5,
      y: bands.map(function () { return LANE_STAGE; }),
      base: bands.map(function (band) { return band.from; }),
      x: bands.map(function (band) { return Math.max(ms(band.to) - ms(band.from), DAY / 4); }),
      marker: { color: bands.map(function (band) { return (t.stages[band.stage] || {}).strong || t.muted; }), line: { width: 0 } },
      customdata: bands.map(function (band) {
        return [plain(band.label), band.from.slice(0, 10), band.to.slice(0, 10), plain(band.reason), band.days];
      }),
      hovertemplate: "<b>%{customdata[0]}</b> %{customdata[1]} → %{customdata[2]} (%{customdata[4]} days)<br>%{customdata[3]}<extra></extra>",
    });

    const milestones = chart.milestones;
    data.push({
      type: "scatter", mode: "markers", name: "Milestones", yaxis: "y", cliponaxis: false,
      x: milestones.map(function (m) { return m.at; }),
      y: milestones.map(function () { return LANE_MILESTONE; }),
      marker: {
        symbol: "diamond", size: 13, line: { color: t.surface, width: 1.5 },
        color: milestones.map(function (m) { return GOOD[m.kind] ? t.ok : t.danger; }),
      },
      customdata: milestones.map(function (m) { return [plain(m.label), plain(m.detail)]; }),
      hovertemplate: "<b>%{customdata[0]}</b><br>%{x|%d %b %Y %H:%M}<br>%{customdata[1]}<extra></extra>",
    });

    function signalTrace(name, rows, lane, symbol, colour, size) {
      return {
        type: "scatter", mode: "markers", name: name, yaxis: "y",
        x: rows.map(function (s) { return s.at; }), y: rows.map(function () { return lane; }),
        marker: { symbol: symbol, size: size, color: colour, line: { color: t.surface, width: 1 }, opacity: 0.9 },
        customdata: rows.map(function (s) { return [plain(s.label), plain(s.detail)]; }),
        hovertemplate: "<b>%{customdata[0]}</b><br>%{x|%d %b %Y %H:%M}<br>%{customdata[1]}<extra></extra>",
      };
    }
    const signals = chart.signals;
    const of = function (kind, severity) {
      return signals.filter(function (s) { return s.kind === kind && (!severity || s.severity === severity); });
    };
    data.push(signalTrace("Failed payments", of("payment_failed"), LANE_SIGNAL, "x", t.danger, 10));
    data.push(signalTrace("Urgent tickets", of("ticket_opened", "urgent"), LANE_SIGNAL, "triangle-up", t.danger, 11));
    data.push(signalTrace("High tickets", of("ticket_opened", "high"), LANE_SIGNAL, "triangle-up", t.warn, 9));
    const nps = of("nps");
    const npsTrace = signalTrace("NPS", nps, LANE_VOICE, "circle", t.muted, 10);
    npsTrace.marker.color = nps.map(function (s) { return s.score >= 9 ? t.ok : s.score >= 7 ? t.muted : t.danger; });
    data.push(npsTrace);
    data.push(signalTrace("Feedback", of("feedback"), LANE_VOICE, "square", t.primary, 8));

    // Churn risk over time, on its own axis, with the threshold and a marker for the risk now.
    const risk = chart.risk;
    if (risk.length) {
      data.push({
        type: "scatter", mode: "lines+markers", name: "Churn risk", yaxis: "y2",
        x: risk.map(function (r) { return r.at; }), y: risk.map(function (r) { return r.risk; }),
        line: { color: t.danger, width: 2, shape: "hv" }, marker: { size: 4, color: t.danger },
        fill: "tozeroy", fillcolor: "rgba(198,47,59,0.08)",
        customdata: risk.map(function (r) { return plain(r.band); }),
        hovertemplate: "<b>churn risk %{y:.0%}</b> %{customdata}<br>as of %{x|%d %b %Y}<extra></extra>",
      });
    }
    const current = chart.current_risk;
    if (current) {
      data.push({
        type: "scatter", mode: "markers", name: "Risk now", yaxis: "y2", cliponaxis: false,
        x: [current.at], y: [current.risk],
        marker: { symbol: "circle", size: 15, color: t.surface, line: { color: t.danger, width: 3 } },
        hovertemplate: "<b>churn risk now %{y:.0%}</b><br>scored %{x|%d %b %Y}<extra></extra>",
      });
    }

    // Everyday activity, counted per week so years of logins stay light.
    const activity = chart.activity;
    // An explicit range: a customer with no activity yet would leave Plotly an empty axis to scale.
    const activityTop = Math.max(1, ...activity.sessions.map(Number).filter(isFinite), ...activity.logins.map(Number).filter(isFinite));
    data.push({
      type: "bar", name: "Sessions per week", yaxis: "y3", x: activity.weeks, y: activity.sessions,
      marker: { color: t.primary, opacity: 0.35 },
      customdata: activity.weeks.map(function (_, i) {
        return [activity.logins[i], activity.purchases[i], activity.tickets[i]];
      }),
      hovertemplate: "week of %{x|%d %b %Y}<br><b>%{y} sessions</b>, %{customdata[0]} logins<br>%{customdata[1]} purchases, %{customdata[2]} tickets<extra></extra>",
    });
    data.push({
      type: "scatter", mode: "lines", name: "Logins per week", yaxis: "y3", x: activity.weeks, y: activity.logins,
      line: { color: t.muted, width: 1 }, hoverinfo: "skip",
    });

    // Stage bands behind everything, with their names where there is room.
    const shapes = [];
    const annotations = [];
    const span = end - start + 2 * pad;
    chart.stages.forEach(function (band) {
      const colour = t.stages[band.stage] || { soft: t.border, strong: t.muted };
      shapes.push({
        type: "rect", layer: "below", xref: "x", yref: "paper", x0: band.from, x1: band.to, y0: 0, y1: 1,
        fillcolor: colour.soft, opacity: 0.75, line: { width: 0 },
      });
      if ((ms(band.to) - ms(band.from)) / span > 0.07) {
        annotations.push({
          xref: "x", x: iso((ms(band.from) + ms(band.to)) / 2), yref: "paper", y: 1, yanchor: "bottom",
          text: "<b>" + plain(band.label) + "</b>", showarrow: false, font: { size: 11, color: colour.strong },
        });
      }
    });
    if (current) {
      annotations.push({
        xref: "x", x: current.at, xanchor: "right", xshift: -12, yref: "y2", y: current.risk, showarrow: false,
        text: "<b>now " + Math.round(current.risk * 100) + "%</b>", font: { color: t.danger, size: 12 },
        bgcolor: t.surface, opacity: 0.9,
      });
    }
    // Milestones are named on the chart when there are few enough to read, alternately above and
    // below their marker (annotations, so the range slider's miniature stays uncluttered).
    if (milestones.length <= 14) {
      milestones.forEach(function (m, i) {
        annotations.push({
          xref: "x", x: m.at, yref: "y", y: LANE_MILESTONE, yshift: i % 2 ? -15 : 15, showarrow: false,
          text: SHORT[m.kind] || plain(m.label), font: { size: 10, color: t.text },
        });
      });
    }
    shapes.push({
      type: "line", xref: "paper", x0: 0, x1: 1, yref: "y2", y0: chart.risk_threshold, y1: chart.risk_threshold,
      line: { color: t.danger, width: 1, dash: "dot" },
    });
    annotations.push({
      xref: "paper", x: 0, xanchor: "left", yref: "y2", y: chart.risk_threshold, yanchor: "bottom",
      text: "at risk from " + Math.round(chart.risk_threshold * 100) + "%", showarrow: false,
      font: { size: 10, color: t.danger },
    });

    // A panel with nothing to plot yet (no risk scored, no activity) still gets an invisible point:
    // Plotly cannot lay out an axis without data and draws its line from NaN.
    ["y2", "y3"].forEach(function (axis) {
      if (!data.some(function (trace) { return trace.yaxis === axis && (trace.x || []).length; })) {
        data.push({
          type: "scatter", mode: "markers", yaxis: axis, x: [chart.signed_up], y: [0],
          showlegend: false, hoverinfo: "skip", marker: { opacity: 0 },
        });
      }
    });
    return {
      height: 600,
      zoom: true,
      // An empty trace (no stages or activity yet) leaves Plotly's range slider nothing to scale.
      data: data.filter(function (trace) { return (trace.x || trace.y || []).length > 0; }),
      layout: {
        barmode: "overlay",
        showlegend: true,
        legend: { orientation: "h", y: -0.32, x: 0, font: { size: 11, color: t.muted } },
        margin: { t: 34, r: 16, b: 8 },
        xaxis: axis(t, {
          type: "date", range: [iso(start - pad), iso(end + pad)], showgrid: false,
          anchor: "y3", // dates under the bottom panel, just above the range slider
          rangeslider: { visible: true, thickness: 0.06, bgcolor: t.surface, bordercolor: t.border },
          rangeselector: {
            x: 0, y: 1.06, font: { size: 11 }, bgcolor: t.surface, activecolor: t.border,
            buttons: [
              { count: 3, label: "3m", step: "month", stepmode: "backward" },
              { count: 6, label: "6m", step: "month", stepmode: "backward" },
              { count: 1, label: "1y", step: "year", stepmode: "backward" },
              { step: "all", label: "all" },
            ],
          },
        }),
        yaxis: axis(t, {
          domain: [0.5, 1], range: [-0.6, 3.5], fixedrange: true, showgrid: true, zeroline: false,
          tickvals: [LANE_VOICE, LANE_SIGNAL, LANE_MILESTONE, LANE_STAGE],
          ticktext: ["NPS & feedback", "Billing & support", "Milestones", "Stage"],
          tickfont: { color: t.text, size: 11 },
        }),
        yaxis2: axis(t, {
          domain: [0.24, 0.44], range: [0, 1.05], fixedrange: true, tickformat: ".0%", tickvals: [0, 0.5, 1],
          title: { text: "Churn risk", font: { color: t.muted, size: 11 }, standoff: 4 }, zeroline: false,
        }),
        yaxis3: axis(t, {
          domain: [0, 0.18], range: [0, activityTop * 1.1], fixedrange: true, nticks: 3,
          title: { text: "Weekly", font: { color: t.muted, size: 11 }, standoff: 4 }, zeroline: false,
        }),
        shapes: shapes,
        annotations: annotations,
      },
    };
  }

  function stageColour(t, stage) {
    return (t.stages[stage] || {}).strong || t.muted;
  }

  function funnel(chart, t) {
    const rows = chart.rows;
    return {
      height: 300,
      data: [{
        type: "funnel", y: rows.map(function (r) { return plain(r.label); }), x: rows.map(function (r) { return r.customers; }),
        marker: { color: rows.map(function (r) { return stageColour(t, r.stage); }) },
        textinfo: "value+percent total", textfont: { color: "#fff" }, connector: { fillcolor: t.border },
        hovertemplate: "<b>%{y}</b><br>%{x} customers (%{percentTotal:.0%})<extra></extra>",
      }],
      layout: { margin: { l: 70 }, yaxis: axis(t, { tickfont: { color: t.text, size: 12 } }) },
    };
  }

  // Stages twice, "from" on the left and "to" on the right: moves back and forth stay readable.
  function flow(chart, t) {
    const index = {};
    chart.stages.forEach(function (s, i) { index[s.stage] = i; });
    const n = chart.stages.length;
    const labels = chart.stages.map(function (s) { return plain(s.label); });
    const colours = chart.stages.map(function (s) { return stageColour(t, s.stage); });
    return {
      height: 340,
      data: [{
        type: "sankey", arrangement: "snap", valueformat: "d",
        node: {
          label: labels.concat(labels), color: colours.concat(colours), pad: 14, thickness: 14,
          line: { color: t.surface, width: 0.5 },
          hovertemplate: "%{label}: %{value} moves<extra></extra>",
        },
        link: {
          source: chart.rows.map(function (r) { return index[r.source]; }),
          target: chart.rows.map(function (r) { return n + index[r.target]; }),
          value: chart.rows.map(function (r) { return r.moves; }),
          color: chart.rows.map(function (r) { return r.target === "at_risk" || r.target === "churned" ? "rgba(198,47,59,0.25)" : "rgba(47,91,234,0.18)"; }),
          customdata: chart.rows.map(function (r) { return [plain(r.source_label), plain(r.target_label)]; }),
          hovertemplate: "%{customdata[0]} → %{customdata[1]}: <b>%{value}</b><extra></extra>",
        },
      }],
      layout: { margin: { l: 8, r: 8, t: 30, b: 8 }, font: { size: 12 } },
    };
  }

  function risk(chart, t) {
    const rows = chart.rows;
    return {
      height: 260,
      data: [{
        type: "bar", x: rows.map(function (r) { return r.range; }), y: rows.map(function (r) { return r.customers; }),
        marker: { color: rows.map(function (r) { return r.from >= chart.threshold - 1e-9 ? t.danger : t.primary; }) },
        hovertemplate: "churn risk %{x}<br><b>%{y} customers</b><extra></extra>",
      }],
      layout: {
        bargap: 0.08,
        xaxis: axis(t, { type: "category", title: { text: "Predicted churn risk" } }),
        yaxis: axis(t, { title: { text: "Customers" }, rangemode: "tozero", tickformat: "d" }),
      },
    };
  }

  function retention(chart, t) {
    const rows = chart.rows.filter(function (r) { return r.retention.length; });
    const data = rows.map(function (row, i) {
      const shade = 0.25 + 0.6 * (i / Math.max(rows.length - 1, 1));
      return {
        type: "scatter", mode: "lines", name: plain(row.label) + " (" + row.customers + ")",
        // A handful of customers makes a jumpy line: such months start hidden (one click shows them).
        visible: row.customers < 5 ? "legendonly" : true,
        x: row.retention.map(function (_, k) { return k; }), y: row.retention,
        line: { width: 1, color: "rgba(47,91,234," + shade.toFixed(2) + ")" },
        hovertemplate: "<b>" + plain(row.label) + "</b> cohort, " + row.customers + " customers<br>month %{x}: %{y:.0%} remain<extra></extra>",
      };
    });
    data.push({
      type: "scatter", mode: "lines+markers", name: "All cohorts",
      x: chart.average.map(function (_, k) { return k; }), y: chart.average,
      line: { width: 3, color: t.text }, marker: { size: 5, color: t.text },
      hovertemplate: "<b>all cohorts</b><br>month %{x}: %{y:.0%} remain<extra></extra>",
    });
    return {
      height: 320,
      zoom: true,
      data: data,
      layout: {
        showlegend: true,
        legend: { font: { size: 10, color: t.muted }, itemclick: "toggle" },
        xaxis: axis(t, { title: { text: "Months since sign-up" }, rangemode: "tozero", dtick: 3 }),
        yaxis: axis(t, { title: { text: "Still customers" }, tickformat: ".0%", range: [0, 1.02] }),
      },
    };
  }

  const BUILDERS = { timeline: timeline, funnel: funnel, flow: flow, risk: risk, retention: retention };

  function draw(container, t) {
    const build = BUILDERS[container.dataset.lifecycleChart];
    const source = document.getElementById(container.dataset.chartData);
    if (!build || !source) return null;
    const chart = JSON.parse(source.textContent);
    container.hidden = false;
    const spec = build(chart, t);
    const layout = Object.assign({
      height: spec.height,
      font: { family: t.font, size: 12, color: t.text },
      paper_bgcolor: t.surface, // a downloaded image keeps the card's background
      plot_bgcolor: t.surface,
      showlegend: false,
      hovermode: "closest",
      hoverlabel: { bgcolor: t.surface, bordercolor: t.border, font: { family: t.font, size: 12, color: t.text } },
      modebar: { bgcolor: t.surface, color: t.muted, activecolor: t.primary },
      dragmode: spec.zoom && !COARSE ? "zoom" : false,
    }, spec.layout);
    layout.margin = Object.assign({ l: 4, r: 8, t: 30, b: 4, pad: 2 }, spec.layout.margin || {});
    const config = {
      responsive: true, displaylogo: false, scrollZoom: false, showTips: false, typesetMath: false,
      // Tenants' data never leaves the product: no "send to Plotly Cloud".
      showSendToCloud: false, plotlyServerURL: "",
      modeBarButtonsToRemove: ["select2d", "lasso2d", "sendChartToCloud"].concat(
        spec.zoom ? [] : ["zoom2d", "pan2d", "zoomIn2d", "zoomOut2d", "autoScale2d", "resetScale2d"]),
      toImageButtonOptions: { format: "png", filename: container.dataset.chartFile || "chart", scale: 2 },
    };
    return window.Plotly.newPlot(container, spec.data, layout, config).then(function () {
      container.classList.add("chart-ready");
      const figure = container.closest(".chart-figure");
      const table = figure && figure.querySelector(".chart-data");
      if (table) table.open = false;
    });
  }

  function exportChart(button) {
    const target = document.getElementById(button.dataset.chartTarget);
    if (!target || !target.classList.contains("chart-ready")) return;
    const format = button.dataset.chartExport;
    window.Plotly.downloadImage(target, {
      format: format, filename: target.dataset.chartFile || "chart",
      width: target.clientWidth, height: target._fullLayout ? target._fullLayout.height : 600,
      scale: format === "png" ? 2 : 1,
    });
  }

  function start() {
    if (!window.Plotly) return; // the tables on the page carry the facts
    const t = theme();
    document.querySelectorAll(".chart-plot[data-lifecycle-chart]").forEach(function (container) {
      draw(container, t);
    });
    document.querySelectorAll("[data-chart-export]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { exportChart(button); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

// Interactive charts on the lead-scoring pages, drawn with Plotly.js served from our own static
// files (vendor/plotly/plotly.min.js). The server renders each chart's data with json_script and a
// table of the same numbers; without JavaScript (or Plotly) the table is all there is, so nothing
// is lost.
//
// Markup: <div class="chart-plot" data-chart="<kind>" data-chart-data="<json_script id>"
//              data-chart-file="<png name>" role="img" aria-label="..." hidden></div>
(function () {
  "use strict";

  // Phones and tablets: a drag should scroll the page, not zoom the chart.
  const COARSE = window.matchMedia("(pointer: coarse)").matches;
  const NARROW = window.matchMedia("(max-width: 600px)").matches;

  function cssVar(style, name, fallback) {
    return style.getPropertyValue(name).trim() || fallback;
  }

  // Band colours live in app.css as .band-A ... .band-D; read them so the charts never disagree.
  function bandColours() {
    const colours = {};
    ["A", "B", "C", "D"].forEach(function (band) {
      const probe = document.createElement("span");
      probe.className = "band band-" + band;
      probe.hidden = true;
      document.body.appendChild(probe);
      colours[band] = getComputedStyle(probe).backgroundColor;
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
      danger: cssVar(root, "--danger", "#c62f3b"),
      bands: bandColours(),
    };
  }

  // Plotly reads labels as a small HTML dialect; tenant data (column names, rule labels) must stay
  // text, so escape it. Plotly turns the entities back into plain characters.
  function plain(value) {
    return String(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // Long axis labels break onto lines of about `width` characters instead of eating the plot.
  function wrap(text, width) {
    const lines = [];
    let line = "";
    String(text).split(/\s+/).forEach(function (word) {
      if (line && (line + " " + word).length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) lines.push(line);
    return lines.map(plain).join("<br>");
  }

  // Cut a label to `width` characters; the tooltip and the table keep the whole of it.
  function clip(text, width) {
    const value = String(text);
    return plain(value.length > width ? value.slice(0, width - 1).trimEnd() + "…" : value);
  }

  function axis(t, extra) {
    return Object.assign(
      {
        automargin: true,
        gridcolor: t.border,
        linecolor: t.border,
        zerolinecolor: t.border,
        tickfont: { color: t.muted, size: 11 },
        title: { font: { color: t.muted, size: 12 }, standoff: 8 },
      },
      extra || {}
    );
  }

  function titled(text) {
    return { text: text };
  }

  // A horizontal bar chart's categories are positions 0..n-1 with the labels as tick text, so two
  // rows that share a label still get a bar each; the first row is drawn at the top.
  function categoryAxis(t, labels, width) {
    return axis(t, {
      tickmode: "array",
      tickvals: labels.map(function (_, index) { return index; }),
      ticktext: labels.map(function (label) { return wrap(label, width); }),
      autorange: "reversed",
      showgrid: false,
      zeroline: false, // y = 0 is the first row here, not a value
      ticks: "",
      tickfont: { color: t.text, size: 12 },
    });
  }

  function percentAxis(t, title, extra) {
    return axis(t, Object.assign({ tickformat: ".0%", title: titled(title), rangemode: "tozero" }, extra || {}));
  }

  // The base rate (or lift 1) as a dashed line across the plot, labelled at the right.
  function referenceLine(t, y, label) {
    return {
      shape: {
        type: "line", xref: "paper", x0: 0, x1: 1, yref: "y", y0: y, y1: y,
        line: { color: t.muted, width: 1, dash: "dash" },
      },
      annotation: {
        xref: "paper", x: 1, xanchor: "right", yref: "y", y: y, yanchor: "bottom",
        text: plain(label), showarrow: false, font: { color: t.muted, size: 11 },
        bgcolor: t.surface, borderpad: 2, opacity: 0.9,
      },
    };
  }

  // A date axis over points only seconds apart (one model version, or scores saved in one go)
  // would tick in milliseconds: widen it to at least `days`, centred on the data. The strings are
  // the server's wall-clock times, and Plotly reads date milliseconds as UTC wall-clock too.
  function dateAxis(t, values, days, extra) {
    const times = values.map(function (value) { return Date.parse(value.replace(" ", "T") + "Z"); });
    const first = Math.min.apply(null, times);
    const last = Math.max.apply(null, times);
    const span = Math.max(last - first, days * 86400000);
    const middle = (first + last) / 2;
    const pad = (last - first) * 0.06;
    return axis(t, Object.assign({ type: "date", range: [middle - span / 2 - pad, middle + span / 2 + pad] }, extra || {}));
  }

  const BUILDERS = {
    importance: function (chart, t) {
      const rows = chart.rows;
      return {
        height: 60 + rows.length * 28,
        data: [{
          type: "bar",
          orientation: "h",
          x: rows.map(function (row) { return row.importance; }),
          y: rows.map(function (_, index) { return index; }),
          marker: { color: t.primary },
          customdata: rows.map(function (row) { return [plain(row.label), plain(row.column)]; }),
          hovertemplate: "<b>%{customdata[0]}</b><br>mean contribution %{x:.3f}<br>column %{customdata[1]}<extra></extra>",
        }],
        layout: {
          xaxis: axis(t, { title: titled("Mean absolute contribution"), rangemode: "tozero" }),
          yaxis: categoryAxis(t, rows.map(function (row) { return row.label; }), NARROW ? 18 : 30),
        },
      };
    },

    calibration: function (chart, t) {
      const rows = chart.rows;
      const counted = rows.some(function (row) { return row.leads !== null; });
      const maxLeads = Math.max.apply(null, rows.map(function (row) { return row.leads || 0; }).concat([1]));
      return {
        height: NARROW ? 300 : 340,
        zoom: true,
        data: [
          {
            type: "scatter", mode: "lines", x: [0, 1], y: [0, 1], hoverinfo: "skip",
            line: { color: t.muted, width: 1, dash: "dash" },
          },
          {
            // Points only: with a few dozen leads per bin a joining line would mostly draw noise.
            type: "scatter",
            mode: "markers",
            x: rows.map(function (row) { return row.predicted; }),
            y: rows.map(function (row) { return row.observed; }),
            customdata: rows.map(function (row) { return row.leads; }),
            marker: {
              color: t.primary,
              // With counts per bin, bigger points stand for more leads.
              size: counted ? rows.map(function (row) { return 7 + 11 * Math.sqrt((row.leads || 0) / maxLeads); }) : 10,
              line: { color: t.surface, width: 1.5 },
            },
            hovertemplate: "predicted %{x:.0%}<br>observed %{y:.0%}" + (counted ? "<br>%{customdata} " + (chart.unit || "leads") : "") + "<extra></extra>",
          },
        ],
        layout: {
          // ``outcome`` names what is predicted ("churn" on the churn model page).
          xaxis: percentAxis(t, "Predicted " + (chart.outcome || "conversion"), { range: [-0.02, 1.02], rangemode: "normal" }),
          yaxis: percentAxis(t, "Observed " + (chart.outcome || "conversion"), { range: [-0.02, 1.02], rangemode: "normal" }),
        },
      };
    },

    conversion: function (chart, t) {
      const rows = chart.rows;
      const spec = {
        height: 260,
        data: [{
          type: "bar",
          x: rows.map(function (row) { return row.range; }),
          y: rows.map(function (row) { return row.conversion_rate; }),
          customdata: rows.map(function (row) { return row.leads; }),
          marker: { color: t.primary },
          hovertemplate: "predicted %{x}<br><b>%{y:.0%} converted</b><br>%{customdata} leads<extra></extra>",
        }],
        layout: {
          xaxis: axis(t, { title: titled("Predicted score"), type: "category" }),
          yaxis: percentAxis(t, "Converted", { range: [0, 1] }),
        },
      };
      if (chart.base_rate !== null && chart.base_rate !== undefined) {
        const line = referenceLine(t, chart.base_rate, "base rate " + Math.round(chart.base_rate * 100) + "%");
        spec.layout.shapes = [line.shape];
        spec.layout.annotations = [line.annotation];
      }
      return spec;
    },

    lift: function (chart, t) {
      const rows = chart.rows;
      const line = referenceLine(t, 1, "base rate");
      return {
        height: 260,
        data: [{
          type: "bar",
          x: rows.map(function (row) { return row.decile; }),
          y: rows.map(function (row) { return row.lift; }),
          customdata: rows.map(function (row) { return [row.conversion_rate, row.leads === null ? "" : "<br>" + row.leads + " leads"]; }),
          marker: { color: rows.map(function (row) { return row.lift >= 1 ? t.primary : t.muted; }) },
          hovertemplate: "decile %{x}<br><b>%{y:.1f}× the base rate</b><br>%{customdata[0]:.0%} converted%{customdata[1]}<extra></extra>",
        }],
        layout: {
          xaxis: axis(t, { title: titled("Decile (1 = highest scores)"), tickmode: "linear", dtick: 1 }),
          yaxis: axis(t, { title: titled("Lift"), rangemode: "tozero", ticksuffix: "×" }),
          shapes: [line.shape],
          annotations: [line.annotation],
        },
      };
    },

    distribution: function (chart, t) {
      const rows = chart.rows;
      return {
        height: 240,
        data: [{
          type: "bar",
          x: rows.map(function (row) { return row.range; }),
          y: rows.map(function (row) { return row.leads; }),
          marker: { color: t.primary },
          hovertemplate: "score %{x}<br><b>%{y} leads</b><extra></extra>",
        }],
        layout: {
          bargap: 0.08,
          xaxis: axis(t, { title: titled("Score"), type: "category", tickangle: NARROW ? -45 : 0 }),
          yaxis: axis(t, { title: titled("Leads"), rangemode: "tozero", tickformat: "d" }),
        },
      };
    },

    versions: function (chart, t) {
      const rows = chart.rows;
      function trace(subset, colour, size, name) {
        return {
          type: "scatter",
          mode: "markers+text",
          name: name,
          x: subset.map(function (row) { return row.trained; }),
          y: subset.map(function (row) { return row.auc; }),
          text: subset.map(function (row) { return row.label; }),
          textposition: "top center",
          textfont: { color: colour, size: 11 },
          customdata: subset.map(function (row) { return [row.label, plain(row.algorithm)]; }),
          marker: { color: colour, size: size, line: { color: t.surface, width: 1.5 } },
          hovertemplate: "<b>%{customdata[0]}</b> · %{customdata[1]}" + (name === "active" ? " · active" : "") +
            "<br>AUC %{y:.3f}<br>trained %{x|%d %b %Y %H:%M}<extra></extra>",
          cliponaxis: false,
        };
      }
      const aucs = rows.map(function (row) { return row.auc; }).filter(function (auc) { return auc !== null; });
      const low = Math.min.apply(null, aucs.concat([0.5]));
      const high = Math.max.apply(null, aucs.concat([0.5]));
      return {
        height: 220,
        zoom: true,
        data: [
          // The line joins the versions in order; the markers carry the hover text.
          {
            type: "scatter", mode: "lines", hoverinfo: "skip",
            x: rows.map(function (row) { return row.trained; }),
            y: rows.map(function (row) { return row.auc; }),
            line: { color: t.border, width: 2 },
          },
          trace(rows.filter(function (row) { return !row.active; }), t.primary, 9, "earlier"),
          trace(rows.filter(function (row) { return row.active; }), t.ok, 14, "active"),
        ],
        layout: {
          xaxis: dateAxis(t, rows.map(function (row) { return row.trained; }), 7, { title: titled("Trained") }),
          yaxis: axis(t, { title: titled("ROC-AUC"), range: [Math.max(0, low - 0.05), Math.min(1, high + 0.05)], tickformat: ".2f" }),
        },
      };
    },

    // Each reason's label sits above its bar and its points at the right, as in a list: the card
    // is narrow, and tick labels beside the bars would leave the bars no room.
    factors: function (chart, t, width) {
      const rows = chart.rows;
      const fit = Math.max(16, Math.floor((width - 60) / 6.8)); // characters beside the points
      const points = rows.map(function (row) { return row.points; });
      const low = Math.min.apply(null, points.concat([0]));
      const high = Math.max.apply(null, points.concat([0]));
      const pad = (high - low || 1) * 0.04;
      const annotations = [];
      rows.forEach(function (row, index) {
        const colour = row.direction === "for" ? t.ok : t.danger;
        annotations.push({
          xref: "paper", x: 0, xanchor: "left", yref: "y", y: index - 0.22, yanchor: "middle",
          text: clip(row.label, fit), showarrow: false, font: { color: t.text, size: 12 },
          bgcolor: t.surface, // the zero line passes behind the label rather than through it
        });
        annotations.push({
          xref: "paper", x: 1, xanchor: "right", yref: "y", y: index - 0.22, yanchor: "middle",
          text: "<b>" + plain(row.points_text) + "</b>", showarrow: false, font: { color: colour, size: 12 },
        });
      });
      return {
        height: 40 + rows.length * 42,
        data: [{
          type: "bar",
          orientation: "h",
          x: points,
          // Labels take the upper half of each row, bars the lower half, with a gap between.
          y: rows.map(function (_, index) { return index + 0.22; }),
          width: 0.38,
          marker: { color: rows.map(function (row) { return row.direction === "for" ? t.ok : t.danger; }) },
          customdata: rows.map(function (row) { return [plain(row.label), row.points_text, plain(row.source_label)]; }),
          hovertemplate: "<b>%{customdata[0]}</b><br>%{customdata[1]} points<br>from %{customdata[2]}<extra></extra>",
        }],
        layout: {
          margin: { l: 2, r: 2 },
          xaxis: axis(t, {
            range: [low - pad, high + pad], zeroline: true, zerolinecolor: t.muted, zerolinewidth: 1,
            showgrid: false, showline: false, showticklabels: false, ticks: "",
          }),
          yaxis: axis(t, { range: [rows.length - 0.35, -0.6], showgrid: false, showticklabels: false, zeroline: false, ticks: "" }),
          annotations: annotations,
        },
      };
    },

    history: function (chart, t) {
      const rows = chart.rows;
      const shapes = [];
      const annotations = [];
      chart.bands.forEach(function (band) {
        const colour = t.bands[band.band] || t.muted;
        shapes.push({
          type: "rect", xref: "paper", x0: 0, x1: 1, yref: "y", y0: band.from, y1: band.to,
          fillcolor: colour, opacity: 0.1, line: { width: 0 }, layer: "below",
        });
        annotations.push({
          xref: "paper", x: 1, xanchor: "left", yref: "y", y: (band.from + band.to) / 2, yanchor: "middle",
          text: "<b>" + plain(band.band) + "</b>", showarrow: false, font: { color: colour, size: 11 },
        });
      });
      return {
        height: 220,
        zoom: true,
        data: [{
          type: "scatter",
          mode: "lines+markers",
          x: rows.map(function (row) { return row.at; }),
          y: rows.map(function (row) { return row.score; }),
          customdata: rows.map(function (row) { return [plain(row.band), plain(row.scored_by)]; }),
          line: { color: t.primary, width: 2 },
          marker: { size: 8, color: rows.map(function (row) { return t.bands[row.band] || t.primary; }), line: { color: t.surface, width: 1.5 } },
          hovertemplate: "<b>score %{y}</b> · band %{customdata[0]}<br>%{customdata[1]}<br>%{x|%d %b %Y %H:%M}<extra></extra>",
        }],
        layout: {
          margin: { r: 24 },
          xaxis: dateAxis(t, rows.map(function (row) { return row.at; }), 1),
          yaxis: axis(t, { title: titled("Score"), range: [0, 100], tickvals: [0, 25, 50, 75, 100], showgrid: false }),
          shapes: shapes,
          annotations: annotations,
        },
      };
    },
  };

  function draw(container, t) {
    const build = BUILDERS[container.dataset.chart];
    const source = document.getElementById(container.dataset.chartData);
    if (!build || !source) return;
    const chart = JSON.parse(source.textContent);
    if (!chart.rows || !chart.rows.length) return;
    container.hidden = false; // before building: the layout depends on the width it gets
    const spec = build(chart, t, container.clientWidth);
    const zoom = Boolean(spec.zoom);
    const layout = Object.assign(
      {
        height: spec.height,
        font: { family: t.font, size: 12, color: t.text },
        // The card's colour, not transparent: a downloaded PNG then has the background it had here.
        paper_bgcolor: t.surface,
        plot_bgcolor: t.surface,
        showlegend: false,
        hovermode: "closest",
        hoverlabel: { bgcolor: t.surface, bordercolor: t.border, font: { family: t.font, size: 12, color: t.text } },
        modebar: { bgcolor: t.surface, color: t.muted, activecolor: t.primary },
        dragmode: zoom && !COARSE ? "zoom" : false,
      },
      spec.layout
    );
    // The top margin holds the toolbar, so it never covers the top of the plot (the longest bar).
    layout.margin = Object.assign({ l: 4, r: 8, t: 30, b: 4, pad: 2 }, spec.layout.margin || {});
    if (!zoom) {
      layout.xaxis = Object.assign({}, layout.xaxis, { fixedrange: true });
      layout.yaxis = Object.assign({}, layout.yaxis, { fixedrange: true });
    }
    const config = {
      responsive: true,
      displaylogo: false,
      scrollZoom: false,
      showTips: false,
      typesetMath: false, // labels are tenants' data, never LaTeX
      // Plotly's "Share chart" button uploads the chart's data to Plotly Cloud: tenants' data must
      // never leave the product, so the button is off and it has nowhere to send to.
      showSendToCloud: false,
      plotlyServerURL: "",
      // Bar charts have nothing to zoom into: their toolbar is just "download as PNG".
      modeBarButtonsToRemove: (zoom ? [] : ["zoom2d", "pan2d", "zoomIn2d", "zoomOut2d", "autoScale2d", "resetScale2d"])
        .concat(["select2d", "lasso2d", "sendChartToCloud"]),
      toImageButtonOptions: { format: "png", filename: container.dataset.chartFile || "chart", scale: 2 },
    };
    return window.Plotly.newPlot(container, spec.data, layout, config).then(function () {
      container.classList.add("chart-ready");
      // The chart now shows the numbers; their table stays one click away.
      const figure = container.closest(".chart-figure");
      const table = figure && figure.querySelector(".chart-data");
      if (table) table.open = false;
    });
  }

  function start() {
    if (!window.Plotly) return; // the tables already on the page carry the numbers
    const t = theme();
    document.querySelectorAll(".chart-plot[data-chart]").forEach(function (container) {
      draw(container, t);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

// The dashboard's charts. Each page embeds its data as JSON (#page-data, the same object as its
// .json twin); this file reads it and draws with the vendored Plotly.js and Cytoscape.js.
"use strict";

(function () {
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const page = document.body.dataset.page;
  const plotConfig = { displaylogo: false, responsive: true };
  const roleColour = { lab: "#2456a6", cloud: "#0f8b8d", chips: "#7a3fb0", builder: "#c06a00",
    investor: "#4f7d2a", media: "#888", other: "#666" };
  const kindColour = { equity: "#4f7d2a", contract: "#2456a6", lease: "#0f8b8d", loan: "#c06a00",
    purchase: "#7a3fb0", capex_programme: "#888" };

  function usd(v) {
    if (v === null || v === undefined) return "—";
    const a = Math.abs(v);
    if (a >= 1e12) return "$" + (v / 1e12).toFixed(1) + "T";
    if (a >= 1e9) return "$" + (v / 1e9).toFixed(1) + "B";
    if (a >= 1e6) return "$" + (v / 1e6).toFixed(1) + "M";
    return "$" + Math.round(v).toLocaleString();
  }

  function graph(el, g) {
    if (!window.cytoscape || !el) return;
    const elements = [];
    g.nodes.forEach((n) => elements.push({ data: { id: n.id, label: n.name, role: n.role } }));
    g.edges.forEach((e) => elements.push({ data: {
      id: e.id, source: e.source, target: e.target, agreement: e.agreement, kind: e.kind,
      label: e.name + " · " + usd(e.amount_usd), circular: e.circular ? 1 : 0,
      width: 1 + Math.log10(1 + (e.amount_usd || 0) / 1e9) * 1.6 } }));
    const cy = window.cytoscape({
      container: el, elements: elements,
      layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: () => 400000, idealEdgeLength: () => 140, nodeOverlap: 40, gravity: 0.6, numIter: 2500, padding: 20 },
      style: [
        { selector: "node", style: { label: "data(label)", "font-size": 11, "text-valign": "bottom",
          "background-color": (n) => roleColour[n.data("role")] || "#666", width: 22, height: 22 } },
        { selector: "edge", style: { width: "data(width)", "curve-style": "bezier", opacity: 0.75,
          "target-arrow-shape": "triangle", "line-color": (e) => kindColour[e.data("kind")] || "#999",
          "target-arrow-color": (e) => kindColour[e.data("kind")] || "#999" } },
        { selector: "edge[circular = 1]", style: { "line-color": "#d0342c", "target-arrow-color": "#d0342c",
          "line-style": "solid", opacity: 0.95 } },
        { selector: "edge:selected", style: { label: "data(label)", "font-size": 10 } },
      ],
    });
    cy.on("tap", "node", (evt) => { window.location.href = "/entities/" + encodeURIComponent(evt.target.id()); });
    cy.on("tap", "edge", (evt) => { window.location.href = "/agreements/" + encodeURIComponent(evt.target.data("agreement")); });
  }

  function sankey(el, flows, year) {
    // payers on the left, payees on the right (one node each side), so circular money reads as
    // flows from left to right instead of loops
    if (!window.Plotly || !el) return;
    const rows = flows[year] || [];
    const names = [];
    const side = [];
    const index = (n, right) => {
      const key = (right ? "in:" : "out:") + n;
      let i = side.indexOf(key);
      if (i < 0) { side.push(key); names.push(n); i = names.length - 1; }
      return i;
    };
    const palette = ["#2456a6", "#0f8b8d", "#7a3fb0", "#c06a00", "#4f7d2a", "#d0342c", "#888888"];
    const link = { source: [], target: [], value: [], customdata: [], color: [] };
    rows.forEach((r) => {
      const from = index(r.source, false);
      link.source.push(from); link.target.push(index(r.target, true));
      link.value.push(r.amount_usd / 1e9); link.customdata.push(usd(r.amount_usd));
      link.color.push(palette[from % palette.length] + "55");
    });
    link.hovertemplate = "%{source.label} → %{target.label}: %{customdata}<extra></extra>";
    const node = { label: names, pad: 10, thickness: 14,
      color: names.map((_, i) => palette[i % palette.length]) };
    window.Plotly.react(el, [{ type: "sankey", arrangement: "snap", node: node, link: link }],
      { margin: { l: 10, r: 10, t: 30, b: 10 },
        title: { text: "Money due in " + year + " ($B): payers on the left, payees on the right" } }, plotConfig);
  }

  function timeline(el, rows) {
    if (!window.Plotly || !el || !rows.length) return;
    const symbols = { announcement: "circle", progress: "diamond", "scale-back": "triangle-down",
      "denial or dispute": "x" };
    const groups = {};
    rows.forEach((r) => { (groups[r.phase] = groups[r.phase] || []).push(r); });
    const traces = Object.keys(groups).sort().map((phase) => ({
      type: "scatter", mode: "markers", name: phase, x: groups[phase].map((r) => r.date),
      y: groups[phase].map((r) => r.kind), customdata: groups[phase].map((r) => r.url),
      text: groups[phase].map((r) => r.label + (r.amount_usd ? " (" + usd(r.amount_usd) + ")" : "")),
      hovertemplate: "%{x}<br>%{text}<extra>" + phase + "</extra>",
      marker: { size: 12, symbol: symbols[phase] || "circle", opacity: 0.8 },
    }));
    window.Plotly.newPlot(el, traces, { margin: { l: 120, r: 10, t: 10, b: 40 },
      yaxis: { type: "category" }, legend: { orientation: "h" } }, plotConfig);
    el.on("plotly_click", (ev) => { const url = ev.points[0].customdata; if (url) window.location.href = url; });
  }

  function fan(el, series) {
    if (!window.Plotly || !el || !series.length) return;
    const traces = [];
    series.forEach((s, i) => {
      const colour = ["#2456a6", "#d0342c", "#0f8b8d", "#c06a00", "#7a3fb0", "#4f7d2a", "#888", "#e377c2"][i % 8];
      traces.push({ x: s.years.concat(s.years.slice().reverse()), y: s.high.concat(s.low.slice().reverse()),
        fill: "toself", fillcolor: colour, opacity: 0.18, line: { width: 0 }, hoverinfo: "skip",
        showlegend: false, type: "scatter", mode: "lines" });
      traces.push({ x: s.years, y: s.p, name: s.entity, type: "scatter", mode: "lines+markers",
        line: { color: colour, width: 2 } });
    });
    window.Plotly.newPlot(el, traces, { margin: { l: 60, r: 10, t: 10, b: 40 },
      yaxis: { title: { text: "P(default by year)" }, range: [0, 1.02], tickformat: ".0%" },
      xaxis: { dtick: 1 }, legend: { orientation: "h" } }, plotConfig);
  }

  function poll(box) {
    const status = box.dataset.status;
    if (status !== "queued" && status !== "running") return;
    const tick = () => fetch(box.dataset.url, { headers: { Accept: "application/json" } })
      .then((r) => r.json())
      .then((run) => {
        document.getElementById("status").textContent = run.status;
        document.getElementById("done").textContent = run.done.toLocaleString();
        document.getElementById("progress").value = run.done;
        if (run.status === "done" || run.status === "failed") window.location.reload();
        else window.setTimeout(tick, 700);
      });
    window.setTimeout(tick, 500);
  }

  if (page === "overview") {
    graph(document.getElementById("graph"), data.graph);
    const select = document.getElementById("flow-year");
    const chart = document.getElementById("sankey");
    if (select) {
      sankey(chart, data.flows_by_year, select.value);
      select.addEventListener("change", () => sankey(chart, data.flows_by_year, select.value));
    }
    timeline(document.getElementById("timeline"), data.timeline);
  } else if (page === "stress-run") {
    fan(document.getElementById("fan"), data.fan || []);
    poll(document.getElementById("run-status"));
  }
})();

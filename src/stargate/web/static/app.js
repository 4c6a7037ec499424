// The dashboard's behaviour. Each page embeds its data as JSON (#page-data, the same object as
// its .json twin); this file reads it and draws with the vendored libraries the page loads
// (Plotly's basic bundle, Cytoscape.js, topojson-client), and draws the Sankey and the map in
// SVG itself. It also makes every table sortable, filterable and downloadable as CSV.
"use strict";

(function () {
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const page = document.body.dataset.page;
  const plotConfig = { displaylogo: false, responsive: true };
  const colours = data.colours || {};
  const OTHER = "#9AA0A6";
  const WARNING = "#D55E00";
  const SVG = "http://www.w3.org/2000/svg";
  const siteColours = ["#332288", "#117733", "#882255", "#44AA99", "#999933", "#AA4499",
    "#CC6677", "#1F4E79", "#E68310", "#008695", "#7F3C8D", "#DDCC77"];

  function colour(id) { return colours[id] || OTHER; }

  function usd(v) {
    if (v === null || v === undefined || isNaN(v)) return "—";
    const a = Math.abs(v);
    const sign = v < 0 ? "-" : "";
    if (a >= 1e12) return sign + "$" + (a / 1e12).toFixed(1) + "T";
    if (a >= 1e9) return sign + "$" + (a / 1e9).toFixed(1) + "B";
    if (a >= 1e6) return sign + "$" + (a / 1e6).toFixed(1) + "M";
    return sign + "$" + Math.round(a).toLocaleString("en");
  }

  function el(tag, attrs, parent) {
    const node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach((k) => node.setAttribute(k, attrs[k]));
    if (parent) parent.appendChild(node);
    return node;
  }

  function titled(node, text) { el("title", {}, node).textContent = text; return node; }

  // -- tables: sort, filter, CSV -----------------------------------------------------------------

  function cellValue(cell) {
    const raw = cell.dataset.value;
    if (raw !== undefined && raw !== "" && raw !== "None" && !isNaN(Number(raw))) return Number(raw);
    return cell.textContent.trim().toLowerCase();
  }

  function sortable(table) {
    const head = table.tHead;
    if (!head || !table.tBodies.length) return;
    Array.from(head.rows[0].cells).forEach((th, index) => {
      th.classList.add("sort");
      th.setAttribute("role", "button");
      th.tabIndex = 0;
      th.title = "sort by this column";
      const go = () => {
        const body = table.tBodies[0];
        const rows = Array.from(body.rows).filter((r) => r.cells.length > index);
        const up = th.getAttribute("aria-sort") !== "ascending";
        Array.from(head.rows[0].cells).forEach((c) => c.removeAttribute("aria-sort"));
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        rows.sort((a, b) => {
          const x = cellValue(a.cells[index]);
          const y = cellValue(b.cells[index]);
          const numeric = typeof x === "number" && typeof y === "number";
          const order = numeric ? x - y : String(x).localeCompare(String(y));
          return up ? order : -order;
        });
        rows.forEach((r) => body.appendChild(r));
      };
      th.addEventListener("click", go);
      th.addEventListener("keydown", (e) => { if (e.key === "Enter") go(); });
    });
  }

  function filterable(input) {
    const table = document.getElementById(input.dataset.table);
    if (!table || !table.tBodies.length) return;
    const empty = input.closest(".table-tools").querySelector(".table-empty");
    input.addEventListener("input", () => {
      const needle = input.value.trim().toLowerCase();
      let shown = 0;
      Array.from(table.tBodies[0].rows).forEach((row) => {
        const hit = !needle || row.textContent.toLowerCase().includes(needle);
        row.hidden = !hit;
        if (hit) shown += 1;
      });
      if (empty) empty.hidden = shown > 0;
    });
  }

  function csvCell(text) {
    const t = text.replace(/\s+/g, " ").trim();
    return /[",\n]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t;
  }

  function downloadable(button) {
    button.addEventListener("click", () => {
      const table = document.getElementById(button.dataset.table);
      if (!table) return;
      const lines = [];
      Array.from(table.rows).forEach((row) => {
        if (row.hidden) return;
        lines.push(Array.from(row.cells).map((c) => {
          const v = c.dataset.value;
          return csvCell(v !== undefined && v !== "None" ? v : c.textContent);
        }).join(","));
      });
      const blob = new Blob([lines.join("\n") + "\n"], { type: "text/csv" });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = (button.dataset.table || "table") + ".csv";
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  }

  document.querySelectorAll("table.sortable").forEach(sortable);
  document.querySelectorAll(".table-filter").forEach(filterable);
  document.querySelectorAll(".table-csv").forEach(downloadable);
  document.querySelectorAll(".swatch[data-entity]").forEach((s) => {
    s.style.background = colour(s.dataset.entity);
  });

  // -- pages that wait for background results refresh themselves --------------------------------

  function awaitResults() {
    if (!document.querySelector("[data-status='computing']")) return;
    const twin = document.getElementById("json-twin");
    if (!twin) return;
    let tries = 0;
    const tick = () => fetch(twin.getAttribute("href"), { headers: { Accept: "application/json" } })
      .then((r) => r.text())
      .then((text) => {
        tries += 1;
        if (!text.includes('"status":"computing"')) window.location.reload();
        else if (tries < 300) window.setTimeout(tick, 2000);
      });
    window.setTimeout(tick, 1500);
  }

  // -- charts ------------------------------------------------------------------------------------

  function fan(node, series) {
    if (!window.Plotly || !node || !series || !series.length) return;
    const traces = [];
    series.forEach((s) => {
      const c = colour(s.entity);
      traces.push({ x: s.years.concat(s.years.slice().reverse()), y: s.high.concat(s.low.slice().reverse()),
        fill: "toself", fillcolor: c, opacity: 0.15, line: { width: 0 }, hoverinfo: "skip",
        showlegend: false, type: "scatter", mode: "lines" });
      const name = s.name || s.entity;
      traces.push({ x: s.years, y: s.p, name: name, type: "scatter", mode: "lines+markers",
        line: { color: c, width: 2 }, marker: { color: c, size: 5 },
        hovertemplate: name + " %{x}: %{y:.1%}<extra></extra>" });
    });
    window.Plotly.newPlot(node, traces, { margin: { l: 55, r: 10, t: 10, b: 35 },
      yaxis: { title: { text: "P(default by year)" }, range: [0, 1.02], tickformat: ".0%" },
      xaxis: { dtick: 1 }, legend: { orientation: "h", y: -0.15 } }, plotConfig);
  }

  const shapes = { lab: "ellipse", cloud: "round-rectangle", chips: "diamond", builder: "triangle",
    investor: "pentagon" };

  function graph(node, g) {
    if (!window.cytoscape || !node) return;
    const elements = [];
    g.nodes.forEach((n) => elements.push({ data: { id: n.id, label: n.name, role: n.role,
      colour: colour(n.id), shape: shapes[n.role] || "ellipse" } }));
    g.edges.forEach((e) => elements.push({ data: {
      id: e.id, source: e.source, target: e.target, agreement: e.agreement, kind: e.kind,
      label: usd(e.amount_usd), title: e.name, circular: e.circular ? 1 : 0,
      colour: colour(e.source), width: 1 + Math.log10(1 + (e.amount_usd || 0) / 1e9) * 1.8 } }));
    const cy = window.cytoscape({
      container: node, elements: elements, wheelSensitivity: 0.3,
      layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: () => 300000,
        idealEdgeLength: () => 110, nodeOverlap: 40, gravity: 0.9, numIter: 2500, padding: 10,
        componentSpacing: 60 },
      style: [
        { selector: "node", style: { label: "data(label)", "font-size": 19, "font-weight": 600,
          "text-valign": "bottom", "text-margin-y": 3, "text-outline-color": "#fff",
          "text-outline-width": 2, "background-color": "data(colour)", shape: "data(shape)",
          width: 30, height: 30 } },
        { selector: "edge", style: { width: "data(width)", "curve-style": "bezier", opacity: 0.8,
          "target-arrow-shape": "triangle", "line-color": "data(colour)",
          "target-arrow-color": "data(colour)", label: "data(label)", "font-size": 15,
          "text-rotation": "autorotate", "text-background-color": "#fff",
          "text-background-opacity": 0.85, "text-background-padding": 1, color: "#1d2330" } },
        { selector: "edge[circular = 1]", style: { "line-color": "#d0342c",
          "target-arrow-color": "#d0342c", "line-style": "dashed", opacity: 0.95 } },
      ],
    });
    window.stargateGraph = cy;  // for the browser's console (and the browser tests)
    cy.on("tap", "node", (evt) => { window.location.href = "/entities/" + encodeURIComponent(evt.target.id()); });
    cy.on("tap", "edge", (evt) => { window.location.href = "/agreements/" + encodeURIComponent(evt.target.data("agreement")); });
  }

  // A two-column Sankey in SVG: payers left, payees right, each band as wide as its amount,
  // every node and every wide enough band labelled with its name and amount.
  function sankey(node, rows, year) {
    if (!node) return;
    node.textContent = "";
    if (!rows || !rows.length) { node.textContent = "No payment is due in " + year + "."; return; }
    const width = node.clientWidth || 900;
    const height = node.clientHeight || 600;
    const svg = el("svg", { viewBox: "0 0 " + width + " " + height, class: "sankey",
      role: "img", "aria-label": "money due in " + year }, node);
    const title = el("text", { x: width / 2, y: 18, "text-anchor": "middle", class: "gtitle" }, svg);
    title.textContent = "Money due in " + year + ": " + usd(rows.reduce((s, r) => s + r.amount_usd, 0));
    const totals = (key) => {
      const t = {};
      rows.forEach((r) => { t[r[key]] = (t[r[key]] || 0) + r.amount_usd; });
      return Object.keys(t).sort((a, b) => t[b] - t[a]).map((id) => ({ id: id, value: t[id] }));
    };
    const names = {};
    rows.forEach((r) => { names[r.source] = r.source_name || r.source; names[r.target] = r.target_name || r.target; });
    const left = totals("source");
    const right = totals("target");

    const total = rows.reduce((s, r) => s + r.amount_usd, 0);
    const top = 34;
    const pad = 6;
    const longest = (list) => Math.max.apply(null, list.map((n) => (names[n.id] + " " + usd(n.value)).length));
    const usable = (n) => height - top - 10 - pad * (n - 1);
    const k = Math.min(usable(left.length), usable(right.length)) / total;
    const nodeW = 14;
    const x0 = Math.min(width * 0.35, 16 + 7.2 * longest(left));
    const x1 = width - Math.min(width * 0.35, 16 + 7.2 * longest(right));
    const place = (list, x) => {
      let y = top;
      const at = {};
      list.forEach((n) => { at[n.id] = { x: x, y: y, h: Math.max(1, n.value * k), next: y, value: n.value }; y += n.value * k + pad; });
      return at;
    };
    const L = place(left, x0 - nodeW);
    const R = place(right, x1);
    const bands = el("g", { class: "bands" }, svg);
    rows.slice().sort((a, b) => b.amount_usd - a.amount_usd).forEach((r) => {
      const h = r.amount_usd * k;
      const a = L[r.source];
      const b = R[r.target];
      const ya = a.next + h / 2;
      const yb = b.next + h / 2;
      a.next += h; b.next += h;
      const mid = (x0 + x1) / 2;
      const path = el("path", { d: "M" + x0 + "," + ya + " C" + mid + "," + ya + " " + mid + "," + yb + " " + x1 + "," + yb,
        stroke: colour(r.source), "stroke-width": Math.max(1, h), fill: "none", "stroke-opacity": 0.35,
        class: "band" }, bands);
      titled(path, names[r.source] + " → " + names[r.target] + ": " + usd(r.amount_usd));
      path.addEventListener("click", () => { window.location.href = "/agreements?party=" + encodeURIComponent(r.source) + "&payee=" + encodeURIComponent(r.target); });
      if (h >= 12) {  // at the payer's end, where bands never cross
        const label = el("text", { x: x0 + 6, y: ya + 4, class: "band-label" }, bands);
        label.textContent = usd(r.amount_usd) + " → " + names[r.target];
      }
    });
    const draw = (at, side) => Object.keys(at).forEach((id) => {
      const n = at[id];
      const g = el("g", { class: "node", "data-entity": id }, svg);
      titled(el("rect", { x: n.x, y: n.y, width: nodeW, height: n.h, fill: colour(id) }, g), names[id] + ": " + usd(n.value));
      const label = el("text", { x: side === "left" ? n.x - 6 : n.x + nodeW + 6, y: n.y + n.h / 2 + 4,
        "text-anchor": side === "left" ? "end" : "start", class: "node-label" }, g);
      label.textContent = names[id] + " " + usd(n.value);
      g.addEventListener("click", () => { window.location.href = "/entities/" + encodeURIComponent(id); });
    });
    draw(L, "left");
    draw(R, "right");
  }

  const phaseColour = { announcement: "#2456a6", progress: "#117733", "scale-back": WARNING,
    "denial or dispute": WARNING };
  const phaseSymbol = { announcement: "circle", progress: "diamond", "scale-back": "triangle-down",
    "denial or dispute": "x" };

  function timeline(node, rows) {
    if (!window.Plotly || !node || !rows.length) return;
    const agreementRows = [];
    const newsRows = [];
    rows.forEach((r) => {
      const list = r.row.startsWith("news: ") ? newsRows : agreementRows;
      if (!list.includes(r.row)) list.push(r.row);
    });
    const order = newsRows.sort().concat(agreementRows.reverse());
    const traces = Object.keys(phaseColour).map((phase) => {
      const mine = rows.filter((r) => r.phase === phase);
      return { type: "scatter", mode: "markers+text", name: phase, x: mine.map((r) => r.date),
        y: mine.map((r) => r.row), customdata: mine.map((r) => r.url), text: mine.map((r) => r.short),
        textposition: "middle right", textfont: { size: 10, color: phaseColour[phase] },
        hovertext: mine.map((r) => r.label + (r.amount_usd ? " (" + usd(r.amount_usd) + ")" : "")),
        hovertemplate: "%{x}<br>%{hovertext}<extra>" + phase + "</extra>",
        marker: { size: 10, symbol: phaseSymbol[phase], color: phaseColour[phase], opacity: 0.85 } };
    });
    node.style.height = Math.max(420, order.length * 17 + 120) + "px";
    window.Plotly.newPlot(node, traces, { margin: { l: 290, r: 20, t: 10, b: 40 },
      yaxis: { type: "category", categoryorder: "array", categoryarray: order, automargin: true, tickfont: { size: 11 } },
      xaxis: { type: "date" }, legend: { orientation: "h", y: 1.02, yanchor: "bottom" } }, plotConfig);
    node.on("plotly_click", (ev) => { const url = ev.points[0].customdata; if (url) window.location.href = url; });
  }

  function sitePower(node, sites) {
    if (!window.Plotly || !node || !sites.length) return;
    const traces = sites.map((s, i) => {
      const points = s.timeline.filter((p) => p.power_gw !== null);
      return { type: "scatter", mode: "lines+markers", name: s.name, x: points.map((p) => p.date),
        y: points.map((p) => p.power_gw), line: { shape: "hv", color: siteColours[i % siteColours.length], width: 2 },
        marker: { size: 8, color: siteColours[i % siteColours.length] }, customdata: points.map((p) => p.url),
        text: points.map((p) => p.status), hovertemplate: s.name + "<br>%{x}: %{y} GW (%{text})<extra></extra>" };
    });
    window.Plotly.newPlot(node, traces, { margin: { l: 50, r: 10, t: 10, b: 40 },
      yaxis: { title: { text: "GW" }, rangemode: "tozero" }, xaxis: { type: "date" },
      legend: { orientation: "h", y: -0.2, font: { size: 10 } } }, plotConfig);
    node.on("plotly_click", (ev) => { const url = ev.points[0].customdata; if (url) window.location.href = url; });
  }

  // Albers equal-area conic for the lower 48 (standard parallels 29.5° and 45.5°, centred on
  // 96°W, 38.7°N: the usual U.S. map; Snyder, Map Projections: A Working Manual, 1987, §14).
  function albers(lon, lat) {
    const rad = Math.PI / 180;
    const p1 = 29.5 * rad;
    const p2 = 45.5 * rad;
    const n = (Math.sin(p1) + Math.sin(p2)) / 2;
    const c = Math.cos(p1) * Math.cos(p1) + 2 * n * Math.sin(p1);
    const rho = (phi) => Math.sqrt(c - 2 * n * Math.sin(phi)) / n;
    const rho0 = rho(38.7 * rad);
    const theta = n * (lon + 96) * rad;
    const r = rho(lat * rad);
    return [r * Math.sin(theta), -(rho0 - r * Math.cos(theta))];
  }

  const OUTSIDE = new Set(["02", "15", "60", "66", "69", "72", "78"]); // AK, HI, territories

  function siteMap(node, sites) {
    if (!node || !window.topojson) return;
    fetch(node.dataset.geometry).then((r) => r.json()).then((us) => {
      const states = window.topojson.feature(us, us.objects.states).features
        .filter((f) => !OUTSIDE.has(String(f.id)));
      const rings = [];
      states.forEach((f) => {
        const g = f.geometry;
        const polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
        polys.forEach((poly) => poly.forEach((ring) => rings.push({ id: f.id, name: f.properties.name,
          points: ring.map((p) => albers(p[0], p[1])) })));
      });
      let minX = Infinity; let minY = Infinity; let maxX = -Infinity; let maxY = -Infinity;
      rings.forEach((r) => r.points.forEach((p) => {
        minX = Math.min(minX, p[0]); maxX = Math.max(maxX, p[0]);
        minY = Math.min(minY, p[1]); maxY = Math.max(maxY, p[1]);
      }));
      const width = 960;
      const scale = width / (maxX - minX);
      const height = (maxY - minY) * scale;
      const xy = (p) => [(p[0] - minX) * scale, (p[1] - minY) * scale];
      node.textContent = "";
      const svg = el("svg", { viewBox: "0 0 " + width + " " + Math.ceil(height), class: "map" }, node);
      const land = el("g", { class: "states" }, svg);
      const byState = {};
      rings.forEach((r) => {
        const d = r.points.map((p, i) => (i ? "L" : "M") + xy(p).map((v) => v.toFixed(1)).join(",")).join("") + "Z";
        byState[r.id] = (byState[r.id] || "") + d;
        byState[r.id + ":name"] = r.name;
      });
      Object.keys(byState).filter((k) => !k.endsWith(":name")).forEach((id) => {
        titled(el("path", { d: byState[id], class: "state" }, land), byState[id + ":name"]);
      });
      const dots = el("g", { class: "sites" }, svg);
      sites.forEach((s, i) => {
        if (!s.location) return;
        const p = xy(albers(s.location.lon, s.location.lat));
        const r = 5 + 9 * Math.sqrt(Math.max(0, s.announced_gw || 0));
        const link = el("a", { href: "/sites/" + s.id, class: "site-dot" }, dots);
        titled(el("circle", { cx: p[0].toFixed(1), cy: p[1].toFixed(1), r: r.toFixed(1),
          fill: siteColours[i % siteColours.length], "fill-opacity": 0.75, stroke: "#fff" }, link),
        s.name + " (" + s.location.place + "): " + (s.announced_gw || 0) + " GW announced");
        const label = el("text", { x: (p[0] + r + 3).toFixed(1), y: (p[1] + 4).toFixed(1), class: "site-label" }, link);
        label.textContent = s.name.split(/[,(]/)[0].trim() + " · " + (s.announced_gw || 0) + " GW";
      });
    });
  }

  function travel(node, d) {
    if (!window.Plotly || !node || !d.series.length) return;
    const docs = d.steps.map((s) => s.documents.slice(0, 4).map((x) => x.title || x.id.slice(0, 10)).join("<br>") || "no new document");
    const traces = d.series.map((s) => ({ type: "scatter", mode: "lines+markers", name: s.name || s.entity,
      x: d.months, y: s.p, line: { color: colour(s.entity), width: 2, shape: "hv" },
      marker: { color: colour(s.entity), size: 6 }, customdata: d.months, text: docs,
      hovertemplate: (s.name || s.entity) + " as of %{x}: %{y:.1%}<br><i>first counted that month:</i><br>%{text}<extra></extra>" }));
    window.Plotly.newPlot(node, traces, { margin: { l: 60, r: 10, t: 10, b: 40 },
      yaxis: { title: { text: "P(default), " + d.scenario }, tickformat: ".0%", rangemode: "tozero" },
      xaxis: { type: "category", title: { text: "the World as of the end of the month" } },
      legend: { orientation: "h", y: -0.2 } }, plotConfig);
    node.on("plotly_click", (ev) => { window.location.hash = "month-" + ev.points[0].customdata; });
  }

  function poll(box) {
    if (!box) return;
    const status = box.dataset.status;
    if (status !== "queued" && status !== "running") return;
    const tick = () => fetch(box.dataset.url, { headers: { Accept: "application/json" } })
      .then((r) => r.json())
      .then((run) => {
        document.getElementById("status").textContent = run.status;
        document.getElementById("done").textContent = run.done.toLocaleString("en");
        document.getElementById("progress").value = run.done;
        if (run.status === "done" || run.status === "failed") window.location.reload();
        else window.setTimeout(tick, 700);
      });
    window.setTimeout(tick, 500);
  }

  document.querySelectorAll(".swatch[data-site]").forEach((s) => {
    const i = (data.items || []).findIndex((x) => x.id === s.dataset.site);
    if (i >= 0) s.style.background = siteColours[i % siteColours.length];
  });

  if (page === "overview") {
    const w = data.who_loses;
    if (w && w.status === "ready") {
      fan(document.getElementById("fan-a"), w.a.fan);
      fan(document.getElementById("fan-b"), w.b.fan);
    }
    graph(document.getElementById("graph"), data.graph);
    const select = document.getElementById("flow-year");
    const chart = document.getElementById("sankey");
    if (select) {
      sankey(chart, data.flows_by_year[select.value], select.value);
      select.addEventListener("change", () => sankey(chart, data.flows_by_year[select.value], select.value));
    }
    timeline(document.getElementById("timeline"), data.timeline);
  } else if (page === "compare" && data.status === "ready") {
    fan(document.getElementById("fan-a"), data.a.fan);
    fan(document.getElementById("fan-b"), data.b.fan);
  } else if (page === "timetravel" && data.status === "ready") {
    travel(document.getElementById("travel-chart"), data);
  } else if (page === "sites") {
    sitePower(document.getElementById("site-power"), data.items);
    siteMap(document.getElementById("site-map"), data.items);
  } else if (page === "site") {
    sitePower(document.getElementById("site-power"), [data.site]);
  } else if (page === "stress-run") {
    fan(document.getElementById("fan"), data.fan || []);
    poll(document.getElementById("run-status"));
  }
  awaitResults();
})();

/* redchain view: legend, filters, search, evidence panel and neighbourhood highlight.
 * Every text from the data goes into the DOM through textContent / createTextNode,
 * never innerHTML; vis-network gets no `title`, the tooltip is our own element. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("redchain-data").textContent);
  var S = DATA.strings, META = DATA.meta, EMETA = DATA.edgeMeta, FACTS = DATA.facts, EV = DATA.evidence;
  var LBL = DATA.labels;
  var SVGNS = "http://www.w3.org/2000/svg";
  var legendByKey = {}, relByKey = {};
  DATA.legend.forEach(function (c) { legendByKey[c.key] = c; });
  DATA.relations.forEach(function (r) { relByKey[r.key] = r; });

  // ── small DOM helpers (text only) ──────────────────────────────────────────────────
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "class") node.className = attrs[k];
      else if (k === "text") node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function iriOf(m) { return m.i.indexOf(":") >= 0 ? m.i : DATA.base + m.i; }
  function classKey(id) { return DATA.nodes[id].group; }
  function subjLabel(fact) { return fact[0] >= 0 ? META[fact[0]].zh : fact[1]; }
  function objLabel(fact) { return fact[3] >= 0 ? META[fact[3]].zh : fact[4]; }
  function relText(key) { var r = LBL.relations[key] || LBL.details[key]; return r ? r[0] + " " + r[1] : key; }

  function swatch(shape, color) {
    var svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("class", "swatch");
    var pts = {
      star: "8,1 9.9,6 15,6 10.9,9.2 12.4,14.5 8,11.3 3.6,14.5 5.1,9.2 1,6 6.1,6",
      diamond: "8,1 15,8 8,15 1,8", square: "2,2 14,2 14,14 2,14",
      hexagon: "4.5,2 11.5,2 15,8 11.5,14 4.5,14 1,8", triangle: "8,1.5 15,14 1,14",
      triangleDown: "1,2 15,2 8,14.5"
    }[shape];
    var shapeEl = document.createElementNS(SVGNS, pts ? "polygon" : "circle");
    if (pts) shapeEl.setAttribute("points", pts);
    else { shapeEl.setAttribute("cx", "8"); shapeEl.setAttribute("cy", "8"); shapeEl.setAttribute("r", "6.5"); }
    shapeEl.setAttribute("fill", color);
    shapeEl.setAttribute("stroke", "#37474f");
    svg.appendChild(shapeEl);
    return svg;
  }
  function line(color, dashed) {
    var svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("class", "swatch");
    var l = document.createElementNS(SVGNS, "line");
    [["x1", "1"], ["y1", "8"], ["x2", "15"], ["y2", "8"], ["stroke", color], ["stroke-width", "2.5"]]
      .forEach(function (a) { l.setAttribute(a[0], a[1]); });
    if (dashed) l.setAttribute("stroke-dasharray", "3 2");
    svg.appendChild(l);
    return svg;
  }

  // ── the network ────────────────────────────────────────────────────────────────────
  document.title = DATA.title;
  document.getElementById("title").textContent = DATA.title;
  var nodes = new vis.DataSet(DATA.nodes);
  var edges = new vis.DataSet(DATA.edges);
  var container = document.getElementById("network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, DATA.options);
  var edgeColor = {};
  DATA.edges.forEach(function (e) { edgeColor[e.id] = e.color; });

  var state = { classOn: {}, relOn: {}, nodeHidden: {}, edgeHidden: {}, dimmed: null, selected: null };
  DATA.legend.forEach(function (c) { state.classOn[c.key] = true; });
  DATA.relations.forEach(function (r) { state.relOn[r.key] = true; });

  function visibleCounts() {
    var n = 0, e = 0;
    nodes.forEach(function (item) { if (!item.hidden) n++; });
    edges.forEach(function (item) { if (!item.hidden) e++; });
    return { nodes: n, edges: e };
  }
  function showCounts() {
    var c = visibleCounts();
    document.getElementById("counts").textContent =
      c.nodes + " / " + DATA.nodes.length + " 节点 nodes · " + c.edges + " / " + DATA.edges.length + " 关系 edges";
  }

  function applyFilters() {
    var nodeUpd = [], edgeUpd = [];
    DATA.nodes.forEach(function (n) {
      var hide = !state.classOn[n.group];
      if (!!state.nodeHidden[n.id] !== hide) { state.nodeHidden[n.id] = hide; nodeUpd.push({ id: n.id, hidden: hide }); }
    });
    DATA.edges.forEach(function (e) {
      var hide = !state.relOn[EMETA[e.id].r] || !!state.nodeHidden[e.from] || !!state.nodeHidden[e.to];
      if (!!state.edgeHidden[e.id] !== hide) { state.edgeHidden[e.id] = hide; edgeUpd.push({ id: e.id, hidden: hide }); }
    });
    if (nodeUpd.length) nodes.update(nodeUpd);
    if (edgeUpd.length) edges.update(edgeUpd);
    showCounts();
  }

  function buildFilters() {
    var classList = document.getElementById("class-filters");
    DATA.legend.forEach(function (c) {
      var box = el("input", { type: "checkbox", "data-class": c.key });
      box.checked = true;
      box.addEventListener("change", function () { state.classOn[c.key] = box.checked; applyFilters(); });
      classList.appendChild(el("li", null, el("label", { title: c.key }, box, swatch(c.shape, c.color),
        el("span", { text: c.zh + " " + c.en }), el("span", { class: "n", text: String(c.count) }))));
    });
    var relList = document.getElementById("relation-filters");
    DATA.relations.forEach(function (r) {
      var box = el("input", { type: "checkbox", "data-relation": r.key });
      box.checked = true;
      box.addEventListener("change", function () { state.relOn[r.key] = box.checked; applyFilters(); });
      relList.appendChild(el("li", null, el("label", { title: r.key }, box, line(r.color, r.key === "partnersWith"),
        el("span", { text: r.zh + " " + r.en }), el("span", { class: "n", text: String(r.count) }))));
    });
  }

  // ── neighbourhood highlight ────────────────────────────────────────────────────────
  // Dimming thousands of DataSet items costs a second at 5,000 nodes; instead, after each
  // draw, veil the canvas and draw the neighbourhood again on top (vis-network 9.1 API:
  // body.nodes[id].draw(ctx) returns the external label painter, edges draw their arrows apart).
  function undim() {
    if (!state.dimmed) return;
    state.dimmed = null;
    network.redraw();
  }
  function highlight(nodeIds, edgeIds) {
    state.dimmed = { nodes: nodeIds.slice(), edges: edgeIds.slice() };
    network.redraw();
  }
  function drawHighlight(ctx) {
    if (!state.dimmed) return;
    var body = network.body, labels = [];
    var edgesOn = state.dimmed.edges.filter(function (id) { return !state.edgeHidden[id] && body.edges[id]; });
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "rgba(255,255,255,0.82)";
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    ctx.restore();
    edgesOn.forEach(function (id) { body.edges[id].draw(ctx); });
    state.dimmed.nodes.forEach(function (id) {
      if (state.nodeHidden[id] || !body.nodes[id]) return;
      var painted = body.nodes[id].draw(ctx);
      if (painted && painted.drawExternalLabel) labels.push(painted.drawExternalLabel);
    });
    labels.forEach(function (paint) { paint(); });
    edgesOn.forEach(function (id) { body.edges[id].drawArrows(ctx); });
  }
  network.on("afterDrawing", drawHighlight);

  // ── panel ──────────────────────────────────────────────────────────────────────────
  var panel = document.getElementById("panel"), body = document.getElementById("panel-body");

  function nodeLink(id, label) {
    if (id < 0) return el("span", { class: "out", text: label + " (不在本视图 not in this view)" });
    var a = el("a", { role: "button", tabindex: "0", "data-node": String(id), text: label });
    a.addEventListener("click", function () { selectNode(id, { focus: true }); });
    return a;
  }
  function sentence(ev) {
    var text = S[ev[0]], a = ev[1], b = ev[2], p = el("p", { class: "sentence" });
    if (a >= 0 && b <= text.length && a < b) {
      p.appendChild(document.createTextNode(text.slice(0, a)));
      p.appendChild(el("mark", { text: text.slice(a, b) }));
      p.appendChild(document.createTextNode(text.slice(b)));
    } else p.textContent = text;
    return p;
  }
  function evidenceBlock(ids) {
    if (!ids.length) return el("div", { class: "noevidence", text: "无原文句子 no sentence recorded (from the graph or a dataset)" });
    var wrap = el("div");
    ids.forEach(function (k) {
      var ev = EV[k], where = [];
      if (S[ev[3]]) where.push("《" + S[ev[3]] + "》");
      if (S[ev[4]]) where.push(S[ev[4]]);
      if (ev[6] >= 0) where.push("article " + ev[6]);
      if (ev[7] >= 0) where.push("sentence " + ev[7]);
      if (S[ev[5]]) where.push("rule " + S[ev[5]]);
      wrap.appendChild(el("div", { class: "evidence" }, sentence(ev), el("div", { class: "source", text: where.join(" · ") })));
    });
    return wrap;
  }
  function factBlock(f, from) {
    var fact = FACTS[f], rel = relByKey[fact[2]], color = rel ? rel.color : "#607d8b";
    var subj = fact[0] === from ? el("span", { text: subjLabel(fact) }) : nodeLink(fact[0], subjLabel(fact));
    var obj = fact[3] === from ? el("span", { text: objLabel(fact) }) : (fact[3] < 0 && !LBL.relations[fact[2]])
      ? el("span", { text: objLabel(fact) }) : nodeLink(fact[3], objLabel(fact));
    var badge = el("span", { class: "rel", text: relText(fact[2]) + (fact[6] ? " · " + fact[6].join("、") : "") });
    badge.style.background = color;
    var head = el("div", { class: "head" }, subj, badge, obj);
    return el("div", { class: "fact", "data-fact": String(f) }, head, evidenceBlock(fact[5]));
  }
  function labelsList(m) {
    var dl = el("dl");
    function row(k, v) { if (v) { dl.appendChild(el("dt", { text: k })); dl.appendChild(el("dd", { text: v })); } }
    row("拼音 pinyin", m.py);
    row("English", m.en);
    row("别名 also", (m.alt || []).join("、"));
    (m.d || []).forEach(function (d) {
      var l = LBL.details[d[0]];
      row(l ? l[0] + " " + l[1] : d[0], d[1]);
    });
    return dl;
  }
  function showNode(id) {
    var m = META[id], c = legendByKey[classKey(id)];
    clear(body);
    body.appendChild(el("h2", { text: m.zh }));
    body.appendChild(el("div", { class: "cls" }, swatch(c.shape, c.color), el("span", { text: c.zh + " " + c.en })));
    body.appendChild(labelsList(m));
    body.appendChild(el("div", { class: "iri", text: iriOf(m) }));
    body.appendChild(el("h3", { text: "事实与证据 Facts and evidence (" + m.f.length + ")" }));
    m.f.forEach(function (f) { body.appendChild(factBlock(f, id)); });
    panel.hidden = false;
    panel.scrollTop = 0;
  }
  function showEdge(id) {
    var meta = EMETA[id];
    clear(body);
    body.appendChild(el("h2", { text: relText(meta.r) }));
    body.appendChild(factBlock(meta.f, -2));
    panel.hidden = false;
  }
  function closePanel() { panel.hidden = true; undim(); network.unselectAll(); state.selected = null; }

  function selectNode(id, opts) {
    if (state.nodeHidden[id]) {  // bring its class back so the node can be shown
      var box = document.querySelector('input[data-class="' + classKey(id) + '"]');
      if (box) { box.checked = true; state.classOn[classKey(id)] = true; applyFilters(); }
    }
    state.selected = id;
    network.selectNodes([id]);
    var hood = [id].concat(network.getConnectedNodes(id));
    highlight(hood, network.getConnectedEdges(id));
    showNode(id);
    if (opts && opts.focus) {  // the node and its neighbours, readable
      network.fit({ nodes: hood, minZoomLevel: 0.6, maxZoomLevel: 1.3, animation: { duration: 300 } });
    }
  }

  // ── tooltip ────────────────────────────────────────────────────────────────────────
  var tip = document.getElementById("tip");
  function showTip(lines, event) {
    clear(tip);
    lines.forEach(function (l, i) { if (l) tip.appendChild(el("div", { class: i ? "" : "t", text: l })); });
    var src = (event && event.srcEvent) || event || {};
    tip.style.left = ((src.clientX || 0) + 14) + "px";
    tip.style.top = ((src.clientY || 0) + 14) + "px";
    tip.hidden = false;
  }
  function nodeTip(id) {
    var m = META[id], c = legendByKey[classKey(id)];
    return [m.zh, m.py, m.en, m.alt ? "别名 " + m.alt.join("、") : "", c.zh + " " + c.en];
  }
  function edgeTip(id) {
    var fact = FACTS[EMETA[id].f];
    return [subjLabel(fact) + " → " + objLabel(fact), relText(fact[2]) + (fact[6] ? " · " + fact[6].join("、") : ""),
      fact[5].length + " 条证据 evidence"];
  }

  // ── search ─────────────────────────────────────────────────────────────────────────
  var norm = redchainNorm;
  var index = META.map(function (m) {
    var initials = (m.py || "").split(/\s+/).map(function (w) { return norm(w).charAt(0); }).join("");
    return { full: [m.zh].concat(m.alt || [], [m.py, m.en]).filter(Boolean).map(norm), initials: initials };
  });
  function search(query) {
    var q = norm(query), hits = [];
    if (!q) return hits;
    index.forEach(function (entry, id) {
      var best = 9;
      entry.full.forEach(function (k) {
        var at = k.indexOf(q);
        if (at >= 0) best = Math.min(best, k === q ? 0 : at === 0 ? 1 : 2);
      });
      if (best > 2 && entry.initials.indexOf(q) === 0 && q.length > 1) best = 3;
      if (best < 9) hits.push([best, META[id].zh.length, id]);
    });
    hits.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]; });
    return hits.map(function (h) { return h[2]; });
  }
  var input = document.getElementById("search"), results = document.getElementById("search-results");
  function renderResults() {
    var ids = search(input.value).slice(0, 15);
    clear(results);
    if (!input.value.trim()) { results.hidden = true; return; }
    if (!ids.length) results.appendChild(el("li", { class: "empty", text: "没有结果 no match" }));
    ids.forEach(function (id, i) {
      var m = META[id], c = legendByKey[classKey(id)];
      var b = el("button", { type: "button", "data-node": String(id), class: i ? "" : "active" },
        swatch(c.shape, c.color), el("span", { text: m.zh }), el("span", { class: "sub", text: [m.py, m.en].filter(Boolean).join(" · ") }));
      b.addEventListener("click", function () { pick(id); });
      results.appendChild(el("li", { role: "option" }, b));
    });
    results.hidden = false;
  }
  function pick(id) { results.hidden = true; selectNode(id, { focus: true }); }
  redchainSearchKeys(input, results, renderResults, function (active) {
    var ids = active ? [Number(active.getAttribute("data-node"))] : search(input.value);
    if (ids.length) pick(ids[0]);
  });
  document.addEventListener("mousedown", function (event) {
    if (!document.getElementById("search-box").contains(event.target)) results.hidden = true;
  });

  // ── wiring ─────────────────────────────────────────────────────────────────────────
  network.on("click", function (params) {
    if (params.nodes.length) selectNode(params.nodes[0], { focus: false });
    else if (params.edges.length) { undim(); showEdge(params.edges[0]); }
    else closePanel();
  });
  network.on("hoverNode", function (p) { showTip(nodeTip(p.node), p.event); });
  network.on("hoverEdge", function (p) { showTip(edgeTip(p.edge), p.event); });
  network.on("blurNode", function () { tip.hidden = true; });
  network.on("blurEdge", function () { tip.hidden = true; });
  network.on("dragStart", function () { tip.hidden = true; });
  document.getElementById("panel-close").addEventListener("click", closePanel);
  document.getElementById("fit").addEventListener("click", function () { network.fit(); });
  document.getElementById("reset").addEventListener("click", function () {
    document.querySelectorAll("#filters input").forEach(function (box) { box.checked = true; });
    Object.keys(state.classOn).forEach(function (k) { state.classOn[k] = true; });
    Object.keys(state.relOn).forEach(function (k) { state.relOn[k] = true; });
    applyFilters(); closePanel(); network.fit();
  });
  buildFilters();
  showCounts();
  window.redchain = {
    network: network, nodes: nodes, edges: edges, data: DATA, search: search,
    selectNode: selectNode, visibleCounts: visibleCounts,
    highlighted: function () { return state.dimmed && { nodes: state.dimmed.nodes.slice().sort(function (a, b) { return a - b; }),
      edges: state.dimmed.edges.slice().sort(function (a, b) { return a - b; }) }; }
  };
  network.once("afterDrawing", function () {
    window.redchainFirstDraw = performance.now();
    window.redchainReady = true;
    document.body.setAttribute("data-ready", "1");
  });
})();

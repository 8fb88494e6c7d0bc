/* redchain view, the overview of a large graph: one node per group (a province, an
 * industrial chain, or a part of one), sized by its node count, linked by the number of
 * facts between groups. Clicking a group opens its page; the search finds groups and any
 * node (Chinese, pinyin, English, other names) and opens the page that draws it.
 * Every text from the data goes into the DOM through textContent, never innerHTML. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("redchain-data").textContent);
  var GROUPS = DATA.groups, CLASSES = DATA.classes, ROWS = DATA.index;
  var SVGNS = "http://www.w3.org/2000/svg";
  var kindByKey = {};
  DATA.kinds.forEach(function (k) { kindByKey[k.key] = k; });

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
  function kindSwatch(k) { var kind = kindByKey[GROUPS[k].kind]; return swatch(kind.shape, kind.color); }
  function classSwatch(c) { var cls = CLASSES[c]; return swatch(cls[2], cls[3]); }

  // ── the network ────────────────────────────────────────────────────────────────────
  document.title = DATA.title;
  document.getElementById("title").textContent = DATA.title;
  document.getElementById("about").textContent = DATA.about;
  var nodes = new vis.DataSet(DATA.nodes);
  var edges = new vis.DataSet(DATA.edges);
  var network = new vis.Network(document.getElementById("network"), { nodes: nodes, edges: edges }, DATA.options);
  var kindOn = {};
  DATA.kinds.forEach(function (k) { kindOn[k.key] = true; });

  function open(group, node) {
    window.location.href = GROUPS[group].href + (node >= 0 ? "#n=" + node : "");
  }
  function visibleCounts() {
    var n = 0, e = 0;
    nodes.forEach(function (item) { if (!item.hidden) n++; });
    edges.forEach(function (item) { if (!item.hidden) e++; });
    return { nodes: n, edges: e };
  }
  function showCounts() {
    var c = visibleCounts(), t = DATA.total;
    document.getElementById("counts").textContent = c.nodes + " / " + GROUPS.length + " 组 groups · " +
      t.nodes + " 节点 nodes · " + t.edges + " 关系 edges";
  }
  function applyFilters() {
    nodes.update(DATA.nodes.map(function (n) { return { id: n.id, hidden: !kindOn[n.group] }; }));
    edges.update(DATA.edges.map(function (e) {
      return { id: e.id, hidden: !kindOn[GROUPS[e.from].kind] || !kindOn[GROUPS[e.to].kind] };
    }));
    showCounts();
  }
  function buildSidebar() {
    var kinds = document.getElementById("kind-filters");
    DATA.kinds.forEach(function (k) {
      var box = el("input", { type: "checkbox", "data-kind": k.key });
      box.checked = true;
      box.addEventListener("change", function () { kindOn[k.key] = box.checked; applyFilters(); });
      var title = k.count + " 组 groups · " + k.nodes + " 节点 nodes";
      kinds.appendChild(el("li", null, el("label", { title: title }, box, swatch(k.shape, k.color),
        el("span", { text: k.zh + " " + k.en }), el("span", { class: "n", text: String(k.count) }))));
    });
    var list = document.getElementById("group-list");
    DATA.order.forEach(function (k) {
      var g = GROUPS[k];
      list.appendChild(el("li", null, el("a", { href: g.href, "data-group": String(k), title: g.label },
        kindSwatch(k), el("span", { class: "name", text: g.label }), el("span", { class: "n", text: String(g.n) }))));
    });
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
  function groupTip(k) {
    var g = GROUPS[k], kind = kindByKey[g.kind];
    var classes = g.c.map(function (c) { return CLASSES[c[0]][0] + " " + c[1]; }).join(" · ");
    return [g.label, kind.zh + " " + kind.en + " · " + g.n + " 个节点 nodes", classes, g.note,
      "点击打开 click to open"];
  }
  function linkTip(id) {
    var e = DATA.edges[id];
    return [GROUPS[e.from].label + " — " + GROUPS[e.to].label, e.value + " 条组间关系 facts between the groups"];
  }

  // ── search: groups by name, and every node by its names ───────────────────────────
  function norm(s) {
    return String(s || "").replace(/ü/g, "v").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().replace(/[\s'’·\-_.,()（）]/g, "");
  }
  var keys = null;  // built at the first search: [names..., initials] per node
  function nodeKeys() {
    if (keys) return keys;
    keys = ROWS.map(function (r) {
      var initials = (r[1] || "").split(/\s+/).map(function (w) { return norm(w).charAt(0); }).join("");
      var names = [r[0], r[1], r[2]].concat(r[3] ? r[3].split("|") : []).filter(Boolean).map(norm);
      return { full: names, initials: initials };
    });
    return keys;
  }
  function rank(names, initials, q) {
    var best = 9;
    names.forEach(function (k) {
      var at = k.indexOf(q);
      if (at >= 0) best = Math.min(best, k === q ? 0 : at === 0 ? 1 : 2);
    });
    if (best > 2 && initials && initials.indexOf(q) === 0 && q.length > 1) best = 3;
    return best;
  }
  function search(query) {
    var q = norm(query), hits = [];
    if (!q) return hits;
    GROUPS.forEach(function (g, k) {
      var best = rank([norm(g.label)], "", q);
      if (best < 9) hits.push([best, -1, g.label.length, k, -1]);
    });
    nodeKeys().forEach(function (entry, r) {
      var best = rank(entry.full, entry.initials, q);
      if (best < 9) hits.push([best, 0, ROWS[r][0].length, r, 0]);
    });
    hits.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3]; });
    return hits.map(function (h) {
      return h[1] < 0 ? { group: h[3], node: -1 } : { group: ROWS[h[3]][5], node: ROWS[h[3]][6], row: h[3] };
    });
  }
  var input = document.getElementById("search"), results = document.getElementById("search-results");
  function resultButton(hit, i) {
    var b;
    if (hit.node < 0) {
      var g = GROUPS[hit.group];
      b = el("button", { type: "button", "data-group": String(hit.group), class: i ? "" : "active" }, kindSwatch(hit.group),
        el("span", { class: "group", text: g.label }), el("span", { class: "sub", text: g.n + " 个节点 nodes" }));
    } else {
      var r = ROWS[hit.row];
      b = el("button", { type: "button", "data-group": String(hit.group), "data-node": String(hit.node), class: i ? "" : "active" },
        classSwatch(r[4]), el("span", { text: r[0] }),
        el("span", { class: "sub", text: [GROUPS[hit.group].label, r[1], r[2]].filter(Boolean).join(" · ") }));
    }
    b.addEventListener("click", function () { open(hit.group, hit.node); });
    return el("li", { role: "option" }, b);
  }
  function renderResults() {
    var hits = search(input.value).slice(0, 15);
    clear(results);
    if (!input.value.trim()) { results.hidden = true; return; }
    if (!hits.length) results.appendChild(el("li", { class: "empty", text: "没有结果 no match" }));
    hits.forEach(function (hit, i) { results.appendChild(resultButton(hit, i)); });
    results.hidden = false;
  }
  redchainSearchKeys(input, results, renderResults, function (active) {
    if (active) active.click();
    else { var hits = search(input.value); if (hits.length) open(hits[0].group, hits[0].node); }
  });
  document.addEventListener("mousedown", function (event) {
    if (!document.getElementById("search-box").contains(event.target)) results.hidden = true;
  });

  // ── wiring ─────────────────────────────────────────────────────────────────────────
  network.on("click", function (params) { if (params.nodes.length) open(params.nodes[0], -1); });
  network.on("hoverNode", function (p) { showTip(groupTip(p.node), p.event); });
  network.on("hoverEdge", function (p) { showTip(linkTip(p.edge), p.event); });
  network.on("blurNode", function () { tip.hidden = true; });
  network.on("blurEdge", function () { tip.hidden = true; });
  network.on("dragStart", function () { tip.hidden = true; });
  document.getElementById("fit").addEventListener("click", function () { network.fit(); });
  buildSidebar();
  showCounts();
  window.redchain = { network: network, nodes: nodes, edges: edges, data: DATA, search: search, open: open,
    visibleCounts: visibleCounts };
  network.once("afterDrawing", function () {
    window.redchainFirstDraw = performance.now();
    window.redchainReady = true;
    document.body.setAttribute("data-ready", "1");
  });
})();

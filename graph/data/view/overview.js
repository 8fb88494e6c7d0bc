/* redchain view, the overview of a large graph: one node per group (a province, an
 * industrial chain, or a part of one), sized by its node count, linked by the number of
 * facts between groups. Clicking a group opens its page; the search finds groups and any
 * node (Chinese, pinyin, English, other names) and opens the page that draws it.
 * Every text from the data goes into the DOM through textContent, never innerHTML. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("redchain-data").textContent);
  var GROUPS = DATA.groups, CLASSES = DATA.classes;
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
  // The index is in script files beside the group pages (DATA.search), loaded and normalised
  // after the first draw (or at the first search, if that comes sooner): each calls
  // redchainIndexShard with the names of a range of rows, in columns (each name column one
  // string, a row's value ended by "\n"; rows in group order, so a row's group and its place
  // in the page follow from the groups' sizes). Each column is normalised in one pass and
  // searched with indexOf, a hit mapped to its row by the row starts: no object per node,
  // which at 780,000 nodes took 7.6 s and 750 MB to build.
  var norm = redchainNorm;
  var ROW_END = "\u0002", NAME_END = "\u0001";
  var groupStart = new Int32Array(GROUPS.length + 1);
  GROUPS.forEach(function (g, k) { groupStart[k + 1] = groupStart[k] + g.n; });
  var N = groupStart[GROUPS.length];
  var shards = [], shardStart = null, shardRows = [], shardKeys = [], loading = null, indexError = null;
  window.redchainIndexShard = function (k, columns) { shards[k] = columns; };
  function loadIndex() {  // a Promise that the index files are in (rejected when one is missing)
    if (loading) return loading;
    loading = Promise.all(DATA.search.map(function (href, k) {
      return new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.onload = function () { if (shards[k]) resolve(); else reject(new Error(href)); };
        script.onerror = function () { reject(new Error(href)); };
        script.src = href;
        document.body.appendChild(script);
      });
    })).then(function () {
      var at = new Int32Array(shards.length + 1);
      shards.forEach(function (shard, k) { at[k + 1] = at[k] + shard.cls.length; shardRows.push({}); });
      if (at[shards.length] !== N) throw new Error("the search index holds " + at[shards.length] + " rows, the groups " + N);
      shardStart = at;
    }).catch(function (error) { indexError = error; throw error; });
    return loading;
  }
  function starts(text, end, n) {  // where each of n rows of a column begins: row r is text[s[r], s[r + 1] - 1)
    var s = new Int32Array(n + 1), at = 0;
    for (var r = 0; r < n; r++) { s[r] = at; at = text.indexOf(end, at) + 1; }
    s[n] = at;
    return s;
  }
  function rowAt(s, pos) {  // the row whose text holds the position pos, of the starts s
    var lo = 0, hi = s.length - 2;
    while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (s[mid] <= pos) lo = mid; else hi = mid - 1; }
    return lo;
  }
  function fieldStarts(k, c) {  // of shard k's zh, py and en columns, found when first read
    return shardRows[k][c] || (shardRows[k][c] = starts(shards[k][c], "\n", shards[k].cls.length));
  }
  function field(c, r) {
    var k = rowAt(shardStart, r), s = fieldStarts(k, c), i = r - shardStart[k];
    return shards[k][c].slice(s[i], s[i + 1] - 1);
  }
  function row(r) {  // [Chinese, pinyin, English, class, group, index in its page]
    var g = rowAt(groupStart, r), k = rowAt(shardStart, r);
    return [field("zh", r), field("py", r), field("en", r), shards[k].cls[r - shardStart[k]], g, r - groupStart[g]];
  }
  // norm of a whole column in one loop, from a table of what norm makes of each UTF-16 unit
  // alone (the same as norm of the text, which is in NFC: view_overview.py): line breaks become
  // ROW_END and | NAME_END. Regular expressions over the whole pinyin column took 3 s at
  // 780,000 nodes.
  var unitNorm = null, unitMany = {}, isSpace = null;
  function unitTables() {
    unitNorm = new Int32Array(65536);  // the unit's one unit, -1 none, -2 more (in unitMany)
    isSpace = new Uint8Array(65536);
    for (var c = 0; c < 65536; c++) {
      var ch = String.fromCharCode(c), m = c >= 0xd800 && c < 0xe000 ? ch : norm(ch);
      unitNorm[c] = m.length === 1 ? m.charCodeAt(0) : m.length ? -2 : -1;
      if (m.length > 1) unitMany[c] = m;
      isSpace[c] = /\s/.test(ch) ? 1 : 0;
    }
    unitNorm[10] = ROW_END.charCodeAt(0);
    unitNorm[0x7c] = NAME_END.charCodeAt(0);
  }
  function fromUnits(units, n) {
    var parts = [];
    for (var i = 0; i < n; i += 8192) parts.push(String.fromCharCode.apply(null, units.subarray(i, Math.min(n, i + 8192))));
    return parts.join("");
  }
  function normColumn(text, initialsOnly) {  // initialsOnly: the first letter of each word (pinyin initials)
    if (!unitNorm) unitTables();
    var out = new Uint16Array(text.length + 16), n = 0, wordStart = true;
    for (var i = 0; i < text.length; i++) {
      var u = text.charCodeAt(i), m = unitNorm[u];
      if (initialsOnly) {
        if (u === 10) { out[n++] = m; wordStart = true; continue; }
        if (isSpace[u]) { wordStart = true; continue; }
        if (!wordStart || m === -1) continue;
        wordStart = false;
        if (m === -2) m = unitMany[u].charCodeAt(0);
      }
      if (m >= 0) out[n++] = m;
      else if (m === -2) {
        var many = unitMany[u];
        if (n + many.length > out.length) { var wider = new Uint16Array(out.length * 2); wider.set(out); out = wider; }
        for (var j = 0; j < many.length; j++) out[n++] = many.charCodeAt(j);
      }
    }
    return fromUnits(out, n);
  }
  function searchKeys(k) {  // shard k's normalised name columns, and pinyin initials (prepareIndex, or the first search)
    if (shardKeys[k]) return shardKeys[k];
    var shard = shards[k], n = shard.cls.length;
    var columns = ["zh", "py", "en", "alts"].map(function (c) {  // "|" parts one name each
      var text = normColumn(shard[c], false);
      return { text: text, at: starts(text, ROW_END, n) };
    });
    var initials = normColumn(shard.py, true);
    return (shardKeys[k] = { columns: columns, initials: { text: ROW_END + initials, at: starts(initials, ROW_END, n) } });
  }
  var preparing = null;
  function prepareIndex() {  // a Promise that the index is loaded and normalised, a file at a time between other work
    return preparing || (preparing = loadIndex().then(function () {
      return new Promise(function (resolve) {
        (function next(k) {
          if (k === shards.length) return resolve();
          searchKeys(k);
          setTimeout(function () { next(k + 1); }, 0);
        })(0);
      });
    }));
  }
  function isEnd(ch) { return ch === undefined || ch === ROW_END || ch === NAME_END; }
  function search(query) {  // the groups, and the nodes once the index is loaded (loadIndex)
    var q = norm(query).replace(/[\u0001\u0002]/g, ""), hits = [];
    if (!q) return hits;
    GROUPS.forEach(function (g, k) {
      var name = norm(g.label), at = name.indexOf(q);
      if (at >= 0) hits.push([name === q ? 0 : at === 0 ? 1 : 2, -1, g.label.length, k]);
    });
    var best = new Int8Array(shardStart ? N : 0).fill(9), found = [];
    for (var k = 0; shardStart && k < shards.length; k++) {
      var normed = searchKeys(k), base = shardStart[k];
      normed.columns.forEach(function (col) {  // 0: a whole name, 1: its start, 2: inside it
        for (var pos = col.text.indexOf(q); pos >= 0; pos = col.text.indexOf(q, pos + 1)) {
          var r = base + rowAt(col.at, pos), rank = isEnd(col.text[pos - 1]) ? (isEnd(col.text[pos + q.length]) ? 0 : 1) : 2;
          if (best[r] === 9) found.push(r);
          if (rank < best[r]) best[r] = rank;
        }
      });
      if (q.length > 1) {  // 3: the start of the pinyin's initials (bjs for 北京市)
        var ini = normed.initials.text;
        for (var at = ini.indexOf(ROW_END + q); at >= 0; at = ini.indexOf(ROW_END + q, at + 1)) {
          var r = base + rowAt(normed.initials.at, at);
          if (best[r] === 9) { found.push(r); best[r] = 3; }
        }
      }
    }
    found.forEach(function (r) {
      var k = rowAt(shardStart, r), zhAt = fieldStarts(k, "zh"), i = r - shardStart[k];
      hits.push([best[r], 0, zhAt[i + 1] - zhAt[i] - 1, r]);
    });
    hits.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3]; });
    return hits.map(function (h) {
      if (h[1] < 0) return { group: h[3], node: -1 };
      var g = rowAt(groupStart, h[3]);
      return { group: g, node: h[3] - groupStart[g], row: h[3] };
    });
  }
  function withIndex(then) { loadIndex().then(then, then); }  // groups alone if the index is missing
  var input = document.getElementById("search"), results = document.getElementById("search-results");
  function resultButton(hit, i) {
    var b;
    if (hit.node < 0) {
      var g = GROUPS[hit.group];
      b = el("button", { type: "button", "data-group": String(hit.group), class: i ? "" : "active" }, kindSwatch(hit.group),
        el("span", { class: "group", text: g.label }), el("span", { class: "sub", text: g.n + " 个节点 nodes" }));
    } else {
      var r = row(hit.row);
      b = el("button", { type: "button", "data-group": String(hit.group), "data-node": String(hit.node), class: i ? "" : "active" },
        classSwatch(r[3]), el("span", { text: r[0] }),
        el("span", { class: "sub", text: [GROUPS[hit.group].label, r[1], r[2]].filter(Boolean).join(" · ") }));
    }
    b.addEventListener("click", function () { open(hit.group, hit.node); });
    return el("li", { role: "option" }, b);
  }
  var redrawWhenLoaded = false;
  function renderResults() {
    clear(results);
    if (!input.value.trim()) { results.hidden = true; return; }
    var hits = search(input.value).slice(0, 15), waiting = !shardStart && !indexError;
    if (waiting && !redrawWhenLoaded) {  // the groups now, the nodes when the index is in
      redrawWhenLoaded = true;
      withIndex(renderResults);
    }
    if (!hits.length && !waiting) results.appendChild(el("li", { class: "empty", text: "没有结果 no match" }));
    hits.forEach(function (hit, i) { results.appendChild(resultButton(hit, i)); });
    if (waiting) results.appendChild(el("li", { class: "empty", text: "正在载入搜索索引… loading the search index…" }));
    if (indexError) {
      var folder = decodeURIComponent(GROUPS[0].href.split("/")[0]);
      results.appendChild(el("li", { class: "empty", text: "找不到节点的搜索索引：请把文件夹 " + folder + "/ 放在本页旁边 · " +
        "the nodes' search index is missing: keep the folder " + folder + "/ beside this page" }));
    }
    results.hidden = false;
  }
  redchainSearchKeys(input, results, renderResults, function (active) {
    if (active) active.click();
    else withIndex(function () { var hits = search(input.value); if (hits.length) open(hits[0].group, hits[0].node); });
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
  window.redchain = { network: network, nodes: nodes, edges: edges, data: DATA, search: search, loadIndex: loadIndex,
    prepareIndex: prepareIndex, shards: function () { return shards; }, row: row, open: open, visibleCounts: visibleCounts };
  network.once("afterDrawing", function () {
    window.redchainFirstDraw = performance.now();
    window.redchainReady = true;
    document.body.setAttribute("data-ready", "1");
    // the index is loaded and normalised once the groups are drawn, for the first search to find it ready
    setTimeout(function () { prepareIndex().catch(function () {}); }, 0);  // (the search says when it is missing)
  });
})();

/* redchain view, a group page of a large view (appended to view.js): a link back to the
 * overview, the group's note, #n=<node> in the address selects that node (the overview's
 * search links here that way), and in the panel an end of a fact that another group's page
 * draws links to that page. Text goes into the DOM through textContent only. */
(function () {
  "use strict";
  var rc = window.redchain, nav = rc.data.nav;
  if (!nav) return;
  var link = document.createElement("a");
  link.id = "overview-link";
  link.href = nav.overview;
  link.textContent = "← 总览 overview";
  link.title = nav.overviewTitle || "";
  var title = document.getElementById("title");
  title.parentNode.insertBefore(link, title);
  if (nav.note) {
    var note = document.createElement("p");
    note.className = "group-note";
    note.textContent = nav.note;
    document.getElementById("filters").appendChild(note);
  }
  function fromAddress() {
    var m = /^#n=(\d+)$/.exec(window.location.hash);
    var id = m ? Number(m[1]) : -1;
    if (id >= 0 && id < rc.data.meta.length) rc.selectNode(id, { focus: true });
  }
  var outside = rc.data.outside || {}, panelBody = document.getElementById("panel-body");
  function linkOutside() {  // view.js writes such an end as <span class="out">name (not in this view)</span>
    panelBody.querySelectorAll(".fact[data-fact]").forEach(function (block) {
      var f = block.getAttribute("data-fact"), span = block.querySelector(".head .out");
      if (!span || !Object.prototype.hasOwnProperty.call(outside, f)) return;
      var fact = rc.data.facts[Number(f)], a = document.createElement("a");
      a.className = "out-link";
      a.href = outside[f];
      a.textContent = (fact[0] < 0 ? fact[1] : fact[4]) + " ↗";
      a.title = "在它所在分组的页面打开 open it on its group's page";
      span.parentNode.replaceChild(a, span);
    });
  }
  new MutationObserver(linkOutside).observe(panelBody, { childList: true });
  rc.network.once("afterDrawing", function () { window.setTimeout(fromAddress, 0); });
  window.addEventListener("hashchange", fromAddress);
})();

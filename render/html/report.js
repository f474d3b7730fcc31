// Sortable, filterable tables. The page is whole without this script: it only adds a sort
// button to each column head and a filter box above each table.
(function () {
  "use strict";
  function cellKey(td, numeric) {
    var s = td ? td.textContent.trim() : "";
    if (!numeric) return s.toLowerCase();
    var n = parseFloat(s.replace(/[^0-9.\-]/g, ""));
    return isNaN(n) ? -Infinity : n;
  }
  function sortBy(table, col, th) {
    var body = table.tBodies[0];
    var numeric = th.classList.contains("num");
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) heads[i].removeAttribute("aria-sort");
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    var keyed = rows.map(function (r, i) { return { r: r, k: cellKey(r.cells[col], numeric), i: i }; });
    keyed.sort(function (a, b) {
      if (a.k < b.k) return -dir;
      if (a.k > b.k) return dir;
      return a.i - b.i;
    });
    var frag = document.createDocumentFragment();
    keyed.forEach(function (x) { frag.appendChild(x.r); });
    body.appendChild(frag);
  }
  function addFilter(table) {
    var body = table.tBodies[0];
    var total = body.rows.length;
    var box = document.createElement("div");
    box.className = "filter";
    var input = document.createElement("input");
    input.type = "search";
    if (table.id) input.id = table.id + "-filter";
    input.placeholder = "Filter rows";
    input.setAttribute("aria-label", "Filter the rows of the table below");
    var count = document.createElement("span");
    count.className = "count";
    count.textContent = total + " rows";
    box.appendChild(input);
    box.appendChild(count);
    table.parentNode.parentNode.insertBefore(box, table.parentNode);
    input.addEventListener("input", function () {
      var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      for (var i = 0; i < body.rows.length; i++) {
        var r = body.rows[i];
        var text = r.textContent.toLowerCase();
        var ok = terms.every(function (t) { return text.indexOf(t) >= 0; });
        r.hidden = !ok;
        if (ok) shown++;
      }
      count.textContent = terms.length ? shown + " of " + total + " rows" : total + " rows";
    });
  }
  var tables = document.querySelectorAll("table.data");
  Array.prototype.forEach.call(tables, function (table) {
    if (!table.tHead || !table.tBodies[0]) return;
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "sort";
      while (th.firstChild) b.appendChild(th.firstChild);
      th.appendChild(b);
      b.addEventListener("click", function () { sortBy(table, col, th); });
    });
    if (table.tBodies[0].rows.length > 1) addFilter(table);
  });
})();

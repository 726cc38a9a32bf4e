// piiscan data map: sort and filter the matrix. The page works without this script.
(function () {
  "use strict";
  var table = document.getElementById("matrix");
  if (!table) { return; }
  var controls = document.querySelector(".controls");
  var fCat = document.getElementById("f-cat");
  var fSubject = document.getElementById("f-subject");
  var fConf = document.getElementById("f-conf");
  var fCount = document.getElementById("f-count");
  if (controls) { controls.hidden = false; }

  function apply() {
    var cat = fCat.value, subject = fSubject.value, min = Number(fConf.value), shown = 0;
    table.querySelectorAll("tbody").forEach(function (body) {
      var any = 0;
      body.querySelectorAll("tr.row").forEach(function (row) {
        var hits = 0;
        row.querySelectorAll("td.c[data-conf]").forEach(function (cell) {
          var strong = Number(cell.getAttribute("data-conf")) >= min;
          cell.classList.toggle("dim", !strong);
          if (strong && (!cat || cell.getAttribute("data-cat") === cat)) { hits++; }
        });
        var visible = hits > 0 && (!subject || row.getAttribute("data-subject") === subject);
        row.hidden = !visible;
        if (visible) { any++; shown++; }
      });
      body.hidden = any === 0 || body.classList.contains("off");
    });
    table.querySelectorAll("[data-cat]").forEach(function (el) {
      el.classList.toggle("sel", !!cat && el.getAttribute("data-cat") === cat);
    });
    document.querySelectorAll("section.ds").forEach(function (section) {
      var row = table.querySelector('tr[data-anchor="' + section.id + '"]');
      section.hidden = !!row && row.hidden;
    });
    fCount.textContent = String(shown);
  }

  function key(row, k) {
    if (k === "name") { return row.getAttribute("data-name"); }
    if (k === "subject") { return row.getAttribute("data-subject-label"); }
    if (k === "total") { return Number(row.getAttribute("data-total")); }
    var cell = null;
    row.querySelectorAll("td.c").forEach(function (td) {
      if (td.getAttribute("data-cat") === k) { cell = td; }
    });
    return cell && cell.hasAttribute("data-count") ? Number(cell.getAttribute("data-count")) : -1;
  }

  // Sorting lists every dataset in one list (the folder groups give way); "grouped"
  // puts every row back where it was.
  var rows = Array.prototype.slice.call(table.querySelectorAll("tr.row"));
  var homes = rows.map(function (row) { return row.parentNode; });
  var flat = document.createElement("tbody");
  flat.className = "sorted";
  flat.hidden = true;
  table.appendChild(flat);
  var regroup = document.getElementById("f-group");

  function grouped(on) {
    table.querySelectorAll("tbody").forEach(function (body) {
      if (body !== flat) { body.classList.toggle("off", !on); }
    });
    flat.hidden = on;
    if (regroup) { regroup.hidden = on; }
  }

  table.querySelectorAll("thead button[data-key]").forEach(function (button) {
    button.addEventListener("click", function () {
      var k = button.getAttribute("data-key");
      var text = k === "name" || k === "subject";
      var was = button.getAttribute("data-dir");
      var dir = was ? (was === "asc" ? "desc" : "asc") : (text ? "asc" : "desc");
      table.querySelectorAll("thead button").forEach(function (b) { b.removeAttribute("data-dir"); });
      button.setAttribute("data-dir", dir);
      var sorted = rows.slice().sort(function (a, b) {
        var x = key(a, k), y = key(b, k);
        var r = text ? String(x).localeCompare(String(y)) : x - y;
        return (dir === "asc" ? r : -r) || rows.indexOf(a) - rows.indexOf(b);
      });
      sorted.forEach(function (row) { flat.appendChild(row); });
      grouped(false);
      apply();
    });
  });

  if (regroup) {
    regroup.addEventListener("click", function () {
      rows.forEach(function (row, i) { homes[i].appendChild(row); });
      table.querySelectorAll("thead button").forEach(function (b) { b.removeAttribute("data-dir"); });
      grouped(true);
      apply();
    });
  }

  [fCat, fSubject, fConf].forEach(function (el) { el.addEventListener("change", apply); });
})();

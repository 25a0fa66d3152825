// The indicator grid (templates/unitassess/grid.html): keyboard moves, paste of an Excel
// block, and only changed cells submitted. Without script the whole grid is submitted.
(function () {
  var form = document.querySelector("form[data-grid]");
  if (!form) { return; }
  var rows = Array.prototype.map.call(form.querySelectorAll("tbody tr"), function (tr) {
    return Array.prototype.slice.call(tr.querySelectorAll("input"));
  });
  var status = form.querySelector("[data-grid-status]");

  function where(input) {
    for (var r = 0; r < rows.length; r++) {
      var c = rows[r].indexOf(input);
      if (c >= 0) { return [r, c]; }
    }
    return null;
  }
  function focus(r, c) {
    if (r >= 0 && r < rows.length && c >= 0 && c < rows[r].length) {
      rows[r][c].focus();
      rows[r][c].select();
    }
  }
  function changed() {
    var n = 0;
    rows.forEach(function (row) {
      row.forEach(function (input) {
        var dirty = input.value !== input.getAttribute("data-saved");
        input.classList.toggle("dirty", dirty);
        if (dirty) { n++; }
      });
    });
    if (status) { status.textContent = n ? "已修改 " + n + " 个单元格，尚未保存" : ""; }
  }

  form.addEventListener("keydown", function (event) {
    var at = where(event.target);
    if (!at) { return; }
    var input = event.target, r = at[0], c = at[1];
    var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    var atEnd = input.selectionStart === input.value.length;
    if (event.key === "ArrowDown" || (event.key === "Enter" && !event.shiftKey)) {
      event.preventDefault(); focus(r + 1, c);
    } else if (event.key === "ArrowUp" || (event.key === "Enter" && event.shiftKey)) {
      event.preventDefault(); focus(r - 1, c);
    } else if (event.key === "ArrowRight" && atEnd) {
      event.preventDefault(); focus(r, c + 1);
    } else if (event.key === "ArrowLeft" && atStart) {
      event.preventDefault(); focus(r, c - 1);
    }
  });

  form.addEventListener("paste", function (event) {
    var at = where(event.target);
    var text = (event.clipboardData || window.clipboardData).getData("text");
    if (!at || !text || (text.indexOf("\t") < 0 && text.indexOf("\n") < 0)) { return; }
    event.preventDefault();
    var lines = text.replace(/\r/g, "").replace(/\n$/, "").split("\n");
    lines.forEach(function (line, dr) {
      line.split("\t").forEach(function (value, dc) {
        var row = rows[at[0] + dr];
        if (row && row[at[1] + dc]) { row[at[1] + dc].value = value.trim(); }
      });
    });
    changed();
  });

  form.addEventListener("input", changed);
  form.addEventListener("submit", function () {
    // Unchanged cells are not sent: a 200 × 60 round posts only what was typed.
    rows.forEach(function (row) {
      row.forEach(function (input) {
        if (input.value === input.getAttribute("data-saved")) { input.disabled = true; }
      });
    });
  });
  changed();
})();

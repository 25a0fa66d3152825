// Progress of the agenda bundle (议程材料汇编): start it without leaving the page and
// poll its JSON status until it is done. No inline scripts (strict CSP).
(function () {
  var section = document.getElementById("bundle");
  if (!section) { return; }
  var url = section.getAttribute("data-status-url");
  var form = document.getElementById("bundle-form");
  var box = document.getElementById("bundle-progress");
  var bar = document.getElementById("bundle-bar");
  var label = document.getElementById("bundle-text");
  var link = document.getElementById("bundle-link");
  var timer = null;

  function show(state) {
    if (state.status === "none") { return; }
    box.classList.remove("hidden");
    bar.value = state.percent;
    bar.textContent = state.percent + "%";
    if (state.status === "done") {
      label.textContent = "已完成（" + state.pages + " 页）";
      link.classList.remove("hidden");
    } else if (state.status === "failed") {
      label.textContent = state.error || "生成失败";
      link.classList.add("hidden");
    } else {
      label.textContent = "正在生成 " + state.done + "/" + state.total;
      link.classList.add("hidden");
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (state) {
        show(state);
        if (state.status === "queued" || state.status === "running") {
          timer = window.setTimeout(poll, 400);
        }
      })
      .catch(function () { timer = window.setTimeout(poll, 2000); });
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      bar.value = 0;
      box.classList.remove("hidden");
      link.classList.add("hidden");
      label.textContent = "已提交，正在生成…";
      fetch(form.action, { method: "POST", body: data, credentials: "same-origin",
                           headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (state) { show(state); if (timer) { window.clearTimeout(timer); } poll(); })
        .catch(function () { form.submit(); });
    });
  }
  var text = label.textContent;
  if (text.indexOf("正在生成") === 0) { poll(); }
})();

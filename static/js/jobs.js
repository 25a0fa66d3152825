// Progress page of a background job: poll its JSON status (readable from any server)
// and reload the page once it is finished, so the server shows the result or the error.
(function () {
  var section = document.getElementById("job");
  if (!section) { return; }
  var status = section.getAttribute("data-status");
  if (status !== "queued" && status !== "running") { return; }
  var url = section.getAttribute("data-status-url");
  var bar = document.getElementById("job-bar");
  var label = document.getElementById("job-text");
  var word = document.getElementById("job-status");
  var names = { queued: "排队中", running: "执行中", done: "已完成", failed: "失败" };

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (state) {
        if (state.status === "done" || state.status === "failed") {
          window.location.reload();
          return;
        }
        bar.value = state.percent;
        bar.textContent = state.percent + "%";
        word.textContent = names[state.status] || state.status;
        label.textContent = state.status === "queued" ? "排队等待执行…"
          : state.done + "/" + state.total + (state.message ? " · " + state.message : "");
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();

// Import forms: show the upload progress, then that the server is checking the rows;
// the server's answer (streamed progress, then the report) replaces the page.
document.querySelectorAll("form.js-upload").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (!window.XMLHttpRequest || !window.FormData) { return; }
    var input = form.querySelector("input[type=file]");
    if (!input || !input.files.length) { return; }
    event.preventDefault();
    var bar = form.querySelector(".upload-progress");
    var status = form.querySelector(".upload-status");
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    bar.hidden = false;
    status.textContent = "正在上传…";
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        bar.value = Math.round(100 * e.loaded / e.total);
        status.textContent = "正在上传 " + bar.value + "%";
      }
    });
    xhr.upload.addEventListener("load", function () {
      bar.removeAttribute("value");
      status.textContent = "上传完成，服务器正在逐行校验…";
    });
    xhr.addEventListener("progress", function () {
      var done = (xhr.responseText.match(/已校验 (\d+) \/ (\d+) 行/g) || []).pop();
      if (done) { status.textContent = done; }
    });
    xhr.addEventListener("load", function () {
      document.open();
      document.write(xhr.responseText);
      document.close();
    });
    xhr.addEventListener("error", function () {
      button.disabled = false;
      status.textContent = "上传失败，请检查网络后重试。";
    });
    xhr.send(new FormData(form));
  });
});

// Import forms: show the upload progress; an Excel import answers with its background
// job's progress page (go there), an LRMX import or a refused file with a page that
// replaces this one.
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
      status.textContent = "上传完成，正在提交…";
    });
    xhr.addEventListener("load", function () {
      if (xhr.responseURL && xhr.responseURL.indexOf("/jobs/") !== -1) {
        window.location.assign(xhr.responseURL);
        return;
      }
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

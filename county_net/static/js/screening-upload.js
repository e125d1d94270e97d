// The Excel import page: upload with a progress bar (bytes sent), then "正在校验 N 行…" while the server checks
// every row, then the sheet or the list of errors. Without JS the form posts as usual. No inline script (CSP).
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  var input = document.getElementById("upload-file");
  var box = document.getElementById("upload-progress");
  var bar = document.getElementById("upload-bar");
  var state = document.getElementById("upload-state");
  var button = document.getElementById("upload-submit");
  var firstRow = parseInt(form.getAttribute("data-first-row"), 10) || 4;

  function mb(bytes) { return (bytes / 1048576).toFixed(1) + " MB"; }

  // The last row the workbook's first sheet declares (<dimension ref="A1:Q2003"/>), read from the zip
  // without a library; null when the file or the browser does not tell.
  function declaredRows(file) {
    if (!file.arrayBuffer || !window.DecompressionStream) { return Promise.resolve(null); }
    return file.arrayBuffer().then(function (buf) {
      var view = new DataView(buf);
      var end = -1;
      for (var i = buf.byteLength - 22; i >= Math.max(0, buf.byteLength - 65558); i--) {
        if (view.getUint32(i, true) === 0x06054b50) { end = i; break; }
      }
      if (end < 0) { return null; }
      var count = view.getUint16(end + 10, true);
      var at = view.getUint32(end + 16, true);
      var decoder = new TextDecoder();
      for (var n = 0; n < count && at + 46 <= buf.byteLength; n++) {
        if (view.getUint32(at, true) !== 0x02014b50) { return null; }
        var method = view.getUint16(at + 10, true);
        var size = view.getUint32(at + 20, true);
        var nameLen = view.getUint16(at + 28, true);
        var extra = view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
        var local = view.getUint32(at + 42, true);
        var name = decoder.decode(new Uint8Array(buf, at + 46, nameLen));
        if (name === "xl/worksheets/sheet1.xml") {
          var start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
          return head(new Uint8Array(buf, start, Math.min(size, buf.byteLength - start)), method);
        }
        at += 46 + nameLen + extra;
      }
      return null;
    }).catch(function () { return null; });
  }

  function head(bytes, method) {
    var text = method === 0 ? Promise.resolve(new TextDecoder().decode(bytes.slice(0, 4096))) : firstChunk(bytes);
    return text.then(function (xml) {
      var m = /<dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"/.exec(xml || "");
      return m && m[1] ? Math.max(0, parseInt(m[1], 10) - firstRow + 1) : null;
    });
  }

  function firstChunk(bytes) {
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    var reader = stream.getReader();
    return reader.read().then(function (r) {
      reader.cancel().catch(function () {});
      return r.value ? new TextDecoder().decode(r.value.slice(0, 4096)) : "";
    }).catch(function () { return ""; });
  }

  function showErrors(message, items) {
    var old = document.getElementById("upload-errors");
    if (old) { old.remove(); }
    var oldMessage = document.getElementById("upload-message");
    if (oldMessage) { oldMessage.remove(); }
    var flash = document.createElement("div");
    flash.className = "flash flash-danger";
    flash.setAttribute("role", "alert");
    flash.id = "upload-message";
    flash.textContent = message;
    var list = document.createElement("ul");
    list.className = "errors";
    list.id = "upload-errors";
    (items || []).forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      list.appendChild(li);
    });
    form.parentNode.insertBefore(flash, form);
    form.parentNode.insertBefore(list, form);
  }

  form.addEventListener("submit", function (event) {
    if (!input.files || !input.files.length) { return; }  // the browser's own "required" message
    event.preventDefault();
    var file = input.files[0];
    var rows = declaredRows(file);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    box.hidden = false;
    button.disabled = true;
    bar.value = 0;
    state.textContent = "正在上传…";
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) { return; }
      bar.max = e.total;
      bar.value = e.loaded;
      state.textContent = "正在上传 " + mb(e.loaded) + " / " + mb(e.total);
    });
    xhr.upload.addEventListener("load", function () {
      bar.removeAttribute("value");  // indeterminate while the server checks
      state.textContent = "正在校验…";
      rows.then(function (n) {
        if (n && xhr.readyState !== 4) { state.textContent = "正在校验 " + n + " 行…"; }
      });
    });
    xhr.addEventListener("load", function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      if (xhr.status === 200 && body && body.redirect) {
        state.textContent = "已导入 " + body.count + " 条，正在打开排查表…";
        window.location.assign(body.redirect);
        return;
      }
      box.hidden = true;
      button.disabled = false;
      var error = body && body.error;
      showErrors(error ? error.message : "导入失败（" + xhr.status + "），未导入任何内容",
                 error && error.fields ? (error.fields.file || []) : []);
    });
    xhr.addEventListener("error", function () {
      box.hidden = true;
      button.disabled = false;
      showErrors("网络错误，未导入任何内容，请重试", []);
    });
    xhr.send(new FormData(form));
  });
}());

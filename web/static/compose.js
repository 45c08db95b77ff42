// 撰稿: the article editor (Quill 2, vendored in static/quill), the .docx
// import that fills it, and the live WeChat and Weibo previews. Without
// JavaScript the page keeps its plain textarea. Loaded as a file so the
// console's CSP can forbid inline script.
(function () {
  "use strict";
  var form = document.getElementById("compose");
  var textarea = document.getElementById("body");
  if (!form || !textarea || form.dataset.kind !== "article" || typeof Quill === "undefined") {
    return;
  }
  var csrf = form.querySelector("input[name=csrf]").value;

  // What the editor keeps is what the Word import writes: inline styles for
  // alignment, first-line indent and colour; headings, bold, italic,
  // underline, lists, links, pictures, tables, superscript.
  var Parchment = Quill.import("parchment");
  Quill.register(Quill.import("attributors/style/align"), true);
  Quill.register(Quill.import("attributors/style/color"), true);
  Quill.register(new Parchment.StyleAttributor("textindent", "text-indent", { scope: Parchment.Scope.BLOCK }), true);
  var formats = ["header", "bold", "italic", "underline", "color", "list", "align", "textindent", "link", "image", "script",
    "table", "table-row", "table-body", "table-container"];

  var holder = document.createElement("div");
  holder.id = "editor";
  textarea.parentNode.insertBefore(holder, textarea);
  textarea.hidden = true;
  var quill = new Quill(holder, {
    theme: "snow",
    formats: formats,
    placeholder: "在此输入正文，或从 Word、网页粘贴，或在上方导入 Word 文档",
    modules: {
      table: true,
      toolbar: {
        container: [[{ header: [2, 3, 4, false] }], ["bold", "italic", "underline"], [{ color: [] }],
          [{ list: "ordered" }, { list: "bullet" }], [{ align: [] }], ["link", "image", "table"], ["clean"]],
        handlers: {
          table: function () { quill.getModule("table").insertTable(3, 3); }
        }
      }
    }
  });
  holder.quill = quill; // for the browser test

  // Scripts, styles and Word's XML islands carry no text for the reader.
  var Delta = Quill.import("delta");
  ["SCRIPT", "STYLE", "TITLE", "META", "XML", "TEMPLATE", "NOSCRIPT"].forEach(function (tag) {
    quill.clipboard.addMatcher(tag, function () { return new Delta(); });
  });

  // Word and web pages paint every run black and pad with &nbsp;: drop what
  // carries nothing.
  quill.clipboard.addMatcher(Node.ELEMENT_NODE, function (node, delta) {
    delta.ops.forEach(function (op) {
      var a = op.attributes;
      if (a && a.color && /^(windowtext|black|#000000|#000|rgb\(0, ?0, ?0\)|auto)$/i.test(a.color)) {
        delete a.color;
      }
      if (a && a.textindent && !/^[0-9.]+(em|pt|px)$/.test(a.textindent)) {
        delete a.textindent;
      }
    });
    return delta;
  });

  // Quill writes a paragraph's first-line indent as a tab in front of its
  // text as well: the indent (2em, as Word set it) is kept, the tab is not.
  quill.clipboard.addMatcher(Node.ELEMENT_NODE, function (node, delta) {
    var first = delta.ops[0];
    if (node.style && parseFloat(node.style.textIndent) > 0 && first && typeof first.insert === "string" && first.insert.charAt(0) === "\t") {
      first.insert = first.insert.slice(1);
      if (first.insert === "") { delta.ops.shift(); }
    }
    return delta;
  });

  if (textarea.value.trim() !== "") {
    quill.clipboard.dangerouslyPasteHTML(textarea.value);
  }

  function html() {
    if (quill.getLength() <= 1 && !quill.root.querySelector("img")) {
      return "";
    }
    return quill.getSemanticHTML().replace(/&nbsp;/g, " ");
  }
  form.addEventListener("submit", function () { textarea.value = html(); });

  // .docx import
  var docx = document.getElementById("docx");
  var status = document.getElementById("docx-status");
  var title = document.getElementById("title");
  function say(text, bad) {
    status.textContent = text;
    status.className = bad ? "hint bad" : "hint";
  }
  if (docx) {
    docx.addEventListener("change", function () {
      var file = docx.files[0];
      if (!file) { return; }
      if (/\.(doc|wps)$/i.test(file.name)) {
        say("这是旧版 Word/WPS 文件：请在 Word 或 WPS 中“另存为” .docx 格式后再导入", true);
        return;
      }
      say("正在导入 " + file.name + " …", false);
      var fd = new FormData();
      fd.append("csrf", csrf);
      fd.append("docx", file);
      fetch("/console/compose/docx", { method: "POST", body: fd, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          if (j.error) { say(j.error, true); return; }
          if (title && title.value.trim() === "" && j.title) { title.value = j.title; }
          quill.setContents([]);
          quill.clipboard.dangerouslyPasteHTML(0, j.html);
          var done = "已导入 " + file.name + "（" + j.pictures + " 张图片）：请核对后提交";
          if (j.warnings && j.warnings.length) {
            say(done + "。注意：" + j.warnings.join("；"), true); // what was left out, to add by hand
          } else {
            say(done, false);
          }
          schedulePreview();
        })
        .catch(function () { say("导入失败：请检查网络后重试", true); });
    });
  }

  // live previews
  var live = document.getElementById("live");
  var timer = null;
  function schedulePreview() {
    clearTimeout(timer);
    timer = setTimeout(preview, 400);
  }
  function preview(then) {
    var fd = new FormData();
    fd.append("csrf", csrf);
    fd.append("kind", "article");
    fd.append("title", title ? title.value : "");
    fd.append("body", html());
    ["digest", "source_url"].forEach(function (k) {
      var el = form.querySelector("[name=" + k + "]");
      if (el) { fd.append(k, el.value); }
    });
    fetch("/console/compose/preview", { method: "POST", body: fd, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        if (j.error) { return; }
        live.hidden = false;
        document.getElementById("live-title").textContent = j.title || "";
        document.getElementById("live-wechat").innerHTML = j.wechat || ""; // sanitized by the server's article policy
        document.getElementById("live-weibo").textContent = j.weibo || "（未配置微博账号）";
        var hits = document.getElementById("live-hits");
        hits.textContent = "";
        (j.hits || []).forEach(function (h) {
          var li = document.createElement("li");
          li.textContent = h;
          hits.appendChild(li);
        });
        document.getElementById("live-hits-card").hidden = !(j.hits && j.hits.length);
        if (typeof then === "function") { then(); }
      })
      .catch(function () {});
  }
  // 预览 shows this same live preview (with the editor's pictures), not the
  // server's second copy.
  var previewButton = document.getElementById("preview");
  if (previewButton) {
    previewButton.addEventListener("click", function (ev) {
      ev.preventDefault();
      clearTimeout(timer);
      preview(function () { live.scrollIntoView({ behavior: "smooth", block: "start" }); });
    });
  }
  quill.on("text-change", schedulePreview);
  if (title) { title.addEventListener("input", schedulePreview); }
  if (quill.getLength() > 1) { schedulePreview(); }
})();

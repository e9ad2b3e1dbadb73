/* Upload progress for file forms: `<form data-upload-progress>` with a file input.
 *
 * Plain JavaScript, no libraries, no build step. Without it the form posts as before. With it
 * the same form is sent by XMLHttpRequest (FormData, the form's CSRF token) and a <progress>
 * shows the percentage and the bytes sent; once the file is sent, an indeterminate bar says
 * the server is processing it, until it answers. The answer then takes the page's place:
 * after a redirect (the import is done) the page it led to, under its own address; otherwise
 * the returned page as it is (a form with its errors, the list of a file's problems).
 *
 * Texts come from the form's data attributes (rendered with {% translate %}):
 * data-text-uploading, data-text-processing, data-text-failed; Vietnamese or English defaults
 * follow <html lang> for forms without them.
 */
(function () {
  "use strict";

  if (!window.XMLHttpRequest || !window.FormData) { return; }

  var lang = (document.documentElement.lang || "vi").toLowerCase();
  var english = lang.indexOf("en") === 0;
  var DEFAULTS = english ? {
    uploading: "Sending the file…",
    processing: "Processing the file…",
    failed: "The file could not be sent. Check the connection and try again."
  } : {
    uploading: "Đang gửi tệp…",
    processing: "Đang xử lý tệp…",
    failed: "Không gửi được tệp. Hãy kiểm tra kết nối và thử lại."
  };
  var numbers = new Intl.NumberFormat(english ? "en" : "vi-VN", { maximumFractionDigits: 1 });

  function text(form, name) {
    return form.getAttribute("data-text-" + name) || DEFAULTS[name];
  }

  function size(bytes) {
    var units = ["B", "KB", "MB", "GB"];
    var value = bytes;
    var unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
    return numbers.format(value) + " " + units[unit];
  }

  function panel(form) {
    var box = form.querySelector(".upload-progress");
    if (box) { return box; }
    box = document.createElement("div");
    box.className = "upload-progress";
    box.setAttribute("role", "status");
    box.setAttribute("aria-live", "polite");
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    var label = document.createElement("span");
    label.className = "upload-progress-text";
    box.appendChild(bar);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(label);
    form.appendChild(box);
    return box;
  }

  function show(box, percent, message) {
    var bar = box.querySelector("progress");
    if (percent === null) {
      bar.removeAttribute("value"); // indeterminate
    } else {
      bar.value = percent;
    }
    bar.setAttribute("aria-label", message);
    box.querySelector(".upload-progress-text").textContent = message;
  }

  function buttons(form, disabled) {
    var found = form.querySelectorAll("button, input[type=submit]");
    for (var i = 0; i < found.length; i += 1) { found[i].disabled = disabled; }
  }

  function replaceDocument(html) {
    document.open();
    document.write(html);
    document.close();
  }

  function send(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    var action = (submitter && submitter.getAttribute("formaction")) || form.getAttribute("action");
    var url = new URL(action || window.location.href, window.location.href).href;
    var box = panel(form);
    var xhr = new XMLHttpRequest();
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");

    xhr.open((form.getAttribute("method") || "post").toUpperCase(), url);
    if (token) { xhr.setRequestHeader("X-CSRFToken", token.value); }
    xhr.upload.onprogress = function (event) {
      if (!event.lengthComputable) { show(box, null, text(form, "uploading")); return; }
      var percent = Math.floor((event.loaded / event.total) * 100);
      show(box, percent, text(form, "uploading") + " " + percent + "% (" + size(event.loaded) +
        " / " + size(event.total) + ")");
    };
    xhr.upload.onload = function () { show(box, null, text(form, "processing")); };
    xhr.onload = function () {
      var landed = xhr.responseURL || url;
      if (landed !== url) {
        // A redirect: the page it led to (fetched already, with its messages) at its address.
        window.history.replaceState(null, "", landed);
      }
      replaceDocument(xhr.responseText);
    };
    xhr.onerror = xhr.onabort = xhr.ontimeout = function () {
      buttons(form, false);
      show(box, 0, text(form, "failed"));
    };
    buttons(form, true);
    show(box, 0, text(form, "uploading"));
    xhr.send(data);
  }

  function enhance(form) {
    if (!form.querySelector("input[type=file]") || form.hasAttribute("data-upload-ready")) { return; }
    form.setAttribute("data-upload-ready", "");
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) { return; }
      event.preventDefault();
      send(form, event.submitter || null);
    });
  }

  function start() {
    var forms = document.querySelectorAll("form[data-upload-progress]");
    for (var i = 0; i < forms.length; i += 1) { enhance(forms[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());

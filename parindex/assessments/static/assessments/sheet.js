/* The self-assessment sheet: autosave, live points, conflicts, evidence by drag and drop.
 *
 * Plain JavaScript, no build step. Every form on the page also works without it (a normal
 * POST and a redirect back); this script only sends the same forms with fetch and shows the
 * answer in place. Points always come from the server, which asks the scoring engine.
 */
(function () {
  "use strict";

  var root = document.getElementById("sheet");
  if (!root || !window.fetch || !window.FormData) { return; }
  var texts = JSON.parse(document.getElementById("sheet-texts").textContent);
  var decimals = parseInt(root.getAttribute("data-decimals") || "2", 10);
  var lang = root.getAttribute("data-lang") || document.documentElement.lang || "vi";
  var numbers = new Intl.NumberFormat(lang.indexOf("en") === 0 ? "en" : "vi-VN", {
    maximumFractionDigits: decimals, useGrouping: false
  });
  var DELAY = 800; // ms of quiet before an autosave
  var RETRIES = 8; // sendings of a save after a 503 or a lost connection (2½ min in all)

  function format(n) { return n === null || n === undefined ? "—" : numbers.format(n); }

  function clock() {
    var now = new Date();
    return String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
  }

  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(form, body) {
    return fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf(form) }
    }).then(function (response) {
      return response.json().then(
        function (data) { return { status: response.status, data: data }; },
        function () { return { status: response.status, data: { ok: false, errors: [texts.failed] } }; }
      );
    });
  }

  function byAttribute(name) {
    var found = {};
    document.querySelectorAll("[" + name + "]").forEach(function (el) { found[el.getAttribute(name)] = el; });
    return found;
  }
  var leafPoints = byAttribute("data-leaf-points");
  var fieldPoints = byAttribute("data-field-points");
  var fieldMax = byAttribute("data-field-max");
  var evidenceBlocks = byAttribute("data-evidence");

  function showPoints(result) {
    if (!result) { return; }
    var total = document.querySelector("[data-total-points]");
    var index = document.querySelector("[data-total-index]");
    if (total) { total.textContent = format(result.points); }
    if (index) { index.textContent = format(result.index); }
    (result.fields || []).forEach(function (field) {
      if (fieldPoints[field.code]) { fieldPoints[field.code].textContent = format(field.points); }
      if (fieldMax[field.code]) { fieldMax[field.code].textContent = format(field.max); }
    });
    (result.leaves || []).forEach(function (leaf) {
      if (leafPoints[leaf.code]) { leafPoints[leaf.code].textContent = format(leaf.points); }
    });
  }

  function showMissing(count) {
    var counter = document.querySelector("[data-missing-count]");
    if (counter && typeof count === "number") { counter.textContent = String(count); }
  }

  // ------------------------------------------------------------------ a leaf's history

  // fetched when opened (a sheet may hold thousands of changes); rendered and escaped by the server
  function loadHistory(details) {
    var target = details.querySelector("[data-history]");
    details.setAttribute("data-loaded", "1");
    fetch(details.getAttribute("data-history-url"), {
      credentials: "same-origin", headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) { target.innerHTML = html; }, function () {
      details.removeAttribute("data-loaded");
      target.textContent = texts.failed;
    });
  }

  document.querySelectorAll("details.history[data-history-url]").forEach(function (details) {
    details.addEventListener("toggle", function () {
      if (details.open && !details.hasAttribute("data-loaded")) { loadHistory(details); }
    });
  });

  // ------------------------------------------------------------------ one leaf's form

  function Entry(form) {
    this.form = form;
    this.timer = null;
    this.busy = false;
    this.again = false;
    this.retries = 0;
    this.state = form.querySelector("[data-state]");
    this.conflict = form.querySelector("[data-conflict]");
    this.version = form.querySelector("[data-version]");
    var self = this;
    form.addEventListener("input", function () { self.schedule(); });
    form.addEventListener("change", function (event) {
      if (event.target.hasAttribute("data-na")) { self.syncNotApplicable(); }
      self.schedule();
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); self.saveNow(); });
    this.syncNotApplicable();
    this.saved = this.content();
  }

  // What the person entered, without the version and token: a blur after typing fires "change"
  // again, and saving what the server already holds would only cost a request.
  Entry.prototype.content = function () {
    var parts = [];
    new FormData(this.form).forEach(function (value, name) {
      if (name !== "version" && name !== "csrfmiddlewaretoken") { parts.push(name + "=" + value); }
    });
    return parts.join("&");
  };

  Entry.prototype.valueInputs = function () {
    return this.form.querySelectorAll("[name=value], [name=numerator], [name=denominator]");
  };

  Entry.prototype.syncNotApplicable = function () {
    var box = this.form.querySelector("[data-na]");
    var off = !!(box && box.checked);
    this.valueInputs().forEach(function (input) { input.disabled = off; });
  };

  Entry.prototype.schedule = function () {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () {
      if (self.busy || self.content() !== self.saved) { self.saveNow(); }
    }, DELAY);
  };

  Entry.prototype.say = function (text, isError) {
    this.state.textContent = text;
    this.state.classList.toggle("error", !!isError);
  };

  Entry.prototype.invalid = function (flag) {
    this.valueInputs().forEach(function (input) {
      if (flag) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    });
  };

  Entry.prototype.saveNow = function () {
    clearTimeout(this.timer);
    if (this.busy) { this.again = true; return; } // one save at a time: the next uses its version
    this.busy = true;
    this.say(texts.saving, false);
    var self = this;
    var sent = this.content();
    post(this.form, new FormData(this.form))
      .then(function (answer) {
        if (answer.status === 503) { return self.retryLater(); }
        self.retries = 0;
        if (answer.status === 200 && answer.data.ok) { self.saved = sent; }
        self.answered(answer);
      }, function () { self.retryLater(); })
      .then(function () {
        self.busy = false;
        if (self.again) { self.again = false; self.saveNow(); }
      });
  };

  // The server is restarting or the network dropped: the same save is sent again, with the same
  // version, after 2, 4, 8… s (at most 30 s apart). A save whose first sending was committed
  // after all is recognised by the server as already done (assessments.services.entry_save).
  Entry.prototype.retryLater = function () {
    var self = this;
    if (this.retries >= RETRIES) { this.retries = 0; this.say(texts.offline, true); return; }
    this.retries += 1;
    this.say(texts.retrying, true);
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.saveNow(); }, Math.min(30000, 1000 * Math.pow(2, this.retries)));
  };

  Entry.prototype.answered = function (answer) {
    var data = answer.data;
    if (answer.status === 200 && data.ok) {
      this.version.value = data.version;
      this.invalid(false);
      this.conflict.hidden = true;
      this.say(texts.saved + " " + clock(), false);
      showPoints(data.result);
      showMissing(data.missing);
      var leaf = this.form.closest("[data-leaf]");
      var count = leaf && leaf.querySelector("[data-history-count]");
      if (count) { count.textContent = String(data.history_count); }
      var history = leaf && leaf.querySelector("details.history");
      if (history) { history.removeAttribute("data-loaded"); if (history.open) { loadHistory(history); } }
    } else if (answer.status === 409 && data.conflict) {
      this.again = false;
      this.say(texts.failed, true);
      this.showConflict(data);
    } else {
      this.invalid(answer.status === 400);
      this.say((data.errors || [texts.failed]).join(" "), true);
    }
  };

  function element(tag, text) {
    var el = document.createElement(tag);
    if (text !== undefined) { el.textContent = text; }
    return el;
  }

  Entry.prototype.showConflict = function (data) {
    var theirs = data.conflict;
    var box = this.conflict;
    var self = this;
    box.textContent = "";
    box.appendChild(element("p", (data.errors || []).join(" ")));
    box.appendChild(element("p", texts.conflict_by
      .replace("%(who)s", theirs.by || texts.someone)
      .replace("%(when)s", theirs.at || "")));
    var list = element("dl");
    list.appendChild(element("dt", texts.value));
    list.appendChild(element("dd", theirs.value || texts.empty));
    list.appendChild(element("dt", texts.note));
    list.appendChild(element("dd", theirs.note || texts.empty));
    box.appendChild(list);
    var take = element("button", texts.use_theirs);
    take.type = "button";
    take.className = "secondary";
    take.addEventListener("click", function () {
      self.fill(theirs.value, theirs.note);
      self.version.value = theirs.version;
      self.saved = self.content();
      box.hidden = true;
      self.say("", false);
    });
    var keep = element("button", texts.keep_mine);
    keep.type = "button";
    keep.addEventListener("click", function () {
      self.version.value = theirs.version;
      box.hidden = true;
      self.saveNow();
    });
    box.appendChild(take);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(keep);
    box.hidden = false;
    take.focus();
  };

  var YES = ["có", "co", "yes", "1", "true", "x", "đạt", "dat"];
  var NO = ["không", "khong", "no", "0", "false", "không đạt", "khong dat"];

  Entry.prototype.fill = function (value, note) {
    var form = this.form;
    var text = (value || "").trim();
    var folded = text.toLowerCase();
    var box = form.querySelector("[data-na]");
    var na = folded === "na" || folded === "n/a" || folded === "không phát sinh" || folded === "kps";
    if (box) { box.checked = na; }
    if (!na) {
      var parts = text.split("/");
      var numerator = form.querySelector("[name=numerator]");
      var denominator = form.querySelector("[name=denominator]");
      if (numerator && denominator) {
        numerator.value = parts.length > 1 ? parts[0].trim() : "";
        denominator.value = parts.length > 1 ? parts[1].trim() : "";
      }
      form.querySelectorAll("input[type=radio][name=value]").forEach(function (radio) {
        var wanted = YES.indexOf(folded) >= 0 ? "có" : NO.indexOf(folded) >= 0 ? "không" : null;
        radio.checked = radio.value === wanted;
      });
      var single = form.querySelector("select[name=value], input[name=value]:not([type=radio])");
      if (single) { single.value = text; }
    }
    var noteBox = form.querySelector("[name=note]");
    if (noteBox) { noteBox.value = note || ""; }
    this.syncNotApplicable();
  };

  document.querySelectorAll("form[data-entry]").forEach(function (form) { new Entry(form); });

  // ------------------------------------------------------------------ evidence

  function knownDocuments(block) {
    var ids = {};
    block.querySelectorAll("[data-document]").forEach(function (li) { ids[li.getAttribute("data-document")] = true; });
    return ids;
  }

  function offerDocuments(documents) {
    Object.keys(evidenceBlocks).forEach(function (code) {
      var block = evidenceBlocks[code];
      var form = block.querySelector("[data-link-form]");
      var select = block.querySelector("[data-link-select]");
      if (!form || !select) { return; }
      var linked = knownDocuments(block);
      (documents || []).forEach(function (doc) {
        var id = String(doc.id);
        if (linked[id] || select.querySelector("option[value='" + id + "']")) { return; }
        var option = element("option", doc.name);
        option.value = id;
        select.appendChild(option);
      });
      form.hidden = select.options.length === 0;
    });
  }

  // `resend`: an upload is sent again after a 503 or a lost connection, like a save (the server
  // knows a document it already holds by its SHA-256, so a second sending adds nothing)
  function send(form, body, done, resend, attempt) {
    var block = form.closest("[data-evidence]");
    var state = block.querySelector("[data-evidence-state]");
    var tries = attempt || 0;
    if (state) { state.textContent = texts.uploading; state.classList.remove("error"); }
    function again() {
      if (!resend || tries >= RETRIES) { return false; }
      if (state) { state.textContent = texts.retrying; state.classList.add("error"); }
      setTimeout(function () { send(form, body, done, resend, tries + 1); }, Math.min(30000, 2000 * Math.pow(2, tries)));
      return true;
    }
    post(form, body).then(function (answer) {
      if (answer.status === 503 && again()) { return; }
      var data = answer.data;
      Object.keys(data.html || {}).forEach(function (code) {
        var target = evidenceBlocks[code];
        if (target) { target.innerHTML = data.html[code]; bindEvidence(target); }
      });
      offerDocuments(data.documents);
      showMissing(data.missing);
      var now = block.querySelector("[data-evidence-state]");
      if (now) {
        now.textContent = data.ok ? done : (data.errors || [texts.failed]).join(" ");
        now.classList.toggle("error", !data.ok);
      }
    }, function () {
      if (!again() && state) { state.textContent = texts.offline; state.classList.add("error"); }
    });
  }

  function withFiles(form, files) {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrf(form));
    body.append("code", form.querySelector("[name=code]").value);
    for (var i = 0; i < files.length; i += 1) { body.append("files", files[i]); }
    return body;
  }

  function bindEvidence(block) {
    var upload = block.querySelector("[data-upload-form]");
    if (upload) {
      var input = upload.querySelector("input[type=file]");
      input.addEventListener("change", function () {
        if (input.files.length) { send(upload, withFiles(upload, input.files), texts.uploaded, true); }
      });
      upload.addEventListener("submit", function (event) {
        event.preventDefault();
        if (input.files.length) { send(upload, withFiles(upload, input.files), texts.uploaded, true); }
      });
    }
    block.querySelectorAll("[data-evidence-form]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        send(form, new FormData(form), texts.saved);
      });
    });
  }

  var sheetDocuments = document.getElementById("sheet-documents");
  if (sheetDocuments) { offerDocuments(JSON.parse(sheetDocuments.textContent)); }

  Object.keys(evidenceBlocks).forEach(function (code) {
    var block = evidenceBlocks[code];
    bindEvidence(block);
    ["dragenter", "dragover"].forEach(function (name) {
      block.addEventListener(name, function (event) {
        if (!block.querySelector("[data-upload-form]")) { return; }
        event.preventDefault();
        block.classList.add("dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      block.addEventListener(name, function () { block.classList.remove("dragging"); });
    });
    block.addEventListener("drop", function (event) {
      var upload = block.querySelector("[data-upload-form]");
      if (!upload) { return; }
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        send(upload, withFiles(upload, event.dataTransfer.files), texts.uploaded, true);
      }
    });
  });
  // a file dropped beside a drop zone must not replace the page (and lose unsaved input)
  window.addEventListener("dragover", function (event) { event.preventDefault(); });
  window.addEventListener("drop", function (event) { event.preventDefault(); });
}());

/* Progress of a background job: `<div data-job-progress="URL">` with a <progress> and a
 * `.job-progress-text`. Every 1.5 s the URL answers {status, percent, stage, next}; the bar
 * and the text follow it, and once the job is finished the page goes to `next` (the result,
 * or the file's problems). Without JavaScript the page has a refresh link.
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-job-progress]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-job-progress");
  var bar = box.querySelector("progress");
  var label = box.querySelector(".job-progress-text");

  function show(state) {
    if (state.percent === null) {
      bar.removeAttribute("value");
    } else {
      bar.value = state.percent;
    }
    var text = state.stage + (state.percent === null ? "" : " " + state.percent + "%");
    bar.setAttribute("aria-label", state.stage);
    label.textContent = text;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (answer) {
        if (!answer.ok) { throw new Error(String(answer.status)); }
        return answer.json();
      })
      .then(function (state) {
        show(state);
        if (state.next) {
          window.location.replace(state.next);
        } else {
          window.setTimeout(poll, 1500);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  window.setTimeout(poll, 1000);
})();

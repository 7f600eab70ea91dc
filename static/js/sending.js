// A form is sent once. A second click on its button (or Enter) while the first sending is on
// its way does nothing, so that a slow answer does not add a session, a nomination or a
// message twice. The form may be sent again once the page is shown again from the browser's
// history, or after a while when the answer was a download and the page stayed.
(function () {
  "use strict";
  var HOLD_MS = 10000;

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post") {
      return;
    }
    var sentAt = Number(form.getAttribute("data-sent-at") || 0);
    if (Date.now() - sentAt < HOLD_MS) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-sent-at", String(Date.now()));
  });

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {  // back from the history: the page is as the person left it
      document.querySelectorAll("form[data-sent-at]").forEach(function (form) {
        form.removeAttribute("data-sent-at");
      });
    }
  });
})();

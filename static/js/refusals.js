// A page that shows what it refused (the summary of a refused form, a red banner) brings the
// reader to it as it opens: a screen reader reads it out, and its links lead to the fields to
// correct. Without JavaScript the refusal is still the first thing in the page's content, and
// its title begins "Error:". A focus another script gave (or the reader already moved) stays.
(function () {
  "use strict";
  var refusal = null;

  function unfocused() {
    var active = document.activeElement;
    return !active || active === document.body || active === document.documentElement;
  }

  function onLoad() {
    if (!unfocused()) {
      return;
    }
    // The first of them in the page: a banner above a form's own summary.
    refusal = document.querySelector(".flash-refusal, .error-summary");
    if (!refusal) {
      return;
    }
    refusal.focus();
    if (window.location.hash) {
      // The browser's scroll to the address's #part, which comes later, takes the focus back
      // to the page: it is given again then, unless the reader moved it meanwhile.
      window.addEventListener("load", function () {
        if (unfocused()) {
          refusal.focus();
        }
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onLoad);
  } else {
    onLoad();
  }
})();

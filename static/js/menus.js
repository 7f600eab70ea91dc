// Menus are <details> disclosures that work without JavaScript; this only closes an open one
// when the reader clicks elsewhere or presses Escape, as a menu is expected to.
(function () {
  "use strict";
  var selector = "details.portal-menu, details.language-switcher";

  function closeAll(except) {
    document.querySelectorAll(selector + "[open]").forEach(function (menu) {
      if (!menu.contains(except)) {
        menu.open = false;
      }
    });
  }

  document.addEventListener("click", function (event) {
    closeAll(event.target);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = document.querySelectorAll(selector + "[open]");
    if (open.length) {
      var innermost = open[open.length - 1];
      innermost.open = false;
      innermost.querySelector("summary").focus();
    }
  });
})();

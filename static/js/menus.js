// Menus are <details> disclosures that work without JavaScript; this only closes an open one
// when the reader clicks elsewhere or presses Escape, as a menu is expected to. The language
// menu, drawn over the page, closes too when the focus leaves it: it would hide what has the
// focus next. (The phone's menu pushes the page down instead, hiding nothing.)
(function () {
  "use strict";
  var selector = "details.portal-menu, details.language-switcher";

  function closeAll(except, which) {
    document.querySelectorAll((which || selector) + "[open]").forEach(function (menu) {
      if (!menu.contains(except)) {
        menu.open = false;
      }
    });
  }

  document.addEventListener("click", function (event) {
    closeAll(event.target);
  });

  document.addEventListener("focusin", function (event) {
    closeAll(event.target, "details.language-switcher");
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = document.querySelectorAll(selector + "[open]");
    if (open.length) {
      var innermost = open[open.length - 1];
      // The focus goes back to the menu's button only from inside the menu, which hides it.
      var within = innermost.contains(document.activeElement);
      innermost.open = false;
      if (within) {
        innermost.querySelector("summary").focus();
      }
    }
  });
})();

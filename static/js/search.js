// The header search is a plain form; this only lets "/" bring the cursor to it, as on many
// sites, unless the reader is typing in a field already. On a phone it opens the menu first.
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var target = event.target;
    if (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) {
      return;
    }
    var field = document.getElementById("header-q");
    if (!field) {
      return;
    }
    event.preventDefault();
    var menu = field.closest("details");
    if (menu && !menu.open) {
      // Closed, the menu hides the field on a phone (a wide screen shows it either way); the
      // field can take the focus once the opened menu has been laid out.
      menu.open = true;
      window.requestAnimationFrame(function () { focus(field); });
    } else {
      focus(field);
    }
  });

  function focus(field) {
    field.focus();
    field.select();
  }
})();

// The header search is a plain form; this only lets Ctrl+K (⌘K on a Mac) bring the cursor to
// it, as on many sites, unless the reader is typing in a field already. A key pressed alone
// never does (WCAG 2.1.4): a word dictated to speech input, or a key struck by mistake, would
// set it off. On a phone it opens the menu first.
(function () {
  "use strict";

  function isShortcut(event) {
    // The key's place, not its letter: "k" is another letter on an Arabic or Cyrillic keyboard.
    var k = event.code === "KeyK" || (event.key || "").toLowerCase() === "k";
    return k && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey;
  }

  document.addEventListener("keydown", function (event) {
    if (!isShortcut(event)) {
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

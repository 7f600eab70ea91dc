// What a person typed is never lost to an expired form. When a form is sent, its entries are
// kept in this browser tab (sessionStorage, gone when the tab closes) until the next page
// shows. If that page says the form has expired (its security token lapsed, or the sign-in
// ended), it offers the way back, and the form's own page, shown again, gets the entries back.
// A confirmation page ("Please confirm: this will happen") keeps them too: its "No, go back"
// leads to the form's page, where they go back into the form. Any other page means the portal
// received the form: the entries are forgotten. Forms with a password are never kept, nor
// files, nor the form's security token. Among forms that send to the same address (an item's
// "Move up" and "Move down"), the entries go back into the one that was sent. The header's
// language switch, which sends a page's entries again to show it in another language, keeps
// what was kept before it.
(function () {
  "use strict";
  var KEY = "gfp-kept-entries";
  var MAX_AGE_MS = 2 * 60 * 60 * 1000;
  var script = document.currentScript;

  function read() {
    try {
      return JSON.parse(window.sessionStorage.getItem(KEY) || "null");
    } catch (error) {
      return null;
    }
  }

  function write(entries) {
    try {
      if (entries) {
        window.sessionStorage.setItem(KEY, JSON.stringify(entries));
      } else {
        window.sessionStorage.removeItem(KEY);
      }
    } catch (error) {
      // Storage full or refused: the form is sent as it would be without this script.
    }
  }

  function pageOf(url) {
    return url.split("#")[0];
  }

  function pathOf(url) {
    return pageOf(url).split("?")[0];
  }

  function sameAction(action) {
    return Array.prototype.filter.call(document.forms, function (candidate) {
      return candidate.action === action;
    });
  }

  function keptFields(form) {
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (field) {
      var type = (field.type || "").toLowerCase();
      if (!field.name || field.disabled || field.name === "csrf_token" ||
          ["file", "submit", "button", "reset", "image"].indexOf(type) !== -1) {
        return;
      }
      if (type === "checkbox" || type === "radio") {
        if (field.checked) {
          fields.push([field.name, field.value]);
        }
      } else if (field.tagName === "SELECT" && field.multiple) {
        Array.prototype.forEach.call(field.selectedOptions, function (option) {
          fields.push([field.name, option.value]);
        });
      } else {
        fields.push([field.name, field.value]);
      }
    });
    return fields;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if ((form.method || "").toLowerCase() !== "post" ||
        form.querySelector("input[type=password]") ||
        form.hasAttribute("data-language-switch")) {  // the same page in another language
      return;
    }
    if (form.hasAttribute("data-confirmation")) {  // the entries stay those of the form itself
      var entries = read();
      if (entries && event.submitter && event.submitter.name === "went_back") {
        entries.returned = true;
        // What was typed on the confirmation page itself (a reason) goes back too.
        Array.prototype.forEach.call(form.querySelectorAll("textarea[name]"), function (field) {
          entries.fields = entries.fields.filter(function (pair) {
            return pair[0] !== field.name;
          }).concat([[field.name, field.value]]);
        });
        write(entries);
      }
      return;
    }
    write({page: pageOf(window.location.href), action: form.action,
           index: sameAction(form.action).indexOf(form), sentAt: Date.now(), expired: false,
           fields: keptFields(form)});
  });

  function restore(form, fields) {
    var values = {};
    fields.forEach(function (pair) {
      (values[pair[0]] = values[pair[0]] || []).push(pair[1]);
    });
    Array.prototype.forEach.call(form.elements, function (field) {
      var type = (field.type || "").toLowerCase();
      if (!field.name || field.name === "csrf_token" || type === "file") {
        return;
      }
      var kept = values[field.name];
      if (type === "checkbox") {  // a box the person had cleared sent nothing: clear it again
        field.checked = Boolean(kept) && kept.indexOf(field.value) !== -1;
      } else if (!kept) {
        return;
      } else if (type === "radio") {
        field.checked = kept.indexOf(field.value) !== -1;
      } else if (field.tagName === "SELECT") {
        Array.prototype.forEach.call(field.options, function (option) {
          option.selected = kept.indexOf(option.value) !== -1;
        });
      } else {
        field.value = kept[0];
      }
    });
  }

  // The entries put back into the form that was sent, which is returned (none if gone).
  function giveBack(entries) {
    var forms = sameAction(entries.action);
    var form = forms[entries.index] || forms[0];
    if (form) {
      restore(form, entries.fields);
    }
    return form;
  }

  function notice(form) {
    var text = script && script.getAttribute("data-restored");
    if (!text) {
      return;
    }
    var message = document.createElement("div");
    message.id = "entries-back";
    message.className = "alert alert-info";
    message.setAttribute("role", "status");
    message.textContent = text;
    form.parentNode.insertBefore(message, form);
  }

  function onLoad() {
    var entries = read();
    if (!entries) {
      return;
    }
    var offer = document.getElementById("kept-entries");
    if (offer) {  // the form expired: offer the way back to it
      entries.expired = true;
      entries.returned = false;
      write(entries);
      var link = offer.querySelector("a");
      link.href = entries.page;
      offer.hidden = false;
      // "Sign in again, then go back": no longer the advice, nor its own button.
      ["entries-lost", "sign-in-again"].forEach(function (id) {
        var advice = document.getElementById(id);
        if (advice) {
          advice.hidden = true;
        }
      });
      return;
    }
    if (document.querySelector("form[data-confirmation]")) {
      return;  // asked to confirm: nothing is done yet, and "No, go back" brings the form back
    }
    if (entries.returned) {  // back from the confirmation: to the form's page, whatever its query
      write(null);
      if (pathOf(window.location.href) === pathOf(entries.page)) {
        giveBack(entries);
      }
      return;
    }
    if (!entries.expired) {  // the portal received the form
      write(null);
      return;
    }
    if (Date.now() - entries.sentAt > MAX_AGE_MS) {
      write(null);
      return;
    }
    if (pageOf(window.location.href) !== entries.page) {
      return;  // on the way back (the sign-in page): keep them
    }
    write(null);
    var form = giveBack(entries);
    if (form) {
      notice(form);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onLoad);
  } else {
    onLoad();
  }
})();

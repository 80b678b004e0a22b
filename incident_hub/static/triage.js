/* Keyboard triage for the alert queue (templates/triage/queue.html).
 *
 * Progressive enhancement: without this file every action is a plain form that redirects back
 * to the same page, sort and filters, scrolled to the next alert. With it: j/k or the arrow keys
 * move between alerts, d dismisses with a reason, o opens a case, l links to a case, x selects,
 * ? shows the shortcuts; the actions are sent with fetch and the row is removed in place, the
 * next one focused. No inline code: the page's CSP allows scripts from our origin only.
 */
(function () {
  "use strict";

  var status = document.getElementById("triage-status");
  var help = document.getElementById("keys-help");
  var current = null;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-alert]"));
  }

  function say(text) {
    if (status) {
      status.textContent = "";
      status.textContent = text;
    }
  }

  function focusRow(row) {
    if (!row) {
      return;
    }
    if (current && current !== row) {
      current.classList.remove("current");
    }
    current = row;
    row.classList.add("current");
    row.focus();
    row.scrollIntoView({ block: "nearest" });
  }

  function rowOf(node) {
    return node && node.closest ? node.closest("[data-alert]") : null;
  }

  function active() {
    return rowOf(document.activeElement) || current;
  }

  function move(step) {
    var list = rows();
    if (!list.length) {
      return;
    }
    var index = list.indexOf(active());
    var next = index < 0 ? 0 : Math.min(list.length - 1, Math.max(0, index + step));
    focusRow(list[next]);
  }

  function field(row, action, name) {
    return row ? row.querySelector('form[data-action="' + action + '"] [name="' + name + '"]') : null;
  }

  function updateCount() {
    var count = document.querySelector(".bulk-count");
    var checked = document.querySelectorAll('input[name="ids"][form="bulk"]:checked').length;
    if (count) {
      count.textContent = checked ? checked + " selected" : "";
    }
  }

  /* Take rows out after they were triaged, focus the one after (or before) the first, and
   * fetch the page again when none is left (the server moves to the last page if need be). */
  function removeRows(gone) {
    var list = rows();
    var first = list.indexOf(gone[0]);
    var keep = list.filter(function (row) { return gone.indexOf(row) < 0; });
    gone.forEach(function (row) { row.remove(); });
    var total = document.querySelector("h1 small");
    var left = total ? parseInt(total.textContent.replace(/\D/g, ""), 10) - gone.length : NaN;
    if (total && !isNaN(left)) {
      total.textContent = "(" + Math.max(0, left) + ")";
    }
    updateCount();
    if (!keep.length) {
      window.location.reload();
      return;
    }
    var after = list.slice(first + 1).filter(function (row) { return keep.indexOf(row) >= 0; });
    focusRow(after[0] || keep[keep.length - 1]);
  }

  function showError(form, text) {
    var note = form.querySelector(".field-error");
    if (!note) {
      note = document.createElement("p");
      note.className = "field-error";
      note.setAttribute("role", "alert");
      form.appendChild(note);
    }
    note.textContent = text;
  }

  function send(form) {
    var kind = form.getAttribute("data-action");
    var gone = kind === "bulk"
      ? Array.prototype.slice.call(document.querySelectorAll('input[name="ids"][form="bulk"]:checked')).map(rowOf)
      : [rowOf(form)];
    if (kind === "bulk" && !gone.length) {
      showError(form, "Select the alerts to dismiss first (x, or the checkboxes).");
      return;
    }
    var body = new FormData(form); // the checkboxes too: they belong to the form (form="bulk")
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "triage.js", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () {
        return { message: "The action failed (" + response.status + "). Reload the page and try again." };
      }).then(function (answer) {
        if (!response.ok) {
          showError(form, answer.message);
          return;
        }
        if (kind === "bulk") {
          form.querySelector('[name="reason"]').value = "";
        }
        say(answer.message);
        removeRows(gone.filter(Boolean));
      });
    }, function () {
      showError(form, "The server could not be reached; nothing was changed.");
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-action]") || !window.fetch) {
      return;
    }
    event.preventDefault();
    send(form);
  });

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.id === "select-page") {
      document.querySelectorAll('input[name="ids"][form="bulk"]').forEach(function (each) {
        each.checked = box.checked;
      });
    }
    if (box.name === "ids" || box.id === "select-page") {
      updateCount();
    }
  });

  document.addEventListener("focusin", function (event) {
    var row = rowOf(event.target);
    if (row && row !== current) {
      if (current) {
        current.classList.remove("current");
      }
      current = row;
      row.classList.add("current");
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var target = event.target;
    if (target.matches && target.matches("input:not([type=checkbox]), textarea, select")) {
      if (event.key === "Escape" && rowOf(target)) {
        event.preventDefault();
        target.value = "";
        focusRow(rowOf(target));
      }
      return;
    }
    var row = active();
    var key = event.key;
    var target_field = null;
    if (key === "j" || key === "ArrowDown") {
      move(1);
    } else if (key === "k" || key === "ArrowUp") {
      move(-1);
    } else if (key === "d" || key === "l") {
      target_field = key === "d" ? field(row, "dismiss", "reason") : field(row, "link", "case");
      if (!target_field) {
        say(row ? "This alert cannot be " + (key === "d" ? "dismissed." : "linked.") : "Choose an alert first (j or k).");
        return;
      }
      var folded = target_field.closest("details");
      if (folded) {
        folded.open = true;
      }
      target_field.focus();
    } else if (key === "o") {
      var open = row ? row.querySelector('[data-key="open"]') : null;
      if (!open) {
        say(row ? "A case cannot be opened from this alert." : "Choose an alert first (j or k).");
        return;
      }
      window.location.assign(open.href);
    } else if (key === "x") {
      var box = row ? row.querySelector('input[name="ids"]') : null;
      if (!box) {
        return;
      }
      box.checked = !box.checked;
      updateCount();
      say(box.checked ? "Selected." : "Not selected.");
    } else if (key === "?") {
      if (help) {
        help.open = !help.open;
      }
    } else {
      return;
    }
    event.preventDefault();
  });

  if (help) {
    help.hidden = false;
  }
  var selectPage = document.querySelector(".select-page");
  if (selectPage) {
    selectPage.hidden = false;
  }
  var anchored = window.location.hash.match(/^#alert-(\d+)$/);
  var start = anchored ? document.getElementById("alert-" + anchored[1]) : null;
  if (start) {
    focusRow(start);
  }
})();

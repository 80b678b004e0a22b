/* Drafts: autosave a form as it is typed, and take the reader to a field's error.
 *
 * A form with data-draft-url is posted there (its fields, the CSRF token among them) a moment
 * after the last keystroke; the server keeps it as the user's draft of that form and answers
 * when, which the element named by data-draft-status shows ("Draft saved 14:05 UTC").
 * Without this script the forms work as before: the server still keeps what a submission
 * carried through an expired session or a re-authentication. Served from our own origin
 * (CSP script-src 'self'); no inline script, no library.
 */
(function () {
  "use strict";

  var DELAY_MS = 1200;

  function say(status, text) {
    if (status) {
      status.textContent = text;
    }
  }

  function autosave(form) {
    var url = form.getAttribute("data-draft-url");
    var status = document.getElementById(form.getAttribute("data-draft-status") || "");
    var timer = null;
    var busy = false;
    var again = false;
    var stopped = false;

    function save() {
      timer = null;
      if (stopped) {
        return;
      }
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      var token = form.querySelector("input[name=csrf_token]");
      fetch(url, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "", Accept: "application/json" },
        redirect: "manual"
      })
        .then(function (response) {
          if (response.type === "opaqueredirect") {  // signed out: sent to the sign-in page
            return { ok: false, status: 401, body: {} };
          }
          return response.json().then(function (body) {
            return { ok: response.ok, status: response.status, body: body };
          });
        })
        .then(function (answer) {
          if (answer.ok) {
            say(status, "Draft saved " + answer.body.label);
          } else if (answer.status === 401) {
            stopped = true;
            say(status, "Your session has expired. What you typed is kept: submit the form " +
              "or sign in again to continue.");
          } else {
            say(status, "Draft not saved: " + ((answer.body.error || {}).message || "refused"));
          }
        })
        .catch(function () {
          say(status, "Draft not saved (no connection); it will be tried again as you type.");
        })
        .then(function () {
          busy = false;
          if (again) {
            again = false;
            schedule();
          }
        });
    }

    function schedule() {
      if (timer !== null) {
        window.clearTimeout(timer);
      }
      timer = window.setTimeout(save, DELAY_MS);
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    form.addEventListener("submit", function () {
      stopped = true;
      if (timer !== null) {
        window.clearTimeout(timer);
      }
    });
  }

  /* The field named in an error takes the focus (autofocus does it too; a browser that
     ignored autofocus, or a page opened at an anchor, is brought there). */
  function focusError() {
    var field = document.querySelector("[aria-invalid=true]");
    if (field && document.activeElement !== field) {
      field.focus();
    }
    if (field) {
      field.scrollIntoView({ block: "center" });
    }
  }

  function start() {
    var forms = document.querySelectorAll("form[data-draft-url]");
    for (var i = 0; i < forms.length; i += 1) {
      autosave(forms[i]);
    }
    focusError();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

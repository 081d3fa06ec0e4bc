// Doorstep: small progressive enhancements. Every page works without this file.
"use strict";

// A form is sent once: the submit buttons are disabled after the first press (the server also
// refuses a second copy, see the resident form's submission token).
function guardDoubleSubmit(form) {
  form.addEventListener("submit", function (event) {
    if (form.dataset.sent === "1") { event.preventDefault(); return; }
    form.dataset.sent = "1";
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
      window.setTimeout(function () { b.disabled = true; }, 0);
    });
  });
}

// Buttons with data-confirm ask before their form is sent.
function confirmBeforeSubmit(form) {
  var message = form.getAttribute("data-confirm");
  form.addEventListener("submit", function (event) {
    if (!window.confirm(message)) { event.preventDefault(); form.dataset.sent = ""; }
  }, true);
}

// The hamlet picker shows only the hamlets of the chosen commune.
function linkHamletPicker(communeSelect) {
  var hamlet = document.getElementById(communeSelect.getAttribute("data-hamlet-picker"));
  if (!hamlet) { return; }
  function update() {
    var commune = communeSelect.value;
    Array.prototype.forEach.call(hamlet.options, function (option) {
      var belongs = !option.value || !commune || option.getAttribute("data-commune") === commune;
      option.hidden = !belongs;
      option.disabled = !belongs;
    });
    var chosen = hamlet.options[hamlet.selectedIndex];
    if (chosen && chosen.disabled) { hamlet.value = ""; }
  }
  communeSelect.addEventListener("change", update);
  update();
}

// Live queue: poll a JSON endpoint and refresh the counts and the rows without a reload.
function pollQueue(container) {
  var url = container.getAttribute("data-poll-url");
  var every = parseInt(container.getAttribute("data-poll-seconds") || "15", 10) * 1000;
  var note = container.querySelector(".live-note");
  function refresh() {
    fetch(url + window.location.search, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var target = container.querySelector("[data-live-html]");
        if (target && typeof data.html === "string" && target.innerHTML !== data.html) {
          target.innerHTML = data.html;
        }
        if (note && data.updated) { note.textContent = note.getAttribute("data-label") + " " + data.updated; }
      })
      .catch(function () { /* offline for a moment: try again at the next tick */ });
  }
  window.setInterval(refresh, every);
}

// Selecting a filter sends the filter form at once (a submit button stays for no-JS use).
function autoSubmitFilters(form) {
  form.querySelectorAll("select").forEach(function (select) {
    select.addEventListener("change", function () { form.submit(); });
  });
}

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-confirm]").forEach(confirmBeforeSubmit);
  document.querySelectorAll("form").forEach(guardDoubleSubmit);
  document.querySelectorAll("select[data-hamlet-picker]").forEach(linkHamletPicker);
  document.querySelectorAll("[data-poll-url]").forEach(pollQueue);
  document.querySelectorAll("form[data-autosubmit]").forEach(autoSubmitFilters);
});

/* MDNA — progressive enhancement only: every page works without JavaScript. */
(function () {
  "use strict";
  // A submit button marked data-une-fois is disabled after the first click (the server is
  // idempotent anyway: a second submit never creates a second dossier).
  document.addEventListener("submit", function (event) {
    var button = event.target.querySelector("button[data-une-fois]");
    if (button) {
      window.setTimeout(function () { button.disabled = true; button.textContent = "Envoi en cours…"; }, 0);
    }
  });
  // Conditional fields: shown only when the answer they depend on has the expected value.
  function valueOf(form, name) {
    var checked = form.querySelector('[name$="' + name + '"]:checked');
    if (checked) { return checked.value; }
    var field = form.querySelector('[name$="-' + name + '"], [name="' + name + '"]');
    return field && field.type !== "radio" ? field.value : "";
  }
  function refresh(form) {
    form.querySelectorAll("[data-condition-champ]").forEach(function (block) {
      if (!block.getAttribute("data-condition-valeurs")) { return; }
      var source = block.getAttribute("data-condition-champ");
      var expected = (block.getAttribute("data-condition-valeurs") || "").split("|");
      var value = valueOf(form, source);
      var show = expected.indexOf(value) !== -1;
      block.hidden = !show;
    });
  }
  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector("[data-condition-champ]")) { return; }
    refresh(form);
    form.addEventListener("change", function () { refresh(form); });
  });
  var summary = document.getElementById("resume-erreurs");
  if (summary) { summary.focus(); }
})();

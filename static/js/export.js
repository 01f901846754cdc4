/* MDNA — follows an export of the work queue: asks the server for its state every two seconds
   and updates the progress bar and the status message (an aria-live region). Without
   JavaScript, the page offers a link to reload it. */
(function () {
  "use strict";
  var suivi = document.getElementById("export-suivi");
  if (!suivi || suivi.getAttribute("data-fini") === "oui" || !window.fetch) { return; }
  var url = suivi.getAttribute("data-etat-url");
  var barre = document.getElementById("export-progression");
  var statut = document.getElementById("export-statut");
  var telecharger = document.getElementById("export-telecharger");
  var actualiser = document.getElementById("export-actualiser");
  var dernier = statut.textContent;

  function afficher(etat) {
    barre.value = etat.pourcentage;
    barre.textContent = etat.pourcentage + " %";
    if (etat.message !== dernier) {
      statut.textContent = etat.message;
      dernier = etat.message;
    }
    statut.className = "alerte alerte--" +
      (etat.statut === "echec" ? "error" : etat.statut === "termine" ? "success" : "info");
    if (etat.telechargement) {
      telecharger.querySelector("a").setAttribute("href", etat.telechargement);
      telecharger.hidden = false;
    }
    if (etat.fini) { actualiser.hidden = true; }
  }

  function interroger() {
    window.fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (reponse) { return reponse.ok ? reponse.json() : null; })
      .then(function (etat) {
        if (!etat) { return; }
        afficher(etat);
        if (!etat.fini) { window.setTimeout(interroger, 2000); }
      })
      .catch(function () { window.setTimeout(interroger, 5000); });
  }
  window.setTimeout(interroger, 1000);
})();

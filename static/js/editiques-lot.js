// Progress of a batch of documents: polls the JSON view and updates the counters.
(function () {
  "use strict";
  var zone = document.getElementById("lot-progression");
  if (!zone) { return; }
  var url = zone.getAttribute("data-url");
  function maj() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        Object.keys(p).forEach(function (cle) {
          document.querySelectorAll('[data-champ="' + cle + '"]').forEach(function (el) {
            el.textContent = p[cle];
          });
        });
        var barre = document.getElementById("lot-barre");
        if (barre) { barre.value = p.pourcentage; barre.textContent = p.pourcentage + " %"; }
        var fini = p.en_attente === 0 && p.archive_statut !== "en_cours";
        if (!fini) { window.setTimeout(maj, 3000); }
        else if (p.archive_statut === "pret" && !document.querySelector('a[href$="/archive/telecharger/"]')) {
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(maj, 10000); });
  }
  window.setTimeout(maj, 2000);
})();

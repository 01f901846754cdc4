"""The accountant's acknowledgement (PES_ACQUIT) of an exported PES: each bordereau is marked
accepted or rejected with the accountant's reasons, shown to finance staff."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from instruction.services import ActionRefusee
from mdna.models import AuditEvent
from paiements import flux, services
from paiements.exports.acquit import lire_pes_acquit, schema_pes_acquit
from paiements.models import Acquit, NatureRetour, RetourComptable, StatutExport
from tests.paiements.acquit import pes_acquit
from tests.paiements.conftest import demander

pytestmark = pytest.mark.django_db


def _valide(contenu: bytes) -> None:
    from lxml import etree

    schema = schema_pes_acquit()
    assert schema.validate(etree.fromstring(contenu)), schema.error_log


@pytest.fixture
def exporte(engagement, certifiee, claire, marc, paul, django_capture_on_commit_callbacks):
    """Two bordereaux of one mandate each, exported together in one PES."""
    premier = services.mandat_liquider(demande=certifiee, par=paul)
    demande = demander(engagement, claire, rang=2)
    demande = services.service_fait_certifier(
        demande=demande, par=marc, montant=demande.montant_echeance
    )
    second = services.mandat_liquider(demande=demande, par=paul)
    b1 = services.bordereau_creer(mandats=[premier], par=paul)
    b2 = services.bordereau_creer(mandats=[second], par=paul)
    with django_capture_on_commit_callbacks(execute=True):
        export = flux.export_demander(format="pes", bordereaux=[b1, b2], par=paul)
    export.refresh_from_db()
    assert export.statut == StatutExport.PRET, export.erreurs
    return export, b1, b2


def _fichier(contenu: bytes, nom="ACK_PES.xml"):
    return SimpleUploadedFile(nom, contenu, content_type="text/xml")


def test_one_bordereau_accepted_one_rejected_with_the_accountants_reasons(exporte, paul, client):
    export, b1, b2 = exporte
    contenu = pes_acquit(
        export.nom,
        [
            {"domaine": "0", "ok": True},
            {"domaine": "5", "ok": True, "bordereau": b1.numero, "exercice": b1.exercice},
            {
                "domaine": "5",
                "ok": False,
                "bordereau": b2.numero,
                "exercice": b2.exercice,
                "erreurs": [("ERREUR_CUMUL_MONTANTS", "Cumul annuel incohérent")],
                "pieces": {2: [("ERREUR_SIRET", "SIRET du tiers inconnu")]},
            },
        ],
    )
    _valide(contenu)
    client.force_login(paul)
    page = client.post(reverse("finances:retours"), {"fichier": _fichier(contenu)}, follow=True)
    assert "1 bordereau(x) accepté(s), 1 rejeté(s)" in page.content.decode()
    assert "Cumul annuel incohérent" in page.content.decode()

    b1.refresh_from_db(), b2.refresh_from_db(), export.refresh_from_db()
    assert b1.acquit == Acquit.ACCEPTE and b1.acquit_motifs == []
    assert b2.acquit == Acquit.REJETE
    assert b2.acquit_motifs == [
        "Cumul annuel incohérent — ERREUR_CUMUL_MONTANTS",
        "Pièce 2 : SIRET du tiers inconnu — ERREUR_SIRET",
    ]
    assert export.acquit == Acquit.REJETE
    retour = RetourComptable.objects.get()
    assert retour.nature == NatureRetour.ACQUIT and (retour.acceptes, retour.rejetes) == (1, 1)
    assert AuditEvent.objects.filter(action="bordereau.rejete_comptable", actor=paul).count() == 1
    assert AuditEvent.objects.filter(action="acquit.importe").count() == 1

    page = client.get(reverse("finances:bordereau", args=[b2.pk]))
    assert "SIRET du tiers inconnu" in page.content.decode()
    page = client.get(reverse("finances:exports"))
    assert "Rejeté par le comptable" in page.content.decode()


def test_a_file_rejected_at_the_technical_check_rejects_every_bordereau(exporte, paul):
    export, b1, b2 = exporte
    contenu = pes_acquit(
        export.nom,
        [{"domaine": "1", "ok": False, "erreurs": [("ERREUR_SIGNATURE_INVALIDE", "Signature")]}],
    )
    _valide(contenu)
    flux.acquit_importer(fichier=_fichier(contenu), par=paul)
    b1.refresh_from_db(), b2.refresh_from_db()
    assert b1.acquit == b2.acquit == Acquit.REJETE
    assert b1.acquit_motifs == ["Signature technique : Signature — ERREUR_SIGNATURE_INVALIDE"]


def test_a_corrected_bordereau_accepted_later_loses_its_rejection(exporte, paul):
    export, b1, b2 = exporte
    element = {"domaine": "5", "bordereau": b2.numero, "exercice": b2.exercice}
    flux.acquit_importer(
        fichier=_fichier(pes_acquit(export.nom, [{**element, "ok": False}]), "a.xml"), par=paul
    )
    b2.refresh_from_db()
    assert b2.acquit == Acquit.REJETE and b2.acquit_motifs == ["Rejet sans motif."]
    flux.acquit_importer(
        fichier=_fichier(pes_acquit("AUTRE.xml", [{**element, "ok": True}]), "b.xml"), par=paul
    )
    b2.refresh_from_db()
    assert b2.acquit == Acquit.ACCEPTE and b2.acquit_motifs == []
    retour = RetourComptable.objects.filter(nom="b.xml").get()
    assert retour.anomalies == ["Aucun export PES de MDNA ne s'appelle « AUTRE.xml »."]


def test_unknown_bordereau_duplicate_file_and_invalid_file(exporte, paul):
    export, *_ = exporte
    contenu = pes_acquit(
        export.nom, [{"domaine": "5", "ok": True, "bordereau": 99, "exercice": 2026}]
    )
    retour = flux.acquit_importer(fichier=_fichier(contenu), par=paul)
    assert retour.anomalies == ["Bordereau 99/2026 : inconnu dans MDNA."]
    with pytest.raises(ActionRefusee, match="déjà été importé"):
        flux.acquit_importer(fichier=_fichier(contenu), par=paul)
    casse = contenu.replace(b'EtatAck V="1"', b'EtatAck V="7"')
    assert lire_pes_acquit(casse).erreurs
    with pytest.raises(ActionRefusee, match="PES_ACQUIT"):
        flux.acquit_importer(fichier=_fichier(casse), par=paul)


def test_only_finance_staff_import(exporte, marc):
    export, *_ = exporte
    contenu = pes_acquit(export.nom, [{"domaine": "0", "ok": True}])
    with pytest.raises(PermissionDenied):
        flux.acquit_importer(fichier=_fichier(contenu), par=marc)
    assert not RetourComptable.objects.exists()

"""Money invariants, from the models to the accountant's files."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from lxml import etree

from dispositifs.models import Etat
from instruction.services import ActionRefusee
from mdna.models import AuditEvent, Notification
from paiements import flux, services
from paiements.echeancier import calculer_echeancier
from paiements.exports import validate_pes
from paiements.exports.csv_export import build_csv
from paiements.models import (
    DemandeVersement,
    Export,
    Mandat,
    StatutDemande,
    StatutExport,
    StatutMandat,
)
from tests.paiements.conftest import demander
from tests.paiements.retour import pes_retour

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "montant", ["10000.01", "0.01", "0.02", "333.33", "999999.99", "7.00", "12345.67"]
)
def test_the_schedule_always_sums_to_the_grant_exactly(montant):
    modele = [{"pourcentage": 33.33}, {"pourcentage": 33.33}, {"pourcentage": 33.34}]
    lignes = calculer_echeancier(Decimal(montant), modele)
    assert sum(ligne.montant for ligne in lignes) == Decimal(montant)
    assert all(ligne.montant >= 0 for ligne in lignes)


def test_engagement_takes_the_scheme_imputation_and_schedule(engagement, dossier, paul):
    assert engagement.montant == Decimal("10000.01")
    assert (engagement.chapitre, engagement.nature, engagement.fonction) == ("65", "6574", "311")
    assert engagement.programme == "P311"
    montants = [e.montant for e in engagement.echeances.all()]
    assert montants == [Decimal("3000.00"), Decimal("4000.00"), Decimal("3000.01")]
    assert services.engagement_creer(dossier=dossier, par=paul) == engagement  # idempotent
    services.engagement_modifier(engagement=engagement, par=paul, nature="20421")
    event = AuditEvent.objects.for_target(engagement).get(action="engagement.modifie")
    assert event.before["nature"] == "6574" and event.after["nature"] == "20421"


def test_service_fait_on_proof_is_reduced_pro_rata(engagement, claire, marc):
    # Planned expenses 20,000 €, realised 10,000 €: the aid due is half the grant.
    avance = demander(engagement, claire, rang=1, depenses="0")
    services.service_fait_certifier(demande=avance, par=marc, montant=Decimal("3000.00"))
    acompte = demander(engagement, claire, rang=2, depenses="10000.00")
    assert services.montant_propose(acompte) == Decimal("2000.00")
    with pytest.raises(ActionRefusee, match="dépasser 2000.00"):
        services.service_fait_certifier(demande=acompte, par=marc, montant=Decimal("4000.00"))
    with pytest.raises(ActionRefusee, match="Expliquez la réduction"):
        services.service_fait_certifier(demande=acompte, par=marc, montant=Decimal("2000.00"))
    services.service_fait_certifier(
        demande=acompte, par=marc, montant=Decimal("2000.00"), motif="Dépenses à 50 %"
    )
    acompte.refresh_from_db()
    assert acompte.montant_certifie == Decimal("2000.00")


def test_only_the_instructing_service_certifies(engagement, claire, paul):
    from django.core.exceptions import PermissionDenied

    from tests.factories import ServiceFactory, UserFactory

    demande = demander(engagement, claire)
    autre = UserFactory(role="instructeur", service=ServiceFactory(code="ECO"))
    for intrus in (autre, paul, claire):
        with pytest.raises(PermissionDenied):
            services.service_fait_certifier(demande=demande, par=intrus, montant=Decimal("1"))


def test_an_instalment_cannot_be_asked_twice_nor_mandated_twice(
    certifiee, engagement, claire, paul
):
    with pytest.raises(ActionRefusee):
        demander(engagement, claire)
    services.mandat_liquider(demande=certifiee, par=paul)
    with pytest.raises(ActionRefusee, match="pas à liquider"):
        services.mandat_liquider(demande=certifiee, par=paul)
    # The database refuses a second mandate for the instalment even without the service.
    mandat = Mandat.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        mandat.pk = None
        mandat.numero = 99
        mandat.save()


def test_the_database_refuses_a_mandate_above_its_instalment(certifiee, paul):
    mandat = services.mandat_liquider(demande=certifiee, par=paul)
    with pytest.raises(IntegrityError), transaction.atomic():
        Mandat.objects.filter(pk=mandat.pk).update(montant=mandat.plafond + Decimal("0.01"))


def test_an_invalid_iban_issues_no_mandate(certifiee, association, paul):
    association.iban = "FR7630006000011234567890180"
    association.save()
    with pytest.raises(ActionRefusee, match="IBAN invalide"):
        services.mandat_liquider(demande=certifiee, par=paul)
    assert not Mandat.objects.exists()
    certifiee.refresh_from_db()
    assert certifiee.statut == StatutDemande.CERTIFIEE


def test_first_mandate_moves_the_dossier_to_payment_and_numbers_are_gapless(
    certifiee, engagement, claire, marc, paul, dossier
):
    premier = services.mandat_liquider(demande=certifiee, par=paul)
    dossier.refresh_from_db()
    assert dossier.etat == Etat.EN_PAIEMENT
    deuxieme_demande = demander(engagement, claire, rang=2)
    services.service_fait_certifier(
        demande=deuxieme_demande, par=marc, montant=deuxieme_demande.montant_echeance
    )
    # A liquidation that fails after taking a number gives it back.
    with pytest.raises(ActionRefusee), transaction.atomic():
        services.mandat_liquider(demande=deuxieme_demande, par=paul)
        raise ActionRefusee("abandon")
    deuxieme = services.mandat_liquider(demande=deuxieme_demande, par=paul)
    assert (premier.numero, deuxieme.numero) == (1, 2)
    bordereau = services.bordereau_creer(mandats=[premier, deuxieme], par=paul)
    assert bordereau.numero == 1
    assert bordereau.montant_total == Decimal("7000.00")
    assert bordereau.nombre_mandats == 2


def _tout_payer(engagement, claire, marc, paul):
    mandats = []
    for echeance in engagement.echeances.all():
        demande = demander(engagement, claire, rang=echeance.rang)
        services.service_fait_certifier(demande=demande, par=marc, montant=echeance.montant)
        mandats.append(services.mandat_liquider(demande=demande, par=paul))
    return mandats


def test_a_return_file_marks_the_right_mandates_paid_and_tells_the_applicant(
    engagement, claire, marc, paul, dossier, django_capture_on_commit_callbacks
):
    mandats = _tout_payer(engagement, claire, marc, paul)
    bordereau = services.bordereau_creer(mandats=mandats, par=paul)
    premier, deuxieme, troisieme = mandats
    contenu = pes_retour(
        [
            {
                "exercice": 2026,
                "bordereau": 1,
                "numero": premier.numero,
                "montant": "3000.00",
                "date": "2026-12-04",
            },
            {"exercice": 2026, "bordereau": 1, "numero": deuxieme.numero, "montant": "4000.00"},
            {
                "exercice": 2026,
                "bordereau": 1,
                "numero": 77,
                "montant": "1.00",
                "date": "2026-12-04",
            },
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        retour = flux.retour_importer(fichier=ContentFile(contenu, name="retour.xml"), par=paul)
    assert retour.mandats_payes == 1
    assert retour.anomalies == ["Mandat 77/2026 : inconnu dans MDNA."]
    statuts = {m.numero: (m.statut, m.paye_le) for m in Mandat.objects.all()}
    assert statuts[premier.numero] == (StatutMandat.PAYE, dt.date(2026, 12, 4))
    assert statuts[deuxieme.numero][0] == StatutMandat.EMIS
    assert DemandeVersement.objects.get(mandat=premier).statut == StatutDemande.PAYEE
    assert Notification.objects.filter(user=claire, titre__contains="versement effectué").exists()
    with pytest.raises(ActionRefusee, match="déjà été importé"):
        flux.retour_importer(fichier=ContentFile(contenu, name="retour.xml"), par=paul)
    # Manual "paid on" for the rest: the dossier is closed when every instalment is paid.
    for mandat in (deuxieme, troisieme):
        services.mandat_marquer_paye(mandat=mandat, par=paul, le=dt.date(2026, 12, 5))
    dossier.refresh_from_db()
    assert dossier.etat == Etat.SOLDE
    assert bordereau.mandats.filter(statut=StatutMandat.PAYE).count() == 3


def test_an_invalid_return_file_is_refused_with_its_errors(paul):
    with pytest.raises(ActionRefusee, match="PES retour conforme"):
        flux.retour_importer(fichier=ContentFile(b"<PES_Retour/>", name="r.xml"), par=paul)


def lire(export) -> bytes:
    with export.fichier.open("rb") as fichier:
        return fichier.read()


def _exporter(format, bordereaux, paul, capture):
    with capture(execute=True):
        export = flux.export_demander(format=format, bordereaux=bordereaux, par=paul)
    export.refresh_from_db()
    return export


def test_pes_from_the_models_validates_with_several_lines_accents_long_labels_and_annulation(
    certifiee, engagement, paul, dossier, django_capture_on_commit_callbacks
):
    dossier.titre = "Festival « Rue & Théâtre » — édition été " + "très " * 30
    dossier.save()
    long = "Cachets des artistes de la compagnie Œil-de-Bœuf et location de la scène " * 2
    mandat = services.mandat_liquider(
        demande=certifiee,
        par=paul,
        lignes=[(long, Decimal("2000.00")), ("Frais de régie", Decimal("1000.00"))],
    )
    ordinaire = services.bordereau_creer(mandats=[mandat], par=paul)
    reduction = services.mandat_annuler(
        mandat=mandat, par=paul, montant=Decimal("500.00"), motif="Dépenses non justifiées"
    )
    annulation = services.bordereau_creer(mandats=[reduction], par=paul)
    assert (ordinaire.numero, annulation.numero, reduction.numero) == (1, 2, 2)
    export = _exporter("pes", [ordinaire, annulation], paul, django_capture_on_commit_callbacks)
    assert export.statut == StatutExport.PRET, export.erreurs
    contenu = lire(export)
    assert validate_pes(contenu) == []
    import hashlib

    assert hashlib.sha256(contenu).hexdigest() == export.sha256
    racine = etree.fromstring(contenu)
    lignes = racine.findall(".//Bordereau[1]/Piece/LigneDePiece")
    assert len(lignes) == 2
    libelle = lignes[0].find("BlocLignePiece/InfoLignePce/LibVir1").get("V")
    assert len(libelle) <= 70 and "Œ" not in libelle and "OEil-de-Boeuf" in libelle
    objet = racine.find(".//Piece/BlocPiece/InfoPce/Obj").get("V")
    assert len(objet) <= 100
    rattache = racine.find(".//Bordereau[2]//RattachPiece/IdPceOrig").get("V")
    assert rattache == str(mandat.numero)
    assert racine.find(".//Bordereau[2]/BlocBordereau/TypBord").get("V") == "02"


def test_an_export_that_fails_validation_is_never_offered(
    certifiee, association, paul, django_capture_on_commit_callbacks
):
    mandat = services.mandat_liquider(demande=certifiee, par=paul)
    Mandat.objects.filter(pk=mandat.pk).update(tiers_code_postal="ABC")
    bordereau = services.bordereau_creer(mandats=[mandat], par=paul)
    export = _exporter("pes", [bordereau], paul, django_capture_on_commit_callbacks)
    assert export.statut == StatutExport.INVALIDE
    assert not export.fichier and not export.sha256
    assert "code postal" in export.erreurs[0]


def test_sepa_and_csv_from_the_models(certifiee, paul, django_capture_on_commit_callbacks):
    mandat = services.mandat_liquider(demande=certifiee, par=paul)
    bordereau = services.bordereau_creer(mandats=[mandat], par=paul)
    sepa = _exporter("sepa", [bordereau], paul, django_capture_on_commit_callbacks)
    assert sepa.statut == StatutExport.PRET
    assert b"FR7630006000011234567890189" in lire(sepa)
    csv = _exporter("csv", [bordereau], paul, django_capture_on_commit_callbacks)
    assert "3000,00" in lire(csv).decode("utf-8-sig")
    assert Export.objects.filter(statut=StatutExport.PRET).count() == 2
    assert build_csv  # the exporter itself is tested in test_exports


def test_lapse_is_flagged_after_the_deadline_and_confirmed_by_an_agent(engagement, paul, dossier):
    assert services.caducites_signaler(aujourdhui=engagement.date_limite) == 0
    lendemain = engagement.date_limite + dt.timedelta(days=1)
    assert services.caducites_signaler(aujourdhui=lendemain) == 1
    assert services.caducites_signaler(aujourdhui=lendemain) == 0
    services.caducite_constater(engagement=engagement, par=paul, motif="Aucune demande en 2 ans")
    dossier.refresh_from_db()
    assert dossier.etat == Etat.CADUC


def test_a_repayment_order_never_exceeds_what_was_paid(certifiee, paul):
    mandat = services.mandat_liquider(demande=certifiee, par=paul)
    services.bordereau_creer(mandats=[mandat], par=paul)
    with pytest.raises(ActionRefusee):
        services.titre_emettre(
            engagement=mandat.engagement, par=paul, montant=Decimal("1"), motif="trop"
        )
    services.mandat_marquer_paye(mandat=mandat, par=paul, le=dt.date(2026, 12, 1))
    # The steering dashboard counts the payment once, even if recorded again.
    from instruction.pilotage.models import CumulPilotage

    assert not services.mandat_marquer_paye(mandat=mandat, par=paul, le=dt.date(2026, 12, 1))
    verse = CumulPilotage.objects.aggregate(v=Sum("montant_verse"))["v"]
    assert verse == mandat.montant
    titre = services.titre_emettre(
        engagement=mandat.engagement, par=paul, montant=Decimal("1000.00"), motif="Projet réduit"
    )
    assert (titre.numero, titre.montant) == (1, Decimal("1000.00"))
    with pytest.raises(ActionRefusee):
        services.titre_emettre(
            engagement=mandat.engagement, par=paul, montant=Decimal("2000.01"), motif="trop"
        )


def test_a_fully_cancelled_mandate_is_never_paid_and_a_lapsed_grant_never_mandated(
    certifiee, engagement, claire, marc, paul
):
    mandat = services.mandat_liquider(demande=certifiee, par=paul)
    services.bordereau_creer(mandats=[mandat], par=paul)
    services.mandat_annuler(
        mandat=mandat, par=paul, montant=mandat.montant, motif="Erreur de tiers"
    )
    with pytest.raises(ActionRefusee, match="entièrement annulé"):
        services.mandat_marquer_paye(mandat=mandat, par=paul, le=dt.date(2026, 12, 4))
    with pytest.raises(ActionRefusee, match="entre 0,01"):
        services.mandat_annuler(mandat=mandat, par=paul, montant=Decimal("0.01"), motif="encore")

    acompte = demander(engagement, claire, rang=2)
    services.service_fait_certifier(demande=acompte, par=marc, montant=acompte.montant_echeance)
    services.caducite_constater(engagement=engagement, par=paul, motif="Projet abandonné")
    with pytest.raises(ActionRefusee, match="ne peut plus être mis en paiement"):
        services.mandat_liquider(demande=acompte, par=paul)


def test_building_an_export_does_not_query_per_mandate(
    festivals, association, claire, sophie, marc, paul, django_assert_max_num_queries
):
    from tests.instruction.conftest import deposer
    from tests.paiements.conftest import attribuer

    mandats = []
    for _ in range(6):
        dossier = attribuer(deposer(festivals, association, claire), sophie, "1000.00")
        engagement = services.engagement_creer(dossier=dossier, par=paul)
        demande = demander(engagement, claire)
        services.service_fait_certifier(demande=demande, par=marc, montant=Decimal("300.00"))
        mandats.append(services.mandat_liquider(demande=demande, par=paul))
    bordereau = services.bordereau_creer(mandats=mandats, par=paul)
    export = Export.objects.create(format="pes", cree_par=paul)
    export.bordereaux.set([bordereau])
    with django_assert_max_num_queries(12):
        flux.export_construire(export_id=export.pk)
    export.refresh_from_db()
    assert export.statut == StatutExport.PRET

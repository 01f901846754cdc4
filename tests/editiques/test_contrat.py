"""The éditiques contract other apps rely on: request in the caller's transaction, render after
commit, once per event; rollback issues nothing; the instruction workflow's caller works."""

import datetime as dt

import pytest
from django.db import transaction

from editiques.models import Document, Statut
from editiques.services import document_demander, lot_creer
from editiques.tasks import rendre_document
from mdna.models import AuditEvent, DocumentCoffre
from tests.editiques.conftest import normaliser, texte_pdf
from tests.instruction.conftest import deposer

pytestmark = pytest.mark.django_db


def test_requested_in_transaction_and_rendered_after_commit(
    dossier, claire, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document_demander(
            type="accuse_completude", par=claire, cle_evenement="complet-1", dossier=dossier
        )
        document = Document.objects.get(type="accuse_completude")
        assert document.statut == Statut.DEMANDE  # not rendered before commit
    document.refresh_from_db()
    assert document.statut == Statut.RENDU
    assert document.numero.startswith("AC-")
    assert len(document.sha256) == 64 and document.taille > 1000
    assert document.gabarit_version.startswith("accuse_completude@")
    assert document.donnees["dossier"]["numero"] == dossier.numero
    texte = normaliser(texte_pdf(document))
    assert "Les Tréteaux de la Creuse" in texte and document.numero in texte
    assert "Page 1 sur" in texte
    coffre = DocumentCoffre.objects.get(pk=document.coffre_id)
    assert (
        coffre.tiers == dossier.tiers
        and coffre.emis_par_region
        and coffre.type == "courrier_region"
    )
    assert coffre.dossier == dossier and coffre.sha256 == document.sha256
    assert AuditEvent.objects.filter(action="editique.emis", target_id=str(document.pk)).exists()


def test_same_event_twice_gives_one_document(dossier, claire, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            document_demander(type="refus", par=claire, cle_evenement="refus-9", dossier=dossier)
    assert Document.objects.filter(type="refus").count() == 1


def test_a_retried_or_duplicated_task_never_makes_a_second_file(
    dossier, claire, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document_demander(type="refus", par=claire, cle_evenement="refus-1", dossier=dossier)
    document = Document.objects.get(type="refus")
    nom, sha = document.fichier.name, document.sha256
    assert rendre_document.apply(args=[document.pk]).get() == "rendu"
    rendre_document.apply(args=[document.pk]).get()
    document.refresh_from_db()
    assert (document.fichier.name, document.sha256, document.tentatives) == (nom, sha, 1)
    assert DocumentCoffre.objects.filter(sha256=sha).count() == 1


def test_rollback_of_the_caller_issues_nothing(dossier, claire, django_capture_on_commit_callbacks):
    class Abandon(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Abandon),
        transaction.atomic(),
    ):
        document_demander(type="refus", par=claire, cle_evenement="r-1", dossier=dossier)
        raise Abandon
    assert callbacks == []
    assert not Document.objects.filter(type="refus").exists()
    # The number was given back: the next document takes it.
    with django_capture_on_commit_callbacks(execute=True):
        document_demander(type="refus", par=claire, cle_evenement="r-2", dossier=dossier)
    assert Document.objects.get(type="refus").numero.endswith("-000001")


def test_the_instruction_workflow_issues_its_document(
    dossier, marc, django_capture_on_commit_callbacks
):
    from instruction.services import transition_executer

    with django_capture_on_commit_callbacks(execute=True):
        transition_executer(
            nom="declarer_complet", dossier=dossier, par=marc, verrou=dossier.verrou
        )
    document = Document.objects.get(type="accuse_completude", dossier=dossier)
    assert document.statut == Statut.RENDU
    assert dossier.numero in normaliser(texte_pdf(document))


def test_lot_counts_progress(dossier, marc, django_capture_on_commit_callbacks):
    lot = lot_creer(libelle="Commission du 4 décembre", par=marc)
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            document_demander(
                type="notification_attribution",
                par=marc,
                cle_evenement=f"cp-{i}",
                dossier=dossier,
                contexte={"montant": "1500.00"},
                lot=lot,
            )
    assert (lot.total, lot.rendus, lot.echecs) == (3, 3, 0)


def test_unknown_type_is_refused(dossier, claire):
    with pytest.raises(ValueError):
        document_demander(
            type="lettre_au_pere_noel", par=claire, cle_evenement="x", dossier=dossier
        )


def test_filing_issues_one_acknowledgement(
    festivals, association, claire, django_capture_on_commit_callbacks
):
    from dispositifs.depot import services as depot

    with django_capture_on_commit_callbacks(execute=True):
        dossier = deposer(festivals, association, claire)
    with django_capture_on_commit_callbacks(execute=True):
        depot.dossier_deposer(dossier=dossier, par=claire)  # resubmit (double click)
    accuses = Document.objects.filter(type="accuse_depot", dossier=dossier)
    assert accuses.count() == 1
    accuse = accuses.get()
    assert accuse.statut == Statut.RENDU
    texte = normaliser(texte_pdf(accuse))
    assert dossier.numero in texte and "ne vaut pas accord" in texte


def test_a_request_lost_by_the_broker_is_caught_up(dossier, claire, monkeypatch):
    import datetime

    from django.utils import timezone

    from editiques import services

    with transaction.atomic():
        document_demander(type="refus", par=claire, cle_evenement="perdu", dossier=dossier)
    # No on_commit here: the task was never queued, as if the broker had been down.
    document = Document.objects.get(type="refus")
    assert services.demandes_rattraper() == 0  # too recent: its task may still be on its way
    Document.objects.filter(pk=document.pk).update(
        demande_le=timezone.now() - datetime.timedelta(minutes=30)
    )
    assert services.demandes_rattraper() >= 1
    document.refresh_from_db()
    assert document.statut == Statut.RENDU


def test_the_commission_vote_issues_the_arrete_with_the_approved_amount(
    dossier, marc, sophie, django_capture_on_commit_callbacks
):
    from decimal import Decimal

    from instruction.models import Proposition
    from instruction.programmation import services as programmation

    Dossier = type(dossier)
    Dossier.objects.filter(pk=dossier.pk).update(etat="propose")
    dossier.refresh_from_db()
    Proposition.objects.create(
        dossier=dossier,
        montant=Decimal("4321.50"),
        sens="favorable",
        justification="Festival reconnu.",
        auteur=marc,
        statut="approuvee",
    )
    # Only the commission permanente grants: through a session's vote.
    commission = programmation.commission_creer(
        par=sophie, date=dt.date(2026, 12, 17), libelle="Commission permanente"
    )
    programmation.points_inscrire(commission=commission, par=sophie, dossiers=[dossier])
    with django_capture_on_commit_callbacks(execute=True):
        programmation.commission_voter(
            commission=commission,
            par=sophie,
            decisions={p.pk: "adopte" for p in commission.points.all()},
        )
    arrete = Document.objects.get(type="arrete_attributif", dossier=dossier)
    assert arrete.statut == Statut.RENDU, arrete.erreur
    texte = normaliser(texte_pdf(arrete))
    assert "4 321,50 €" in texte
    assert "quatre mille trois cent vingt et un euros et cinquante centimes" in texte
    assert "Tribunal administratif de Bordeaux" in texte

"""A lapsed grant frees its unpaid credits; a repayment order lowers the paid figure. The envelope,
the dashboard and the rebuild command agree with a direct count (docs/decisions/0013)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from dispositifs.models import Dossier, Etat
from instruction.pilotage import selectors
from instruction.pilotage.models import CumulPilotage, VersementConstate
from instruction.pilotage.recalcul import pilotage_recalculer
from instruction.pilotage.services import pilotage_reversement_enregistrer
from instruction.programmation.models import Enveloppe, Imputation, StatutImputation
from mdna.models import AuditEvent
from paiements import services
from paiements.models import Mandat, StatutMandat, TitreRecette
from tests.factories import UserFactory
from tests.paiements import conftest as paiements_fixtures

pytestmark = pytest.mark.django_db

# The payments' fixtures (a 10,000.01 € grant voted by the commission, Paul at the finances).
culture = paiements_fixtures.culture
festivals = paiements_fixtures.festivals
marc = paiements_fixtures.marc
sophie = paiements_fixtures.sophie
paul = paiements_fixtures.paul
claire = paiements_fixtures.claire
association = paiements_fixtures.association
dossier = paiements_fixtures.dossier
engagement = paiements_fixtures.engagement
certifiee = paiements_fixtures.certifiee


@pytest.fixture
def subventionne(enveloppe, dossier):
    """The envelope exists before the vote, so the grant draws on it."""
    return dossier


def _direct():
    """What an accountant computes from the votes, the mandates and the repayment orders."""
    payes = Mandat.objects.filter(statut=StatutMandat.PAYE, origine__isnull=True)
    verse = sum(
        (m.montant - (m.annulations.aggregate(s=Sum("montant"))["s"] or 0) for m in payes),
        Decimal(0),
    ) - (TitreRecette.objects.aggregate(s=Sum("montant"))["s"] or 0)
    attribue = Decimal(0)
    for d in Dossier.objects.filter(etat__in=[Etat.ATTRIBUE, Etat.EN_PAIEMENT, Etat.CADUC]):
        vote = d.points_commission.filter(decision="adopte").get().montant
        attribue += min(verse, vote) if d.etat == Etat.CADUC else vote
    return {"attribue": attribue, "verse": verse}


def _photo(enveloppe):
    admin = UserFactory(role="administrateur", is_superuser=True)
    total = selectors.tableau(admin)["total"]
    e = Enveloppe.objects.get(pk=enveloppe.pk)
    return {"attribue": total.attribue, "verse": total.verse, "enveloppe": e.montant_attribue}


def test_lapse_frees_the_unpaid_credits_and_a_repayment_lowers_the_paid_figure(
    subventionne, enveloppe, certifiee, paul
):
    assert Enveloppe.objects.get(pk=enveloppe.pk).montant_attribue == Decimal("10000.01")
    mandat = services.mandat_liquider(demande=certifiee, par=paul)
    services.bordereau_creer(mandats=[mandat], par=paul)
    services.mandat_marquer_paye(mandat=mandat, par=paul, le=dt.date(2026, 12, 1))
    paye = mandat.montant
    assert _photo(enveloppe) == {
        "attribue": Decimal("10000.01"),
        "verse": paye,
        "enveloppe": Decimal("10000.01"),
    }

    titre = services.titre_emettre(
        engagement=mandat.engagement, par=paul, montant=Decimal("1000.00"), motif="Projet réduit"
    )
    assert VersementConstate.objects.get(cle=f"titre-{titre.pk}").montant == Decimal("-1000.00")
    net = paye - Decimal("1000.00")
    assert _photo(enveloppe)["verse"] == net == _direct()["verse"]

    services.caducite_constater(
        engagement=mandat.engagement, par=paul, motif="Projet abandonné après l'avance"
    )
    subventionne.refresh_from_db()
    assert subventionne.etat == Etat.CADUC
    imputation = Imputation.objects.get(dossier=subventionne)
    # Only what stays paid is consumed: the rest of the grant goes back to the envelope.
    assert (imputation.statut, imputation.montant) == (StatutImputation.CADUQUE, net)
    e = Enveloppe.objects.get(pk=enveloppe.pk)
    assert e.montant_attribue == net
    assert e.credits_votes - e.montant_propose - e.montant_attribue == Decimal("15000.00") - net
    avant = _photo(enveloppe)
    assert avant == {"attribue": net, "verse": net, "enveloppe": net}
    assert {"attribue": avant["attribue"], "verse": avant["verse"]} == _direct()

    # The rebuild command finds the same figures, also when it has to re-create the imputation.
    pilotage_recalculer()
    assert _photo(enveloppe) == avant
    Imputation.objects.all().delete()
    assert pilotage_recalculer(reprise=True)["imputations_reprises"] == 1
    assert _photo(enveloppe) == avant
    assert Imputation.objects.get(dossier=subventionne).statut == StatutImputation.CADUQUE


def test_a_lapse_without_any_payment_frees_the_whole_grant(
    subventionne, enveloppe, engagement, paul
):
    services.caducite_constater(engagement=engagement, par=paul, motif="Aucune demande en 2 ans")
    assert _photo(enveloppe) == {"attribue": 0, "verse": 0, "enveloppe": 0}
    assert CumulPilotage.objects.get().montant_attribue == 0
    avant = _photo(enveloppe)
    pilotage_recalculer(reprise=True)
    assert _photo(enveloppe) == avant


def test_a_repayment_is_counted_once_and_must_be_positive(subventionne, paul):
    assert pilotage_reversement_enregistrer(
        dossier=subventionne, montant=Decimal("10.00"), cle="titre-x", par=paul
    )
    assert not pilotage_reversement_enregistrer(
        dossier=subventionne, montant=Decimal("10.00"), cle="titre-x", par=paul
    )
    assert CumulPilotage.objects.get().montant_verse == Decimal("-10.00")
    assert AuditEvent.objects.filter(action="pilotage.versement").count() == 1
    with pytest.raises(ValueError):
        pilotage_reversement_enregistrer(
            dossier=subventionne, montant=Decimal("0"), cle="titre-y", par=paul
        )

"""An annulation-réduction reopens the instalment: the cancelled amount can be asked and
mandated again, and never is more paid than granted."""

from decimal import Decimal

import pytest
from django.urls import reverse

from instruction.services import ActionRefusee
from paiements import services
from paiements.models import Mandat, StatutDemande
from tests.paiements.conftest import demander

pytestmark = pytest.mark.django_db


def _net(engagement) -> Decimal:
    return services.montant_mandate_net(engagement)


def _annuler(certifiee, paul, montant, rouvrir=True):
    mandat = services.mandat_liquider(demande=certifiee, par=paul)
    services.bordereau_creer(mandats=[mandat], par=paul)
    services.mandat_annuler(
        mandat=mandat, par=paul, montant=Decimal(montant), motif="IBAN clos", rouvrir=rouvrir
    )
    return mandat


def test_a_reduction_reopens_the_instalment_for_the_cancelled_amount_only(
    engagement, certifiee, claire, marc, paul, client
):
    avance = engagement.echeances.get(rang=1)
    assert avance.montant == Decimal("3000.00")
    _annuler(certifiee, paul, "500.00")
    assert services.montant_demandable(avance) == Decimal("500.00")

    client.force_login(claire)
    page = client.get(reverse("versements:liste", args=[engagement.dossier.pk]))
    assert "reste à demander : 500,00" in page.content.decode()

    nouvelle = demander(engagement, claire, rang=1)
    assert nouvelle.montant_echeance == Decimal("500.00") and nouvelle.reouverture == 1
    with pytest.raises(ActionRefusee, match="déjà en cours"):
        demander(engagement, claire, rang=1)
    assert services.montant_propose(nouvelle) == Decimal("500.00")
    with pytest.raises(ActionRefusee, match="dépasser"):
        services.service_fait_certifier(demande=nouvelle, par=marc, montant=Decimal("500.01"))
    nouvelle = services.service_fait_certifier(
        demande=nouvelle, par=marc, montant=Decimal("500.00")
    )
    remandat = services.mandat_liquider(demande=nouvelle, par=paul)
    assert remandat.montant == remandat.plafond == Decimal("500.00")
    assert _net(engagement) == Decimal("3000.00")
    assert services.montant_demandable(avance) == 0
    with pytest.raises(ActionRefusee, match="déjà en cours"):
        demander(engagement, claire, rang=1)


def test_a_reduction_not_reopened_leaves_nothing_to_ask(engagement, certifiee, claire, paul):
    _annuler(certifiee, paul, "3000.00", rouvrir=False)
    with pytest.raises(ActionRefusee, match="rien à demander"):
        demander(engagement, claire, rang=1)


def test_a_full_cancellation_can_be_asked_again_in_full_then_paid_and_closes(
    engagement, certifiee, claire, marc, paul
):
    mandat = _annuler(certifiee, paul, "3000.00")
    certifiee.refresh_from_db()
    assert certifiee.statut == StatutDemande.ANNULEE
    nouvelle = demander(engagement, claire, rang=1)
    assert nouvelle.montant_echeance == Decimal("3000.00")
    services.service_fait_certifier(demande=nouvelle, par=marc, montant=Decimal("3000.00"))
    remandat = services.mandat_liquider(demande=nouvelle, par=paul)
    assert _net(engagement) == Decimal("3000.00")
    with pytest.raises(ActionRefusee, match="entièrement annulé"):
        services.mandat_marquer_paye(mandat=mandat, par=paul, le=mandat.date_emission)
    services.bordereau_creer(mandats=[remandat], par=paul)
    assert services.mandat_marquer_paye(mandat=remandat, par=paul, le=remandat.date_emission)


def test_the_database_and_service_never_mandate_beyond_the_instalment(
    engagement, certifiee, claire, marc, paul
):
    """Even a request forged beyond what reopening allows is refused at liquidation."""
    _annuler(certifiee, paul, "500.00")
    nouvelle = demander(engagement, claire, rang=1)
    services.service_fait_certifier(demande=nouvelle, par=marc, montant=Decimal("500.00"))
    type(nouvelle).objects.filter(pk=nouvelle.pk).update(
        montant_echeance=Decimal("900.00"), montant_certifie=Decimal("900.00")
    )
    with pytest.raises(ActionRefusee, match="montant de l'échéance"):
        services.mandat_liquider(demande=nouvelle, par=paul)
    assert Mandat.objects.filter(demande=nouvelle).count() == 0
    assert _net(engagement) == Decimal("2500.00")


def test_reductions_of_the_remandate_reopen_again_and_the_sum_stays_within_the_grant(
    engagement, certifiee, claire, marc, paul
):
    _annuler(certifiee, paul, "1000.00")
    for reduction in ("400.00", "100.00"):
        nouvelle = demander(engagement, claire, rang=1)
        services.service_fait_certifier(
            demande=nouvelle, par=marc, montant=nouvelle.montant_echeance
        )
        mandat = services.mandat_liquider(demande=nouvelle, par=paul)
        services.bordereau_creer(mandats=[mandat], par=paul)
        services.mandat_annuler(mandat=mandat, par=paul, montant=Decimal(reduction), motif="x")
        assert _net(engagement) <= engagement.montant
    assert services.montant_demandable(engagement.echeances.get(rang=1)) == Decimal("100.00")
    assert _net(engagement) == Decimal("2900.00")

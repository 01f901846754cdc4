"""Two finance officers at once, on PostgreSQL with real row locks."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from instruction.services import ActionRefusee
from paiements import services
from paiements.models import Mandat
from tests.paiements.conftest import demander

pytestmark = pytest.mark.django_db(transaction=True)


def _en_parallele(fonctions):
    barriere = threading.Barrier(len(fonctions))
    resultats: list = [None] * len(fonctions)

    def lancer(index, fonction):
        try:
            barriere.wait(timeout=10)
            resultats[index] = fonction()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            resultats[index] = exc
        finally:
            connection.close()  # this thread's own connection only

    fils = [threading.Thread(target=lancer, args=(i, f)) for i, f in enumerate(fonctions)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(timeout=60)
    return resultats


@pytest.fixture(autouse=True)
def _postgresql_seulement():
    if connection.vendor != "postgresql":
        pytest.skip("Les verrous de ligne se testent sur PostgreSQL.")


def test_two_officers_mandating_the_same_instalment_issue_exactly_one_mandate(certifiee, paul):
    from tests.factories import UserFactory

    collegue = UserFactory(role="gestionnaire")
    resultats = _en_parallele(
        [
            lambda: services.mandat_liquider(demande=certifiee, par=paul),
            lambda: services.mandat_liquider(demande=certifiee, par=collegue),
        ]
    )
    assert Mandat.objects.count() == 1
    assert sum(isinstance(r, Mandat) for r in resultats) == 1
    assert sum(isinstance(r, ActionRefusee) for r in resultats) == 1


def test_concurrent_liquidations_number_without_gaps(
    festivals, association, claire, sophie, marc, paul
):
    from tests.instruction.conftest import deposer
    from tests.paiements.conftest import attribuer

    demandes = []
    for _ in range(6):
        dossier = attribuer(deposer(festivals, association, claire), sophie, "1000.00")
        engagement = services.engagement_creer(dossier=dossier, par=paul)
        demande = demander(engagement, claire)
        services.service_fait_certifier(demande=demande, par=marc, montant=Decimal("300.00"))
        demandes.append(demande)
    resultats = _en_parallele(
        [lambda d=d: services.mandat_liquider(demande=d, par=paul) for d in demandes]
    )
    assert all(isinstance(r, Mandat) for r in resultats), resultats
    numeros = sorted(Mandat.objects.values_list("numero", flat=True))
    assert numeros == list(range(1, 7))


def test_two_officers_cancelling_and_remandating_never_pay_more_than_granted(
    engagement, certifiee, claire, marc, paul
):
    """One officer reduces the advance twice while another liquidates the reopened request:
    locks keep every total within the instalment and the grant."""
    from tests.factories import UserFactory

    collegue = UserFactory(role="gestionnaire")
    avance = engagement.echeances.get(rang=1)
    mandat = services.mandat_liquider(demande=certifiee, par=paul)
    services.bordereau_creer(mandats=[mandat], par=paul)
    # Two officers cancel the same mandate at once, 2000 € each: only 3000 € exist.
    resultats = _en_parallele(
        [
            lambda: services.mandat_annuler(
                mandat=mandat, par=paul, montant=Decimal("2000.00"), motif="IBAN clos"
            ),
            lambda: services.mandat_annuler(
                mandat=mandat, par=collegue, montant=Decimal("2000.00"), motif="IBAN clos"
            ),
        ]
    )
    assert sum(isinstance(r, Mandat) for r in resultats) == 1
    assert sum(isinstance(r, ActionRefusee) for r in resultats) == 1
    assert services.montant_demandable(avance) == Decimal("2000.00")

    nouvelle = demander(engagement, claire, rang=1)
    services.service_fait_certifier(demande=nouvelle, par=marc, montant=Decimal("2000.00"))
    # Both officers liquidate the reopened request at once.
    resultats = _en_parallele(
        [
            lambda: services.mandat_liquider(demande=nouvelle, par=paul),
            lambda: services.mandat_liquider(demande=nouvelle, par=collegue),
        ]
    )
    assert sum(isinstance(r, Mandat) for r in resultats) == 1
    assert services.montant_mandate_net(engagement) == Decimal("3000.00")
    assert services.montant_mandate_net_echeance(avance.pk) == avance.montant
    assert services.montant_demandable(avance) == 0

"""Envelope totals stay exact when valideurs approve and commissions vote at the same time
(PostgreSQL: real row locks between real connections)."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from instruction import services
from instruction.models import Proposition
from instruction.pilotage.models import CumulPilotage
from instruction.programmation import services as programmation
from instruction.programmation.models import Enveloppe, Imputation
from tests.programmation.conftest import EXERCICE, proposer_et_approuver


def _run_together(actions):
    barrier = threading.Barrier(len(actions))
    errors = []

    def worker(action):
        try:
            barrier.wait(timeout=30)
            action()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection only

    threads = [threading.Thread(target=worker, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_envelope_totals_stay_exact_under_concurrent_approvals_and_votes(
    festivals, association, claire, marc, sophie, jeanne, enveloppe
):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks between connections need PostgreSQL.")
    from tests.programmation.conftest import deposer

    en_attente = []
    for montant in ("1000.10", "1500.20", "2000.30"):
        dossier = deposer(festivals, association, claire)
        services.transition_executer(dossier=dossier, nom="declarer_complet", par=marc)
        en_attente.append(
            services.proposition_enregistrer(
                dossier=dossier,
                par=marc,
                montant=Decimal(montant),
                sens="favorable",
                justification="Solide.",
            )
        )
    votes = []
    for jour, montants in ((17, ("100.01", "200.02")), (18, ("300.03", "400.04"))):
        seance = programmation.commission_creer(
            par=jeanne, date=dt.date(EXERCICE, 12, jour), libelle="CP"
        )
        dossiers = [
            proposer_et_approuver(deposer(festivals, association, claire), marc, sophie, m)
            for m in montants
        ]
        programmation.points_inscrire(commission=seance, par=jeanne, dossiers=dossiers)
        votes.append(seance)

    def approuver(proposition):
        return lambda: services.proposition_approuver(proposition=proposition, par=sophie)

    def voter(seance):
        decisions = {p.pk: "adopte" for p in seance.points.all()}
        return lambda: programmation.commission_voter(
            commission=seance, par=jeanne, decisions=decisions
        )

    _run_together([approuver(p) for p in en_attente] + [voter(s) for s in votes])

    e = Enveloppe.objects.get(pk=enveloppe.pk)
    assert e.montant_propose == Decimal("4500.60")
    assert e.montant_attribue == Decimal("1000.10")
    sums = dict(
        Imputation.objects.filter(enveloppe=e).values_list("statut").annotate(s=Sum("montant"))
    )
    assert sums == {"proposee": e.montant_propose, "attribuee": e.montant_attribue}
    cumul = CumulPilotage.objects.aggregate(p=Sum("montant_propose"), a=Sum("montant_attribue"))
    assert (cumul["p"], cumul["a"]) == (e.montant_propose, e.montant_attribue)
    assert Proposition.objects.filter(statut="approuvee").count() == 7

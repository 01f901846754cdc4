"""The steering dashboard: its figures equal a direct count over the dossiers; scope; export."""

import csv
import datetime as dt
import io
import statistics
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from dispositifs.models import Dossier, Etat
from instruction.models import Proposition
from instruction.pilotage import selectors, triggers
from instruction.pilotage.models import CompteurDossiers
from instruction.pilotage.services import pilotage_versement_enregistrer
from instruction.programmation import services as programmation
from instruction.programmation.models import PointOrdreDuJour
from instruction.selectors import en_retard
from tests.factories import DispositifFactory, ServiceFactory, UserFactory
from tests.programmation.conftest import deposer, proposer_et_approuver

pytestmark = pytest.mark.django_db


def _direct(dossiers):
    """What an analyst would compute straight from the dossiers and the votes."""
    dossiers = dossiers.exclude(etat=Etat.BROUILLON)
    points = PointOrdreDuJour.objects.filter(dossier__in=dossiers)
    decides = points.filter(decision__in=["adopte", "rejete"]).select_related("dossier")
    return {
        "nombre": dossiers.count(),
        "par_etat": dict(dossiers.values_list("etat").annotate(n=Count("id"))),
        "demande": dossiers.aggregate(s=Sum("montant_demande"))["s"] or 0,
        "propose": Proposition.objects.filter(
            dossier__in=dossiers.filter(etat=Etat.PROPOSE), statut="approuvee"
        ).aggregate(s=Sum("montant"))["s"]
        or 0,
        "attribue": points.filter(decision="adopte").aggregate(s=Sum("montant"))["s"] or 0,
        "par_departement": dict(dossiers.values_list("departement").annotate(n=Count("id"))),
        "en_retard": en_retard(dossiers).count(),
        "mediane": statistics.median((p.decide_le - p.dossier.depose_le).days for p in decides)
        if decides
        else None,
    }


@pytest.fixture
def activite(festivals, association, claire, marc, sophie, enveloppe, seance, jeanne):
    """Two months of activity: filings in three départements, proposals, a vote, payments."""
    with time_machine.travel(dt.datetime(2026, 9, 1, 9, tzinfo=dt.UTC), tick=False):
        dossiers = [
            deposer(festivals, association, claire, departement=dep)
            for dep in ("23", "23", "87", "19", "87", "19")
        ]
        autre = DispositifFactory(
            publie=True, nom="Éducation artistique", service=festivals.service
        )
        dossiers.append(deposer(autre, association, claire, departement="23"))
    with time_machine.travel(dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC), tick=False):
        proposes = [
            proposer_et_approuver(d, marc, sophie, m)
            for d, m in zip(dossiers[:4], ("1000", "2000", "2500.50", "3000"), strict=False)
        ]
    with time_machine.travel(dt.datetime(2026, 11, 12, 15, tzinfo=dt.UTC), tick=False):
        programmation.points_inscrire(commission=seance, par=jeanne, dossiers=proposes)
        decisions = dict(
            zip(
                seance.points.order_by("dossier_id").values_list("pk", flat=True),
                ("adopte", "adopte", "rejete", "ajourne"),
                strict=True,
            )
        )
        programmation.commission_voter(commission=seance, par=jeanne, decisions=decisions)
    pilotage_versement_enregistrer(dossier=proposes[0], montant=Decimal("500.00"), cle="mandat-1")
    # The same payment reported twice counts once.
    assert not pilotage_versement_enregistrer(
        dossier=proposes[0], montant=Decimal("500.00"), cle="mandat-1"
    )
    return dossiers


@time_machine.travel(dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC), tick=False)
def test_dashboard_figures_equal_a_direct_count_over_the_dossiers(activite, festivals, marc):
    admin = UserFactory(role="administrateur", is_superuser=True)
    for user, dispositif, dossiers in (
        (admin, None, Dossier.objects.all()),
        (marc, None, Dossier.objects.filter(dispositif__service=festivals.service)),
        (marc, festivals, Dossier.objects.filter(dispositif=festivals)),
    ):
        figures = selectors.tableau(user, dispositif)
        direct = _direct(dossiers)
        total = figures["total"]
        assert total.nombre == direct["nombre"]
        assert total.par_etat == direct["par_etat"]
        assert total.demande == direct["demande"]
        assert total.propose == direct["propose"] == Decimal("3000.00")  # adjourned
        assert total.attribue == direct["attribue"] == Decimal("3000.00")
        assert total.verse == Decimal("500.00")
        assert {x.cle: x.nombre for x in figures["par_departement"]} == direct["par_departement"]
        assert total.en_retard == direct["en_retard"]
        assert figures["mediane_jours"] == direct["mediane"] == 72
    ensemble = selectors.tableau(admin)["total"]
    assert ensemble.nombre == len(activite)
    assert ensemble.par_etat == {"depose": 3, "attribue": 2, "rejete": 1, "propose": 1}


def test_the_counters_stay_exact_whatever_the_code_path(festivals, dossier, claire, association):
    # Raw updates, bulk inserts and deletes: the database triggers keep the counters right.
    Dossier.objects.filter(pk=dossier.pk).update(etat=Etat.EN_INSTRUCTION, departement="87")
    autre = deposer(festivals, association, claire)
    Dossier.objects.filter(pk=autre.pk).update(montant_demande=Decimal("1234.56"))
    brouillon = Dossier.objects.create(
        dispositif=festivals,
        version=dossier.version,
        demandeur=claire,
        tiers=association,
        montant_demande=Decimal("99"),
    )
    direct = list(
        Dossier.objects.exclude(etat=Etat.BROUILLON)
        .values_list("dispositif_id", "departement", "etat")
        .annotate(n=Count("id"), m=Sum("montant_demande"))
        .order_by("dispositif_id", "departement", "etat")
    )

    def compteurs():
        return list(
            CompteurDossiers.objects.filter(nombre__gt=0)
            .values_list("dispositif_id", "departement", "etat", "nombre", "montant_demande")
            .order_by("dispositif_id", "departement", "etat")
        )

    assert compteurs() == direct
    brouillon.delete()
    assert compteurs() == direct
    triggers.compteurs_recalculer()
    assert compteurs() == direct


def test_who_sees_the_dashboard(client, activite, festivals, marc, claire):
    eco = ServiceFactory(code="DEI", nom="Économie")
    autre_agent = UserFactory(role="instructeur", service=eco)
    client.force_login(autre_agent)
    assert client.get(reverse("pilotage:tableau")).status_code == 200
    assert festivals.nom not in client.get(reverse("pilotage:tableau")).content.decode()
    assert client.get(reverse("pilotage:dispositif", args=[festivals.pk])).status_code == 404
    assert client.get(reverse("pilotage:export_dispositif", args=[festivals.pk])).status_code == 404
    for user in (claire, UserFactory(role="gestionnaire"), UserFactory(role="conseiller")):
        client.force_login(user)
        assert client.get(reverse("pilotage:tableau")).status_code == 404
    client.force_login(marc)
    page = client.get(reverse("pilotage:dispositif", args=[festivals.pk])).content.decode()
    assert "Dossiers par état" in page and "<svg" in page and "<table" in page


def test_csv_export_gives_the_same_figures(client, activite, marc):
    client.force_login(marc)
    response = client.get(reverse("pilotage:export"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    entete, ensemble = rows[0], rows[1]
    assert ensemble[0] == "Ensemble" and ensemble[2] == str(len(activite))
    assert ensemble[entete.index("Montant attribué")] == "3000,00"
    assert ensemble[entete.index("Montant versé")] == "500,00"


def test_dashboard_query_count_does_not_grow(
    client, activite, festivals, association, claire, marc, django_assert_max_num_queries
):
    client.force_login(marc)
    with django_assert_max_num_queries(15) as captured:
        client.get(reverse("pilotage:tableau"))
    for dep in ("33", "40", "64"):
        deposer(festivals, association, claire, departement=dep)
    with django_assert_max_num_queries(len(captured.captured_queries)):
        client.get(reverse("pilotage:tableau"))


def test_mediane_is_exact_on_counts():
    assert selectors.mediane([]) is None
    assert selectors.mediane([(10, 1)]) == 10
    assert selectors.mediane([(10, 1), (20, 1)]) == 15
    assert selectors.mediane([(3, 2), (50, 1)]) == 3
    assert selectors.mediane([(1, 5), (2, 5)]) == Decimal("1.5")
    now = timezone.now()
    assert now  # the histogram is fed at decision time (see the test above)


@time_machine.travel(dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC), tick=False)
def test_rebuilding_the_aggregates_changes_no_figure(activite, enveloppe):
    from instruction.pilotage.recalcul import pilotage_recalculer
    from instruction.programmation.models import Enveloppe

    admin = UserFactory(role="administrateur", is_superuser=True)

    def photo():
        figures = selectors.tableau(admin)
        e = Enveloppe.objects.get(pk=enveloppe.pk)
        return (
            vars(figures["total"]),
            [vars(x) for x in figures["par_departement"]],
            figures["mediane_jours"],
            (e.montant_propose, e.montant_attribue),
        )

    avant = photo()
    pilotage_recalculer(reprise=True)
    assert photo() == avant
    # An approved proposal imported without its imputation is taken up on its envelope.
    from instruction.programmation.models import Imputation

    Imputation.objects.filter(statut="proposee").delete()
    assert pilotage_recalculer(reprise=True)["imputations_reprises"] == 1
    assert photo() == avant

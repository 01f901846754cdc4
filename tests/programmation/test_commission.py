"""Envelopes, simulations, agendas and the commission vote, as Jeanne and Sophie live them."""

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.urls import reverse

from dispositifs.models import Dossier, Etat
from instruction import services
from instruction.programmation import services as programmation
from instruction.programmation.models import (
    Commission,
    Enveloppe,
    Imputation,
    PointOrdreDuJour,
    Simulation,
    StatutImputation,
)
from mdna.models import AuditEvent
from tests.factories import ServiceFactory, UserFactory
from tests.programmation.conftest import EXERCICE, proposer_et_approuver

pytestmark = pytest.mark.django_db


def _enveloppe(enveloppe) -> Enveloppe:
    return Enveloppe.objects.get(pk=enveloppe.pk)


def _etat(dossier) -> str:
    return Dossier.objects.get(pk=dossier.pk).etat


def test_an_approved_proposal_counts_as_proposed_and_the_vote_moves_it_to_granted(
    proposes, enveloppe, seance, jeanne, editiques
):
    e = _enveloppe(enveloppe)
    assert e.montant_propose == Decimal("12000.00")
    assert e.montant_attribue == 0
    assert e.restant == Decimal("3000.00")
    programmation.points_inscrire(commission=seance, par=jeanne, dossiers=proposes)
    adopte, ajourne, rejete = (p.pk for p in PointOrdreDuJour.objects.order_by("dossier_id"))
    programmation.commission_voter(
        commission=seance,
        par=jeanne,
        decisions={adopte: "adopte", ajourne: "ajourne", rejete: "rejete"},
        motifs={rejete: "Le projet relève d'un autre dispositif."},
    )
    assert [_etat(d) for d in proposes] == [Etat.ATTRIBUE, Etat.PROPOSE, Etat.REJETE]
    e = _enveloppe(enveloppe)
    # 3,000 granted, 4,000 still proposed (adjourned), 5,000 freed (rejected).
    assert (e.montant_attribue, e.montant_propose, e.restant) == (
        Decimal("3000.00"),
        Decimal("4000.00"),
        Decimal("8000.00"),
    )
    statuts = dict(Imputation.objects.values_list("dossier_id", "statut"))
    assert statuts == {
        proposes[0].pk: StatutImputation.ATTRIBUEE,
        proposes[1].pk: StatutImputation.PROPOSEE,
        proposes[2].pk: StatutImputation.LIBEREE,
    }
    # The adjourned dossier may go on a later session's agenda.
    suivante = programmation.commission_creer(
        par=jeanne, date=dt.date(EXERCICE, 12, 31), libelle="CP"
    )
    assert programmation.points_inscrire(commission=suivante, par=jeanne, dossiers=[proposes[1]])
    # One decision letter per decided dossier, all in the vote's batch; none for the adjourned.
    lettres = [(d["type"], d["dossier"].pk) for d in editiques.documents]
    assert sorted(lettres) == sorted(
        [("arrete_attributif", proposes[0].pk), ("refus", proposes[2].pk)]
    )
    assert len(editiques.lots) == 1
    assert all(d["lot"] == editiques.lots[0] for d in editiques.documents)
    assert Commission.objects.get(pk=seance.pk).lot_id == editiques.lots[0].pk


def test_the_vote_is_all_or_nothing(proposes, enveloppe, seance, jeanne, claire, editiques):
    programmation.points_inscrire(commission=seance, par=jeanne, dossiers=proposes)
    # Meanwhile the applicant withdraws the last one: its credits are freed at once, and its
    # transition in the vote will be refused.
    services.transition_executer(
        dossier=proposes[2], nom="desister", par=claire, donnees={"motif": "Projet annulé"}
    )
    avant = _enveloppe(enveloppe)
    assert avant.montant_propose == Decimal("7000.00")
    audits = AuditEvent.objects.count()
    points = {p.pk: "adopte" for p in seance.points.all()}
    with pytest.raises(services.ActionRefusee):
        programmation.commission_voter(commission=seance, par=jeanne, decisions=points)
    assert [_etat(d) for d in proposes] == [Etat.PROPOSE, Etat.PROPOSE, Etat.DESISTE]
    apres = _enveloppe(enveloppe)
    assert (apres.montant_attribue, apres.montant_propose) == (
        avant.montant_attribue,
        avant.montant_propose,
    )
    assert not seance.points.exclude(decision="").exists()
    assert Commission.objects.get(pk=seance.pk).statut == "preparation"
    assert AuditEvent.objects.count() == audits
    assert editiques.documents == []


def test_an_over_budget_vote_is_refused_without_override_and_the_override_is_audited(
    proposes, enveloppe, seance, jeanne, editiques
):
    Enveloppe.objects.filter(pk=enveloppe.pk).update(credits_votes=Decimal("10000.00"))
    programmation.points_inscrire(commission=seance, par=jeanne, dossiers=proposes)
    decisions = {p.pk: "adopte" for p in seance.points.all()}
    with pytest.raises(programmation.DepassementRefuse, match="de 2000.00 €"):
        programmation.commission_voter(commission=seance, par=jeanne, decisions=decisions)
    assert all(_etat(d) == Etat.PROPOSE for d in proposes)
    with pytest.raises(services.ActionRefusee, match="motif du dépassement"):
        programmation.commission_voter(
            commission=seance, par=jeanne, decisions=decisions, depassement_autorise=True
        )
    programmation.commission_voter(
        commission=seance,
        par=jeanne,
        decisions=decisions,
        depassement_autorise=True,
        motif_depassement="Décision modificative votée en séance plénière.",
    )
    assert all(_etat(d) == Etat.ATTRIBUE for d in proposes)
    e = _enveloppe(enveloppe)
    assert e.montant_attribue == Decimal("12000.00") and e.restant == Decimal("-2000.00")
    event = AuditEvent.objects.get(action="commission.depassement_autorise")
    assert event.actor == jeanne
    assert event.after["motif"] == "Décision modificative votée en séance plénière."
    assert event.after["enveloppes"] == [{"enveloppe": enveloppe.pk, "depassement": "2000.00"}]


def test_the_agenda_is_flagged_before_the_vote_when_it_exceeds_the_credits(
    client, proposes, enveloppe, seance, jeanne
):
    Enveloppe.objects.filter(pk=enveloppe.pk).update(credits_votes=Decimal("10000.00"))
    programmation.points_inscrire(commission=seance, par=jeanne, dossiers=proposes)
    client.force_login(jeanne)
    page = client.get(reverse("instruction:commission", args=[seance.pk])).content.decode()
    assert "Dépasse les crédits" in page and "de 2\xa0000,00\xa0€" in page
    response = client.post(
        reverse("instruction:commission_voter", args=[seance.pk]), {"decision_globale": "adopte"}
    )
    assert response.status_code == 400
    assert "dépasse les crédits disponibles" in response.content.decode()
    assert all(_etat(d) == Etat.PROPOSE for d in proposes)


def test_a_simulation_never_changes_a_dossier_until_it_becomes_an_agenda_and_is_voted(
    client, proposes, enveloppe, seance, jeanne, editiques
):
    def photo():
        return (
            list(Dossier.objects.order_by("pk").values_list("pk", "etat", "verrou", "modifie_le")),
            _enveloppe(enveloppe).montant_propose,
            _enveloppe(enveloppe).montant_attribue,
            Imputation.objects.count(),
        )

    avant = photo()
    client.force_login(jeanne)
    url = reverse("instruction:simulation_creer", args=[enveloppe.pk])
    for nom, montants in (
        ("Scénario A", ("3000", "4000", "5000")),
        ("Scénario B", ("2000", "3000", None)),
    ):
        data = {"nom": nom}
        data["dossiers"] = [d.pk for d, m in zip(proposes, montants, strict=True) if m]
        data.update({f"montant-{d.pk}": m for d, m in zip(proposes, montants, strict=True) if m})
        assert client.post(url, data).status_code == 302
    a, b = Simulation.objects.order_by("pk")
    assert photo() == avant
    comparaison = client.get(
        reverse("instruction:simulations_comparer") + f"?s={a.pk}&s={b.pk}"
    ).content.decode()
    assert "non retenu" in comparaison and "Scénario B" in comparaison
    response = client.post(
        reverse("instruction:simulation_vers_ordre_du_jour", args=[b.pk]),
        {"commission": seance.pk},
    )
    assert response.status_code == 302
    assert photo() == avant
    assert sorted(seance.points.values_list("montant", flat=True)) == [
        Decimal("2000.00"),
        Decimal("3000.00"),
    ]
    client.post(
        reverse("instruction:commission_voter", args=[seance.pk]), {"decision_globale": "adopte"}
    )
    assert [_etat(d) for d in proposes] == [Etat.ATTRIBUE, Etat.ATTRIBUE, Etat.PROPOSE]
    e = _enveloppe(enveloppe)
    # Granted at the scenario's amounts; the third proposal still waits.
    assert (e.montant_attribue, e.montant_propose) == (Decimal("5000.00"), Decimal("5000.00"))


def test_only_the_commission_grants_or_rejects(client, proposes, sophie):
    client.force_login(sophie)
    dossier = proposes[0]
    response = client.post(reverse("instruction:transition", args=[dossier.pk, "attribuer"]))
    assert response.status_code == 400
    assert "Seule la commission permanente décide" in response.content.decode()
    assert _etat(dossier) == Etat.PROPOSE


def test_bulk_put_on_the_agenda_from_the_queue(client, proposes, seance, jeanne, dossier):
    client.force_login(jeanne)
    queue = client.get(reverse("instruction:file")).content.decode()
    assert "Inscrire à l'ordre du jour" in queue
    response = client.post(
        reverse("instruction:inscrire"),
        {"dossiers": [d.pk for d in proposes], "commission": seance.pk},
    )
    assert response.status_code == 302
    assert seance.points.count() == 3
    # A dossier without an approved proposal cannot be put on the agenda: nothing is added.
    autre = programmation.commission_creer(par=jeanne, date=dt.date(EXERCICE, 12, 20), libelle="CP")
    response = client.post(
        reverse("instruction:inscrire"),
        {"dossiers": [dossier.pk], "commission": autre.pk},
        follow=True,
    )
    assert "n'a pas de proposition approuvée" in html.unescape(response.content.decode())
    assert not autre.points.exists()


def test_another_services_agent_gets_404(client, proposes, enveloppe, seance, jeanne):
    programmation.points_inscrire(commission=seance, par=jeanne, dossiers=proposes[:1])
    simulation = programmation.simulation_creer(
        par=jeanne,
        enveloppe=enveloppe,
        nom="A",
        lignes=[(proposes[1], Decimal("4000"))],
    )
    eco = ServiceFactory(code="DEI", nom="Économie")
    autre = UserFactory(role="valideur", service=eco)
    client.force_login(autre)
    assert client.get(reverse("instruction:enveloppe", args=[enveloppe.pk])).status_code == 404
    assert client.get(reverse("instruction:simulation", args=[simulation.pk])).status_code == 404
    assert (
        client.post(
            reverse("instruction:simulation_creer", args=[enveloppe.pk]), {"nom": "x"}
        ).status_code
        == 404
    )
    page = client.get(reverse("instruction:commission", args=[seance.pk])).content.decode()
    assert proposes[0].numero not in page
    assert client.post(
        reverse("instruction:commission_voter", args=[seance.pk]), {"decision_globale": "adopte"}
    ).status_code in (400, 404)
    assert _etat(proposes[0]) == Etat.PROPOSE
    usager = UserFactory()
    client.force_login(usager)
    assert client.get(reverse("instruction:commissions")).status_code == 404
    assert client.get(reverse("instruction:enveloppes")).status_code == 404


def test_a_scheme_draws_on_one_envelope_per_exercice(festivals, enveloppe, sophie):
    with pytest.raises(services.ActionRefusee, match="déjà financé"):
        programmation.enveloppe_enregistrer(
            par=sophie,
            exercice=EXERCICE,
            ligne_budgetaire="65-6574-311-P312",
            libelle="Autre",
            credits_votes=Decimal("1000"),
            dispositifs=[festivals],
        )


def test_an_envelope_created_later_picks_up_the_waiting_proposals(
    festivals, association, claire, marc, sophie
):
    dossier = proposer_et_approuver(deposer_(festivals, association, claire), marc, sophie, "4200")
    assert Imputation.objects.get(dossier=dossier).enveloppe is None
    from django.utils import timezone

    enveloppe = programmation.enveloppe_enregistrer(
        par=sophie,
        exercice=timezone.localdate().year,
        ligne_budgetaire="65-6574-311-P311",
        libelle="Festivals",
        credits_votes=Decimal("10000"),
        dispositifs=[festivals],
    )
    assert _enveloppe(enveloppe).montant_propose == Decimal("4200.00")


def deposer_(*args):
    from tests.instruction.conftest import deposer

    return deposer(*args)


def test_query_counts_do_not_grow_with_the_agenda(
    client,
    festivals,
    association,
    claire,
    marc,
    sophie,
    enveloppe,
    seance,
    jeanne,
    django_assert_max_num_queries,
):
    premier, candidat = (
        proposer_et_approuver(deposer_(festivals, association, claire), marc, sophie, "1000")
        for _ in range(2)
    )
    programmation.points_inscrire(commission=seance, par=jeanne, dossiers=[premier])
    programmation.simulation_creer(
        par=jeanne, enveloppe=enveloppe, nom="A", lignes=[(candidat, Decimal("1000"))]
    )
    client.force_login(jeanne)
    urls = [
        reverse("instruction:commission", args=[seance.pk]),
        reverse("instruction:commission_rapport", args=[seance.pk]),
        reverse("instruction:enveloppe", args=[enveloppe.pk]),
        reverse("instruction:enveloppes"),
        reverse("instruction:commissions"),
    ]
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(25) as captured:
            assert client.get(url).status_code == 200
        counts[url] = len(captured.captured_queries)
    autres = [
        proposer_et_approuver(deposer_(festivals, association, claire), marc, sophie, "1000")
        for _ in range(4)
    ]
    programmation.points_inscrire(commission=seance, par=jeanne, dossiers=autres[:2])
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200


def test_the_valideur_sees_the_envelope_before_and_after_and_an_excess_is_flagged(
    client, festivals, association, claire, marc, sophie, enveloppe
):
    Enveloppe.objects.filter(pk=enveloppe.pk).update(credits_votes=Decimal("2000.00"))
    dossier = deposer_(festivals, association, claire)
    services.transition_executer(dossier=dossier, nom="declarer_complet", par=marc)
    services.proposition_enregistrer(
        dossier=dossier, par=marc, montant=Decimal("2500"), sens="favorable", justification="j"
    )
    client.force_login(sophie)
    page = client.get(reverse("instruction:dossier", args=[dossier.pk])).content.decode()
    assert "reste 2\xa0000,00\xa0€ avant cette proposition, -500,00\xa0€ après" in page
    assert "Dépasse les crédits restants" in page

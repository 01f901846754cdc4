"""The workflow table: every transition allowed and refused by role and state; scope; locks."""

import datetime as dt
import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from dispositifs.models import Dossier, Etat
from instruction import services
from instruction.models import Commission, PointOrdreDuJour, Proposition
from instruction.workflow import TRANSITIONS, table_markdown
from mdna.models import AuditEvent, Role
from tests.factories import ServiceFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ETATS = [e for e in Etat if e != Etat.BROUILLON]


def test_no_transition_has_a_wildcard_source_and_every_state_is_reachable():
    for transition in TRANSITIONS.values():
        assert transition.sources and set(transition.sources) < set(Etat)
        assert transition.cible not in transition.sources or transition.nom == "renvoyer"
    reached = {t.cible for t in TRANSITIONS.values()} | {Etat.BROUILLON, Etat.DEPOSE}
    assert reached == set(Etat)


def _user_for(role, dossier, claire):
    if role == Role.USAGER:
        return claire
    return UserFactory(
        role=role, service=dossier.dispositif.service, is_superuser=role == Role.ADMINISTRATEUR
    )


def _satisfy_guards(dossier, user, nom):
    if nom == "proposer":
        Proposition.objects.create(
            dossier=dossier, montant=1, sens="favorable", justification="j", auteur=user
        )
    if nom == "attribuer":
        Proposition.objects.create(
            dossier=dossier,
            montant=1,
            sens="favorable",
            justification="j",
            auteur=user,
            statut="approuvee",
        )
    if nom in ("attribuer", "rejeter"):
        # Only the commission permanente decides: the dossier is on the agenda of a session.
        commission = Commission.objects.create(
            date=dt.date(2026, 12, 17), libelle="CP", cree_par=user
        )
        PointOrdreDuJour.objects.create(
            commission=commission, dossier=dossier, montant=1, inscrit_par=user
        )
        return {"commission": commission.pk}
    return {}


@pytest.mark.parametrize("nom", list(TRANSITIONS))
def test_each_transition_is_allowed_exactly_from_its_sources_for_its_roles(nom, dossier, claire):
    transition = TRANSITIONS[nom]
    for etat, role in itertools.product(
        ETATS, [Role.USAGER, Role.INSTRUCTEUR, Role.VALIDEUR, Role.GESTIONNAIRE]
    ):
        Dossier.objects.filter(pk=dossier.pk).update(etat=etat)
        dossier.refresh_from_db()
        user = _user_for(role, dossier, claire)
        donnees = {"motif": "motif", "pieces": ["statuts"], "message": "m"}
        donnees.update(_satisfy_guards(dossier, user, nom))
        expected = etat in transition.sources and role in transition.roles
        raison = services.pourquoi_pas(transition, dossier, user, donnees)
        assert (raison == "") is expected, (nom, etat, role, raison)
        if expected:
            services.transition_executer(dossier=dossier, nom=nom, par=user, donnees=donnees)
            dossier.refresh_from_db()
            assert dossier.etat == transition.cible
            assert AuditEvent.objects.for_target(dossier).filter(action=f"dossier.{nom}").exists()
        else:
            with pytest.raises(services.ActionRefusee):
                services.transition_executer(dossier=dossier, nom=nom, par=user, donnees=donnees)
        Proposition.objects.filter(dossier=dossier).delete()
        PointOrdreDuJour.objects.filter(dossier=dossier).delete()


def test_a_refusal_says_why(dossier, marc):
    with pytest.raises(services.ActionRefusee, match="Indiquez le motif"):
        services.transition_executer(
            dossier=dossier, nom="declarer_irrecevable", par=marc, donnees={}
        )
    with pytest.raises(services.ActionRefusee, match="Impossible depuis l'état « Déposé »"):
        services.transition_executer(dossier=dossier, nom="proposer", par=marc)


def test_an_instructor_of_another_service_gets_404(client, dossier):
    autre = UserFactory(role="instructeur", service=ServiceFactory(code="DEI", nom="Économie"))
    client.force_login(autre)
    assert client.get(reverse("instruction:dossier", args=[dossier.pk])).status_code == 404
    response = client.post(reverse("instruction:transition", args=[dossier.pk, "declarer_complet"]))
    assert response.status_code == 404
    queue = client.get(reverse("instruction:file")).content.decode()
    assert dossier.numero not in queue
    with pytest.raises(services.ActionRefusee):
        services.transition_executer(dossier=dossier, nom="declarer_complet", par=autre)


def test_applicants_never_reach_the_back_office(client, dossier, claire):
    client.force_login(claire)
    assert client.get(reverse("instruction:file")).status_code == 404
    assert client.get(reverse("instruction:dossier", args=[dossier.pk])).status_code == 404


def test_two_agents_at_once_the_second_gets_a_clear_message_and_keeps_the_text(
    client, dossier, marc, culture
):
    collegue = UserFactory(role="instructeur", service=culture)
    verrou = dossier.verrou
    services.transition_executer(
        dossier=dossier, nom="declarer_complet", par=collegue, verrou=verrou
    )
    client.force_login(marc)
    response = client.post(
        reverse("instruction:transition", args=[dossier.pk, "classer_sans_suite"]),
        {"verrou": verrou, "motif": "Projet abandonné selon le porteur"},
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "vient d&#x27;être modifié par une autre personne" in html
    assert "Projet abandonné selon le porteur" in html
    dossier.refresh_from_db()
    assert dossier.etat == Etat.EN_INSTRUCTION


def test_proposal_is_checked_against_asked_amount_and_scheme_rule(dossier, marc, sophie):
    services.transition_executer(dossier=dossier, nom="declarer_complet", par=marc)
    with pytest.raises(services.ActionRefusee, match="dépasse le montant demandé"):
        services.proposition_enregistrer(
            dossier=dossier,
            par=marc,
            montant=dossier.montant_demande + 1,
            sens="favorable",
            justification="j",
        )
    montant = min(dossier.montant_demande, services.montant_maximal(dossier)) - Decimal("100")
    services.proposition_enregistrer(
        dossier=dossier, par=marc, montant=montant, sens="favorable", justification="Projet solide"
    )
    dossier.refresh_from_db()
    assert dossier.etat == Etat.PROPOSE
    with pytest.raises(services.ActionRefusee, match="Indiquez le motif"):
        services.proposition_renvoyer(
            proposition=dossier.propositions.first(), par=sophie, commentaire=""
        )
    proposition = services.proposition_approuver(
        proposition=dossier.propositions.first(), par=sophie
    )
    assert proposition.statut == "approuvee"
    with pytest.raises(services.ActionRefusee):
        services.proposition_approuver(proposition=proposition, par=sophie)


def test_workflow_doc_is_generated_from_the_table():
    doc = (ROOT / "docs" / "workflow.md").read_text()
    assert table_markdown() in doc, "docs/workflow.md is stale: run `python manage.py workflow_doc`"

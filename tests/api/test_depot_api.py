"""An applicant's software files a request through the API with the wizard's own rules, and the
instructing service sees it in its API queue and in the events feed."""

import pytest

from dispositifs.engine.exemples import valid_answers
from dispositifs.engine.forms import step_keys
from dispositifs.models import Dossier, Etat, Message
from tests.api.conftest import client_jeton, fichier_pdf

pytestmark = pytest.mark.django_db

DOSSIERS = "/api/v1/usager/dossiers/"
FILE = "/api/v1/instruction/dossiers/"


def reponses_par_etape(schema: dict, answers: dict) -> dict[str, dict]:
    """The example answers split by step, files left out (they are sent as pieces)."""
    par_etape = {}
    for step in schema["steps"]:
        par_etape[step["key"]] = {
            f["key"]: answers[f["key"]]
            for f in step["fields"]
            if f["key"] in answers and f["type"] not in ("file", "computed", "info")
        }
    return par_etape


def champs_fichier(schema: dict) -> list[str]:
    return [f["key"] for s in schema["steps"] for f in s["fields"] if f["type"] == "file"]


def test_filing_end_to_end_through_the_api(api_claire, api_marc, association, festivals):
    # 1. A draft for one of my organisations, prefilled from what the Region already knows.
    creation = api_claire.post(
        DOSSIERS, {"dispositif": festivals.slug, "tiers": association.pk}, format="json"
    )
    assert creation.status_code == 201, creation.content
    brouillon = creation.json()
    assert brouillon["etat"] == "brouillon" and brouillon["numero"] is None
    assert brouillon["reponses"]["siret"] == "73282932000074"  # dites-le nous une fois
    pk = brouillon["id"]
    dossier = Dossier.objects.get(pk=pk)
    schema = dossier.version.schema
    answers = valid_answers(schema)
    answers["demandeur_type"] = "association"
    etapes = reponses_par_etape(schema, answers)
    assert "fonctionnement" in step_keys(schema)  # the module of the scheme

    # 2. Attach the pieces (checked on their content), then answer each step: trunk and module.
    for champ in champs_fichier(schema):
        envoi = api_claire.post(
            f"{DOSSIERS}{pk}/pieces/",
            {"champ": champ, "fichier": fichier_pdf(f"{champ}.pdf")},
            format="multipart",
        )
        assert envoi.status_code == 201, envoi.content
        assert envoi.json()["type_contenu"] == "pdf"
    for etape in step_keys(schema):
        reponse = api_claire.put(
            f"{DOSSIERS}{pk}/etapes/{etape}/", {"reponses": etapes[etape]}, format="json"
        )
        assert reponse.status_code == 200, (etape, reponse.content)

    # 3. Submit: a number, idempotent.
    depot = api_claire.post(f"{DOSSIERS}{pk}/deposer/")
    assert depot.status_code == 200, depot.content
    numero = depot.json()["numero"]
    assert depot.json()["etat"] == "depose" and numero.startswith("2026-")
    again = api_claire.post(f"{DOSSIERS}{pk}/deposer/")
    assert again.status_code == 200 and again.json()["numero"] == numero

    # 4. The instructing service sees it in its queue, with the back office's filters.
    file = api_marc.get(FILE, {"etat": "depose", "siret": "73282932000074"}).json()
    assert [d["numero"] for d in file["results"]] == [numero]
    assert api_marc.get(FILE, {"q": numero}).json()["results"][0]["id"] == pk
    assert api_marc.get(FILE, {"departement": "33"}).json()["results"] == []
    commune = Dossier.objects.get(pk=pk).commune
    assert api_marc.get(FILE, {"commune": commune}).json()["results"][0]["id"] == pk

    # 5. And the deposit in the events feed, for the applicant and for the agent.
    for client in (api_claire, api_marc):
        flux = client.get("/api/v1/evenements/").json()["results"]
        assert [(e["dossier"], e["type"], e["etat_apres"]) for e in flux] == [
            (pk, "depot", "depose")
        ]


def test_answers_are_validated_like_the_wizard_with_field_details(
    api_claire, association, festivals
):
    pk = api_claire.post(
        DOSSIERS, {"dispositif": festivals.slug, "tiers": association.pk}, format="json"
    ).json()["id"]
    reponse = api_claire.put(
        f"{DOSSIERS}{pk}/etapes/demandeur/",
        {"reponses": {"siret": "12345678901234", "email": "pas-une-adresse"}},
        format="json",
    )
    assert reponse.status_code == 400
    erreurs = reponse.json()
    assert "siret" in erreurs and "email" in erreurs
    assert all(isinstance(m, str) and m for m in erreurs["siret"])
    inconnu = api_claire.put(
        f"{DOSSIERS}{pk}/etapes/demandeur/", {"reponses": {"champ_martien": 1}}, format="json"
    )
    assert inconnu.status_code == 400 and "champ_martien" in inconnu.json()
    # Nothing typed was kept half-valid: the draft still has its prefilled SIRET.
    assert Dossier.objects.get(pk=pk).siret == "73282932000074"


def test_submit_of_an_incomplete_draft_names_the_steps(api_claire, association, festivals):
    pk = api_claire.post(
        DOSSIERS, {"dispositif": festivals.slug, "tiers": association.pk}, format="json"
    ).json()["id"]
    reponse = api_claire.post(f"{DOSSIERS}{pk}/deposer/")
    assert reponse.status_code == 400
    assert "projet" in reponse.json()["etapes"]
    assert Dossier.objects.get(pk=pk).etat == Etat.BROUILLON


def test_a_disguised_piece_is_refused_on_its_content(api_claire, association, festivals):
    pk = api_claire.post(
        DOSSIERS, {"dispositif": festivals.slug, "tiers": association.pk}, format="json"
    ).json()["id"]
    champ = champs_fichier(Dossier.objects.get(pk=pk).version.schema)[0]
    faux = fichier_pdf("statuts.pdf")
    faux.seek(0)
    faux.write(b"MZ\x90\x00 not a pdf at all")
    faux.seek(0)
    reponse = api_claire.post(
        f"{DOSSIERS}{pk}/pieces/", {"champ": champ, "fichier": faux}, format="multipart"
    )
    assert reponse.status_code == 400
    assert "quel que soit son nom" in reponse.json()["fichier"][0]


def test_withdrawal_and_messages_both_ways(api_claire, api_marc, dossier):
    ecrit = api_claire.post(
        f"{DOSSIERS}{dossier.pk}/messages/", {"texte": "Le programme a changé."}, format="json"
    )
    assert ecrit.status_code == 201
    reponse = api_marc.post(
        f"{FILE}{dossier.pk}/messages/", {"texte": "Merci, c'est noté."}, format="json"
    )
    assert reponse.status_code == 201
    fil = api_claire.get(f"{DOSSIERS}{dossier.pk}/messages/").json()
    assert [(m["texte"], m["de_la_region"]) for m in fil] == [
        ("Le programme a changé.", False),
        ("Merci, c'est noté.", True),
    ]
    assert Message.objects.filter(dossier=dossier).count() == 2
    retrait = api_claire.post(
        f"{DOSSIERS}{dossier.pk}/retirer/", {"motif": "Festival annulé"}, format="json"
    )
    assert retrait.status_code == 200 and retrait.json()["etat"] == "desiste"
    encore = api_claire.post(f"{DOSSIERS}{dossier.pk}/retirer/", {}, format="json")
    assert encore.status_code == 400 and "Désisté" in encore.json()["detail"]


def test_agent_transitions_refusals_carry_the_reason(api_marc, api_sophie, dossier):
    sans_motif = api_marc.post(f"{FILE}{dossier.pk}/transitions/declarer_irrecevable/", {})
    assert sans_motif.status_code == 400
    assert "motif" in sans_motif.json()["detail"]
    complet = api_marc.post(
        f"{FILE}{dossier.pk}/transitions/declarer_complet/",
        {"verrou": dossier.verrou + 99},
        format="json",
    )
    assert complet.status_code == 409
    ok = api_marc.post(f"{FILE}{dossier.pk}/transitions/declarer_complet/", {}, format="json")
    assert ok.status_code == 200 and ok.json()["etat"] == "en_instruction"
    attribuer = api_sophie.post(f"{FILE}{dossier.pk}/transitions/attribuer/", {}, format="json")
    assert attribuer.status_code == 400
    assert "Impossible depuis l'état" in attribuer.json()["detail"]
    assert api_marc.post(f"{FILE}{dossier.pk}/transitions/desister/", {}).status_code == 404
    flux = api_marc.get("/api/v1/evenements/", {"dossier": dossier.pk}).json()["results"]
    assert [e["type"] for e in flux] == ["depot", "declarer_complet"]


def test_list_query_counts_do_not_grow(
    api_claire, api_marc, claire, association, festivals, django_assert_max_num_queries
):
    from tests.api.conftest import deposer

    for _ in range(3):
        deposer(festivals, association, claire)
    with django_assert_max_num_queries(8):
        assert len(api_marc.get(FILE).json()["results"]) == 3
    with django_assert_max_num_queries(8):
        assert len(api_claire.get(DOSSIERS).json()["results"]) == 3
    with django_assert_max_num_queries(8):
        assert len(api_marc.get("/api/v1/evenements/").json()["results"]) == 3
    for _ in range(5):
        deposer(festivals, association, claire)
    with django_assert_max_num_queries(8):
        assert len(api_marc.get(FILE).json()["results"]) == 8
    with django_assert_max_num_queries(8):
        assert len(api_claire.get(DOSSIERS).json()["results"]) == 8
    with django_assert_max_num_queries(8):
        assert len(api_marc.get("/api/v1/evenements/").json()["results"]) == 8


def test_drafts_of_another_organisation_are_not_found(karim, dossier):
    api_karim = client_jeton(karim)
    assert api_karim.get(f"{DOSSIERS}{dossier.pk}/").status_code == 404
    assert api_karim.post(f"{DOSSIERS}{dossier.pk}/deposer/").status_code == 404
    assert api_karim.get(DOSSIERS).json()["results"] == []


def test_applicant_filters_by_official_identifiers(api_claire, dossier, festivals):
    def ids(**params):
        return [d["id"] for d in api_claire.get(DOSSIERS, params).json()["results"]]

    assert ids(siret="73282932000074") == [dossier.pk]
    assert ids(siret="44306184100047") == []
    assert ids(commune=dossier.commune, departement=dossier.departement) == [dossier.pk]
    assert ids(departement="33") == []
    assert ids(etat="depose", dispositif=festivals.slug) == [dossier.pk]
    assert ids(etat="brouillon") == []
    assert api_claire.get(DOSSIERS, {"etat": "martien"}).status_code == 400

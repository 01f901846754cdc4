"""Nadia configures a scheme without code: duplicate, add a conditional field, preview, publish."""

import pytest
from django.urls import reverse

from dispositifs.admin import DispositifForm
from dispositifs.models import ChampSupplementaire, Dispositif, StatutDispositif
from mdna.models import AuditEvent
from tests.factories import DispositifFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def nadia(client):
    user = UserFactory(administrateur=True, email="nadia@region.fr")
    client.force_login(user)
    return user


def test_duplicate_add_a_conditional_field_preview_and_publish(client, nadia):
    source = DispositifFactory(publie=True, nom="Soutien aux festivals")
    response = client.post(
        reverse("admin:dispositif_dupliquer", args=[source.pk]),
        {"nom": "Fonds d'urgence pour les festivals"},
    )
    copie = Dispositif.objects.get(nom="Fonds d'urgence pour les festivals")
    assert response["Location"] == reverse("admin:dispositifs_dispositif_change", args=[copie.pk])
    assert copie.statut == StatutDispositif.BROUILLON and copie.version_courante is None
    assert list(copie.pieces.values_list("code", flat=True)) == ["statuts", "rib"]

    ChampSupplementaire.objects.create(
        dispositif=copie,
        ordre=1,
        cle="annulation",
        type="yesno",
        libelle="Le festival a-t-il été annulé ?",
        obligatoire=True,
    )
    ChampSupplementaire.objects.create(
        dispositif=copie,
        ordre=2,
        cle="pertes",
        type="amount",
        libelle="Pertes subies (€)",
        obligatoire=True,
        condition_champ="annulation",
        condition_valeur="oui",
    )
    copie.modules = ["fonctionnement", "economie"]
    copie.save()

    preview = client.get(reverse("admin:dispositif_apercu", args=[copie.pk]))
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Le festival a-t-il été annulé ?" in html and "Pertes subies" in html
    assert "L&#x27;entreprise et son projet" in html  # the switched-on module
    assert 'data-condition-champ="annulation"' in html

    response = client.post(reverse("admin:dispositif_publier", args=[copie.pk]), follow=True)
    assert "Version 1 publiée" in response.content.decode()
    copie.refresh_from_db()
    assert copie.statut == StatutDispositif.PUBLIE and copie.version_courante.numero == 1
    keys = [f["key"] for s in copie.version_courante.schema["steps"] for f in s["fields"]]
    assert "pertes" in keys and "effectif" in keys
    actions = set(AuditEvent.objects.for_target(copie).values_list("action", flat=True))
    assert {"dispositif.duplique", "dispositif.publie"} <= actions


def test_publishing_a_broken_configuration_names_the_problem(client, nadia):
    dispositif = DispositifFactory()
    ChampSupplementaire.objects.create(
        dispositif=dispositif,
        cle="detail",
        type="text",
        libelle="Détail",
        condition_champ="champ_absent",
        condition_valeur="oui",
    )
    response = client.post(reverse("admin:dispositif_publier", args=[dispositif.pk]), follow=True)
    assert "dépend du champ « champ_absent », qui n&#x27;existe pas" in response.content.decode()
    dispositif.refresh_from_db()
    assert dispositif.version_courante is None


def test_republishing_an_unchanged_scheme_creates_no_new_version(client, nadia):
    dispositif = DispositifFactory(publie=True)
    client.post(reverse("admin:dispositif_publier", args=[dispositif.pk]))
    assert dispositif.versions.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"plancher": "5000", "plafond": "1000"}, "est inférieur au plancher"),
        (
            {
                "fenetre_type": "appel_a_projets",
                "date_ouverture": "2027-02-01",
                "date_cloture": "2027-01-01",
            },
            "précède son ouverture",
        ),
    ],
)
def test_the_configuration_form_refuses_impossible_rules(changes, message):
    service = DispositifFactory().service
    data = {
        "nom": "Essai",
        "slug": "essai",
        "resume": "r",
        "description": "d",
        "thematique": "Culture",
        "service": service.pk,
        "beneficiaires": ["association"],
        "modules": ["fonctionnement"],
        "fenetre_type": "permanente",
        "echeancier": "[]",
        "imputation": "{}",
        "modeles_courrier": "{}",
        **changes,
    }
    form = DispositifForm(data=data)
    assert not form.is_valid()
    assert any(message in error for error in form.non_field_errors())


def test_only_administrators_reach_the_configuration(client):
    dispositif = DispositifFactory()
    client.force_login(UserFactory(instructeur=True, is_staff=True))
    response = client.get(reverse("admin:dispositif_apercu", args=[dispositif.pk]))
    assert response.status_code in (302, 403)

"""The catalogue of 265 schemes as an applicant and an administrator meet it: every form builds and
renders accessibly, a valid dossier of every module combination validates and survives storage,
a dossier keeps the version it was filed under, and a wrong configuration is refused with a
message that names the problem."""

import io
import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import IntegrityError, transaction

from dispositifs.engine.compose import compose_schema, iter_fields, validate_config
from dispositifs.engine.fields import ConfigurationError, get_type
from dispositifs.engine.forms import form_class, step_keys, validate_answers
from dispositifs.engine.storage import document, trunk_columns
from dispositifs.models import ChampSupplementaire, Dispositif, DispositifVersion, Dossier
from dispositifs.services import PublicationRefusee, dispositif_publier
from mdna.models import Tiers
from tests.dispositifs.answers import valid_answers
from tests.factories import UserFactory

CATALOGUE = json.loads(
    (Path(__file__).resolve().parents[2] / "dispositifs/data/catalogue.json").read_text("utf-8")
)
SLUGS = [entry["slug"] for entry in CATALOGUE]
COMBINAISONS = sorted({tuple(entry["modules"]) for entry in CATALOGUE})
EMPTY = (None, "", [], {})


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """The catalogue loaded once for the module, in a transaction rolled back at its end (each
    test runs in a savepoint inside it)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = io.StringIO()
            call_command("load_catalogue", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def catalogue_db(catalogue, db):
    return catalogue


def test_le_catalogue_publie_265_dispositifs(catalogue_db):
    assert len(CATALOGUE) == 265
    assert "265 dispositifs créés" in catalogue_db
    assert "265 versions publiées" in catalogue_db
    assert Dispositif.objects.publies().count() == 265
    for dispositif in Dispositif.objects.select_related("version_courante"):
        version = dispositif.version_courante
        assert version.numero == 1
        assert version.empreinte == version.schema["hash"]
        assert version.schema["dispositif"]["slug"] == dispositif.slug
        assert version.schema["modules"] == [
            m
            for m in ("investissement", "fonctionnement", "formation", "economie")
            if m in dispositif.modules
        ]


# --- Every step of every version builds, renders, and labels its inputs --------------------------


class FormHtml(HTMLParser):
    def __init__(self):
        super().__init__()
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self.ids: list[str] = []
        self.headings: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.controls.append(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(tag)

    def unlabelled(self) -> list[dict]:
        return [
            c
            for c in self.controls
            if not c.get("aria-label") and c.get("id") not in self.label_for
        ]


@pytest.mark.parametrize("slug", SLUGS)
def test_chaque_etape_se_construit_s_affiche_et_nomme_ses_champs(catalogue_db, slug):
    dispositif = Dispositif.objects.get(slug=slug)
    versions = list(dispositif.versions.all())
    assert versions
    for version in versions:
        schema = version.schema
        keys = step_keys(schema)
        assert keys[:2] == ["demandeur", "projet"]
        assert keys[-3:-1] == ["banque", "pieces"] or keys[-2] == "banque"
        assert keys[-1] == "engagements"
        for key in keys:
            form = form_class(schema, key)(answers={})
            html = form.render()
            parsed = FormHtml()
            parsed.feed(html)
            step = next(s for s in schema["steps"] if s["key"] == key)
            inputs = [f for f in step["fields"] if get_type(f["type"]).is_input]
            assert len(parsed.controls) >= len(inputs), key
            assert parsed.unlabelled() == [], (key, parsed.unlabelled())
            assert parsed.headings == [], key  # the page owns the heading levels
            assert len(parsed.ids) == len(set(parsed.ids)), key
        # A valid dossier of this scheme validates against the stored schema.
        assert validate_answers(schema, valid_answers(schema)) == {}


# --- Every module combination: a valid dossier validates and round-trips through storage --------


def _same(value):
    return None if value in EMPTY else value


def file_dossier(version: DispositifVersion, answers: dict) -> Dossier:
    """Store answers as the wizard does: trunk columns + the JSON document."""
    demandeur = UserFactory()
    tiers = Tiers.objects.create(type=answers["demandeur_type"], nom=answers["nom"])
    return Dossier.objects.create(
        dispositif=version.dispositif,
        version=version,
        demandeur=demandeur,
        tiers=tiers,
        reponses=document(answers),
        **trunk_columns(answers),
    )


@pytest.mark.parametrize("variant", [0, 1])
@pytest.mark.parametrize("modules", COMBINAISONS, ids=lambda m: "+".join(m))
def test_chaque_combinaison_de_modules_valide_et_se_conserve(catalogue_db, modules, variant):
    dispositif = Dispositif.objects.filter(modules=list(modules)).order_by("slug").first()
    assert dispositif is not None
    version = dispositif.version_courante
    schema = version.schema
    assert [k for k in step_keys(schema) if k in modules] == list(modules)

    answers = valid_answers(schema, variant=variant)
    assert validate_answers(schema, answers) == {}

    dossier = Dossier.objects.get(pk=file_dossier(version, answers).pk)
    reloaded = dossier.answers()
    assert validate_answers(dossier.version.schema, reloaded) == {}
    for _step, spec in iter_fields(schema):
        if get_type(spec["type"]).is_input:
            assert _same(reloaded.get(spec["key"])) == _same(answers.get(spec["key"])), spec["key"]
    # What cross-scheme reporting reads: real columns.
    assert dossier.montant_demande == Decimal(answers["montant_demande"])
    assert dossier.cout_total == Decimal(answers["cout_total"]) > 0
    assert (dossier.commune, dossier.departement) == ("87085", "87")
    assert dossier.demandeur_type == answers["demandeur_type"]
    assert dossier.date_debut.isoformat() == answers["projet_dates"]["debut"]
    assert dossier.titre == answers["titre"]


@pytest.mark.parametrize(
    ("modules", "regle"),
    [
        ([], {}),
        ([], {"taux": "100"}),
        ([], {"plafond": "1500"}),
        ([], {"plancher": "25000", "plafond": "80000"}),
        (["fonctionnement"], {"taux": "33.33", "plancher": "3000", "plafond": "30000"}),
        (["economie"], {"taux": "100", "plancher": "50000", "plafond": "2000000"}),
        (["investissement", "economie"], {"taux": "80", "plancher": "150000"}),
    ],
)
def test_le_generateur_respecte_toute_regle_de_financement(modules, regle):
    config = {
        "slug": "regle",
        "beneficiaires": ["entreprise", "particulier"],
        "modules": modules,
        "regle": regle,
    }
    schema = compose_schema(config)
    for variant in range(3):
        assert validate_answers(schema, valid_answers(schema, variant=variant)) == {}


# --- Loading twice changes nothing ---------------------------------------------------------------


def test_charger_le_catalogue_deux_fois_ne_change_rien(catalogue_db):
    def state():
        return list(
            DispositifVersion.objects.order_by("pk").values_list(
                "pk", "dispositif_id", "numero", "empreinte"
            )
        )

    before = state()
    courantes = dict(Dispositif.objects.values_list("pk", "version_courante_id"))
    out = io.StringIO()
    call_command("load_catalogue", stdout=out)
    assert "0 dispositifs créés, 0 modifiés, 265 inchangés, 0 versions publiées" in out.getvalue()
    assert state() == before
    assert len(before) == 265
    assert dict(Dispositif.objects.values_list("pk", "version_courante_id")) == courantes


# --- A dossier keeps the version it was filed under ----------------------------------------------


def test_un_ancien_dossier_reste_valide_apres_modification_du_dispositif(catalogue_db):
    admin = UserFactory(administrateur=True)
    dispositif = Dispositif.objects.get(slug="soutien-aux-festivals")
    v1 = dispositif.version_courante
    answers = valid_answers(v1.schema)
    assert Decimal(answers["montant_demande"]) > 4000
    dossier = file_dossier(v1, answers)

    ChampSupplementaire.objects.create(
        dispositif=dispositif,
        ordre=99,
        cle="jauge_salle",
        type="integer",
        libelle="Jauge de la salle principale",
        obligatoire=True,
        minimum=Decimal("50"),
    )
    dispositif.plafond = Decimal("4000")
    dispositif.save()
    v2 = dispositif_publier(dispositif=dispositif, par=admin)

    assert v2.numero == 2
    assert Dispositif.objects.get(pk=dispositif.pk).version_courante == v2
    dossier = Dossier.objects.select_related("version").get(pk=dossier.pk)
    assert dossier.version == v1
    assert validate_answers(dossier.version.schema, dossier.answers()) == {}
    assert "jauge_salle" not in json.dumps(dossier.version.schema)

    problems = validate_answers(v2.schema, dossier.answers())
    assert problems["complements"] == {
        "jauge_salle": [{"message": "Ce champ est obligatoire.", "code": "required"}]
    }
    assert [e["message"] for e in problems["financement"]["montant_demande"]] == [
        "Le montant demandé dépasse le maximum de ce dispositif (4\u202f000,00\u00a0€ : "
        "50 % du coût total, plafonné à 4\u202f000,00\u00a0€)."
    ]
    # The new field, stored with its bounds as text, validates typed answers.
    new_answers = {**dossier.answers(), "jauge_salle": 300, "montant_demande": "4000.00"}
    new_answers["autofinancement"] = str(
        Decimal(answers["autofinancement"]) + Decimal(answers["montant_demande"]) - 4000
    )
    assert validate_answers(v2.schema, new_answers) == {}
    too_small = validate_answers(v2.schema, {**new_answers, "jauge_salle": 10})
    assert too_small == {
        "complements": {
            "jauge_salle": [
                {
                    "message": "Assurez-vous que cette valeur est supérieure ou égale à 50.",
                    "code": "min_value",
                }
            ]
        }
    }
    # A published version never changes.
    with pytest.raises(PermissionDenied):
        v1.save()
    assert DispositifVersion.objects.get(pk=v1.pk).configuration["regle"]["plafond"] == "30000"


def test_republier_sans_changement_garde_la_version(catalogue_db):
    admin = UserFactory(administrateur=True)
    dispositif = Dispositif.objects.get(slug="soutien-aux-festivals")
    assert dispositif_publier(dispositif=dispositif, par=admin) == dispositif.version_courante
    assert dispositif.versions.count() == 1


# --- A wrong configuration is refused with a message naming the problem --------------------------

BASE = next(entry for entry in CATALOGUE if entry["slug"] == "soutien-aux-festivals")
TEXTE = {"type": "text", "label": "Précisez", "required": True}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"champs_supplementaires": [{"key": "jauge", "type": "inconnu", "label": "Jauge"}]},
            "« jauge » : Type de champ inconnu : « inconnu ».",
        ),
        (
            {
                "champs_supplementaires": [
                    {**TEXTE, "key": "precision", "condition": {"field": "absent", "equals": "x"}}
                ]
            },
            "« precision » dépend du champ « absent », qui n'existe pas avant lui dans le "
            "formulaire.",
        ),
        (
            {
                "champs_supplementaires": [
                    {**TEXTE, "key": "precision", "condition": {"field": "jauge", "equals": 1}},
                    {"key": "jauge", "type": "integer", "label": "Jauge"},
                ]
            },
            "« precision » dépend du champ « jauge », qui n'existe pas avant lui dans le "
            "formulaire.",
        ),
        (
            {"regle": {"taux": 50, "plancher": "5000", "plafond": "3000"}},
            "Le plafond (3000 €) est inférieur au plancher (5000 €) : aucune aide ne serait "
            "possible.",
        ),
        (
            {
                "fenetre": {
                    "type": "appel_a_projets",
                    "ouverture": "2027-03-01",
                    "cloture": "2027-01-15",
                }
            },
            "La clôture de l'appel à projets (15/01/2027) précède son ouverture (01/03/2027).",
        ),
        (
            {"champs_supplementaires": [{**TEXTE, "key": "jauge"}, {**TEXTE, "key": "jauge"}]},
            "La clé « jauge » est déjà utilisée par un autre champ du formulaire.",
        ),
        (
            {"champs_supplementaires": [{**TEXTE, "key": "titre"}]},
            "La clé « titre » est déjà utilisée par un autre champ du formulaire.",
        ),
        (
            {
                "echeancier": [
                    {"libelle": "Avance", "pourcentage": 50, "declencheur": "signature"},
                    {"libelle": "Solde", "pourcentage": 40, "declencheur": "rapport_final"},
                ]
            },
            "L'échéancier de paiement totalise 90 % au lieu de 100 %.",
        ),
        ({"modules": ["tourisme"]}, "Module inconnu : tourisme."),
        ({"beneficiaires": []}, "Choisissez au moins un type de bénéficiaire."),
        (
            {
                "champs_supplementaires": [
                    {"key": "choix", "type": "choice", "choices": [["a", "A"]]}
                ]
            },
            "« choix » : un choix demande au moins deux options.",
        ),
    ],
)
def test_configuration_erronee_refusee_par_validate_config(changes, message):
    config = {**BASE, **changes}
    assert validate_config(BASE) == []
    assert validate_config(config) == [message]
    with pytest.raises(ConfigurationError, match=re.escape(message)):
        compose_schema(config)


def _refused(dispositif, admin) -> list[str]:
    with pytest.raises(PublicationRefusee) as refus:
        dispositif_publier(dispositif=dispositif, par=admin)
    return refus.value.errors


def test_configuration_erronee_refusee_a_la_publication(catalogue_db):
    admin = UserFactory(administrateur=True)
    dispositif = Dispositif.objects.get(slug="soutien-aux-festivals")
    v1 = dispositif.version_courante

    champ = ChampSupplementaire.objects.create(
        dispositif=dispositif, ordre=50, cle="jauge", type="inconnu", libelle="Jauge"
    )
    assert _refused(dispositif, admin) == ["« jauge » : Type de champ inconnu : « inconnu »."]

    champ.type = "integer"
    champ.condition_champ = "absent"
    champ.condition_valeur = "oui"
    champ.save()
    assert _refused(dispositif, admin) == [
        "« jauge » dépend du champ « absent », qui n'existe pas avant lui dans le formulaire."
    ]

    champ.condition_champ = ""
    champ.cle = "edition"  # already an extra field of this scheme
    champ.save()
    assert _refused(dispositif, admin) == [
        "La clé « edition » est déjà utilisée par un autre champ du formulaire."
    ]
    champ.delete()

    dispositif.echeancier = [
        {"libelle": "Avance", "pourcentage": 30, "declencheur": "signature"},
        {"libelle": "Solde", "pourcentage": 50, "declencheur": "rapport_final"},
    ]
    dispositif.save()
    assert _refused(dispositif, admin) == [
        "L'échéancier de paiement totalise 80 % au lieu de 100 %."
    ]

    # Nothing was published: the scheme still runs on its first version.
    dispositif.refresh_from_db()
    assert dispositif.version_courante == v1
    assert dispositif.versions.count() == 1


def test_plafond_sous_le_plancher_et_cloture_avant_ouverture_refuses_par_la_base(catalogue_db):
    dispositif = Dispositif.objects.get(slug="soutien-aux-festivals")
    dispositif.plancher, dispositif.plafond = Decimal("5000"), Decimal("3000")
    with pytest.raises(IntegrityError), transaction.atomic():
        dispositif.save()
    assert validate_config(dispositif.configuration()) == [
        "Le plafond (3000 €) est inférieur au plancher (5000 €) : aucune aide ne serait possible."
    ]

    dispositif.refresh_from_db()
    dispositif.date_ouverture, dispositif.date_cloture = (
        dispositif.date_cloture,
        dispositif.date_ouverture,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        dispositif.save()
    assert validate_config(dispositif.configuration()) == [
        "La clôture de l'appel à projets (01/09/2026) précède son ouverture (15/01/2027)."
    ]

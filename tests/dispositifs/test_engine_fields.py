"""The field catalogue: what an applicant types, what the engine keeps, and what it says when the
input is wrong (the exact French message, next to the right field)."""

import io
import struct
import zlib
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfWriter

from dispositifs.engine.compose import compose_schema
from dispositifs.engine.fields import FIELD_TYPES, Spec, check_upload, get_type
from dispositifs.engine.forms import form_class, form_data
from tests.dispositifs.answers import field_value

# --- A step holding one field of every type ------------------------------------------------------

COLONNES = [
    {"key": "poste", "type": "text", "label": "Poste", "required": True},
    {"key": "montant", "type": "amount", "label": "Montant (€)", "required": True},
]
CHAMPS = [
    {"key": "texte", "type": "text", "label": "Nom", "required": True, "max_length": 20},
    {"key": "texte_long", "type": "textarea", "label": "Description", "required": True},
    # Bounds as a published version stores them (strings, see ChampSupplementaire.to_spec).
    {"key": "nombre", "type": "integer", "label": "Édition", "required": True, "min": "2"},
    {"key": "montant", "type": "amount", "label": "Montant (€)", "required": True},
    {"key": "taux", "type": "percentage", "label": "Taux", "required": True},
    {"key": "date", "type": "date", "label": "Date", "required": True},
    {"key": "periode", "type": "date_range", "label": "Période", "required": True},
    {
        "key": "choix",
        "type": "choice",
        "label": "Discipline",
        "required": True,
        "choices": [["musique", "Musique"], ["danse", "Danse"]],
    },
    {
        "key": "choix_multiple",
        "type": "multichoice",
        "label": "Publics",
        "required": True,
        "choices": [["jeunes", "Jeunes"], ["seniors", "Seniors"]],
    },
    {"key": "oui_non", "type": "yesno", "label": "Récupérez-vous la TVA ?", "required": True},
    {"key": "engagement", "type": "consent", "label": "Je certifie", "required": True},
    {"key": "courriel", "type": "email", "label": "Courriel", "required": True},
    {"key": "telephone", "type": "phone", "label": "Téléphone", "required": True},
    {"key": "adresse", "type": "address", "label": "Adresse", "required": True},
    {"key": "commune", "type": "commune", "label": "Commune", "required": True},
    {
        "key": "departement",
        "type": "departement",
        "label": "Département",
        "required": True,
        "region": "75",
    },
    {"key": "siret", "type": "siret", "label": "SIRET", "required": True},
    {"key": "siren", "type": "siren", "label": "SIREN", "required": True},
    {"key": "rna", "type": "rna", "label": "RNA", "required": True},
    {"key": "iban", "type": "iban", "label": "IBAN", "required": True},
    {"key": "bic", "type": "bic", "label": "BIC", "required": True},
    {
        "key": "lignes",
        "type": "table",
        "label": "Dépenses",
        "required": True,
        "min_rows": 1,
        "max_rows": 4,
        "columns": COLONNES,
    },
]


def one_step_schema(fields: list[dict], name: str, regle: dict | None = None) -> dict:
    step = {"key": "etape", "title": "Étape", "intro": "", "fields": fields, "rules": []}
    return {"hash": f"test-{name}", "regle": regle or {}, "steps": [step]}


SCHEMA = one_step_schema(CHAMPS, "tous-les-types")
VALID = {spec["key"]: field_value(spec) for spec in CHAMPS}


def post(**changes) -> dict:
    """The form as a browser posts it, every field valid, then ``changes`` applied."""
    data, _ = form_data(SCHEMA["steps"][0], VALID)
    data = data.copy()
    for key, value in changes.items():
        if isinstance(value, list):
            data.setlist(key, value)
        else:
            data[key] = value
    return data


def bound(data, files=None):
    return form_class(SCHEMA, "etape")(data=data, files=MultiValueDict(files or {}))


def test_le_formulaire_rempli_correctement_est_valide():
    form = bound(post())
    assert form.is_valid(), form.errors
    assert form.answers_json() == VALID


# --- Valid inputs and what is kept ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "key", "kept"),
    [
        ({"montant": "12 345,50"}, "montant", "12345.50"),
        ({"montant": "12\u202f345,50\u00a0€"}, "montant", "12345.50"),
        ({"montant": "1500"}, "montant", "1500.00"),
        ({"montant": "0,1"}, "montant", "0.10"),
        ({"taux": "100"}, "taux", "100.00"),
        ({"taux": "33,33 %"}, "taux", "33.33"),
        ({"nombre": "2"}, "nombre", 2),
        ({"date": "15/03/2027"}, "date", "2027-03-15"),
        ({"date": "2027-03-15"}, "date", "2027-03-15"),
        (
            {"periode_0": "01/02/2027", "periode_1": "2027-02-01"},
            "periode",
            {"debut": "2027-02-01", "fin": "2027-02-01"},
        ),
        ({"oui_non": "non"}, "oui_non", False),
        ({"choix_multiple": ["jeunes", "seniors"]}, "choix_multiple", ["jeunes", "seniors"]),
        ({"telephone": "05.55.12.34.56"}, "telephone", "05 55 12 34 56"),
        ({"telephone": "+33 5 55 12 34 56"}, "telephone", "05 55 12 34 56"),
        ({"telephone": "0033 5 55 12 34 56"}, "telephone", "05 55 12 34 56"),
        ({"commune": "Limoges"}, "commune", "87085"),
        ({"commune": "limoges"}, "commune", "87085"),
        ({"commune": "87200 Saint-Junien"}, "commune", "87154"),
        ({"commune": "87000"}, "commune", "87085"),
        ({"commune": "87085"}, "commune", "87085"),
        ({"siret": "732 829 320 00074"}, "siret", "73282932000074"),
        # La Poste: its establishments break the Luhn key (python-stdnum knows the exception).
        ({"siret": "35600000000048"}, "siret", "35600000000048"),
        ({"siret": "35600000049837"}, "siret", "35600000049837"),
        ({"siren": "732 829 320"}, "siren", "732829320"),
        ({"rna": "w872001234"}, "rna", "W872001234"),
        ({"iban": "fr76 3000 6000 0112 3456 7890 189"}, "iban", "FR7630006000011234567890189"),
        ({"bic": "agri fr pp"}, "bic", "AGRIFRPP"),
        ({"bic": "BNPAFRPPXXX"}, "bic", "BNPAFRPPXXX"),
        (
            {"lignes-1-poste": "Scène", "lignes-1-montant": "2 000"},
            "lignes",
            [
                {"poste": "Valeur de test", "montant": "1500.00"},
                {"poste": "Scène", "montant": "2000.00"},
            ],
        ),
    ],
)
def test_saisie_valide_et_valeur_conservee(changes, key, kept):
    form = bound(post(**changes))
    assert form.is_valid(), form.errors
    assert form.answers_json()[key] == kept


def test_un_montant_est_un_decimal_a_deux_chiffres():
    form = bound(post(montant="12 345,50"))
    assert form.is_valid()
    assert form.cleaned_data["montant"] == Decimal("12345.50")
    assert form.cleaned_data["date"] == date(2027, 3, 15)


# --- Invalid inputs: the exact message, on the right field ---------------------------------------

# Radio and checkbox groups and multi-input fields have no single input to link to from the
# error summary (Django gives them no id_for_label).
GROUPS = {"periode", "choix", "choix_multiple", "oui_non", "adresse"}
SIRET_INVALIDE = (
    "Ce numéro SIRET n'est pas valide : il compte 14 chiffres (SIREN + 5 chiffres de "
    "l'établissement). Vérifiez-le sur votre extrait Kbis ou votre avis de situation INSEE."
)
IBAN_INVALIDE = (
    "Cet IBAN n'est pas valide. Recopiez-le depuis votre RIB (il commence par FR76 pour un "
    "compte en France)."
)


@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [
        ({"texte": ""}, "texte", "Ce champ est obligatoire."),
        (
            {"texte": "x" * 21},
            "texte",
            "Assurez-vous que cette valeur comporte au plus 20 caractères (actuellement 21).",
        ),
        ({"texte": "a\x00b"}, "texte", "Le caractère nul n’est pas autorisé."),
        ({"nombre": "3,5"}, "nombre", "Saisissez un nombre entier, sans virgule."),
        ({"nombre": "1"}, "nombre", "Assurez-vous que cette valeur est supérieure ou égale à 2."),
        ({"montant": "-5"}, "montant", "La valeur doit être au moins 0 €."),
        ({"montant": "12,345"}, "montant", "Indiquez au plus deux chiffres après la virgule."),
        ({"montant": "douze"}, "montant", "Saisissez un nombre, par exemple 12 500,50."),
        ({"montant": "1,2,3"}, "montant", "Saisissez un nombre, par exemple 12 500,50."),
        ({"montant": "1e5"}, "montant", "Saisissez un nombre, par exemple 12 500,50."),
        ({"montant": "9" * 40}, "montant", "Ce nombre est trop grand."),
        ({"montant": "1000000000000"}, "montant", "La valeur doit être au plus 999999999999,99 €."),
        ({"taux": "100,5"}, "taux", "La valeur doit être au plus 100 %."),
        ({"date": "31/02/2027"}, "date", "Saisissez une date valide, par exemple 15/03/2027."),
        (
            {"periode_0": "2027-05-01", "periode_1": "2027-04-30"},
            "periode",
            "La date de fin doit être postérieure ou égale à la date de début.",
        ),
        (
            {"periode_1": ""},
            "periode",
            "Indiquez la date de début et la date de fin.",
        ),
        ({"choix": "opera"}, "choix", "Choisissez l'une des options proposées."),
        (
            {"choix_multiple": ["jeunes", "x"]},
            "choix_multiple",
            "Choisissez parmi les options proposées.",
        ),
        ({"engagement": ""}, "engagement", "Cochez cette case pour continuer."),
        (
            {"courriel": "contact@"},
            "courriel",
            "Saisissez une adresse électronique valide, comme nom@exemple.fr.",
        ),
        (
            {"telephone": "05 55 12 34"},
            "telephone",
            "Saisissez un numéro de téléphone français à 10 chiffres, comme 05 55 12 34 56.",
        ),
        (
            {"adresse_1": "99999"},
            "adresse",
            "Le code postal 99999 n'existe pas. Vérifiez-le.",
        ),
        ({"adresse_1": "87 00"}, "adresse", "Le code postal compte 5 chiffres."),
        (
            {"adresse_2": ""},
            "adresse",
            "Indiquez le numéro et la voie, le code postal et la commune.",
        ),
        (
            {"commune": "Saint-Denis"},
            "commune",
            "Plusieurs communes portent ce nom : indiquez le code postal avant le nom, "
            "par exemple « 87200 Saint-Junien ».",
        ),
        (
            {"commune": "Xyzville"},
            "commune",
            "Commune introuvable. Indiquez son nom, ou son code postal suivi du nom.",
        ),
        (
            {"commune": "87200 Limoges"},
            "commune",
            "Commune introuvable. Indiquez son nom, ou son code postal suivi du nom.",
        ),
        (
            {"departement": "75"},
            "departement",
            "Sélectionnez un choix valide. 75 n’en fait pas partie.",
        ),
        ({"siret": "73282932000075"}, "siret", SIRET_INVALIDE),
        ({"siret": "7328293200007"}, "siret", SIRET_INVALIDE),
        ({"siret": "35600000049838"}, "siret", SIRET_INVALIDE),
        (
            {"siren": "732829321"},
            "siren",
            "Ce numéro SIREN n'est pas valide : il compte 9 chiffres.",
        ),
        (
            {"rna": "872001234"},
            "rna",
            "Le numéro RNA commence par W suivi de 9 chiffres, par exemple W872001234.",
        ),
        (
            {"rna": "W87200123"},
            "rna",
            "Le numéro RNA commence par W suivi de 9 chiffres, par exemple W872001234.",
        ),
        ({"iban": "FR7630006000011234567890188"}, "iban", IBAN_INVALIDE),
        ({"iban": "FR76 3000 6000"}, "iban", IBAN_INVALIDE),
        (
            {"bic": "AGRIFRP"},
            "bic",
            "Ce BIC n'est pas valide : il compte 8 ou 11 caractères (voir votre RIB).",
        ),
        (
            {"lignes-1-poste": "Scène", "lignes-1-montant": "douze"},
            "lignes",
            "Ligne 2, Montant (€) : Saisissez un nombre, par exemple 12 500,50.",
        ),
        (
            {"lignes-1-montant": "300"},
            "lignes",
            "Ligne 2, Poste : Ce champ est obligatoire.",
        ),
        (
            {"lignes-0-poste": "", "lignes-0-montant": ""},
            "lignes",
            "Remplissez au moins une ligne.",
        ),
    ],
)
def test_saisie_invalide_message_exact_sur_le_bon_champ(changes, key, message):
    form = bound(post(**changes))
    assert not form.is_valid()
    assert form.errors == {key: [message]}
    html = form.render()
    # The message is shown next to its field, tied to it, and in the summary at the top.
    assert f'<p class="champ__erreur" id="id_{key}-erreur">' in html
    assert escape(message) in html
    if key not in GROUPS:
        assert f'<a href="#id_{key}">' in html
    if key != "lignes":  # a table marks no single input: the message names the row and column
        assert 'aria-invalid="true"' in html


def test_periode_une_date_impossible_est_refusee():
    form = bound(post(periode_0="32/01/2027"))
    assert not form.is_valid()
    assert list(form.errors) == ["periode"]


# --- Repeatable tables ---------------------------------------------------------------------------


def table_field(min_rows=0, max_rows=3, required=False):
    spec = {
        "key": "lignes",
        "type": "table",
        "label": "Cofinanceurs",
        "min_rows": min_rows,
        "max_rows": max_rows,
        "columns": COLONNES,
    }
    return get_type("table").form_field(Spec(spec), required=required)


def rows(n):
    return [{"poste": f"Poste {i}", "montant": "100"} for i in range(1, n + 1)]


def test_tableau_nombre_minimal_de_lignes():
    with pytest.raises(ValidationError) as error:
        table_field(min_rows=2).clean(rows(1))
    assert error.value.messages == ["Remplissez au moins 2 lignes."]
    assert len(table_field(min_rows=2).clean(rows(2))) == 2


def test_tableau_nombre_maximal_de_lignes():
    with pytest.raises(ValidationError) as error:
        table_field(max_rows=3).clean(rows(4))
    assert error.value.messages == ["3 lignes au plus."]


def test_tableau_facultatif_vide_et_lignes_vides_ignorees():
    assert table_field(required=False).clean([{"poste": "", "montant": ""}]) == []
    assert table_field().clean([{"poste": "", "montant": ""}, *rows(1)]) == [
        {"poste": "Poste 1", "montant": "100.00"}
    ]


def test_tableau_chaque_cellule_fautive_est_nommee():
    with pytest.raises(ValidationError) as error:
        table_field().clean(
            [{"poste": "Scène", "montant": "-3"}, {"poste": "", "montant": "1,234"}]
        )
    assert error.value.messages == [
        "Ligne 1, Montant (€) : La valeur doit être au moins 0 €.",
        "Ligne 2, Poste : Ce champ est obligatoire.",
        "Ligne 2, Montant (€) : Indiquez au plus deux chiffres après la virgule.",
    ]


# --- Files: recognised by their content, never by their name -------------------------------------


def tiny_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def file_form(types: list[str], max_mb: int = 2):
    spec = {
        "key": "statuts",
        "type": "file",
        "label": "Statuts",
        "required": True,
        "types": types,
        "max_mb": max_mb,
    }
    return form_class(one_step_schema([spec], f"fichier-{'-'.join(types)}-{max_mb}"), "etape")


def upload(content: bytes, name: str = "statuts.pdf"):
    return {"statuts": SimpleUploadedFile(name, content)}


def test_un_vrai_pdf_est_accepte():
    form = file_form(["pdf"])(data={}, files=upload(tiny_pdf()))
    assert form.is_valid(), form.errors


def test_une_image_png_renommee_pdf_vaut_png():
    accepted = file_form(["pdf", "png"])(data={}, files=upload(tiny_png()))
    assert accepted.is_valid(), accepted.errors
    kind = check_upload(upload(tiny_png())["statuts"], allowed=("pdf", "png"), max_bytes=10**6)
    assert kind == "png"
    refused = file_form(["pdf"])(data={}, files=upload(tiny_png()))
    assert refused.errors == {
        "statuts": [
            "Le contenu de ce fichier n'est pas d'un type accepté (PDF), quel que soit son nom. "
            "Enregistrez-le dans l'un de ces formats."
        ]
    }


def test_un_texte_renomme_pdf_est_refuse():
    form = file_form(["pdf", "jpg", "png"])(data={}, files=upload(b"Ceci n'est pas un PDF.\n" * 20))
    assert form.errors == {
        "statuts": [
            "Le contenu de ce fichier n'est pas d'un type accepté (PDF, JPEG, PNG), quel que soit "
            "son nom. Enregistrez-le dans l'un de ces formats."
        ]
    }


def test_un_fichier_trop_lourd_est_refuse():
    content = tiny_pdf() + b"%" * (3 * 1_048_576)
    form = file_form(["pdf"], max_mb=2)(data={}, files=upload(content))
    assert form.errors == {
        "statuts": [
            "Le fichier pèse 3,0 Mo : la limite est de 2 Mo. Réduisez-le (par exemple en le "
            "numérisant en niveaux de gris) puis déposez-le de nouveau."
        ]
    }


def test_fichier_obligatoire_et_piece_deja_deposee():
    form_cls = file_form(["pdf"])
    assert form_cls(data={}, files={}).errors == {
        "statuts": ["Déposez ce document pour continuer."]
    }
    stored = {"piece_id": 1, "nom": "statuts.pdf"}
    form = form_cls(data={}, files={}, initial={"statuts": stored})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["statuts"] == stored


# --- Computed fields and funding rule ------------------------------------------------------------

CONFIG = {
    "slug": "test-financement",
    "nom": "Dispositif de test",
    "beneficiaires": ["association"],
    "modules": [],
    "regle": {"taux": "50", "plancher": "3000", "plafond": "30000"},
}


def financement(depenses: list[str], demande: str, *, config=CONFIG, other_steps=None, **extra):
    schema = compose_schema(config)
    answers = {
        "depenses": [{"poste": f"Poste {i}", "montant": m} for i, m in enumerate(depenses)],
        "montant_demande": demande,
        "cofinanceurs": [],
        "autofinancement": extra.pop("autofinancement", "0"),
    }
    data, _ = form_data(next(s for s in schema["steps"] if s["key"] == "financement"), answers)
    return form_class(schema, "financement")(data=data, answers=other_steps or {})


@pytest.mark.parametrize(
    ("depenses", "eligible"),
    [
        (["40000"], Decimal("20000.00")),  # 50 % × 40 000
        (["50000", "50000"], Decimal("30000.00")),  # 50 % × 100 000 = 50 000 > plafond
        (["12345,67"], Decimal("6172.83")),  # rounded down to the cent
    ],
)
def test_montant_eligible_est_le_taux_du_cout_dans_la_limite_du_plafond(depenses, eligible):
    total = sum(Decimal(d.replace(",", ".")) for d in depenses)
    form = financement(depenses, "3000", autofinancement=str(total - 3000))
    assert form.is_valid(), form.errors
    assert form.computed["montant_eligible"] == eligible
    assert form.computed["cout_total"] == total
    assert "6\u202f172,83\u00a0€" in financement(["12345,67"], "1").render()


def test_montant_demande_au_dela_du_maximum_refuse():
    form = financement(["40000"], "25000", autofinancement="15000")
    assert form.errors == {
        "montant_demande": [
            "Le montant demandé dépasse le maximum de ce dispositif (20\u202f000,00\u00a0€ : "
            "50 % du coût total, plafonné à 30\u202f000,00\u00a0€)."
        ]
    }


def test_montant_demande_sous_le_plancher_refuse():
    form = financement(["40000"], "2000", autofinancement="38000")
    assert form.errors == {
        "montant_demande": ["Ce dispositif n'accorde pas d'aide inférieure à 3\u202f000,00\u00a0€."]
    }


def test_plan_de_financement_desequilibre_refuse_sur_l_autofinancement():
    form = financement(["40000"], "10000", autofinancement="20000")
    assert form.errors == {
        "autofinancement": [
            "Le plan de financement n'est pas équilibré : dépenses 40\u202f000,00\u00a0€, "
            "ressources 30\u202f000,00\u00a0€ (il manque 10\u202f000,00\u00a0€). Ajustez le "
            "montant demandé, les cofinancements ou l'autofinancement."
        ]
    }


def test_de_minimis_plafond_de_300_000_euros_sur_trois_ans():
    config = {**CONFIG, "slug": "test-de-minimis", "modules": ["economie"], "regle": {}}
    deja_recues = {"aides_de_minimis": "290000.00"}
    form = financement(
        ["40000"], "10000", config=config, other_steps=deja_recues, autofinancement="30000"
    )
    assert form.is_valid(), form.errors
    form = financement(
        ["40000"], "10000,01", config=config, other_steps=deja_recues, autofinancement="29999,99"
    )
    assert form.errors == {
        "montant_demande": [
            "Avec cette aide, le total des aides de minimis sur trois ans atteindrait "
            "300\u202f000,01\u00a0€, au-delà du plafond européen de 300\u202f000,00\u00a0€."
        ]
    }


def test_budget_de_fonctionnement_equilibre():
    schema = compose_schema({**CONFIG, "slug": "test-budget", "modules": ["fonctionnement"]})
    step = next(s for s in schema["steps"] if s["key"] == "fonctionnement")
    answers = {spec["key"]: field_value(spec) for spec in step["fields"]}
    answers["nature_demande"] = "fonctionnement_global"
    answers["budget_charges"] = [{"poste": "Salaires", "montant": "10000.00"}]
    answers["budget_produits"] = [{"poste": "Billetterie", "montant": "9000.00"}]
    form = form_class(schema, "fonctionnement")(data=form_data(step, answers)[0])
    assert form.errors == {
        "budget_produits": [
            "Le budget n'est pas équilibré : charges 10\u202f000,00\u00a0€, produits "
            "9\u202f000,00\u00a0€. Le total des produits doit égaler celui des charges."
        ]
    }
    answers["budget_produits"].append({"poste": "Cotisations", "montant": "1000"})
    form = form_class(schema, "fonctionnement")(data=form_data(step, answers)[0])
    assert form.is_valid(), form.errors


# --- Conditions ----------------------------------------------------------------------------------

CONDITIONNEL = [
    {
        "key": "discipline",
        "type": "choice",
        "label": "Discipline",
        "required": True,
        "choices": [["musique", "Musique"], ["autre", "Autre"]],
    },
    {
        "key": "precision",
        "type": "text",
        "label": "Précisez la discipline",
        "required": True,
        "condition": {"field": "discipline", "equals": "autre"},
    },
]


def conditional_form(**data):
    return form_class(one_step_schema(CONDITIONNEL, "condition"), "etape")(data=data)


def test_champ_conditionnel_obligatoire_quand_la_condition_est_remplie():
    form = conditional_form(discipline="autre")
    assert form.errors == {"precision": ["Ce champ est obligatoire."]}
    form = conditional_form(discipline="autre", precision="Arts numériques")
    assert form.is_valid()
    assert form.answers_json()["precision"] == "Arts numériques"


def test_champ_conditionnel_facultatif_et_ignore_sinon():
    form = conditional_form(discipline="musique", precision="texte resté dans le navigateur")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["precision"] is None
    assert form.answers_json()["precision"] is None
    # An invalid value in a hidden field does not block the applicant either.
    assert conditional_form(discipline="musique", precision="x" * 300).is_valid()


def test_champ_conditionnel_annonce_obligatoire_et_sa_condition():
    html = conditional_form().render()
    assert 'data-condition-champ="discipline"' in html
    assert 'Précisez la discipline <span class="obligatoire">(obligatoire)</span>' in html


def test_condition_sur_une_reponse_d_une_autre_etape():
    schema = one_step_schema(CONDITIONNEL[1:], "condition-autre-etape")
    form_cls = form_class(schema, "etape")
    assert form_cls(data={}, answers={"discipline": "autre"}).errors == {
        "precision": ["Ce champ est obligatoire."]
    }
    assert form_cls(data={}, answers={"discipline": "musique"}).is_valid()


# --- Whatever is posted, validation answers with field errors, never an exception ----------------

INPUT_TYPES = sorted(code for code, t in FIELD_TYPES.items() if t.is_input)
EXTRA = {
    "choice": {"choices": [["a", "A"], ["b", "B"]]},
    "multichoice": {"choices": [["a", "A"], ["b", "B"]]},
    "departement": {"region": "75"},
    "table": {
        "min_rows": 1,
        "max_rows": 2,
        "columns": [
            {"key": c, "type": c, "label": c, "required": True, **cell}
            for c, cell in [
                ("text", {}),
                ("integer", {}),
                ("amount", {}),
                ("percentage", {}),
                ("date", {}),
                ("choice", {"choices": [["a", "A"], ["b", "B"]]}),
                ("yesno", {}),
            ]
        ],
    },
    "file": {"types": ["pdf", "png", "jpg", "docx", "xlsx", "odt", "ods"], "max_mb": 1},
}
FUZZ_FORMS = {
    code: form_class(
        one_step_schema(
            [
                {
                    "key": "champ",
                    "type": code,
                    "label": code,
                    "required": True,
                    **EXTRA.get(code, {}),
                }
            ],
            f"fuzz-{code}",
        ),
        "etape",
    )
    for code in INPUT_TYPES
}
CELL_NAMES = [f"champ-{row}-{c['key']}" for row in range(2) for c in EXTRA["table"]["columns"]]
DATA_NAMES = ["champ", "champ_0", "champ_1", "champ_2", *CELL_NAMES]

texts = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Nd"])),
    st.text(max_size=20).map(lambda s: s * 5000),  # huge strings
    st.integers().map(str),
    st.integers(min_value=-(10**60), max_value=10**60).map(lambda n: f"{n:,}".replace(",", " ")),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
    st.sampled_from(["oui", "non", "on", "a", "87085", "Saint-Denis", "FR76", "W123"]),
)
contents = st.one_of(
    st.binary(max_size=2048),
    st.binary(max_size=2048).map(lambda b: b"PK\x03\x04" + b),  # zip-like: the office sniffing
    st.binary(max_size=2048).map(lambda b: b"%PDF-1.4\n" + b),
    st.binary(max_size=512).map(lambda b: b"\x89PNG\r\n\x1a\n" + b),
)

# Names as Django's upload handler hands them over (it strips paths before the form sees them).
file_names = st.text(st.characters(exclude_characters="/\\\x00"), min_size=1, max_size=60).filter(
    lambda n: n.strip() not in {"", ".", ".."}
)


@pytest.mark.parametrize("code", INPUT_TYPES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(texts, min_size=1, max_size=3), content=contents, name=file_names)
def test_aucune_saisie_ne_fait_planter_la_validation(code, values, content, name):
    data = MultiValueDict(dict.fromkeys(DATA_NAMES, values))
    files = MultiValueDict({"champ": [SimpleUploadedFile(name, content)]})
    form = FUZZ_FORMS[code](data=data, files=files)
    if not form.is_valid():
        assert set(form.errors) == {"champ"}
        assert all(isinstance(m, str) and m for m in form.errors["champ"])
    form.render()

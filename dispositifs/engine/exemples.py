"""Valid example answers for any form schema (demo data, benchmarks and tests).

``valid_answers(schema)`` returns the JSON answers an applicant could have filed: one valid value
per input field, conditional fields only when their condition holds, computed fields as the engine
computes them, and the cross-field rules honoured (balanced financing plan, amount asked within the
scheme's rate, floor and ceiling, balanced operating budget, de minimis ceiling). Files are stored
references (``{"piece_id": …, "nom": …}``), as the wizard keeps them.

``variant`` picks other options (another beneficiary type, « non » to yes/no questions…) so that
several answer sets of one schema exercise different conditions.
"""

from __future__ import annotations

from decimal import ROUND_UP, Decimal

from dispositifs import territoires
from dispositifs.engine import formulas
from dispositifs.engine.fields import MAX_AMOUNT, MAX_LONG_TEXT, MAX_TEXT
from dispositifs.engine.forms import condition_holds
from dispositifs.engine.rules import DE_MINIMIS_CEILING

CENT = Decimal("0.01")
SIRET = "73282932000074"
SIREN = "732829320"
RNA = "W872001234"
IBAN = "FR7630006000011234567890189"
BIC = "AGRIFRPP"
ADRESSE = {"ligne": "12 place de la Mairie", "code_postal": "87000", "commune": "Limoges"}
LIMOGES = "87085"
PERIODE = {"debut": "2027-01-15", "fin": "2027-12-15"}
DATE = "2027-03-15"
BASE_COST = Decimal("20000.00")
DE_MINIMIS_RECUES = Decimal("12000.00")


def valid_answers(schema: dict, *, variant: int = 0) -> dict:
    """Valid JSON answers for ``schema`` (``validate_answers(schema, answers) == {}``)."""
    answers: dict = {}
    regle = schema.get("regle") or {}
    for step in schema["steps"]:
        for spec in step["fields"]:
            key, kind = spec["key"], spec["type"]
            if kind in ("info", "computed"):
                continue
            if not condition_holds(spec.get("condition"), answers):
                continue
            answers[key] = field_value(spec, variant=variant)
        if step["key"] == "financement":
            answers.update(financing(answers, regle))
        if any(s["key"] == "budget_charges" for s in step["fields"]):
            answers["budget_charges"] = [
                {"poste": "Salaires et charges", "montant": "8000.00"},
                {"poste": "Communication", "montant": "2000.00"},
            ]
            answers["budget_produits"] = [
                {"poste": "Subventions publiques", "montant": "6500.00"},
                {"poste": "Billetterie", "montant": "3500.00"},
            ]
        for spec in step["fields"]:
            if spec["type"] == "computed":
                answers[spec["key"]] = str(formulas.compute(spec["formula"], answers, regle))
    return answers


def field_value(spec: dict, *, variant: int = 0):
    """One valid JSON value for a field spec (a table gets one or two valid rows)."""
    kind = spec["type"]
    if kind == "text":
        return _text(spec, "Valeur de test", MAX_TEXT)
    if kind == "textarea":
        return _text(spec, "Une description sur plusieurs lignes.\nDeuxième ligne.", MAX_LONG_TEXT)
    if kind == "integer":
        return _integer(spec)
    if kind == "amount":
        return _decimal_in(spec, Decimal("1500.00"), Decimal(0), MAX_AMOUNT)
    if kind == "percentage":
        return _decimal_in(spec, Decimal("50.00"), Decimal(0), Decimal(100))
    if kind == "date":
        return DATE
    if kind == "date_range":
        return dict(PERIODE)
    if kind == "choice":
        return _pick(spec, variant)[0]
    if kind == "multichoice":
        return [_pick(spec, variant)[0]]
    if kind == "yesno":
        return variant % 2 == 0
    if kind == "consent":
        return True
    if kind == "email":
        return "contact@exemple.fr"
    if kind == "phone":
        return "05 55 12 34 56"
    if kind == "address":
        return dict(ADRESSE)
    if kind == "commune":
        return LIMOGES
    if kind == "departement":
        return territoires.departements(spec.get("region"))[0].code
    if kind == "siret":
        return SIRET
    if kind == "siren":
        return SIREN
    if kind == "rna":
        return RNA
    if kind == "iban":
        return IBAN
    if kind == "bic":
        return BIC
    if kind == "file":
        return {"piece_id": 1, "nom": f"{spec.get('piece', spec['key'])}.pdf"}
    if kind == "table":
        rows = max(1, spec.get("min_rows", 0))
        return [
            {c["key"]: field_value(c, variant=variant) for c in spec["columns"]}
            for _ in range(rows)
        ]
    raise ValueError(f"Type de champ sans valeur de test : {kind}")


def financing(answers: dict, regle: dict) -> dict:
    """A balanced financing plan whose amount asked respects the rule and de minimis."""
    taux = _dec(regle.get("taux"))
    plancher = _dec(regle.get("plancher"))
    cost = BASE_COST
    if plancher is not None:  # rate × cost must reach the floor (the ceiling is above it)
        needed = plancher * 100 / taux if taux is not None else plancher
        cost = max(cost, needed.quantize(Decimal(1), rounding=ROUND_UP) * 2)
    cost = cost.quantize(CENT)
    maximum = formulas.montant_eligible({"depenses": [{"montant": str(cost)}]}, regle)
    asked = maximum
    if "aides_de_minimis" in answers:
        asked = min(asked, DE_MINIMIS_CEILING - Decimal(answers["aides_de_minimis"]))
    if plancher is None:
        asked = min(asked, max(maximum / 2, CENT)).quantize(CENT)
    asked = max(asked, CENT)
    rest = cost - asked
    cofinancement = (rest / 2).quantize(CENT)
    first = (cost * Decimal("0.6")).quantize(CENT)
    plan = {
        "depenses": [
            {"poste": "Prestations et achats", "montant": str(first)},
            {"poste": "Frais de personnel", "montant": str(cost - first)},
        ],
        "montant_demande": str(asked),
        "cofinanceurs": (
            [{"financeur": "Département", "statut": "demande", "montant": str(cofinancement)}]
            if cofinancement > 0
            else []
        ),
        "autofinancement": str(rest - cofinancement),
    }
    return plan


def _text(spec: dict, value: str, default_max: int) -> str:
    return value[: spec.get("max_length", default_max)]


def _integer(spec: dict) -> int:
    low = int(_dec(spec.get("min")) or 0)
    high = spec.get("max")
    value = max(low, 3)
    return min(value, int(_dec(high))) if high not in (None, "") else value


def _decimal_in(spec: dict, wanted: Decimal, low: Decimal, high: Decimal) -> str:
    if spec["key"] == "aides_de_minimis":
        wanted = DE_MINIMIS_RECUES
    low = max(low, _dec(spec.get("min")) or low)
    high = min(high, _dec(spec.get("max")) or high)
    return str(min(max(wanted, low), high).quantize(CENT))


def _pick(spec: dict, variant: int) -> list:
    choices = [c for c in spec.get("choices") or [] if c[0] != ""]
    return choices[variant % len(choices)]


def _dec(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))

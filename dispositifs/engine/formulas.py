"""Computed fields: named formulas over the answers and the scheme's funding rule."""

from collections.abc import Callable
from decimal import ROUND_DOWN, Decimal

CENT = Decimal("0.01")


def _decimal(value) -> Decimal:
    if value in (None, ""):
        return Decimal(0)
    return Decimal(str(value))


def total_table(answers: dict, key: str, column: str = "montant") -> Decimal:
    return sum((_decimal(row.get(column)) for row in answers.get(key) or []), Decimal(0))


def cout_total(answers: dict, regle: dict) -> Decimal:
    """Total cost of the project: the sum of the expense lines."""
    return total_table(answers, "depenses")


def total_ressources(answers: dict, regle: dict) -> Decimal:
    return (
        _decimal(answers.get("montant_demande"))
        + total_table(answers, "cofinanceurs")
        + _decimal(answers.get("autofinancement"))
    )


def montant_eligible(answers: dict, regle: dict) -> Decimal:
    """The most the Region can grant: min(rate × total cost, ceiling)."""
    cost = cout_total(answers, regle)
    amount = cost
    if regle.get("taux") is not None:
        amount = (cost * _decimal(regle["taux"]) / 100).quantize(CENT, rounding=ROUND_DOWN)
    if regle.get("plafond") is not None:
        amount = min(amount, _decimal(regle["plafond"]))
    return amount.quantize(CENT)


FORMULAS: dict[str, Callable[[dict, dict], Decimal]] = {
    "cout_total": cout_total,
    "total_ressources": total_ressources,
    "montant_eligible": montant_eligible,
}


def compute(formula: str, answers: dict, regle: dict) -> Decimal:
    return FORMULAS[formula](answers, regle)

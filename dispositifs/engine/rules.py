"""Cross-field rules of a step or of the whole form. Each returns (field key or None, message)."""

from collections.abc import Callable
from decimal import Decimal

from dispositifs.engine.formulas import _decimal, cout_total, montant_eligible, total_ressources
from dispositifs.engine.parsing import format_euros

DE_MINIMIS_CEILING = Decimal("300000")  # Regulation (EU) 2023/2831: €300,000 over 3 years

Problem = tuple[str | None, str]


def plan_equilibre(answers: dict, regle: dict) -> list[Problem]:
    """The financing plan balances: expenses = amount asked + co-funders + own funds."""
    depenses = cout_total(answers, regle)
    ressources = total_ressources(answers, regle)
    if depenses == ressources:
        return []
    ecart = depenses - ressources
    sens = "il manque" if ecart > 0 else "il y a en trop"
    return [
        (
            "autofinancement",
            f"Le plan de financement n'est pas équilibré : dépenses {format_euros(depenses)}, "
            f"ressources {format_euros(ressources)} ({sens} {format_euros(abs(ecart))}). "
            "Ajustez le montant demandé, les cofinancements ou l'autofinancement.",
        )
    ]


def regle_financement(answers: dict, regle: dict) -> list[Problem]:
    """The amount asked respects the scheme's rate, floor and ceiling."""
    asked = answers.get("montant_demande")
    if asked in (None, ""):
        return []
    asked = _decimal(asked)
    problems = []
    maximum = montant_eligible(answers, regle)
    limited = regle.get("taux") is not None or regle.get("plafond") is not None
    if limited and asked > maximum:
        detail = []
        if regle.get("taux") is not None:
            detail.append(f"{regle['taux']} % du coût total")
        if regle.get("plafond") is not None:
            detail.append(f"plafonné à {format_euros(regle['plafond'])}")
        problems.append(
            (
                "montant_demande",
                f"Le montant demandé dépasse le maximum de ce dispositif "
                f"({format_euros(maximum)} : {', '.join(detail)}).",
            )
        )
    if regle.get("plancher") is not None and asked < _decimal(regle["plancher"]):
        problems.append(
            (
                "montant_demande",
                f"Ce dispositif n'accorde pas d'aide inférieure à {format_euros(regle['plancher'])}.",
            )
        )
    return problems


def budget_equilibre(answers: dict, regle: dict) -> list[Problem]:
    """Operating budget (CERFA 12156 logic): total charges = total products."""
    charges = sum(
        (_decimal(r.get("montant")) for r in answers.get("budget_charges") or []), Decimal(0)
    )
    produits = sum(
        (_decimal(r.get("montant")) for r in answers.get("budget_produits") or []), Decimal(0)
    )
    if not answers.get("budget_charges") or charges == produits:
        return []
    return [
        (
            "budget_produits",
            f"Le budget n'est pas équilibré : charges {format_euros(charges)}, produits "
            f"{format_euros(produits)}. Le total des produits doit égaler celui des charges.",
        )
    ]


def de_minimis(answers: dict, regle: dict) -> list[Problem]:
    """De minimis aid already received + this aid stays under the state-aid ceiling."""
    recues = answers.get("aides_de_minimis")
    if recues in (None, ""):
        return []
    total = _decimal(recues) + _decimal(answers.get("montant_demande"))
    if total <= DE_MINIMIS_CEILING:
        return []
    return [
        (
            "montant_demande",
            f"Avec cette aide, le total des aides de minimis sur trois ans atteindrait "
            f"{format_euros(total)}, au-delà du plafond européen de "
            f"{format_euros(DE_MINIMIS_CEILING)}.",
        )
    ]


RULES: dict[str, Callable[[dict, dict], list[Problem]]] = {
    "plan_equilibre": plan_equilibre,
    "regle_financement": regle_financement,
    "budget_equilibre": budget_equilibre,
    "de_minimis": de_minimis,
}

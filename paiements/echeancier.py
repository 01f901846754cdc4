"""Pure money rules: the schedule of a grant and the pro rata reduction of a payment request.

Everything in ``Decimal``; the last instalment takes the rounding so that the schedule always
sums to the grant exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

CENTIME = Decimal("0.01")
CENT = Decimal("100")
DECLENCHEUR_SANS_JUSTIFICATIF = "signature"


@dataclass(frozen=True)
class LigneEcheancier:
    rang: int
    libelle: str
    pourcentage: Decimal
    declencheur: str
    montant: Decimal


def calculer_echeancier(montant: Decimal, modele: list[dict] | None) -> list[LigneEcheancier]:
    """Split ``montant`` along the scheme's template (percentages, in order).

    Each instalment but the last is rounded down to the cent; the last one is the rest, so the
    sum is exactly ``montant`` whatever the percentages. An empty template is one payment.
    """
    if not isinstance(montant, Decimal):
        raise TypeError("Le montant doit être un Decimal.")
    lignes = [
        item
        for item in (modele or [])
        if isinstance(item, dict) and Decimal(str(item.get("pourcentage", 0))) > 0
    ]
    if not lignes:
        lignes = [
            {"libelle": "Versement unique", "pourcentage": 100, "declencheur": "rapport_final"}
        ]
    resultat: list[LigneEcheancier] = []
    cumul = Decimal("0.00")
    for rang, item in enumerate(lignes, start=1):
        pourcentage = Decimal(str(item["pourcentage"]))
        if rang < len(lignes):
            part = (montant * pourcentage / CENT).quantize(CENTIME, rounding=ROUND_DOWN)
            part = min(part, montant - cumul)
        else:
            part = montant - cumul
        cumul += part
        resultat.append(
            LigneEcheancier(
                rang=rang,
                libelle=str(item.get("libelle") or f"Versement {rang}")[:100],
                pourcentage=pourcentage,
                declencheur=str(item.get("declencheur", ""))[:40],
                montant=part,
            )
        )
    assert sum(ligne.montant for ligne in resultat) == montant
    return resultat


def montant_au_prorata(
    *,
    montant_echeance: Decimal,
    montant_aide: Decimal,
    deja_certifie: Decimal,
    depenses_prevues: Decimal,
    depenses_realisees: Decimal,
    declencheur: str,
    regle: str = "prorata",
) -> Decimal:
    """The amount the instructor may certify for an instalment.

    Rule ``prorata`` (the default of every scheme): the aid finally due is the grant times
    realised / planned expenses (never more than the grant); an instalment pays at most what
    is still due after the instalments already certified. An instalment paid on signature
    (avance) needs no proof and is not reduced. Rule ``forfait``: never reduced.
    """
    if regle == "forfait" or declencheur == DECLENCHEUR_SANS_JUSTIFICATIF:
        return montant_echeance
    if depenses_prevues <= 0:
        return montant_echeance
    ratio = min(Decimal(1), depenses_realisees / depenses_prevues)
    du = (montant_aide * ratio).quantize(CENTIME, rounding=ROUND_DOWN)
    reste = max(Decimal("0.00"), du - deja_certifie)
    return min(montant_echeance, reste)

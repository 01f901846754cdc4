"""Amounts as a French official document writes them: in figures and in words.

>>> en_chiffres("8000")
'8\xa0000,00\xa0€'
>>> en_lettres("8000")
'huit mille euros'
>>> en_lettres("1000000.50")
"un million d'euros et cinquante centimes"
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from num2words import num2words

CENT = Decimal("0.01")
NBSP = "\xa0"


def decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    try:
        return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(f"Montant illisible : {value!r}") from None


def en_chiffres(value) -> str:
    """« 8 000,00 € » (non-breaking spaces: the amount never splits across two lines)."""
    montant = decimal(value)
    if montant is None:
        return ""
    signe = "-" if montant < 0 else ""
    entier, cents = f"{abs(montant):.2f}".split(".")
    groupes = []
    while entier:
        groupes.insert(0, entier[-3:])
        entier = entier[:-3]
    return f"{signe}{NBSP.join(groupes)},{cents}{NBSP}€"


def en_lettres(value) -> str:
    """« huit mille euros », « un million d'euros et cinquante centimes »."""
    montant = decimal(value)
    if montant is None:
        return ""
    if montant < 0:
        return "moins " + en_lettres(-montant)
    euros = int(montant)
    centimes = int((montant - euros) * 100)
    mots = num2words(euros, lang="fr")
    if euros in (0, 1):
        texte = f"{mots} euro"
    elif mots.endswith(("million", "millions", "milliard", "milliards")):
        texte = f"{mots} d'euros"
    else:
        texte = f"{mots} euros"
    if centimes:
        texte += f" et {num2words(centimes, lang='fr')} centime{'s' if centimes > 1 else ''}"
    return texte

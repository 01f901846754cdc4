"""Filters of the printed documents: amounts in figures and in words, dates in French."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.dateparse import parse_date, parse_datetime

from editiques import montants

register = template.Library()

MOIS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def _date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value)
    parsed = parse_date(text[:10]) if len(text) >= 10 else None
    if parsed is None:
        moment = parse_datetime(text)
        parsed = moment.date() if moment else None
    return parsed


@register.filter
def date_fr(value) -> str:
    """« 1er mars 2026 », « 15 juin 2026 »."""
    jour = _date(value)
    if jour is None:
        return str(value or "")
    numero = "1er" if jour.day == 1 else str(jour.day)
    return f"{numero} {MOIS[jour.month - 1]} {jour.year}"


@register.filter
def euros(value) -> str:
    """« 8 000,00 € »."""
    return montants.en_chiffres(value)


@register.filter
def en_lettres(value) -> str:
    """« huit mille euros »."""
    return montants.en_lettres(value)


@register.filter
def somme(lignes, cle: str = "montant") -> str:
    """The sum of one amount column of a table (bordereau, report)."""
    total = sum((montants.decimal(ligne.get(cle)) or 0 for ligne in lignes or []), start=0)
    return str(montants.decimal(total))

"""Splitting answers between the Dossier's trunk columns and its JSON document."""

import datetime as dt
from decimal import Decimal

from dispositifs import territoires
from dispositifs.engine.tronc import TRUNK_COLUMNS, TRUNK_DATE_RANGE


def trunk_columns(answers: dict) -> dict:
    """The trunk answers that are real columns on Dossier, typed for the database."""
    columns = {
        "demandeur_type": answers.get("demandeur_type") or "",
        "siret": answers.get("siret") or "",
        "commune": answers.get("projet_commune") or "",
        "montant_demande": _decimal(answers.get("montant_demande")),
        "cout_total": _decimal(answers.get("cout_total")),
        "date_debut": None,
        "date_fin": None,
        "departement": "",
        "nom_demandeur": (answers.get("nom") or "")[:255],
        "titre": (answers.get("titre") or "")[:255],
    }
    dates = answers.get(TRUNK_DATE_RANGE) or {}
    if dates.get("debut"):
        columns["date_debut"] = dt.date.fromisoformat(dates["debut"])
    if dates.get("fin"):
        columns["date_fin"] = dt.date.fromisoformat(dates["fin"])
    commune = territoires.commune(columns["commune"]) if columns["commune"] else None
    if commune:
        columns["departement"] = commune.departement
    return columns


def document(answers: dict) -> dict:
    """Everything that is not a trunk column: module, extra and remaining trunk answers."""
    return {k: v for k, v in answers.items() if k not in TRUNK_COLUMNS and k != TRUNK_DATE_RANGE}


def merge_answers(columns: dict, rest: dict) -> dict:
    """Columns + document → the full JSON answers (the inverse of the split)."""
    answers = dict(rest)
    for key, column in TRUNK_COLUMNS.items():
        value = columns.get(column)
        if value not in (None, ""):
            answers[key] = str(value) if isinstance(value, Decimal) else value
    if columns.get("date_debut") or columns.get("date_fin"):
        answers[TRUNK_DATE_RANGE] = {
            "debut": columns["date_debut"].isoformat() if columns.get("date_debut") else None,
            "fin": columns["date_fin"].isoformat() if columns.get("date_fin") else None,
        }
    return answers


def _decimal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))

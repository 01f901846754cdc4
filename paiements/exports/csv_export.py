"""CSV listing of mandate lines, for spreadsheets set to French conventions."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from paiements.exports.donnees import TYPES_BORDEREAU, Bordereau

COLONNES = (
    "exercice",
    "bordereau",
    "type",
    "mandat",
    "date",
    "tiers",
    "siret",
    "iban",
    "nature",
    "fonction",
    "chapitre",
    "libelle",
    "montant",
)
_DEBUTS_FORMULE = ("=", "+", "-", "@", "\t", "\r")


def montant_fr(valeur: Decimal) -> str:
    """Return ``1234.5`` as ``1234,50`` (no thousands separator, decimal comma)."""
    return f"{valeur:.2f}".replace(".", ",")


def _cellule(texte: str | None) -> str:
    """Neutralise spreadsheet formulas in free text (payee names, labels)."""
    texte = " ".join((texte or "").split())
    return f"'{texte}" if texte.startswith(_DEBUTS_FORMULE) else texte


def build_csv(bordereaux: Iterable[Bordereau]) -> bytes:
    """Return one ``;``-separated line per mandate line, UTF-8 with BOM, decimal comma."""
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";", lineterminator="\r\n")
    ecrivain.writerow(COLONNES)
    for bordereau in bordereaux:
        type_ = TYPES_BORDEREAU.get(bordereau.type_bordereau, bordereau.type_bordereau)
        for mandat in bordereau.mandats:
            tiers = mandat.tiers
            for ligne in mandat.lignes:
                ecrivain.writerow(
                    (
                        bordereau.exercice,
                        bordereau.numero,
                        type_,
                        mandat.numero,
                        mandat.date_emission.strftime("%d/%m/%Y"),
                        _cellule(tiers.nom_complet),
                        tiers.siret or tiers.siren or "",
                        "".join(tiers.iban.split()).upper(),
                        ligne.nature,
                        ligne.fonction or "",
                        ligne.chapitre or "",
                        _cellule(ligne.libelle),
                        montant_fr(ligne.montant),
                    )
                )
    return ("\ufeff" + sortie.getvalue()).encode("utf-8")

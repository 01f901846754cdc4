"""SEPA credit transfer file (pain.001.001.03) for a body paying from its own account.

A Region pays through its public accountant (PES V2); this file is the secondary export for
bodies that pay by their own bank transfers. Built by ``sepaxml`` and validated against the
pain.001.001.03 XSD shipped with it, through lxml: ``sepaxml``'s own check goes through the
pure-Python ``xmlschema`` (about 1 ms per transfer, half a minute for a Region's year).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import sepaxml
from lxml import etree
from sepaxml import SepaTransfer

from paiements.exports.donnees import (
    Emetteur,
    Mandat,
    centimes,
    nettoyer_texte,
    normaliser_bic,
    normaliser_iban,
)

SCHEMA_SEPA = "pain.001.001.03"
XSD_SEPA = Path(sepaxml.__file__).resolve().parent / "schemas" / f"{SCHEMA_SEPA}.xsd"
_HORS_JEU_SEPA = re.compile(r"[^A-Za-z0-9/?:().,'+ -]")


def texte_sepa(valeur: str | None, longueur: int) -> str:
    """Return ``valeur`` in the EPC character set (no accents), at most ``longueur`` long."""
    texte = nettoyer_texte(valeur, 10_000)
    decompose = unicodedata.normalize("NFKD", texte)
    ascii_ = "".join(c for c in decompose if not unicodedata.combining(c))
    return nettoyer_texte(_HORS_JEU_SEPA.sub(" ", ascii_), longueur)


def build_sepa_pain001(
    emetteur: Emetteur,
    mandats: Iterable[Mandat],
    *,
    execution_date: date,
) -> bytes:
    """Return a pain.001.001.03 file with one transfer per mandate, validated against its XSD.

    Raises ValueError (in French) for an invalid IBAN or BIC, an empty list, or an
    annulation-réduction (which is not paid by transfer).
    """
    try:
        iban_emetteur = normaliser_iban(emetteur.iban)
    except ValueError as exc:
        raise ValueError(f"Compte émetteur : {exc}") from exc
    config: dict[str, object] = {
        "name": texte_sepa(emetteur.nom, 70) or "EMETTEUR",
        "IBAN": iban_emetteur,
        "batch": True,
        "currency": "EUR",
    }
    if emetteur.bic:
        config["BIC"] = normaliser_bic(emetteur.bic)
    virements = SepaTransfer(config, schema=SCHEMA_SEPA, clean=True)
    nombre = 0
    for mandat in mandats:
        virements.add_payment(_virement(mandat, execution_date))
        nombre += 1
    if not nombre:
        raise ValueError("Aucun mandat à payer : le fichier SEPA serait vide.")
    contenu = virements.export(validate=False)
    erreurs = validate_sepa(contenu)
    if erreurs:
        raise ValueError(
            f"Le fichier SEPA n'est pas conforme au schéma {SCHEMA_SEPA} : "
            + " ; ".join(erreurs[:5])
        )
    return contenu


@functools.cache
def schema_sepa() -> etree.XMLSchema:
    """Return the pain.001.001.03 schema shipped with sepaxml, loaded once."""
    return etree.XMLSchema(etree.parse(str(XSD_SEPA)))


def validate_sepa(contenu: bytes) -> list[str]:
    """Validate a pain.001.001.03 file; return the errors (line and libxml2 message)."""
    try:
        document = etree.fromstring(
            contenu, etree.XMLParser(huge_tree=True, no_network=True, resolve_entities=False)
        )
    except etree.XMLSyntaxError as exc:
        return [f"Ligne {exc.lineno} : XML mal formé : {exc.msg}"]
    schema = schema_sepa()
    if schema.validate(document):
        return []
    return [f"Ligne {erreur.line} : {erreur.message}" for erreur in schema.error_log]


def _virement(mandat: Mandat, execution_date: date) -> dict[str, object]:
    quoi = f"Mandat {mandat.numero}/{mandat.exercice}"
    if mandat.mandat_origine:
        raise ValueError(f"{quoi} : une annulation-réduction ne donne pas lieu à un virement.")
    montant = centimes(mandat.montant)
    if montant <= 0:
        raise ValueError(f"{quoi} : le montant à payer doit être positif.")
    tiers = mandat.tiers
    try:
        iban = normaliser_iban(tiers.iban)
        bic = normaliser_bic(tiers.bic) if tiers.bic else None
    except ValueError as exc:
        raise ValueError(f"{quoi} ({tiers.nom}) : {exc}") from exc
    nom = texte_sepa(tiers.titulaire_compte or tiers.nom_complet, 70)
    if not nom:
        raise ValueError(f"{quoi} : nom du bénéficiaire vide.")
    reference = f"MANDAT {mandat.numero}/{mandat.exercice}"
    paiement: dict[str, object] = {
        "name": nom,
        "IBAN": iban,
        "amount": montant,
        "execution_date": execution_date,
        "description": texte_sepa(f"{reference} {mandat.objet}", 140),
        "endtoend_id": f"MDNA-{mandat.exercice}-{mandat.numero}",
    }
    if bic:
        paiement["BIC"] = bic
    return paiement

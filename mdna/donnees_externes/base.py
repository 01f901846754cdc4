"""Data shapes, errors, identifier checks and the provider interface for external data."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal, Protocol, runtime_checkable

from stdnum.exceptions import ValidationError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

Etat = Literal["actif", "cesse"]

_RNA = re.compile(r"W\d{9}")
_SEPARATEURS = re.compile(r"[\s.\-\u00a0\u202f]")

Horloge = Callable[[], datetime]
"""Gives the time a record is fetched at (``recupere_le``); tests pass a fixed one."""


def maintenant() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


# --- Data ---------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Adresse:
    """A French postal address, as given by the source registry."""

    ligne: str
    code_postal: str
    commune: str
    code_commune_insee: str
    complement: str = ""

    def masquee(self) -> Adresse:
        """The address reduced to what INSEE publishes for non-diffusible units: the commune."""
        return Adresse(
            ligne="",
            code_postal=self.code_postal,
            commune=self.commune,
            code_commune_insee=self.code_commune_insee,
        )


@dataclass(frozen=True, kw_only=True)
class Entreprise:
    """An establishment (SIRET) of a company, association or sole trader, from SIRENE."""

    siret: str
    siren: str
    denomination: str
    forme_juridique: str
    code_forme_juridique: str
    naf: str
    libelle_naf: str
    tranche_effectif: str
    adresse: Adresse
    date_creation: date | None
    etat: Etat
    date_cessation: date | None
    est_siege: bool
    diffusible: bool
    source: str
    recupere_le: datetime


@dataclass(frozen=True, kw_only=True)
class Association:
    """An association, from the national register of associations (RNA)."""

    rna: str | None
    siret: str | None
    nom: str
    objet: str
    adresse: Adresse
    date_creation: date | None
    etat: Etat
    source: str
    recupere_le: datetime
    siren: str | None = None
    date_cessation: date | None = None


# --- Errors -------------------------------------------------------------------------------------


class ErreurDonneesExternes(Exception):
    """Base class of the errors raised by providers."""


class IdentifiantInvalide(ErreurDonneesExternes):
    """The identifier has a wrong format or checksum: no call is made."""


class Introuvable(ErreurDonneesExternes):
    """The registry does not know this identifier."""


class ServiceIndisponible(ErreurDonneesExternes):
    """The registry did not answer in time, failed, or answered something unexpected."""


# --- Identifiers --------------------------------------------------------------------------------


def compacter(identifiant: str) -> str:
    """Drop spaces, dots and dashes, and upper-case (``w 751 …`` → ``W751…``)."""
    return _SEPARATEURS.sub("", identifiant or "").upper()


def valider_siret(siret: str) -> str:
    """Return the compact SIRET or raise ``IdentifiantInvalide``.

    python-stdnum accepts La Poste's establishments (SIREN 356000000), whose SIRETs do not
    follow the Luhn checksum but have a digit sum that is a multiple of 5.
    """
    valeur = compacter(siret)
    try:
        return stdnum_siret.validate(valeur)
    except ValidationError as exc:
        raise IdentifiantInvalide(f"SIRET invalide : {siret!r}") from exc


def valider_siren(siren: str) -> str:
    """Return the compact SIREN or raise ``IdentifiantInvalide``."""
    valeur = compacter(siren)
    try:
        return stdnum_siren.validate(valeur)
    except ValidationError as exc:
        raise IdentifiantInvalide(f"SIREN invalide : {siren!r}") from exc


def valider_rna(rna: str) -> str:
    """Return the compact RNA number (``W`` + 9 digits) or raise ``IdentifiantInvalide``."""
    valeur = compacter(rna)
    if not _RNA.fullmatch(valeur):
        raise IdentifiantInvalide(f"Numéro RNA invalide : {rna!r}")
    return valeur


def identifiant_association(rna_ou_siret: str) -> str:
    """The key the association API expects: an RNA number or a SIREN (a SIRET is cut down)."""
    valeur = compacter(rna_ou_siret)
    if valeur.startswith("W"):
        return valider_rna(valeur)
    if len(valeur) == 14:
        return valider_siret(valeur)[:9]
    return valider_siren(valeur)


# --- Provider interface -------------------------------------------------------------------------


@runtime_checkable
class Fournisseur(Protocol):
    """Where organisation data comes from (API Entreprise, or recorded payloads)."""

    def entreprise(self, siret: str) -> Entreprise:
        """The establishment with this SIRET."""
        ...

    def unite_legale(self, siren: str) -> Entreprise:
        """The head office (siège) of the legal unit with this SIREN."""
        ...

    def association(self, rna_ou_siret: str) -> Association:
        """The association with this RNA number, SIREN or SIRET."""
        ...

"""Choosing the provider from the settings, and the applicant-facing organisation lookup.

Settings (all optional, read with defaults):

- ``MDNA_DONNEES_EXTERNES``: ``"hors_ligne"`` (default: recorded payloads) or ``"api_entreprise"``;
- ``API_ENTREPRISE_URL`` (default: production), ``API_ENTREPRISE_TOKEN`` (required for
  ``api_entreprise``), ``API_ENTREPRISE_RECIPIENT`` (the Region's SIRET; falls back to
  ``MDNA_REGION_SIRET``), ``API_ENTREPRISE_TIMEOUT`` (seconds, default 3).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from typing import Literal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from .api_entreprise import URL_PRODUCTION, FournisseurApiEntreprise
from .base import (
    Association,
    Entreprise,
    Fournisseur,
    IdentifiantInvalide,
    Introuvable,
    ServiceIndisponible,
    compacter,
)
from .hors_ligne import FournisseurHorsLigne

logger = logging.getLogger(__name__)

Statut = Literal["verifie", "introuvable", "invalide", "cesse", "indisponible"]
Nature = Literal["siret", "siren", "rna", "inconnue"]

MESSAGE_INDISPONIBLE = (
    "Le service de vérification ne répond pas. Saisissez les informations vous-même : "
    "elles seront marquées « non vérifiées » et contrôlées par l'instructeur."
)
_SAISIE_LIBRE = (
    "saisissez les informations vous-même : elles seront marquées « non vérifiées » "
    "et contrôlées par l'instructeur."
)


@cache
def _hors_ligne() -> FournisseurHorsLigne:
    return FournisseurHorsLigne()


def fournisseur() -> Fournisseur:
    """The provider chosen by ``settings.MDNA_DONNEES_EXTERNES``."""
    mode = getattr(settings, "MDNA_DONNEES_EXTERNES", "hors_ligne") or "hors_ligne"
    if mode == "hors_ligne":
        return _hors_ligne()
    if mode == "api_entreprise":
        token = getattr(settings, "API_ENTREPRISE_TOKEN", None)
        recipient = getattr(settings, "API_ENTREPRISE_RECIPIENT", None) or getattr(
            settings, "MDNA_REGION_SIRET", None
        )
        if not token or not recipient:
            raise ImproperlyConfigured(
                "MDNA_DONNEES_EXTERNES=api_entreprise demande API_ENTREPRISE_TOKEN et "
                "API_ENTREPRISE_RECIPIENT (SIRET de la Région)."
            )
        try:
            return FournisseurApiEntreprise(
                getattr(settings, "API_ENTREPRISE_URL", None) or URL_PRODUCTION,
                token,
                recipient=recipient,
                timeout=float(getattr(settings, "API_ENTREPRISE_TIMEOUT", None) or 3.0),
            )
        except ValueError as exc:
            raise ImproperlyConfigured(str(exc)) from exc
    raise ImproperlyConfigured(
        f"MDNA_DONNEES_EXTERNES doit valoir hors_ligne ou api_entreprise, reçu {mode!r}."
    )


# --- Applicant-facing lookup --------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Resultat:
    """Outcome of a lookup: a status, the data found (if any) and a message for the applicant."""

    statut: Statut
    donnees: Entreprise | Association | None
    message: str
    identifiant: str = ""

    @property
    def verifie(self) -> bool:
        """True when the data come from the registry and the organisation is active."""
        return self.statut == "verifie"


def nature(identifiant: str) -> Nature:
    """What kind of number this looks like (format only, no checksum)."""
    valeur = compacter(identifiant)
    if valeur.startswith("W"):
        return "rna"
    if valeur.isdigit() and len(valeur) == 14:
        return "siret"
    if valeur.isdigit() and len(valeur) == 9:
        return "siren"
    return "inconnue"


def rechercher_organisation(identifiant: str, *, source: Fournisseur | None = None) -> Resultat:
    """Look up an organisation by SIRET, SIREN or RNA number to prefill the applicant's form.

    Never raises for availability or configuration problems: they give ``"indisponible"`` and
    the applicant types the data. Non-diffusible units come back with their street address
    removed, as INSEE publishes them (any signed-in user can type any number).
    """
    valeur = compacter(identifiant)
    genre = nature(valeur)
    if genre == "inconnue":
        return Resultat(
            statut="invalide", donnees=None, message=_MESSAGES_INVALIDE[genre], identifiant=valeur
        )
    try:
        fournisseur_ = source if source is not None else fournisseur()
        if genre == "siret":
            donnees: Entreprise | Association = fournisseur_.entreprise(valeur)
        elif genre == "siren":
            donnees = fournisseur_.unite_legale(valeur)
        else:
            donnees = fournisseur_.association(valeur)
    except IdentifiantInvalide:
        return Resultat(
            statut="invalide", donnees=None, message=_MESSAGES_INVALIDE[genre], identifiant=valeur
        )
    except Introuvable:
        return Resultat(
            statut="introuvable",
            donnees=None,
            message=_message_introuvable(genre, valeur),
            identifiant=valeur,
        )
    except ServiceIndisponible as exc:
        logger.warning("Vérification de %s impossible : %s", valeur, exc)
        return _indisponible(valeur)
    except Exception:  # a bug or a misconfiguration must not block filing either
        logger.exception("Vérification de %s impossible (erreur inattendue)", valeur)
        return _indisponible(valeur)

    if isinstance(donnees, Entreprise) and not donnees.diffusible:
        donnees = replace(donnees, adresse=donnees.adresse.masquee())
    if donnees.etat == "cesse":
        return Resultat(
            statut="cesse",
            donnees=donnees,
            message=_message_cesse(genre, donnees),
            identifiant=valeur,
        )
    return Resultat(
        statut="verifie", donnees=donnees, message=_message_verifie(donnees), identifiant=valeur
    )


def _indisponible(valeur: str) -> Resultat:
    return Resultat(
        statut="indisponible", donnees=None, message=MESSAGE_INDISPONIBLE, identifiant=valeur
    )


# --- Messages -----------------------------------------------------------------------------------

_MESSAGES_INVALIDE: dict[Nature, str] = {
    "siret": (
        "Ce numéro SIRET n'est pas valide : vérifiez les 14 chiffres (SIREN + 5 chiffres de "
        "l'établissement) sur votre extrait Kbis ou votre avis de situation INSEE."
    ),
    "siren": (
        "Ce numéro SIREN n'est pas valide : vérifiez les 9 chiffres sur votre extrait Kbis ou "
        "votre avis de situation INSEE."
    ),
    "rna": (
        "Ce numéro RNA n'est pas valide : il commence par la lettre W suivie de 9 chiffres et "
        "figure sur le récépissé de déclaration de l'association."
    ),
    "inconnue": (
        "Saisissez un numéro SIRET (14 chiffres), SIREN (9 chiffres) ou RNA (la lettre W "
        "suivie de 9 chiffres)."
    ),
}


def _source_courte(source: str) -> str:
    """``"API Entreprise — INSEE"`` → ``"INSEE"``."""
    return source.rsplit("—", 1)[-1].strip()


def _jj_mm_aaaa(jour: date | None) -> str:
    return jour.strftime("%d/%m/%Y") if jour else ""


def _message_introuvable(genre: Nature, valeur: str) -> str:
    if genre == "siret":
        debut = (
            f"Aucun établissement ne correspond au numéro SIRET {stdnum_siret.format(valeur)} "
            "dans le répertoire de l'INSEE."
        )
    elif genre == "siren":
        debut = (
            f"Aucune entreprise ne correspond au numéro SIREN {stdnum_siren.format(valeur)} "
            "dans le répertoire de l'INSEE."
        )
    else:
        debut = (
            f"Aucune association ne correspond au numéro {valeur} dans le répertoire national "
            "des associations."
        )
    return f"{debut} Vérifiez le numéro ; s'il est exact, {_SAISIE_LIBRE}"


def _message_cesse(genre: Nature, donnees: Entreprise | Association) -> str:
    depuis = f" depuis le {_jj_mm_aaaa(donnees.date_cessation)}" if donnees.date_cessation else ""
    source = f"(source {_source_courte(donnees.source)})"
    refus = "une aide ne peut pas lui être attribuée."
    if isinstance(donnees, Association):
        etat = f"est dissoute{depuis}" if depuis else "n'est plus active"
        return f"Cette association {etat} {source} : {refus} Vérifiez le numéro saisi."
    if genre == "siren":
        le = f" le {_jj_mm_aaaa(donnees.date_cessation)}" if donnees.date_cessation else ""
        return (
            f"Cette entreprise a cessé son activité{le} {source} : {refus} "
            "Vérifiez le numéro SIREN."
        )
    return (
        f"Cet établissement est fermé{depuis} {source} : {refus} Vérifiez le numéro SIRET "
        "ou indiquez celui de l'établissement actif."
    )


def _message_verifie(donnees: Entreprise | Association) -> str:
    quoi = "l'association" if isinstance(donnees, Association) else "l'organisation"
    nom = donnees.nom if isinstance(donnees, Association) else donnees.denomination
    message = (
        f"Nous avons trouvé {quoi} « {nom} » (source {_source_courte(donnees.source)}). "
        "Ses informations sont préremplies : vérifiez-les avant de continuer."
    )
    if isinstance(donnees, Entreprise) and not donnees.diffusible:
        message += (
            " Son adresse n'est pas publique : seule la commune est préremplie, "
            "complétez l'adresse vous-même."
        )
    return message

"""Turn API Entreprise JSON bodies into our dataclasses.

Shared by the HTTP client and the offline provider, so both give exactly the same objects.
Every function takes the whole response body (``{"data": …, "links": …, "meta": …}``).
A body that does not have the expected shape raises ``ServiceIndisponible``: for the applicant,
an API that changed its format is as unavailable as one that does not answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from .base import (
    Adresse,
    Association,
    Entreprise,
    ErreurDonneesExternes,
    IdentifiantInvalide,
    Introuvable,
    ServiceIndisponible,
)

SOURCE_INSEE = "API Entreprise — INSEE"
SOURCE_RNA = "API Entreprise — RNA"

_PARIS = ZoneInfo("Europe/Paris")
_NON_DIFFUSE = "[ND]"
_NAF_COMPACT = re.compile(r"(\d{2})(\d{2}[A-Z])")
_INDICES_REPETITION = {"B": "BIS", "T": "TER", "Q": "QUATER", "C": "QUINQUIES"}


@contextmanager
def _forme_attendue(quoi: str) -> Iterator[None]:
    """Report a body of unexpected shape as an unavailable service."""
    try:
        yield
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ServiceIndisponible(f"Réponse inattendue ({quoi}) : {exc!r}") from exc


def _texte(valeur: Any) -> str:
    """A clean string; ``None`` and INSEE's non-diffused marker ``[ND]`` give ``""``."""
    if valeur is None:
        return ""
    texte = " ".join(str(valeur).split())
    return "" if texte == _NON_DIFFUSE else texte


def _joindre(*morceaux: Any, separateur: str = " ") -> str:
    return separateur.join(t for t in (_texte(m) for m in morceaux) if t)


def _date_epoch(valeur: Any) -> date | None:
    """INSEE dates are Unix timestamps of midnight, Paris time."""
    if valeur is None or valeur == "":
        return None
    return datetime.fromtimestamp(int(valeur), _PARIS).date()


def _date_iso(valeur: Any) -> date | None:
    if not valeur:
        return None
    return date.fromisoformat(str(valeur)[:10])


def _naf(code: Any) -> str:
    """NAF codes in their usual written form: ``8411Z`` → ``84.11Z``."""
    texte = _texte(code)
    correspondance = _NAF_COMPACT.fullmatch(texte)
    return f"{correspondance[1]}.{correspondance[2]}" if correspondance else texte


def _premier(*valeurs: Any) -> str:
    """The first non-empty text."""
    return next((t for t in (_texte(v) for v in valeurs) if t), "")


# --- INSEE (SIRENE) -----------------------------------------------------------------------------


def adresse_insee(adresse: Mapping[str, Any]) -> Adresse:
    """Map an INSEE establishment address."""
    indice = _texte(adresse.get("indice_repetition_voie"))
    numero = _joindre(adresse.get("numero_voie"), _INDICES_REPETITION.get(indice, indice))
    return Adresse(
        ligne=_joindre(numero, adresse.get("type_voie"), adresse.get("libelle_voie")),
        complement=_joindre(
            adresse.get("complement_adresse"), adresse.get("distribution_speciale"), separateur=", "
        ),
        code_postal=_texte(adresse.get("code_postal")),
        commune=_premier(adresse.get("libelle_commune"), adresse.get("libelle_commune_etranger")),
        code_commune_insee=_texte(adresse.get("code_commune")),
    )


def _denomination(unite_legale: Mapping[str, Any]) -> str:
    morale = unite_legale.get("personne_morale_attributs") or {}
    physique = unite_legale.get("personne_physique_attributs") or {}
    if unite_legale.get("type") == "personne_physique":
        nom = _premier(physique.get("nom_usage"), physique.get("nom_naissance"))
        prenom = _premier(physique.get("prenom_usuel"), physique.get("prenom_1"))
        return _joindre(prenom, nom)
    return _texte(morale.get("raison_sociale"))


def entreprise_depuis_etablissement(
    reponse: Mapping[str, Any], *, recupere_le: datetime
) -> Entreprise:
    """Map ``/v3/insee/sirene/etablissements/{siret}`` (and ``…/siege_social``, same shape).

    The establishment's own activity, headcount and creation date come first; the legal
    unit's fill in when the establishment has none.
    """
    with _forme_attendue("établissement INSEE"):
        data = reponse["data"]
        unite = data["unite_legale"]
        activite = data.get("activite_principale") or {}
        activite_ul = unite.get("activite_principale") or {}
        effectif = data.get("tranche_effectif_salarie") or {}
        effectif_ul = unite.get("tranche_effectif_salarie") or {}
        forme = unite.get("forme_juridique") or {}
        cesse = data.get("etat_administratif") == "F" or unite.get("etat_administratif") == "C"
        return Entreprise(
            siret=_texte(data["siret"]),
            siren=_texte(unite["siren"]),
            denomination=_denomination(unite),
            forme_juridique=_texte(forme.get("libelle")),
            code_forme_juridique=_texte(forme.get("code")),
            naf=_naf(_premier(activite.get("code"), activite_ul.get("code"))),
            libelle_naf=_premier(activite.get("libelle"), activite_ul.get("libelle")),
            tranche_effectif=_premier(effectif.get("intitule"), effectif_ul.get("intitule")),
            adresse=adresse_insee(data.get("adresse") or {}),
            date_creation=_date_epoch(data.get("date_creation"))
            or _date_epoch(unite.get("date_creation")),
            etat="cesse" if cesse else "actif",
            date_cessation=_date_epoch(data.get("date_fermeture")) if cesse else None,
            est_siege=bool(data.get("siege_social")),
            diffusible=data.get("status_diffusion") == "diffusible"
            and unite.get("status_diffusion") == "diffusible",
            source=SOURCE_INSEE,
            recupere_le=recupere_le,
        )


# --- Associations (API Association of the DJEPVA: RNA + SIRENE) ---------------------------------


def adresse_rna(adresse: Mapping[str, Any]) -> Adresse:
    """Map an address of the association register."""
    return Adresse(
        ligne=_joindre(
            adresse.get("numero_voie"), adresse.get("type_voie"), adresse.get("libelle_voie")
        ),
        complement=_joindre(
            adresse.get("complement"), adresse.get("distribution"), separateur=", "
        ),
        code_postal=_texte(adresse.get("code_postal")),
        commune=_texte(adresse.get("commune")),
        code_commune_insee=_texte(adresse.get("code_insee")),
    )


def association_depuis_api_association(
    reponse: Mapping[str, Any], *, recupere_le: datetime
) -> Association:
    """Map ``/v4/djepva/api-association/associations/{siren_or_rna}``."""
    with _forme_attendue("association"):
        data = reponse["data"]
        activites = data.get("activites") or {}
        dissolution = _date_iso(data.get("date_dissolution"))
        cesse = data.get("active") is False or dissolution is not None
        return Association(
            rna=_texte(data.get("rna")) or None,
            siren=_texte(data.get("siren")) or None,
            siret=_texte(data.get("siret_siege")) or None,
            nom=_texte(data["nom"]),
            objet=_texte(activites.get("objet")),
            adresse=adresse_rna(data.get("adresse_siege") or {}),
            date_creation=_date_iso(data.get("date_creation")),
            etat="cesse" if cesse else "actif",
            date_cessation=dissolution,
            source=SOURCE_RNA,
            recupere_le=recupere_le,
        )


# --- HTTP status ---------------------------------------------------------------------------------


def erreur_pour_statut(statut: int, corps: Any = None) -> ErreurDonneesExternes | None:
    """The error an API Entreprise status code stands for, or ``None`` for 200.

    404 → ``Introuvable``; 400 and 422 → ``IdentifiantInvalide``; anything else (401/403: token
    or rights, 429: rate limit, 5xx) → ``ServiceIndisponible``: the applicant cannot fix it.
    """
    if statut == 200:
        return None
    detail = _detail_erreur(corps)
    if statut == 404:
        return Introuvable(detail or "Entité non trouvée")
    if statut in (400, 422):
        return IdentifiantInvalide(detail or "Identifiant refusé par l'API")
    return ServiceIndisponible(f"HTTP {statut}" + (f" : {detail}" if detail else ""))


def _detail_erreur(corps: Any) -> str:
    """The ``errors[0]`` title and detail of an API Entreprise error body, if any."""
    try:
        erreur = corps["errors"][0]
        return _joindre(erreur.get("title"), erreur.get("detail"), separateur=" — ")
    except (KeyError, IndexError, TypeError, AttributeError):
        return ""

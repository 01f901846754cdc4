"""Offline provider: answers from API Entreprise responses recorded in ``payloads/``.

Used by default in the demo and the tests. It validates identifiers and maps the bodies with
the same functions as the HTTP client, so both give the same objects for the same answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml

from .base import (
    Association,
    Entreprise,
    Horloge,
    Introuvable,
    identifiant_association,
    maintenant,
    valider_siren,
    valider_siret,
)
from .mapping import (
    association_depuis_api_association,
    entreprise_depuis_etablissement,
    erreur_pour_statut,
)

PAYLOADS = Path(__file__).resolve().parent / "payloads"
ETABLISSEMENTS = "api_entreprise_v3_insee_etablissements"
SIEGES = "api_entreprise_v3_insee_sieges_unites_legales"
ASSOCIATIONS = "api_entreprise_v4_mi_unites_legales"

T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class ReponseEnregistree:
    """One recorded call: its HTTP status and JSON body."""

    statut: int
    corps: Any
    fichier: str


def _cles(params: Mapping[str, Any], corps: Any) -> set[str]:
    """Identifiers a recorded response answers to: its parameter, plus the RNA number and
    SIREN found in an association body (the association API takes either)."""
    cles = {str(v) for v in params.values() if isinstance(v, str | int)}
    data = corps.get("data") if isinstance(corps, dict) else None
    if isinstance(data, dict) and "rna" in data:
        cles |= {str(data[k]) for k in ("rna", "siren") if data.get(k)}
    return cles


@cache
def charger(dossier: Path) -> dict[str, ReponseEnregistree]:
    """Read every ``*.yaml`` of a payload folder into ``{identifier: response}`` (cached)."""
    reponses: dict[str, ReponseEnregistree] = {}
    for fichier in sorted(dossier.glob("*.yaml")):
        enregistrement = yaml.safe_load(fichier.read_text(encoding="utf-8"))
        corps = json.loads(enregistrement["payload"])
        reponse = ReponseEnregistree(
            statut=int(enregistrement["status"]), corps=corps, fichier=fichier.name
        )
        for cle in _cles(enregistrement.get("params") or {}, corps):
            reponses[cle] = reponse
    return reponses


class FournisseurHorsLigne:
    """A ``Fournisseur`` answering from recorded payloads; unknown identifiers are not found."""

    def __init__(self, dossier: Path = PAYLOADS, *, horloge: Horloge = maintenant) -> None:
        self.dossier = Path(dossier)
        self.horloge = horloge

    def entreprise(self, siret: str) -> Entreprise:
        """The establishment with this SIRET."""
        return self._repondre(ETABLISSEMENTS, valider_siret(siret), entreprise_depuis_etablissement)

    def unite_legale(self, siren: str) -> Entreprise:
        """The head office of the legal unit with this SIREN."""
        return self._repondre(SIEGES, valider_siren(siren), entreprise_depuis_etablissement)

    def association(self, rna_ou_siret: str) -> Association:
        """The association with this RNA number, SIREN or SIRET."""
        return self._repondre(
            ASSOCIATIONS, identifiant_association(rna_ou_siret), association_depuis_api_association
        )

    def identifiants(self) -> dict[str, list[str]]:
        """The identifiers that give an answer, by kind (for demo data and docs)."""
        return {
            nom: sorted(k for k, r in charger(self.dossier / dossier).items() if r.statut == 200)
            for nom, dossier in (
                ("etablissements", ETABLISSEMENTS),
                ("unites_legales", SIEGES),
                ("associations", ASSOCIATIONS),
            )
        }

    def _repondre(self, dossier: str, cle: str, convertir: Callable[..., T]) -> T:
        reponse = charger(self.dossier / dossier).get(cle)
        if reponse is None:
            raise Introuvable(f"Aucune réponse enregistrée pour {cle}")
        erreur = erreur_pour_statut(reponse.statut, reponse.corps)
        if erreur is not None:
            raise erreur
        return convertir(reponse.corps, recupere_le=self.horloge())

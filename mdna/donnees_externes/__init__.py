"""External data about applicants' organisations ("dites-le nous une fois").

``rechercher_organisation(identifiant)`` is what views call: it never raises for availability
problems. ``fournisseur()`` gives the configured provider (offline payloads or API Entreprise).
"""

from .base import (
    Adresse,
    Association,
    Entreprise,
    ErreurDonneesExternes,
    Fournisseur,
    IdentifiantInvalide,
    Introuvable,
    ServiceIndisponible,
    valider_rna,
    valider_siren,
    valider_siret,
)
from .registry import MESSAGE_INDISPONIBLE, Resultat, fournisseur, rechercher_organisation

__all__ = [
    "MESSAGE_INDISPONIBLE",
    "Adresse",
    "Association",
    "Entreprise",
    "ErreurDonneesExternes",
    "Fournisseur",
    "IdentifiantInvalide",
    "Introuvable",
    "Resultat",
    "ServiceIndisponible",
    "fournisseur",
    "rechercher_organisation",
    "valider_rna",
    "valider_siren",
    "valider_siret",
]

"""HTTP client for API Entreprise (https://entreprise.api.gouv.fr), v3 INSEE and v4 associations.

Every call carries the bearer token and the three mandatory traceability parameters:
``recipient`` (SIRET of the administration the data is for: the Region), ``context`` and
``object``. The timeout is short (3 s by default): a slow API must never block filing, the
applicant then types the data and it is marked "not verified".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import requests

from .base import (
    Association,
    Entreprise,
    Horloge,
    IdentifiantInvalide,
    ServiceIndisponible,
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

logger = logging.getLogger(__name__)

URL_PRODUCTION = "https://entreprise.api.gouv.fr"
URL_RECETTE = "https://staging.entreprise.api.gouv.fr"
CONTEXTE = "Instruction d'une demande d'aide"
OBJET = "Préremplissage et vérification de l'organisation du demandeur"

T = TypeVar("T")


class ClientHttp(Protocol):
    """What we use of ``requests`` (the module or a ``Session``)."""

    def get(self, url: str, **kwargs: Any) -> requests.Response: ...


class FournisseurApiEntreprise:
    """A ``Fournisseur`` calling API Entreprise over HTTP."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        recipient: str,
        timeout: float = 3.0,
        session: ClientHttp | None = None,
        context: str = CONTEXTE,
        object: str = OBJET,  # noqa: A002 - the API's parameter name
        horloge: Horloge = maintenant,
    ) -> None:
        if not token:
            raise ValueError("API Entreprise : jeton manquant.")
        try:
            self.recipient = valider_siret(recipient)
        except IdentifiantInvalide as exc:
            raise ValueError(f"API Entreprise : recipient doit être un SIRET ({exc}).") from exc
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.context = context
        self.object = object
        self.horloge = horloge
        self._token = token
        self._http: ClientHttp = session if session is not None else requests

    def __repr__(self) -> str:  # never show the token
        return f"FournisseurApiEntreprise({self.base_url!r}, recipient={self.recipient!r})"

    def entreprise(self, siret: str) -> Entreprise:
        """``GET /v3/insee/sirene/etablissements/{siret}``."""
        siret = valider_siret(siret)
        return self._appeler(
            f"/v3/insee/sirene/etablissements/{siret}", entreprise_depuis_etablissement
        )

    def unite_legale(self, siren: str) -> Entreprise:
        """``GET /v3/insee/sirene/unites_legales/{siren}/siege_social``."""
        siren = valider_siren(siren)
        return self._appeler(
            f"/v3/insee/sirene/unites_legales/{siren}/siege_social",
            entreprise_depuis_etablissement,
        )

    def association(self, rna_ou_siret: str) -> Association:
        """``GET /v4/djepva/api-association/associations/{siren_or_rna}`` (a SIRET is cut to
        its SIREN)."""
        cle = identifiant_association(rna_ou_siret)
        return self._appeler(
            f"/v4/djepva/api-association/associations/{cle}", association_depuis_api_association
        )

    def _appeler(self, chemin: str, convertir: Callable[..., T]) -> T:
        url = self.base_url + chemin
        try:
            reponse = self._http.get(
                url,
                params={
                    "recipient": self.recipient,
                    "context": self.context,
                    "object": self.object,
                },
                headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
                timeout=self.timeout,
            )
        except requests.Timeout as exc:
            logger.warning("API Entreprise : pas de réponse en %s s pour %s", self.timeout, chemin)
            raise ServiceIndisponible(f"Délai dépassé ({self.timeout} s)") from exc
        except requests.RequestException as exc:
            logger.warning("API Entreprise : erreur réseau pour %s : %s", chemin, exc)
            raise ServiceIndisponible(f"Erreur réseau : {exc}") from exc
        corps = _json(reponse)
        erreur = erreur_pour_statut(reponse.status_code, corps)
        if isinstance(erreur, ServiceIndisponible):
            logger.warning("API Entreprise : %s pour %s", erreur, chemin)
        if erreur is not None:
            raise erreur
        if corps is None:
            raise ServiceIndisponible("Réponse qui n'est pas du JSON")
        return convertir(corps, recupere_le=self.horloge())


def _json(reponse: requests.Response) -> Any:
    try:
        return reponse.json()
    except ValueError:
        return None

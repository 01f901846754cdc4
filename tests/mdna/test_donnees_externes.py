"""External data: offline provider, API Entreprise client (replayed, no network), lookup."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import yaml
from django.core.exceptions import ImproperlyConfigured
from stdnum import luhn

from mdna.donnees_externes import (
    MESSAGE_INDISPONIBLE,
    Association,
    Entreprise,
    Fournisseur,
    IdentifiantInvalide,
    Introuvable,
    ServiceIndisponible,
    fournisseur,
    rechercher_organisation,
    valider_rna,
    valider_siren,
    valider_siret,
)
from mdna.donnees_externes.api_entreprise import FournisseurApiEntreprise
from mdna.donnees_externes.hors_ligne import (
    ASSOCIATIONS,
    ETABLISSEMENTS,
    PAYLOADS,
    SIEGES,
    FournisseurHorsLigne,
)

SNCF = "55204944776279"
SCI_CESSEE = "35005144700018"
PERSONNE_NON_DIFFUSIBLE = "35004292500031"
ASSOCIATION_RNA = "W301000624"
ASSOCIATION_SIREN = "389486242"
ASSOCIATION_SIRET = "38948624200032"
SIRET_INCONNU = "12345678200010"  # valid checksum, not recorded
SIRET_LA_POSTE = "35600000049837"  # fails Luhn, digit sum multiple of 5
RECIPIENT = "13002526500013"
JETON = "jeton-de-test"
BASE_URL = "https://staging.entreprise.api.gouv.fr"


def horloge() -> datetime:
    return datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def hors_ligne() -> FournisseurHorsLigne:
    return FournisseurHorsLigne(horloge=horloge)


# --- Replaying recorded payloads through requests ------------------------------------------------

_ROUTES = {  # payload folder → API path, as in each folder's README cURL command
    ETABLISSEMENTS: "/v3/insee/sirene/etablissements/{}",
    SIEGES: "/v3/insee/sirene/unites_legales/{}/siege_social",
    ASSOCIATIONS: "/v4/djepva/api-association/associations/{}",
}


def _enregistrements() -> dict[str, tuple[int, Any]]:
    """``{URL path: (status, body)}`` read straight from the recorded YAML files."""
    routes: dict[str, tuple[int, Any]] = {}
    for dossier, modele in _ROUTES.items():
        for fichier in (PAYLOADS / dossier).glob("*.yaml"):
            cas = yaml.safe_load(fichier.read_text(encoding="utf-8"))
            (identifiant,) = cas["params"].values()
            corps = json.loads(cas["payload"])
            routes[modele.format(identifiant)] = (cas["status"], corps)
            rna = (corps.get("data") or {}).get("rna")  # the association API takes either
            if rna:
                routes[modele.format(rna)] = (cas["status"], corps)
    return routes


class AdaptateurRejoue(requests.adapters.BaseAdapter):
    """A transport adapter answering from recorded payloads (or failing on demand)."""

    def __init__(self, *, exception: Exception | None = None, statut: int | None = None) -> None:
        super().__init__()
        self.routes = _enregistrements()
        self.exception = exception
        self.statut = statut
        self.requetes: list[tuple[requests.PreparedRequest, dict[str, Any]]] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.requetes.append((request, kwargs))
        if self.exception is not None:
            raise self.exception
        statut, corps = self.routes.get(
            urlsplit(request.url).path, (404, {"errors": [{"title": "Entité non trouvée"}]})
        )
        if self.statut is not None:
            statut, corps = self.statut, {"errors": [{"title": "Erreur", "detail": "simulée"}]}
        reponse = requests.Response()
        reponse.status_code = statut
        reponse._content = json.dumps(corps).encode()
        reponse.headers["Content-Type"] = "application/json"
        reponse.encoding = "utf-8"
        reponse.url = request.url
        reponse.request = request
        return reponse

    def close(self) -> None:
        pass


def client(adaptateur: AdaptateurRejoue) -> FournisseurApiEntreprise:
    session = requests.Session()
    session.mount("https://", adaptateur)
    session.mount("http://", adaptateur)
    return FournisseurApiEntreprise(
        BASE_URL, JETON, recipient=RECIPIENT, session=session, horloge=horloge
    )


# --- Identifiers ---------------------------------------------------------------------------------


def test_identifiants_valides_sont_compactes():
    assert valider_siret("552 049 447 76279") == SNCF
    assert valider_siren("552.049.447") == "552049447"
    assert valider_rna("w301000624") == ASSOCIATION_RNA


@pytest.mark.parametrize(
    ("valider", "valeur"),
    [
        (valider_siret, "55204944776278"),  # wrong Luhn key
        (valider_siret, "5520494477627"),  # 13 digits
        (valider_siren, "552049448"),
        (valider_rna, "W30100062"),
        (valider_rna, "301000624"),
    ],
)
def test_identifiant_invalide(valider, valeur):
    with pytest.raises(IdentifiantInvalide):
        valider(valeur)


def test_siret_la_poste_accepte_malgre_luhn():
    assert not luhn.is_valid(SIRET_LA_POSTE)
    assert valider_siret(SIRET_LA_POSTE) == SIRET_LA_POSTE


# --- Offline provider ----------------------------------------------------------------------------


def test_hors_ligne_est_un_fournisseur(hors_ligne):
    assert isinstance(hors_ligne, Fournisseur)


def test_hors_ligne_entreprise(hors_ligne):
    sncf = hors_ligne.entreprise(SNCF)
    assert sncf.siren == "552049447"
    assert sncf.denomination == "SOCIETE NATIONALE SNCF"
    assert sncf.forme_juridique == "SA à conseil d'administration (s.a.i.)"
    assert sncf.code_forme_juridique == "5599"
    assert sncf.naf == "49.10Z"
    assert sncf.libelle_naf == "Transport ferroviaire interurbain de voyageurs"
    assert sncf.tranche_effectif == "500 à 999 salariés"
    assert sncf.adresse.ligne == "2 PLACE AUX ETOILES"
    assert (sncf.adresse.code_postal, sncf.adresse.commune) == ("93210", "SAINT-DENIS")
    assert sncf.adresse.code_commune_insee == "93066"
    assert sncf.date_creation == date(1986, 6, 23)
    assert sncf.est_siege is True
    assert (sncf.etat, sncf.date_cessation) == ("actif", None)
    assert sncf.diffusible is True
    assert sncf.source == "API Entreprise — INSEE"
    assert sncf.recupere_le == horloge()


def test_hors_ligne_unite_legale_donne_le_siege(hors_ligne):
    siege = hors_ligne.unite_legale("552 049 447")
    assert siege.siret == SNCF
    assert siege.est_siege is True
    assert siege.denomination == "SOCIETE NATIONALE SNCF"


def test_hors_ligne_naf_compact_mis_en_forme(hors_ligne):
    assert hors_ligne.entreprise("30613890001294").naf == "84.11Z"


@pytest.mark.parametrize("identifiant", [ASSOCIATION_RNA, ASSOCIATION_SIREN, ASSOCIATION_SIRET])
def test_hors_ligne_association(hors_ligne, identifiant):
    asso = hors_ligne.association(identifiant)
    assert isinstance(asso, Association)
    assert asso.rna == ASSOCIATION_RNA
    assert asso.siren == ASSOCIATION_SIREN
    assert asso.siret == ASSOCIATION_SIRET
    assert asso.nom == "ASSOCIATION SPORTIVE SALINDROISE"
    assert asso.objet.startswith("Pratique du rugby")
    assert asso.adresse.code_postal == "30340"
    assert asso.adresse.commune == "Salindres"
    assert asso.date_creation == date(1955, 7, 8)
    assert asso.etat == "actif"
    assert asso.source == "API Entreprise — RNA"


def test_hors_ligne_association_alsace_moselle_sans_rna(hors_ligne):
    asso = hors_ligne.association("424179364")
    assert asso.rna is None
    assert asso.siret == "42417936400023"


def test_hors_ligne_entreprise_cessee(hors_ligne):
    sci = hors_ligne.entreprise(SCI_CESSEE)
    assert sci.denomination == "SCI SERGENT"
    assert sci.etat == "cesse"
    assert sci.date_cessation == date(1995, 11, 15)


def test_hors_ligne_personne_non_diffusible(hors_ligne):
    personne = hors_ligne.entreprise(PERSONNE_NON_DIFFUSIBLE)
    assert personne.diffusible is False
    assert personne.denomination == "AURELIE MOREAU"
    assert personne.forme_juridique == "Entrepreneur individuel"
    assert personne.tranche_effectif == ""
    assert personne.adresse.commune == "MEDILLAC"


@pytest.mark.parametrize(
    ("methode", "identifiant"),
    [
        ("entreprise", SIRET_INCONNU),
        ("entreprise", "00000000000000"),  # the recorded 404
        ("entreprise", SIRET_LA_POSTE),
        ("unite_legale", "123456782"),
        ("association", "W000000000"),
    ],
)
def test_hors_ligne_identifiant_inconnu(hors_ligne, methode, identifiant):
    with pytest.raises(Introuvable):
        getattr(hors_ligne, methode)(identifiant)


def test_hors_ligne_mauvaise_cle(hors_ligne):
    with pytest.raises(IdentifiantInvalide):
        hors_ligne.entreprise("55204944776278")


def test_hors_ligne_liste_les_identifiants(hors_ligne):
    identifiants = hors_ligne.identifiants()
    assert SNCF in identifiants["etablissements"]
    assert "00000000000000" not in identifiants["etablissements"]
    assert ASSOCIATION_RNA in identifiants["associations"]


# --- API Entreprise client -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("methode", "identifiant", "chemin"),
    [
        ("entreprise", SNCF, f"/v3/insee/sirene/etablissements/{SNCF}"),
        ("entreprise", SCI_CESSEE, f"/v3/insee/sirene/etablissements/{SCI_CESSEE}"),
        (
            "entreprise",
            PERSONNE_NON_DIFFUSIBLE,
            f"/v3/insee/sirene/etablissements/{PERSONNE_NON_DIFFUSIBLE}",
        ),
        ("unite_legale", "552049447", "/v3/insee/sirene/unites_legales/552049447/siege_social"),
        (
            "association",
            ASSOCIATION_RNA,
            f"/v4/djepva/api-association/associations/{ASSOCIATION_RNA}",
        ),
        (
            "association",
            ASSOCIATION_SIRET,
            f"/v4/djepva/api-association/associations/{ASSOCIATION_SIREN}",
        ),
    ],
)
def test_client_http_appelle_api_entreprise_et_mappe_comme_hors_ligne(
    hors_ligne, methode, identifiant, chemin
):
    adaptateur = AdaptateurRejoue()
    resultat = getattr(client(adaptateur), methode)(identifiant)

    ((requete, options),) = adaptateur.requetes
    url = urlsplit(requete.url)
    assert requete.method == "GET"
    assert f"{url.scheme}://{url.netloc}" == BASE_URL
    assert url.path == chemin
    assert requete.headers["Authorization"] == f"Bearer {JETON}"
    params = parse_qs(url.query)
    assert params["recipient"] == [RECIPIENT]
    assert params["context"] == ["Instruction d'une demande d'aide"]
    assert params["object"] and params["object"][0]
    assert options["timeout"] == 3.0
    assert resultat == getattr(hors_ligne, methode)(identifiant)


def test_client_http_ne_montre_pas_le_jeton():
    assert JETON not in repr(client(AdaptateurRejoue()))


def test_client_http_refuse_un_recipient_qui_n_est_pas_un_siret():
    with pytest.raises(ValueError):
        FournisseurApiEntreprise(BASE_URL, JETON, recipient="123")


def test_client_http_n_appelle_pas_l_api_pour_un_identifiant_invalide():
    adaptateur = AdaptateurRejoue()
    with pytest.raises(IdentifiantInvalide):
        client(adaptateur).entreprise("55204944776278")
    assert adaptateur.requetes == []


@pytest.mark.parametrize(
    "exception",
    [requests.ReadTimeout("lent"), requests.ConnectTimeout("lent"), requests.ConnectionError()],
)
def test_client_http_delai_ou_reseau_indisponible(exception):
    with pytest.raises(ServiceIndisponible):
        client(AdaptateurRejoue(exception=exception)).entreprise(SNCF)


@pytest.mark.parametrize(
    ("statut", "erreur"),
    [
        (500, ServiceIndisponible),
        (502, ServiceIndisponible),
        (401, ServiceIndisponible),
        (429, ServiceIndisponible),
        (404, Introuvable),
        (422, IdentifiantInvalide),
        (400, IdentifiantInvalide),
    ],
)
def test_client_http_codes_d_erreur(statut, erreur):
    with pytest.raises(erreur):
        client(AdaptateurRejoue(statut=statut)).entreprise(SNCF)


def test_client_http_404_enregistre():
    with pytest.raises(Introuvable):
        client(AdaptateurRejoue()).entreprise("00000000000000")


def test_client_http_reponse_inattendue_indisponible():
    adaptateur = AdaptateurRejoue()
    adaptateur.routes[f"/v3/insee/sirene/etablissements/{SNCF}"] = (200, {"data": {}})
    with pytest.raises(ServiceIndisponible):
        client(adaptateur).entreprise(SNCF)


# --- Applicant-facing lookup ---------------------------------------------------------------------


def test_recherche_verifiee(hors_ligne):
    resultat = rechercher_organisation("552 049 447 76279", source=hors_ligne)
    assert resultat.statut == "verifie" and resultat.verifie
    assert isinstance(resultat.donnees, Entreprise)
    assert resultat.donnees.denomination == "SOCIETE NATIONALE SNCF"
    assert "SOCIETE NATIONALE SNCF" in resultat.message


def test_recherche_par_siren_et_par_rna(hors_ligne):
    assert rechercher_organisation("552049447", source=hors_ligne).donnees.siret == SNCF
    asso = rechercher_organisation("w301000624", source=hors_ligne)
    assert asso.statut == "verifie"
    assert asso.donnees.nom == "ASSOCIATION SPORTIVE SALINDROISE"


def test_recherche_indisponible_quand_l_api_est_lente():
    lent = client(AdaptateurRejoue(exception=requests.ReadTimeout("plus de 3 s")))
    resultat = rechercher_organisation(SNCF, source=lent)
    assert resultat.statut == "indisponible"
    assert resultat.donnees is None
    assert resultat.message == (
        "Le service de vérification ne répond pas. Saisissez les informations vous-même : "
        "elles seront marquées « non vérifiées » et contrôlées par l'instructeur."
    )
    assert resultat.message == MESSAGE_INDISPONIBLE


def test_recherche_etablissement_cesse(hors_ligne):
    resultat = rechercher_organisation(SCI_CESSEE, source=hors_ligne)
    assert resultat.statut == "cesse"
    assert not resultat.verifie
    assert resultat.donnees.date_cessation == date(1995, 11, 15)
    assert resultat.message == (
        "Cet établissement est fermé depuis le 15/11/1995 (source INSEE) : une aide ne peut pas "
        "lui être attribuée. Vérifiez le numéro SIRET ou indiquez celui de l'établissement actif."
    )


def test_recherche_association_inactive(hors_ligne):
    resultat = rechercher_organisation("W604004799", source=hors_ligne)
    assert resultat.statut == "cesse"
    assert "association" in resultat.message


def test_recherche_introuvable(hors_ligne):
    resultat = rechercher_organisation(SIRET_INCONNU, source=hors_ligne)
    assert resultat.statut == "introuvable"
    assert resultat.donnees is None
    assert "123 456 782 00010" in resultat.message
    assert "non vérifiées" in resultat.message


@pytest.mark.parametrize(
    ("identifiant", "extrait"),
    [
        ("55204944776278", "SIRET"),
        ("552049448", "SIREN"),
        ("W12", "RNA"),
        ("bonjour", "14 chiffres"),
        ("", "14 chiffres"),
    ],
)
def test_recherche_invalide(hors_ligne, identifiant, extrait):
    resultat = rechercher_organisation(identifiant, source=hors_ligne)
    assert resultat.statut == "invalide"
    assert resultat.donnees is None
    assert extrait in resultat.message


def test_recherche_masque_l_adresse_d_une_personne_non_diffusible(hors_ligne):
    resultat = rechercher_organisation(PERSONNE_NON_DIFFUSIBLE, source=hors_ligne)
    assert resultat.statut == "verifie"
    assert resultat.donnees.adresse.ligne == ""
    assert resultat.donnees.adresse.commune == "MEDILLAC"
    assert "pas publique" in resultat.message


def test_recherche_ne_leve_pas_sur_erreur_inattendue():
    class Casse:
        def entreprise(self, siret: str) -> Entreprise:
            raise RuntimeError("bogue")

    resultat = rechercher_organisation(SNCF, source=Casse())  # type: ignore[arg-type]
    assert resultat.statut == "indisponible"


# --- Choice of provider --------------------------------------------------------------------------


def test_fournisseur_par_defaut_hors_ligne(settings):
    settings.MDNA_DONNEES_EXTERNES = None
    assert isinstance(fournisseur(), FournisseurHorsLigne)
    assert rechercher_organisation(SNCF).statut == "verifie"


def test_fournisseur_api_entreprise(settings):
    settings.MDNA_DONNEES_EXTERNES = "api_entreprise"
    settings.API_ENTREPRISE_URL = BASE_URL
    settings.API_ENTREPRISE_TOKEN = JETON
    settings.API_ENTREPRISE_RECIPIENT = RECIPIENT
    choisi = fournisseur()
    assert isinstance(choisi, FournisseurApiEntreprise)
    assert (choisi.base_url, choisi.recipient, choisi.timeout) == (BASE_URL, RECIPIENT, 3.0)


def test_fournisseur_api_entreprise_sans_jeton(settings):
    settings.MDNA_DONNEES_EXTERNES = "api_entreprise"
    settings.API_ENTREPRISE_TOKEN = ""
    with pytest.raises(ImproperlyConfigured):
        fournisseur()
    assert rechercher_organisation(SNCF).statut == "indisponible"


def test_fournisseur_inconnu(settings):
    settings.MDNA_DONNEES_EXTERNES = "annuaire"
    with pytest.raises(ImproperlyConfigured):
        fournisseur()


def test_payloads_dans_le_depot():
    racine = Path(__file__).resolve().parents[2]
    assert PAYLOADS.is_relative_to(racine)
    assert (PAYLOADS / "LICENSE").is_file()
    assert (PAYLOADS / "SOURCE.md").is_file()

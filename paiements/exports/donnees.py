"""Plain, frozen input data of the payment exports (no Django here).

The payments application builds these snapshots from its models; the exporters (PES V2,
SEPA, CSV) only read them. Amounts are ``Decimal`` with two decimals, in euros.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from schwifty import BIC, IBAN
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

# Codes of the PES V2 nomenclature (TypBord, NatPce, CatTiers, NatJur).
BORDEREAU_ORDINAIRE = "01"
BORDEREAU_ANNULATION = "02"
TYPES_BORDEREAU = {BORDEREAU_ORDINAIRE: "ordinaire", BORDEREAU_ANNULATION: "annulation-réduction"}

NATURE_FONCTIONNEMENT = "01"
NATURE_INVESTISSEMENT = "02"
NATURES_PIECE = {NATURE_FONCTIONNEMENT: "fonctionnement", NATURE_INVESTISSEMENT: "investissement"}

CATEGORIE_PERSONNE_PHYSIQUE = "01"
CATEGORIE_COMMUNE = "23"
CATEGORIE_PERSONNE_MORALE_PRIVEE = "60"
CATEGORIES_TIERS = frozenset(
    {"01", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "50", "60"}
    | {"61", "62", "63", "64", "65", "70", "71", "72", "73", "74"}
)

NATURE_JURIDIQUE_PARTICULIER = "01"
NATURE_JURIDIQUE_SOCIETE = "03"
NATURE_JURIDIQUE_ASSOCIATION = "06"
NATURE_JURIDIQUE_COLLECTIVITE = "09"
NATURES_JURIDIQUES = frozenset(f"{n:02d}" for n in range(1, 12))

CENTIME = Decimal("0.01")
MONTANT_MAX = Decimal("999999999999.99")  # 14 digits, 2 of them decimal (PES V_Montant)


def montant(valeur: Decimal | int | str) -> Decimal:
    """Return ``valeur`` as a Decimal with exactly two decimals; refuse floats and sub-cents."""
    if isinstance(valeur, float | bool):
        raise TypeError("Un montant doit être un Decimal, jamais un nombre à virgule flottante.")
    try:
        decimal = Decimal(valeur)
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"Montant illisible : {valeur!r}.") from exc
    if not decimal.is_finite():
        raise ValueError(f"Montant illisible : {valeur!r}.")
    arrondi = decimal.quantize(CENTIME, rounding=ROUND_HALF_UP)
    if arrondi != decimal:
        raise ValueError(f"Le montant {valeur} a plus de deux décimales.")
    if abs(arrondi) > MONTANT_MAX:
        raise ValueError(f"Le montant {valeur} dépasse le maximum autorisé.")
    return arrondi


def centimes(valeur: Decimal) -> int:
    """Return an amount in euros as an integer number of cents."""
    return int(montant(valeur) * 100)


@functools.lru_cache(maxsize=8192)
def normaliser_iban(valeur: str) -> str:
    """Return the compact upper-case IBAN, or raise ValueError (French) if it is invalid."""
    brut = (valeur or "").strip()
    if not brut:
        raise ValueError("IBAN manquant.")
    try:
        return IBAN(brut, validate_bban=True).compact.upper()
    except ValueError as exc:
        raise ValueError(f"IBAN invalide « {brut} » : {_raison_iban(exc)}.") from exc


def _raison_iban(exc: Exception) -> str:
    raisons = {
        "InvalidChecksumDigits": "clé de contrôle incorrecte",
        "InvalidBBANChecksum": "clé RIB incorrecte",
        "InvalidLength": "longueur incorrecte",
        "InvalidCountryCode": "code pays inconnu",
        "InvalidStructure": "structure incorrecte",
        "InvalidBankCode": "code banque inconnu",
        "InvalidBranchCode": "code guichet incorrect",
        "InvalidAccountCode": "numéro de compte incorrect",
    }
    return raisons.get(type(exc).__name__, "format incorrect")


@functools.lru_cache(maxsize=8192)
def normaliser_bic(valeur: str) -> str:
    """Return the upper-case BIC, or raise ValueError (French) if it is invalid."""
    brut = (valeur or "").strip().replace(" ", "").upper()
    try:
        return str(BIC(brut))
    except ValueError as exc:
        raise ValueError(f"BIC invalide « {brut} ».") from exc


def verifier_siret(valeur: str) -> str:
    """Return the 14-digit SIRET, or raise ValueError (French) if its key is wrong."""
    compact = re.sub(r"\s", "", valeur or "")
    if not stdnum_siret.is_valid(compact):
        raise ValueError(f"SIRET invalide « {valeur} » (14 chiffres, clé de Luhn).")
    return compact


def verifier_siren(valeur: str) -> str:
    """Return the 9-digit SIREN, or raise ValueError (French) if its key is wrong."""
    compact = re.sub(r"\s", "", valeur or "")
    if not stdnum_siren.is_valid(compact):
        raise ValueError(f"SIREN invalide « {valeur} » (9 chiffres, clé de Luhn).")
    return compact


# Typographic characters outside Latin-1, replaced by their usual Latin-1 spelling.
_TRANSLITTERATION = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u0153": "oe",
        "\u0152": "OE",
        "\u20ac": "EUR",
        "\u2022": "-",
    }
)
_ESPACES = re.compile(r"\s+")
_HORS_LATIN1 = re.compile("[^\x00-\xff]")
_PONCTUATION_FINALE = " ,;:-/("


def _caractere_propre(caractere: str) -> str:
    if caractere.isprintable():
        return caractere
    categorie = unicodedata.category(caractere)
    if categorie == "Cf":  # soft hyphen, zero-width joiners, directional marks
        return ""
    return " " if categorie[0] in "CZ" else caractere


def nettoyer_texte(valeur: str | None, longueur: int) -> str:
    """Return a one-line label of at most ``longueur`` characters, cut cleanly.

    Control and invisible characters become spaces, blanks are collapsed, typographic signs
    outside Latin-1 are transliterated, and a label too long is cut on a character boundary
    (never inside an accented letter), at a word boundary when one is close.
    """
    if not valeur:
        return ""
    texte = str(valeur)
    if not texte.isascii():
        texte = unicodedata.normalize("NFC", texte)
        if _HORS_LATIN1.search(texte):
            texte = texte.translate(_TRANSLITTERATION)
    if not texte.isprintable():  # control, format or separator characters other than " "
        texte = "".join(_caractere_propre(c) for c in texte)
    if "  " in texte or texte[:1] == " " or texte[-1:] == " ":
        texte = _ESPACES.sub(" ", texte).strip()
    if len(texte) <= longueur:
        return texte
    coupe = longueur
    # Never separate a letter from a combining mark that NFC could not compose.
    while coupe > 0 and unicodedata.combining(texte[coupe]):
        coupe -= 1
    debut = texte[:coupe]
    espace = debut.rfind(" ")
    if texte[coupe] != " " and espace >= max(1, coupe - 15):
        debut = debut[:espace]
    return debut.rstrip(_PONCTUATION_FINALE) or debut.strip()


@dataclass(frozen=True, slots=True)
class Collectivite:
    """The ordering body (ordonnateur) as known by the public accountant (Hélios)."""

    siret: str  # IdColl
    nom: str  # LibelleColBud
    code_collectivite: str  # CodCol, 3 digits
    code_budget: str  # CodBud, 2 characters
    code_poste: str  # IdPost, codique of the public accountant, 6 or 7 digits
    libelle_poste: str | None = None  # LibellePoste


@dataclass(frozen=True, slots=True)
class Emetteur:
    """The bank account debited by a SEPA credit transfer file."""

    nom: str
    iban: str
    bic: str | None = None


@dataclass(frozen=True, slots=True)
class Tiers:
    """Payee snapshot taken when the mandate is issued."""

    nom: str
    adresse: str  # street line (Adr2)
    code_postal: str
    ville: str
    iban: str
    bic: str | None = None
    siret: str | None = None  # NatIdTiers 01
    siren: str | None = None  # NatIdTiers 02, used when there is no SIRET
    categorie: str = CATEGORIE_PERSONNE_MORALE_PRIVEE  # CatTiers
    nature_juridique: str = NATURE_JURIDIQUE_ASSOCIATION  # NatJur
    civilite: str | None = None  # mandatory for a natural person (CatTiers 01)
    prenom: str | None = None  # mandatory for a natural person (CatTiers 01)
    complement_adresse: str | None = None  # Adr1
    titulaire_compte: str | None = None  # TitCpte; the name by default
    reference: str | None = None  # RefTiers: the payee's id in MDNA

    @property
    def nom_complet(self) -> str:
        """First name and name for a natural person, else the name (account holder)."""
        if self.categorie == CATEGORIE_PERSONNE_PHYSIQUE and self.prenom:
            return f"{self.prenom} {self.nom}"
        return self.nom

    @property
    def identifiant(self) -> tuple[str, str] | None:
        """Return (NatIdTiers, IdTiers): SIRET first, then SIREN, else None."""
        if self.siret:
            return "01", self.siret
        if self.siren:
            return "02", self.siren
        return None


@dataclass(frozen=True, slots=True)
class LigneMandat:
    """One budget imputation of a mandate."""

    libelle: str
    montant: Decimal
    nature: str  # compte par nature, e.g. "6574" or "20422"
    fonction: str | None = None  # M57 function, e.g. "311"
    chapitre: str | None = None  # e.g. "65" or "204"; not carried by PES (derived by Hélios)
    operation: str | None = None  # opération d'équipement
    id_convention: str | None = None  # LiensIdent/IdConv
    ligne_origine: int | None = None  # annulation-réduction: line of the original mandate

    def __post_init__(self) -> None:
        object.__setattr__(self, "montant", montant(self.montant))


@dataclass(frozen=True, slots=True)
class Mandat:
    """A payment order, numbered per exercice, with its payee and lines."""

    numero: int
    exercice: int
    date_emission: date
    objet: str
    tiers: Tiers
    lignes: tuple[LigneMandat, ...]
    nature_piece: str = NATURE_FONCTIONNEMENT
    date_echeance: date | None = None
    mandat_origine: int | None = None  # annulation-réduction: number of the reduced mandate
    exercice_origine: int | None = None  # annulation-réduction: its exercice (default: same)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lignes", tuple(self.lignes))

    @property
    def montant(self) -> Decimal:
        """Total of the lines."""
        return sum((ligne.montant for ligne in self.lignes), Decimal("0.00"))


@dataclass(frozen=True, slots=True)
class Bordereau:
    """A numbered batch of mandates of one exercice sent together to the accountant."""

    numero: int
    exercice: int
    date_emission: date
    mandats: tuple[Mandat, ...]
    type_bordereau: str = BORDEREAU_ORDINAIRE
    cumul_annuel: Decimal | None = None  # MtCumulAnnuel, including this bordereau

    def __post_init__(self) -> None:
        object.__setattr__(self, "mandats", tuple(self.mandats))
        if self.cumul_annuel is not None:
            object.__setattr__(self, "cumul_annuel", montant(self.cumul_annuel))

    @property
    def montant(self) -> Decimal:
        """Total of all mandate lines."""
        return sum((mandat.montant for mandat in self.mandats), Decimal("0.00"))

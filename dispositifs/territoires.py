"""Official French territories: regions, départements and communes (INSEE COG).

Pure Python, no Django import: the JSON files under ``data/territoires`` are read lazily
on first use and cached. See ``data/territoires/SOURCE.md`` for their origin and refresh.

``communes.json`` is a list of ``[code, nom, departement, region, [codes_postaux...]]``
arrays sorted by INSEE code. All codes are strings ("2A", "971", "2A004"...).
"""

from __future__ import annotations

import bisect
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

NOUVELLE_AQUITAINE = "75"

DATA_DIR = Path(__file__).resolve().parent / "data" / "territoires"

_CODE_INSEE = re.compile(r"^\d[\dAB]\d{3}$", re.IGNORECASE)
_ABREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})


@dataclass(frozen=True, slots=True)
class Region:
    """A region (or an overseas collectivity, which the COG lists as its own region)."""

    code: str
    nom: str


@dataclass(frozen=True, slots=True)
class Departement:
    """A département; ``region`` is the region code."""

    code: str
    nom: str
    region: str


@dataclass(frozen=True, slots=True)
class Commune:
    """A current commune (COG type "commune-actuelle")."""

    code: str
    nom: str
    departement: str
    region: str
    codes_postaux: tuple[str, ...]


def _load(name: str) -> Any:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        return json.load(fh)


def normaliser(texte: str) -> str:
    """Fold accents and case, turn punctuation into spaces, expand "st"/"ste" to "saint(e)"."""
    decompose = unicodedata.normalize("NFKD", texte.translate(_LIGATURES))
    sans_accents = "".join(ch for ch in decompose if not unicodedata.combining(ch))
    mots = re.sub(r"[^0-9a-z]+", " ", sans_accents.casefold()).split()
    return " ".join(_ABREVIATIONS.get(mot, mot) for mot in mots)


@lru_cache(maxsize=1)
def _regions() -> dict[str, Region]:
    return {r["code"]: Region(code=r["code"], nom=r["nom"]) for r in _load("regions.json")}


@lru_cache(maxsize=1)
def _departements() -> dict[str, Departement]:
    return {
        d["code"]: Departement(code=d["code"], nom=d["nom"], region=d["region"])
        for d in _load("departements.json")
    }


@lru_cache(maxsize=1)
def _communes() -> dict[str, Commune]:
    return {
        code: Commune(code=code, nom=nom, departement=dep, region=reg, codes_postaux=tuple(cps))
        for code, nom, dep, reg, cps in _load("communes.json")
    }


@lru_cache(maxsize=1)
def _index_codes_postaux() -> dict[str, tuple[Commune, ...]]:
    index: dict[str, list[Commune]] = {}
    for c in _communes().values():
        for cp in c.codes_postaux:
            index.setdefault(cp, []).append(c)
    return {cp: tuple(sorted(cs, key=_ordre)) for cp, cs in index.items()}


@lru_cache(maxsize=1)
def _liste_codes_postaux() -> list[str]:
    return sorted(_index_codes_postaux())


@lru_cache(maxsize=1)
def _index_noms() -> tuple[list[str], list[str], list[str], list[str]]:
    """Sorted (key, code) lists: full normalised names, and name tails at each later word."""
    noms: list[tuple[str, str]] = []
    mots: list[tuple[str, str]] = []
    for c in _communes().values():
        cle = normaliser(c.nom)
        noms.append((cle, c.code))
        debut = 0
        while (debut := cle.find(" ", debut) + 1) > 0:
            mots.append((cle[debut:], c.code))
    noms.sort()
    mots.sort()
    return [k for k, _ in noms], [c for _, c in noms], [k for k, _ in mots], [c for _, c in mots]


def _ordre(c: Commune) -> tuple[int, str, str]:
    return (len(c.nom), c.nom, c.code)


def _prefixe(cles: list[str], codes: list[str], texte: str) -> list[str]:
    """Codes whose key starts with ``texte``, shortest keys first."""
    debut = bisect.bisect_left(cles, texte)
    fin = bisect.bisect_left(cles, texte + "\uffff", lo=debut)
    trouves = zip(cles[debut:fin], codes[debut:fin], strict=True)  # already sorted by key
    return [code for _, code in sorted(trouves, key=lambda kc: len(kc[0]))]


def region(code: str) -> Region | None:
    """Return the region with this code ("75" is Nouvelle-Aquitaine), or None."""
    return _regions().get(str(code).strip())


def regions() -> list[Region]:
    """All regions, sorted by code."""
    return list(_regions().values())


def departement(code: str) -> Departement | None:
    """Return the département with this code ("87", "2A", "971"...), or None."""
    return _departements().get(str(code).strip().upper())


def departements(region: str | None = None) -> list[Departement]:
    """All départements sorted by code, optionally only those of one region."""
    tous = _departements().values()
    if region is None:
        return list(tous)
    return [d for d in tous if d.region == str(region).strip()]


def commune(code: str) -> Commune | None:
    """Return the current commune with this INSEE code ("87085", "2A004"...), or None."""
    return _communes().get(str(code).strip().upper())


def communes_par_code_postal(cp: str) -> list[Commune]:
    """Communes served by this postal code (shortest names first)."""
    return list(_index_codes_postaux().get(str(cp).strip(), ()))


def rechercher_communes(texte: str, limite: int = 20) -> list[Commune]:
    """Find communes by name prefix (accent/case-insensitive), postal code or INSEE code.

    A name query matches names starting with it first, then names having a later word
    starting with it ("junien" finds Saint-Junien). Digits match postal code prefixes.
    """
    brut = str(texte).strip()
    if not brut or limite <= 0:
        return []
    communes = _communes()
    trouvees: dict[str, Commune] = {}

    def ajouter(candidats: list[Commune]) -> None:
        for c in candidats:
            if len(trouvees) >= limite:
                return
            trouvees.setdefault(c.code, c)

    if _CODE_INSEE.match(brut) and (exacte := commune(brut)) is not None:
        ajouter([exacte])
    if brut.isdigit() and len(brut) <= 5:
        cps = _liste_codes_postaux()
        debut = bisect.bisect_left(cps, brut)
        fin = bisect.bisect_left(cps, brut + ":", lo=debut)  # ":" sorts right after "9"
        for cp in cps[debut:fin]:
            ajouter(list(_index_codes_postaux()[cp]))
            if len(trouvees) >= limite:
                break
        return list(trouvees.values())

    cle = normaliser(brut)
    if not cle:
        return list(trouvees.values())
    cles_noms, codes_noms, cles_mots, codes_mots = _index_noms()
    for cles, codes in ((cles_noms, codes_noms), (cles_mots, codes_mots)):
        ajouter([communes[code] for code in _prefixe(cles, codes, cle)])
    return list(trouvees.values())

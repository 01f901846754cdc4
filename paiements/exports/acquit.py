"""Reading the accountant's acknowledgement of a PES_Aller (``PES_ACQUIT``, schema
``Rev0/PES_V2_Acquit_Autonome_V2.xsd`` shipped in ``xsd/``).

Hélios answers every PES_Aller with an acquit: one ``ElementACQUIT`` per checked element
(whole file, signature, bordereau…), ``EtatAck`` 1 (accepted) or 0 (rejected) with the reasons
(``Erreur``, optionally per piece and line). The file is validated against the schema before
anything is read from it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from lxml import etree

from paiements.exports.pes import XSD_DIR, _traduire

NS_PES_ACQUIT = "http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/retour/v2"
XSD_PES_ACQUIT = XSD_DIR / "PES_V2" / "Rev0" / "PES_V2_Acquit_Autonome_V2.xsd"

DOMAINES = {
    "0": "contrôle technique du fichier",
    "1": "signature technique",
    "2": "signature globale",
    "3": "signature du bordereau",
    "4": "pièce jointe",
    "5": "dépense",
    "6": "recette",
    "7": "rôle",
    "8": "budget",
    "9": "état de l'actif",
    "10": "état du passif",
    "11": "marché",
    "12": "facture",
    "99": "paramétrage",
}


@dataclass(frozen=True)
class ElementAcquit:
    domaine: str
    accepte: bool
    exercice: int | None
    bordereau: int | None
    motifs: list[str] = field(default_factory=list)

    @property
    def libelle_domaine(self) -> str:
        return DOMAINES.get(self.domaine, f"domaine {self.domaine}")


@dataclass(frozen=True)
class LectureAcquit:
    nom_fichier: str
    elements: list[ElementAcquit]
    erreurs: list[str]


@functools.cache
def schema_pes_acquit() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_PES_ACQUIT)))


def _v(element: etree._Element, chemin: str) -> str | None:
    trouve = element.find(chemin)
    return None if trouve is None else trouve.get("V")


def _erreurs(element: etree._Element, prefixe: str = "") -> list[str]:
    motifs = []
    for erreur in element.iterfind("Erreur"):
        code = _v(erreur, "NumAnoAck") or ""
        libelle = _v(erreur, "LibelleAnoAck") or ""
        texte = " — ".join(t for t in (libelle, code) if t) or "sans motif"
        motifs.append(prefixe + texte)
    return motifs


def lire_pes_acquit(contenu: bytes) -> LectureAcquit:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, huge_tree=True)
    try:
        racine = etree.fromstring(contenu, parser)
    except etree.XMLSyntaxError as exc:
        return LectureAcquit("", [], [f"Ligne {exc.lineno} : XML mal formé : {exc.msg}"])
    schema = schema_pes_acquit()
    if not schema.validate(racine):
        return LectureAcquit(
            "", [], [f"Ligne {e.line} : {_traduire(e.message)}" for e in schema.error_log][:50]
        )
    elements = []
    for element in racine.iterfind("ACQUIT/ElementACQUIT"):
        motifs = _erreurs(element)
        for piece in element.iterfind("DetailPiece"):
            numero = _v(piece, "NumPiece")
            motifs += _erreurs(piece, f"Pièce {numero} : ")
            for ligne in piece.iterfind("DetailLigne"):
                motifs += _erreurs(ligne, f"Pièce {numero}, ligne {_v(ligne, 'NumLigne')} : ")
        exercice, bordereau = _v(element, "ExerciceBord"), _v(element, "NumBord")
        elements.append(
            ElementAcquit(
                domaine=_v(element, "DomaineAck") or "",
                accepte=_v(element, "EtatAck") == "1",
                exercice=int(exercice) if exercice else None,
                bordereau=int(bordereau) if bordereau else None,
                motifs=motifs,
            )
        )
    nom = _v(racine, "Enveloppe/Parametres/NomFic") or ""
    return LectureAcquit(nom, elements, [])

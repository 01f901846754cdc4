"""Reading the accountant's return file (PES V2 ``PES_Retour``, domaine dépense).

The file is validated against the DGFiP schema ``RETOUR/Rev0/PES_Retour.xsd`` (shipped in
``xsd/``) before anything is read from it. For each piece (mandate) we keep its state and the
payments recorded on its lines (``PaiementEmargement``: date and amount).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lxml import etree

from paiements.exports.pes import XSD_DIR, _traduire

NS_PES_RETOUR = "http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/retour"
XSD_PES_RETOUR = XSD_DIR / "PES_V2" / "RETOUR" / "Rev0" / "PES_Retour.xsd"
ETAT_REJETE = "04"
ORIGINE_PAIEMENT_REEL = "01"


@dataclass(frozen=True)
class PieceRetour:
    exercice: int
    bordereau: int
    numero: int
    etat: str
    motif: str
    date_paiement: date | None
    montant_paye: Decimal | None

    @property
    def rejete(self) -> bool:
        return self.etat == ETAT_REJETE


@dataclass(frozen=True)
class LecturePesRetour:
    pieces: list[PieceRetour]
    erreurs: list[str]


@functools.cache
def schema_pes_retour() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_PES_RETOUR)))


def _v(element: etree._Element, chemin: str) -> str | None:
    trouve = element.find(chemin)
    return None if trouve is None else trouve.get("V")


def lire_pes_retour(contenu: bytes) -> LecturePesRetour:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, huge_tree=True)
    try:
        racine = etree.fromstring(contenu, parser)
    except etree.XMLSyntaxError as exc:
        return LecturePesRetour([], [f"Ligne {exc.lineno} : XML mal formé : {exc.msg}"])
    schema = schema_pes_retour()
    if not schema.validate(racine):
        return LecturePesRetour(
            [], [f"Ligne {e.line} : {_traduire(e.message)}" for e in schema.error_log][:50]
        )
    pieces = []
    for bordereau in racine.iterfind("PES_DepenseRetour/Bordereau"):
        exercice = int(_v(bordereau, "BlocBordereau/Exer"))
        numero_bordereau = int(_v(bordereau, "BlocBordereau/IdBord"))
        for piece in bordereau.iterfind("Piece"):
            paiements = [
                (date.fromisoformat(_v(p, "DtePay")), Decimal(_v(p, "MtPay")))
                for p in piece.iterfind("LigneDePiece/PaiementEmargement")
                if _v(p, "OrgEma") == ORIGINE_PAIEMENT_REEL
            ]
            pieces.append(
                PieceRetour(
                    exercice=exercice,
                    bordereau=numero_bordereau,
                    numero=int(_v(piece, "InfoPiece/IdPce")),
                    etat=_v(piece, "InfoPiece/EtatPce") or "",
                    motif=_v(piece, "InfoPiece/ObsEtat") or "",
                    date_paiement=max(d for d, _ in paiements) if paiements else None,
                    montant_paye=sum((m for _, m in paiements), Decimal("0.00"))
                    if paiements
                    else None,
                )
            )
    return LecturePesRetour(pieces, [])

"""PES V2 ``PES_Aller`` export of mandates (domaine dépense) and its XSD validation.

The file is written piece by piece with ``lxml.etree.xmlfile``: only one mandate's subtree is
in memory at a time, so a Region's whole year fits in a few megabytes besides the output.
Every value sits in a ``V="…"`` attribute, as PES V2 requires. Element order, lengths and
types follow the DGFiP schemas v5.17 copied in ``xsd/pes_v2_v5.17``.
"""

from __future__ import annotations

import functools
import io
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from paiements.exports.donnees import (
    BORDEREAU_ANNULATION,
    BORDEREAU_ORDINAIRE,
    CATEGORIE_PERSONNE_PHYSIQUE,
    CATEGORIES_TIERS,
    NATURES_JURIDIQUES,
    NATURES_PIECE,
    TYPES_BORDEREAU,
    Bordereau,
    Collectivite,
    LigneMandat,
    Mandat,
    Tiers,
    montant,
    nettoyer_texte,
    normaliser_bic,
    normaliser_iban,
    verifier_siren,
    verifier_siret,
)

NS_PES_ALLER = "http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/aller"
XSD_DIR = Path(__file__).resolve().parent / "xsd" / "pes_v2_v5.17"
XSD_PES_ALLER = XSD_DIR / "PES_V2" / "Rev0" / "PES_Aller.xsd"

APPLICATION_SIGLE = "MDNA"  # Enveloppe/Emetteur/Sigle (32)
APPLICATION_NOM = "MDNA portail des aides 0.1"  # Enveloppe/Emetteur/Adresse (38)
ENCODAGE = "ISO-8859-1"  # the encoding PES files traditionally declare

TYPE_FICHIER = "PESALR1"
VERSION_ENVELOPPE = "2"
VERSION_DEPENSE = "2"
TYPE_PIECE_ORDINAIRE = "01"
TYPE_PIECE_CORRECTIF = "02"
NATURE_PIECE_ANNULATION = "06"
NATURE_PIECE_ORIGINE_MANDAT = "01"
MODE_REGLEMENT_VIREMENT = "03"
TYPE_ADRESSE_NON_PRECISE = "0"

# Maximum lengths of the V attributes (Simple_Type.xsd).
LONGUEURS = {
    "NomFic": 100,
    "LibellePoste": 38,
    "LibelleColBud": 38,
    "Obj": 100,
    "LibVir": 70,
    "IdConv": 25,
    "RefTiers": 30,
    "Civilite": 10,
    "Nom": 38,
    "Prenom": 38,
    "Adr": 38,
    "Ville": 38,
    "TitCpte": 32,
}
MAX_ID_BORDEREAU = 9_999_999  # Base_Num7
MAX_ID_PIECE = 99_999_999  # Base_Num8
MAX_ID_LIGNE = 999_999  # Base_Num6
MAX_PIECES = 99_999  # Base_Num5


@dataclass(frozen=True, slots=True)
class ResumePes:
    """What a written PES file contains."""

    bordereaux: int
    mandats: int
    lignes: int
    montant: Decimal


def build_pes_aller(
    collectivite: Collectivite,
    bordereaux: Iterable[Bordereau],
    *,
    nom_fichier: str,
    date: Date,
    encodage: str = ENCODAGE,
) -> bytes:
    """Return the PES_Aller file (domaine dépense) of ``bordereaux`` as bytes."""
    sortie = io.BytesIO()
    write_pes_aller(
        sortie, collectivite, bordereaux, nom_fichier=nom_fichier, date=date, encodage=encodage
    )
    return sortie.getvalue()


def write_pes_aller(
    destination: BinaryIO | str | os.PathLike[str],
    collectivite: Collectivite,
    bordereaux: Iterable[Bordereau],
    *,
    nom_fichier: str,
    date: Date,
    encodage: str = ENCODAGE,
) -> ResumePes:
    """Write the PES_Aller file to a path or binary file, one mandate at a time.

    ``bordereaux`` may be a generator. Raises ValueError (in French) on data Hélios would
    reject: invalid IBAN or SIRET, amounts, numbering, an annulation without its origin.
    """
    if isinstance(destination, str | os.PathLike):
        chemin = Path(destination)
        try:
            with chemin.open("wb") as fichier:
                return write_pes_aller(
                    fichier,
                    collectivite,
                    bordereaux,
                    nom_fichier=nom_fichier,
                    date=date,
                    encodage=encodage,
                )
        except BaseException:
            chemin.unlink(missing_ok=True)  # never leave a half-written file behind
            raise
    ecrivain = _Ecrivain(collectivite)
    with etree.xmlfile(destination, encoding=encodage) as xf:
        xf.write_declaration()
        with xf.element(f"{{{NS_PES_ALLER}}}PES_Aller", nsmap={"n": NS_PES_ALLER}):
            xf.write("\n")
            xf.write(_enveloppe(nom_fichier), pretty_print=True)
            xf.write(_entete_pes(collectivite, date), pretty_print=True)
            with xf.element("PES_DepenseAller"):
                xf.write("\n")
                xf.write(_entete_depense(), pretty_print=True)
                vus: set[tuple[int, str, int]] = set()
                for bordereau in bordereaux:
                    cle = (bordereau.exercice, bordereau.type_bordereau, bordereau.numero)
                    if cle in vus:
                        raise ValueError(
                            f"Bordereau {bordereau.numero} de {bordereau.exercice} présent deux "
                            "fois dans le fichier."
                        )
                    vus.add(cle)
                    ecrivain.ecrire_bordereau(xf, bordereau)
                if not vus:
                    raise ValueError("Aucun bordereau à exporter.")
            xf.write("\n")
    return ResumePes(
        bordereaux=len(vus),
        mandats=ecrivain.nb_mandats,
        lignes=ecrivain.nb_lignes,
        montant=ecrivain.total,
    )


def _v(parent: etree._Element, balise: str, valeur: str) -> etree._Element:
    element = etree.SubElement(parent, balise)
    element.set("V", valeur)
    return element


def _texte(valeur: str | None, longueur: int) -> str:
    """Clean a label for a PES text type: empty when nothing meaningful remains."""
    texte = nettoyer_texte(valeur, longueur)
    # V_BaseString forbids " ", "." and "nc"; V_BaseAlphanum needs a character other than 0.
    if texte in {".", "nc"} or not texte.strip("0"):
        return ""
    return texte


def _texte_requis(valeur: str | None, longueur: int, quoi: str) -> str:
    texte = _texte(valeur, longueur)
    if not texte:
        raise ValueError(f"{quoi} : valeur vide ou illisible ({valeur!r}).")
    return texte


def _chiffres(valeur: str | None, maximum: int, quoi: str) -> str:
    texte = _code_chiffres(valeur, maximum)
    if texte is None:
        raise ValueError(f"{quoi} : « {valeur} » doit compter 1 à {maximum} chiffres.")
    return texte


@functools.lru_cache(maxsize=4096)
def _code_chiffres(valeur: str | None, maximum: int) -> str | None:
    """Return the stripped code when it is 1 to ``maximum`` digits, not all zeros."""
    texte = (valeur or "").strip()
    if not texte.isdigit() or not texte.isascii() or len(texte) > maximum:
        return None
    return texte if texte.strip("0") else None


def _entier(valeur: int, maximum: int, quoi: str) -> str:
    if isinstance(valeur, bool) or not isinstance(valeur, int) or not 0 < valeur <= maximum:
        raise ValueError(f"{quoi} : {valeur!r} doit être un entier entre 1 et {maximum}.")
    return str(valeur)


def _montant(valeur: Decimal) -> str:
    return f"{montant(valeur):.2f}"


def _enveloppe(nom_fichier: str) -> etree._Element:
    enveloppe = etree.Element("Enveloppe")
    parametres = etree.SubElement(enveloppe, "Parametres")
    _v(parametres, "Version", VERSION_ENVELOPPE)
    _v(parametres, "TypFic", TYPE_FICHIER)
    _v(parametres, "NomFic", _texte_requis(nom_fichier, LONGUEURS["NomFic"], "Nom du fichier"))
    emetteur = etree.SubElement(enveloppe, "Emetteur")
    _v(emetteur, "Sigle", APPLICATION_SIGLE)
    _v(emetteur, "Adresse", APPLICATION_NOM)
    return enveloppe


def _entete_pes(collectivite: Collectivite, date: Date) -> etree._Element:
    entete = etree.Element("EnTetePES")
    _v(entete, "DteStr", date.isoformat())
    poste = (collectivite.code_poste or "").strip().upper()
    if not re.fullmatch(r"02[AB][0-9]{3,4}|[0-9]{6,7}", poste):
        raise ValueError(f"Code du poste comptable (IdPost) invalide : « {poste} ».")
    _v(entete, "IdPost", poste)
    libelle_poste = _texte(collectivite.libelle_poste, LONGUEURS["LibellePoste"])
    if libelle_poste:
        _v(entete, "LibellePoste", libelle_poste)
    _v(entete, "IdColl", verifier_siret(collectivite.siret))
    code_col = (collectivite.code_collectivite or "").strip()
    if not re.fullmatch(r"[0-9]{3}", code_col) or code_col == "000":
        raise ValueError(f"Code collectivité (CodCol) invalide : « {code_col} » (3 chiffres).")
    _v(entete, "CodCol", code_col)
    code_bud = (collectivite.code_budget or "").strip().upper()
    if not re.fullmatch(r"[0-9A-Z][0-9]", code_bud):
        raise ValueError(f"Code budget (CodBud) invalide : « {code_bud} » (2 caractères).")
    _v(entete, "CodBud", code_bud)
    libelle = _texte(collectivite.nom, LONGUEURS["LibelleColBud"])
    if libelle:
        _v(entete, "LibelleColBud", libelle)
    return entete


def _entete_depense() -> etree._Element:
    entete = etree.Element("EnTeteDepense")
    _v(entete, "IdVer", VERSION_DEPENSE)
    _v(entete, "InfoDematerialisee", "0")  # no electronic signature in this file
    return entete


class _Ecrivain:
    """Writes bordereaux and keeps running counts; caches each payee's Tiers block."""

    def __init__(self, collectivite: Collectivite) -> None:
        self.collectivite = collectivite
        self.nb_mandats = 0
        self.nb_lignes = 0
        self.total = Decimal("0.00")
        self._mandats_vus: set[tuple[int, str, int]] = set()
        self._tiers: dict[tuple[Tiers, bool], etree._Element] = {}

    def ecrire_bordereau(self, xf: etree.xmlfile, bordereau: Bordereau) -> None:
        quoi = f"Bordereau {bordereau.numero}/{bordereau.exercice}"
        if bordereau.type_bordereau not in TYPES_BORDEREAU:
            raise ValueError(f"{quoi} : type « {bordereau.type_bordereau} » inconnu (01 ou 02).")
        mandats = bordereau.mandats
        if not mandats:
            raise ValueError(f"{quoi} : aucun mandat.")
        if len(mandats) > MAX_PIECES:
            raise ValueError(f"{quoi} : plus de {MAX_PIECES} mandats.")
        total = sum((mandat.montant for mandat in mandats), Decimal("0.00"))
        bloc = etree.Element("BlocBordereau")
        _v(bloc, "Exer", str(bordereau.exercice))
        _v(bloc, "IdBord", _entier(bordereau.numero, MAX_ID_BORDEREAU, quoi))
        _v(bloc, "DteBordEm", bordereau.date_emission.isoformat())
        _v(bloc, "TypBord", bordereau.type_bordereau)
        _v(bloc, "NbrPce", str(len(mandats)))
        if bordereau.cumul_annuel is not None:
            if bordereau.cumul_annuel < total:
                raise ValueError(f"{quoi} : cumul annuel inférieur au montant du bordereau.")
            _v(bloc, "MtCumulAnnuel", _montant(bordereau.cumul_annuel))
        _v(bloc, "MtBordHT", _montant(total))
        with xf.element("Bordereau"):
            xf.write("\n")
            xf.write(bloc, pretty_print=True)
            for mandat in mandats:
                xf.write(self._piece(bordereau, mandat), pretty_print=True)
        xf.write("\n")
        self.total += total

    def _piece(self, bordereau: Bordereau, mandat: Mandat) -> etree._Element:
        quoi = f"Mandat {mandat.numero}/{mandat.exercice}"
        if mandat.exercice != bordereau.exercice:
            raise ValueError(
                f"{quoi} : exercice différent de celui du bordereau {bordereau.numero} "
                f"({bordereau.exercice})."
            )
        annulation = bordereau.type_bordereau == BORDEREAU_ANNULATION
        cle = (mandat.exercice, bordereau.type_bordereau, mandat.numero)
        if cle in self._mandats_vus:
            raise ValueError(f"{quoi} : présent deux fois dans le fichier.")
        self._mandats_vus.add(cle)
        if not mandat.lignes:
            raise ValueError(f"{quoi} : aucune ligne.")
        if mandat.nature_piece not in NATURES_PIECE:
            raise ValueError(f"{quoi} : nature « {mandat.nature_piece} » inconnue (01 ou 02).")
        if annulation and not mandat.mandat_origine:
            raise ValueError(f"{quoi} : une annulation-réduction doit citer le mandat d'origine.")
        if not annulation and mandat.mandat_origine:
            raise ValueError(f"{quoi} : mandat d'origine cité hors bordereau d'annulation.")

        piece = etree.Element("Piece")
        info = etree.SubElement(etree.SubElement(piece, "BlocPiece"), "InfoPce")
        _v(info, "IdPce", _entier(mandat.numero, MAX_ID_PIECE, quoi))
        if annulation:
            _v(info, "TypPce", TYPE_PIECE_CORRECTIF)
            _v(info, "NatPce", NATURE_PIECE_ANNULATION)
        else:
            _v(info, "TypPce", TYPE_PIECE_ORDINAIRE)
            _v(info, "NatPce", mandat.nature_piece)
        objet = _texte(mandat.objet, LONGUEURS["Obj"])
        if objet:
            _v(info, "Obj", objet)
        if mandat.date_echeance and not annulation:
            _v(info, "DteEch", mandat.date_echeance.isoformat())

        tiers = self._bloc_tiers(mandat.tiers, avec_banque=not annulation, quoi=quoi)
        for numero_ligne, ligne in enumerate(mandat.lignes, start=1):
            ligne_de_piece = etree.SubElement(piece, "LigneDePiece")
            ligne_de_piece.append(self._bloc_ligne(mandat, ligne, numero_ligne, annulation))
            ligne_de_piece.append(tiers.__deepcopy__(None))
            self.nb_lignes += 1
        self.nb_mandats += 1
        return piece

    def _bloc_ligne(
        self, mandat: Mandat, ligne: LigneMandat, numero: int, annulation: bool
    ) -> etree._Element:
        quoi = f"Mandat {mandat.numero}/{mandat.exercice}, ligne {numero}"
        if ligne.montant <= 0:
            raise ValueError(f"{quoi} : le montant doit être positif ({ligne.montant}).")
        bloc = etree.Element("BlocLignePiece")
        info = etree.SubElement(bloc, "InfoLignePce")
        _v(info, "IdLigne", _entier(numero, MAX_ID_LIGNE, quoi))
        _v(info, "Nature", _chiffres(ligne.nature, 12, quoi + ", compte par nature"))
        if ligne.fonction:
            _v(info, "Fonction", _chiffres(ligne.fonction, 10, quoi + ", fonction"))
        if ligne.operation:
            _v(info, "Operation", _chiffres(ligne.operation, 10, quoi + ", opération"))
        libelle_complet = nettoyer_texte(ligne.libelle, 10_000)
        libvir1 = _texte(libelle_complet, LONGUEURS["LibVir"])
        if libvir1:
            _v(info, "LibVir1", libvir1)
            libvir2 = _texte(libelle_complet[len(libvir1) :], LONGUEURS["LibVir"])
            if libvir2:
                _v(info, "LibVir2", libvir2)
        if not annulation:
            _v(info, "ModRegl", MODE_REGLEMENT_VIREMENT)
        _v(info, "TVAIntraCom", "0")
        _v(info, "MtHT", f"{ligne.montant:.2f}")  # normalised by LigneMandat
        if annulation:
            rattache = etree.SubElement(bloc, "RattachPiece")
            _v(rattache, "NatPceOrig", NATURE_PIECE_ORIGINE_MANDAT)
            _v(rattache, "ExerRat", str(mandat.exercice_origine or mandat.exercice))
            _v(rattache, "IdPceOrig", _entier(mandat.mandat_origine or 0, 10**13 - 1, quoi))
            _v(rattache, "IdLigneOrig", _entier(ligne.ligne_origine or numero, MAX_ID_LIGNE, quoi))
        if ligne.id_convention and len(ligne.id_convention.strip()) > LONGUEURS["IdConv"]:
            raise ValueError(f"{quoi} : numéro de convention de plus de 25 caractères.")
        convention = _texte(ligne.id_convention, LONGUEURS["IdConv"])
        if convention:
            liens = etree.SubElement(bloc, "LiensIdent")
            _v(liens, "IdConv", convention)
        return bloc

    def _bloc_tiers(self, tiers: Tiers, *, avec_banque: bool, quoi: str) -> etree._Element:
        cle = (tiers, avec_banque)
        bloc = self._tiers.get(cle)
        if bloc is None:
            try:
                bloc = _tiers(tiers, avec_banque=avec_banque)
            except ValueError as exc:
                raise ValueError(f"{quoi} : {exc}") from exc
            if len(self._tiers) > 50_000:
                self._tiers.clear()
            self._tiers[cle] = bloc
        return bloc


def _tiers(tiers: Tiers, *, avec_banque: bool) -> etree._Element:
    nom = _texte_requis(tiers.nom, LONGUEURS["Nom"], "Nom du tiers")
    bloc = etree.Element("Tiers")
    info = etree.SubElement(bloc, "InfoTiers")
    identifiant = tiers.identifiant
    if identifiant is not None:
        nature, valeur = identifiant
        valeur = verifier_siret(valeur) if nature == "01" else verifier_siren(valeur)
        _v(info, "IdTiers", valeur)
        _v(info, "NatIdTiers", nature)
    reference = _texte(tiers.reference, LONGUEURS["RefTiers"])
    if reference:
        _v(info, "RefTiers", reference)
    if tiers.categorie not in CATEGORIES_TIERS:
        raise ValueError(f"catégorie de tiers « {tiers.categorie} » inconnue ({nom}).")
    if tiers.nature_juridique not in NATURES_JURIDIQUES:
        raise ValueError(f"nature juridique « {tiers.nature_juridique} » inconnue ({nom}).")
    _v(info, "CatTiers", tiers.categorie)
    _v(info, "NatJur", tiers.nature_juridique)
    personne_physique = tiers.categorie == CATEGORIE_PERSONNE_PHYSIQUE
    if personne_physique:
        civilite = _texte_requis(tiers.civilite, LONGUEURS["Civilite"], f"Civilité de {nom}")
        _v(info, "Civilite", civilite)
    _v(info, "Nom", nom)
    if personne_physique:
        _v(info, "Prenom", _texte_requis(tiers.prenom, LONGUEURS["Prenom"], f"Prénom de {nom}"))

    adresse = etree.SubElement(bloc, "Adresse")
    _v(adresse, "TypAdr", TYPE_ADRESSE_NON_PRECISE)
    complement = _texte(tiers.complement_adresse, LONGUEURS["Adr"])
    if complement:
        _v(adresse, "Adr1", complement)
    _v(adresse, "Adr2", _texte_requis(tiers.adresse, LONGUEURS["Adr"], f"Adresse de {nom}"))
    code_postal = (tiers.code_postal or "").strip()
    if not re.fullmatch(r"[0-9]{5}", code_postal):
        raise ValueError(f"code postal « {code_postal} » invalide pour {nom} (5 chiffres).")
    _v(adresse, "CP", code_postal)
    _v(adresse, "Ville", _texte_requis(tiers.ville, LONGUEURS["Ville"], f"Ville de {nom}"))
    _v(adresse, "CodRes", "0")

    if avec_banque:
        banque = etree.SubElement(bloc, "CpteBancaire")
        if tiers.bic:
            _v(banque, "BIC", normaliser_bic(tiers.bic))
        try:
            iban = normaliser_iban(tiers.iban)
        except ValueError as exc:
            raise ValueError(f"{exc} ({nom})") from exc
        _v(banque, "IBAN", iban)
        titulaire = _texte(tiers.titulaire_compte, LONGUEURS["TitCpte"]) or _texte_requis(
            tiers.nom_complet, LONGUEURS["TitCpte"], "Titulaire du compte"
        )
        _v(banque, "TitCpte", titulaire)
    return bloc


# --- Validation -----------------------------------------------------------------------------


@functools.cache
def schema_pes_aller() -> etree.XMLSchema:
    """Return the PES_Aller schema, loaded once from the copy kept in this package."""
    return etree.XMLSchema(etree.parse(str(XSD_PES_ALLER)))


def validate_pes(xml: bytes | str | os.PathLike[str] | BinaryIO) -> list[str]:
    """Validate a PES_Aller file against the XSD; return French messages, empty when valid.

    ``xml`` is the file's bytes, its path or an open binary file. The file is read as a
    stream and validated in slices of a few hundred mandates, so a year of mandates stays
    cheap in memory; each message starts with the line of the faulty element.
    """
    source: BinaryIO | str
    if isinstance(xml, bytes | bytearray | memoryview):
        source = io.BytesIO(bytes(xml))
    elif isinstance(xml, str | os.PathLike):
        source = os.fspath(xml)
    else:
        source = xml
    validateur = _Validateur(schema_pes_aller())
    try:
        validateur.lire(source)
    except etree.XMLSyntaxError as exc:
        validateur.ajouter(exc.lineno or 0, f"XML mal formé : {exc.msg}")
    except OSError as exc:
        return [f"Fichier illisible : {exc}"]
    return validateur.resultat()


_DS = "{http://www.w3.org/2000/09/xmldsig#}"
_RACINE = f"{{{NS_PES_ALLER}}}PES_Aller"
# Elements that the streaming reader sees: the containers and their children in the schema.
_STRUCTURE = (
    _RACINE,
    "Enveloppe",
    "EnTetePES",
    "PES_DepenseAller",
    "PES_RecetteAller",
    "PES_Facture",
    "PES_Marche",
    "PES_PJ",
    f"{_DS}Signature",
    "EnTeteDepense",
    "Bordereau",
    "BlocBordereau",
    "Piece",
)


def _ligne_source(element: etree._Element) -> int:
    """Start line of a parsed element, also beyond the 65,535 lines libxml2 stores on it.

    Past that limit libxml2 reads the line of the next text node (the whitespace after the
    start tag, or after an empty element), which is where that text *ends*: step back over
    its line breaks.
    """
    ligne = element.sourceline or 0
    if ligne < 65_535:
        return ligne
    texte = element.text if len(element) else element.tail
    return ligne - (texte or "").count("\n")


class _Validateur:
    """Validates a PES_Aller as a stream, by slices of mandates.

    Only the containers (PES_Aller, PES_DepenseAller, Bordereau) stay open in the parsed
    tree; each of their children, once complete, is *moved* into a mirror document, which is
    validated every ``SEUIL`` pieces then pruned down to one bordereau holding one piece. The
    mirror never holds what ``iterparse`` may have built ahead of its events, and moved
    elements keep their source lines.
    """

    SEUIL = 500  # pieces per slice
    MAX_ERREURS = 200

    def __init__(self, schema: etree.XMLSchema) -> None:
        self.schema = schema
        self.erreurs: list[str] = []
        self.vues: set[tuple[int, str]] = set()  # (line, message without what was expected)
        self.en_trop = 0
        self.miroir_de: dict[etree._Element, etree._Element] = {}  # open container → mirror
        self.racine: etree._Element | None = None  # parsed root
        self.miroir: etree._Element | None = None  # mirror root
        self.depense: etree._Element | None = None  # parsed PES_DepenseAller
        self.pieces = 0

    def lire(self, source: BinaryIO | str) -> None:
        lecteur = etree.iterparse(
            source,
            events=("end",),
            tag=_STRUCTURE,
            huge_tree=True,  # blank text is kept: it carries the lines past 65,535
            remove_comments=True,
            remove_pis=True,
            resolve_entities=False,
            no_network=True,
        )
        for _evenement, element in lecteur:
            self._fin(element)
        if self.miroir is None:
            # Not a PES_Aller: validate the whole (small or foreign) document as it is.
            self._valider(lecteur.root)
            return
        self._valider(self.miroir)

    def _fin(self, element: etree._Element) -> None:
        parent = element.getparent()
        if parent is None:
            if element.tag == _RACINE:
                self._fermer(element)
            return
        miroir_parent = self._conteneur(parent)
        if miroir_parent is None:
            return  # inside a child that will be moved whole
        self._deplacer_precedents(element, miroir_parent)
        if self._est_conteneur(element, parent):
            self._fermer(element)
            parent.remove(element)  # an empty shell now
            return
        miroir_parent.append(element)
        if element.tag == "Piece" and parent.tag == "Bordereau":
            self.pieces += 1
            if self.pieces >= self.SEUIL:
                self._valider(self.miroir)
                self._elaguer(miroir_parent)

    def _est_conteneur(self, element: etree._Element, parent: etree._Element) -> bool:
        if element.tag == "PES_DepenseAller":
            return parent is self.racine
        return element.tag == "Bordereau" and parent is self.depense

    def _conteneur(self, original: etree._Element) -> etree._Element | None:
        """Return the mirror of an open container, created when first met; else None."""
        miroir = self.miroir_de.get(original)
        if miroir is not None:
            return miroir
        parent = original.getparent()
        if parent is None:
            if original.tag != _RACINE:
                return None
            self.racine = original
            miroir = etree.Element(original.tag, original.attrib, nsmap=original.nsmap)
            self.miroir = miroir
        else:
            if not self._est_conteneur(original, parent):
                return None
            miroir_parent = self._conteneur(parent)
            if miroir_parent is None:
                return None
            self._deplacer_precedents(original, miroir_parent)
            miroir = etree.SubElement(miroir_parent, original.tag, original.attrib)
            miroir.text = original.text if original.text and original.text.strip() else None
            if original.tag == "PES_DepenseAller":
                self.depense = original
        self.miroir_de[original] = miroir
        return miroir

    @staticmethod
    def _deplacer_precedents(element: etree._Element, miroir_parent: etree._Element) -> None:
        """Move the siblings left before ``element`` (outside the schema's tags) to the mirror."""
        precedents = []
        precedent = element.getprevious()
        while precedent is not None:
            precedents.append(precedent)
            precedent = precedent.getprevious()
        for precedent in reversed(precedents):
            miroir_parent.append(precedent)

    def _fermer(self, conteneur: etree._Element) -> None:
        """A container ends: move what is left of it to its mirror and forget it."""
        miroir = self._conteneur(conteneur)
        if miroir is None:
            return
        for enfant in list(conteneur):
            miroir.append(enfant)
        if conteneur is not self.racine:
            del self.miroir_de[conteneur]

    def _elaguer(self, miroir_bordereau: etree._Element) -> None:
        """Drop what was validated; keep the current bordereau and its last piece."""
        miroir_depense = miroir_bordereau.getparent()
        for ancien in miroir_depense.findall("Bordereau"):
            if ancien is not miroir_bordereau:
                miroir_depense.remove(ancien)
        for piece in miroir_bordereau.findall("Piece")[:-1]:
            miroir_bordereau.remove(piece)
        self.pieces = 0

    def _valider(self, racine: etree._Element | None) -> None:
        if racine is None:
            self.ajouter(0, "document vide.")
            return
        if self.schema.validate(racine):
            return
        for erreur in self.schema.error_log:
            self.ajouter(self._ligne(racine, erreur), _traduire(erreur.message))

    def _ligne(self, racine: etree._Element, erreur: etree._LogEntry) -> int:
        """Line in the file of the element an error is about (0 when unknown)."""
        if 0 < (erreur.line or 0) < 65_535:
            return erreur.line
        try:
            prefixes = {k: v for k, v in racine.nsmap.items() if k}
            trouves = racine.xpath(erreur.path, namespaces=prefixes) if erreur.path else []
        except etree.XPathError:
            return erreur.line or 0
        if not trouves or not isinstance(trouves[0], etree._Element):
            return erreur.line or 0
        return _ligne_source(trouves[0])

    def ajouter(self, ligne: int, message: str) -> None:
        # A slice may end right after a faulty element: the elements "expected" there differ
        # from one slice to the next, the fault does not.
        cle = (ligne, _ATTENDU.sub("", message))
        if cle in self.vues:
            return
        self.vues.add(cle)
        if len(self.erreurs) >= self.MAX_ERREURS:
            self.en_trop += 1
            return
        position = f"Ligne {ligne}" if ligne else "Position inconnue"
        self.erreurs.append(f"{position} : {message}")

    def resultat(self) -> list[str]:
        if self.en_trop:
            return [*self.erreurs, f"… et {self.en_trop} autres erreurs."]
        return list(self.erreurs)


_TRADUCTIONS: list[tuple[re.Pattern[str], str | Callable[[tuple[str, ...]], str]]] = [
    (
        re.compile(
            r"^Element '(?:\{[^}]*\})?([^']+)': This element is not expected\. "
            r"Expected is (?:one of )?\( ?(.*?) ?\)\.?$"
        ),
        "élément « {0} » inattendu à cet endroit ; attendu : {1}.",
    ),
    (
        re.compile(r"^Element '(?:\{[^}]*\})?([^']+)': This element is not expected\.?$"),
        "élément « {0} » inattendu à cet endroit.",
    ),
    (
        re.compile(
            r"^Element '(?:\{[^}]*\})?([^']+)': Missing child element\(s\)\. "
            r"Expected is (?:one of )?\( ?(.*?) ?\)\.?$"
        ),
        "élément « {0} » incomplet : il manque {1}.",
    ),
    (
        re.compile(
            r"^Element '(?:\{[^}]*\})?([^']+)': The attribute 'V' is required but "
            r"missing\.?$"
        ),
        "élément « {0} » sans son attribut V obligatoire.",
    ),
    (
        re.compile(
            r"^Element '(?:\{[^}]*\})?([^']+)', attribute 'V': \[facet 'maxLength'\] "
            r"The value '(.*)' has a length of '(\d+)'; this exceeds the allowed "
            r"maximum length of '(\d+)'\.?$",
            re.S,
        ),
        "« {0} » : la valeur « {1} » compte {2} caractères, le maximum est {3}.",
    ),
    (
        re.compile(
            r"^Element '(?:\{[^}]*\})?([^']+)', attribute 'V': \[facet 'minLength'\] "
            r"The value '(.*)' has a length of '(\d+)'; this underruns the allowed "
            r"minimum length of '(\d+)'\.?$",
            re.S,
        ),
        "« {0} » : la valeur « {1} » compte {2} caractères, le minimum est {3}.",
    ),
    (
        re.compile(
            r"^Element '(?:\{[^}]*\})?([^']+)', attribute 'V': \[facet 'length'\] "
            r"The value '(.*)' has a length of '(\d+)'; this differs from the allowed "
            r"length of '(\d+)'\.?$",
            re.S,
        ),
        "« {0} » : la valeur « {1} » compte {2} caractères au lieu de {3}.",
    ),
    (
        re.compile(
            r"^Element '(?:\{[^}]*\})?([^']+)', attribute 'V': \[facet 'pattern'\] "
            r"The value '(.*)' is not accepted by the pattern '(.*)'\.?$",
            re.S,
        ),
        "« {0} » : la valeur « {1} » n'a pas le format attendu ({2}).",
    ),
    (
        re.compile(
            r"^Element '(?:\{[^}]*\})?([^']+)', attribute 'V': \[facet 'enumeration'\] "
            r"The value '(.*)' is not an element of the set \{(.*)\}\.?$",
            re.S,
        ),
        "« {0} » : la valeur « {1} » n'est pas autorisée (valeurs possibles : {2}).",
    ),
    (
        re.compile(
            r"^Element '(?:\{[^}]*\})?([^']+)', attribute 'V': \[facet '(?:min|max)"
            r"(?:Ex|In)clusive'\] The value '(.*)' must be (.*)\.?$",
            re.S,
        ),
        "« {0} » : la valeur « {1} » est hors des bornes autorisées.",
    ),
    (
        re.compile(
            r"^Element '(?:\{[^}]*\})?([^']+)', attribute 'V': \[facet "
            r"'(?:total|fraction)Digits'\] The value '(.*)' has more (.*)\.?$",
            re.S,
        ),
        "« {0} » : la valeur « {1} » a trop de chiffres.",
    ),
    (
        re.compile(
            r"^Element '(?:\{[^}]*\})?([^']+)', attribute 'V': '(.*)' is not a valid "
            r"value of the (?:local )?atomic type(?: '([^']*)')?\.?$",
            re.S,
        ),
        lambda groupes: (
            f"« {groupes[0]} » : la valeur « {groupes[1]} » n'est pas valide"
            f"{_indication_type(groupes[2])}."
        ),
    ),
    (
        re.compile(
            r"^Element '(?:\{[^}]*\})?([^']+)': No matching global declaration "
            r"available for the validation root\.?$"
        ),
        "la racine « {0} » n'est pas un PES_Aller (espace de noms attendu : " + NS_PES_ALLER + ").",
    ),
    (
        re.compile(
            r"^Element '(?:\{[^}]*\})?([^']+)', attribute '([^']+)': The attribute "
            r"'[^']+' is not allowed\.?$"
        ),
        "élément « {0} » : l'attribut « {1} » n'est pas autorisé.",
    ),
    (
        re.compile(
            r"^Element '(?:\{[^}]*\})?([^']+)': Character content other than "
            r"whitespace is not allowed because the content type is 'element-only'\.?$"
        ),
        "élément « {0} » : du texte apparaît là où seuls des éléments sont permis.",
    ),
]


_ATTENDU = re.compile(r" ; attendu : .*| : il manque .*", re.S)
_ESPACE_DE_NOMS = re.compile(r"\{[^}]*\}")


def _traduire(message: str) -> str:
    """Translate a libxml2 schema message into French; keep it as is when unknown."""
    message = message.strip()
    for motif, gabarit in _TRADUCTIONS:
        trouve = motif.match(message)
        if trouve:
            groupes = tuple(_ESPACE_DE_NOMS.sub("", g or "") for g in trouve.groups())
            return gabarit(groupes) if callable(gabarit) else gabarit.format(*groupes)
    return f"XML non conforme : {message}"


def _indication_type(type_xsd: str) -> str:
    """A short French hint for a PES simple type such as ``{…commun}V_Num12``."""
    nom = type_xsd.rsplit("}", 1)[-1]
    indications = (
        ("V_Montant", " (montant attendu : chiffres, point décimal, 2 décimales au plus)"),
        ("V_Num", " (nombre entier positif attendu)"),
        ("V_Date", " (date AAAA-MM-JJ attendue)"),
        ("V_Annee", " (année sur 4 chiffres attendue)"),
        ("V_Booleen", " (0 ou 1 attendu)"),
    )
    for prefixe, indication in indications:
        if nom.startswith(prefixe):
            return indication
    return ""


__all__ = [
    "BORDEREAU_ANNULATION",
    "BORDEREAU_ORDINAIRE",
    "NS_PES_ALLER",
    "XSD_PES_ALLER",
    "ResumePes",
    "build_pes_aller",
    "schema_pes_aller",
    "validate_pes",
    "write_pes_aller",
]

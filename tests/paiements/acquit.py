"""A PES_ACQUIT as Hélios sends it back after a PES_Aller, for tests."""

from lxml import etree

from paiements.exports.acquit import NS_PES_ACQUIT


def _v(parent, balise, valeur):
    element = etree.SubElement(parent, balise)
    element.set("V", str(valeur))
    return element


def _erreurs(parent, erreurs):
    for code, libelle in erreurs:
        erreur = etree.SubElement(parent, "Erreur")
        _v(erreur, "NumAnoAck", code)
        _v(erreur, "LibelleAnoAck", libelle)


def pes_acquit(nom_fichier: str, elements: list[dict]) -> bytes:
    """elements: dicts with domaine, ok, and optionally bordereau, exercice, erreurs
    [(code, libellé)] and pieces {numéro: [(code, libellé)]}."""
    racine = etree.Element(f"{{{NS_PES_ACQUIT}}}PES_ACQUIT", nsmap={"n": NS_PES_ACQUIT})
    enveloppe = etree.SubElement(racine, "Enveloppe")
    parametres = etree.SubElement(enveloppe, "Parametres")
    _v(parametres, "Version", "2")
    _v(parametres, "TypFic", "PESALR1")
    _v(parametres, "NomFic", nom_fichier)
    emetteur = etree.SubElement(enveloppe, "Emetteur")
    _v(emetteur, "Sigle", "DGFIP")
    _v(emetteur, "Adresse", "Helios")
    entete = etree.SubElement(racine, "EnTetePES")
    _v(entete, "DteStr", "2026-12-05")
    _v(entete, "IdPost", "033000")
    _v(entete, "IdColl", "20005375900011")
    _v(entete, "CodCol", "033")
    _v(entete, "CodBud", "01")
    acquit = etree.SubElement(racine, "ACQUIT")
    _v(etree.SubElement(acquit, "EnTeteAcquit"), "IdVer", "2")
    for element in elements:
        noeud = etree.SubElement(acquit, "ElementACQUIT")
        _v(noeud, "DomaineAck", element["domaine"])
        _v(noeud, "EtatAck", "1" if element["ok"] else "0")
        if "bordereau" in element:
            _v(noeud, "NumBord", element["bordereau"])
            _v(noeud, "ExerciceBord", element["exercice"])
        _erreurs(noeud, element.get("erreurs", []))
        for numero, erreurs in element.get("pieces", {}).items():
            piece = etree.SubElement(noeud, "DetailPiece")
            _v(piece, "NumPiece", numero)
            _erreurs(piece, erreurs)
    return etree.tostring(racine, xml_declaration=True, encoding="UTF-8")

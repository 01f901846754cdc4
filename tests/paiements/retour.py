"""A PES_Retour (domaine dépense) as the public accountant sends it back, for tests."""

from lxml import etree

from paiements.exports.retour import NS_PES_RETOUR


def _v(parent, balise, valeur):
    element = etree.SubElement(parent, balise)
    element.set("V", str(valeur))
    return element


def pes_retour(pieces: list[dict]) -> bytes:
    """pieces: dicts with exercice, bordereau, numero, montant, and date (paid) or etat."""
    racine = etree.Element(f"{{{NS_PES_RETOUR}}}PES_Retour", nsmap={"n": NS_PES_RETOUR})
    parametres = etree.SubElement(etree.SubElement(racine, "Enveloppe"), "Parametres")
    _v(parametres, "Version", "2")
    _v(parametres, "TypFic", "PESDEPR")
    _v(parametres, "NomFic", "RETOUR_2026.xml")
    entete = etree.SubElement(racine, "EnTetePES")
    _v(entete, "DteStr", "2026-12-05")
    _v(entete, "IdPost", "033000")
    _v(entete, "IdColl", "20005375900011")
    _v(entete, "CodColl", "033")
    _v(entete, "CodBud", "01")
    depense = etree.SubElement(racine, "PES_DepenseRetour")
    en_tete = etree.SubElement(depense, "EnTeteDepense")
    _v(en_tete, "TypRestit", "1")
    _v(en_tete, "IdVer", "2")
    _v(en_tete, "NatInf", "2")
    par_bordereau: dict[tuple, list[dict]] = {}
    for piece in pieces:
        par_bordereau.setdefault((piece["exercice"], piece["bordereau"]), []).append(piece)
    for (exercice, numero), liste in par_bordereau.items():
        bordereau = etree.SubElement(depense, "Bordereau")
        bloc = etree.SubElement(bordereau, "BlocBordereau")
        _v(bloc, "Exer", exercice)
        _v(bloc, "IdBord", numero)
        _v(bloc, "TypBord", "01")
        for piece in liste:
            element = etree.SubElement(bordereau, "Piece")
            info = etree.SubElement(element, "InfoPiece")
            _v(info, "IdPce", piece["numero"])
            _v(info, "TypPce", "01")
            _v(info, "NatPce", "01")
            _v(info, "EtatPce", piece.get("etat", "05" if piece.get("date") else "02"))
            if piece.get("motif"):
                _v(info, "ObsEtat", piece["motif"])
            ligne = etree.SubElement(element, "LigneDePiece")
            info_ligne = etree.SubElement(
                etree.SubElement(ligne, "BlocLignePiece"), "InfoLignePiece"
            )
            _v(info_ligne, "IdLigne", 1)
            _v(info_ligne, "EtatLigPce", "01")
            _v(info_ligne, "MtHT", piece["montant"])
            if piece.get("date"):
                paiement = etree.SubElement(ligne, "PaiementEmargement")
                _v(paiement, "OrgEma", "01")
                _v(paiement, "DtePay", piece["date"])
                _v(paiement, "MtPay", piece["montant"])
    return etree.tostring(racine, xml_declaration=True, encoding="UTF-8")

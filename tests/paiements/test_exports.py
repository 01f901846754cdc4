"""Payment exports: PES V2 against the DGFiP XSD, SEPA pain.001, CSV. No database needed."""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from paiements.exports import (
    BORDEREAU_ANNULATION,
    NATURE_INVESTISSEMENT,
    Bordereau,
    Collectivite,
    Emetteur,
    LigneMandat,
    Mandat,
    Tiers,
    build_csv,
    build_pes_aller,
    build_sepa_pain001,
    validate_pes,
    validate_sepa,
    write_pes_aller,
)
from paiements.exports.donnees import montant, nettoyer_texte
from paiements.exports.pes import NS_PES_ALLER, XSD_PES_ALLER, _Validateur

EXERCICE = 2026
REGION = Collectivite(
    siret="20005375900011",
    nom="Région Nouvelle-Aquitaine",
    code_collectivite="033",
    code_budget="01",
    code_poste="033000",
    libelle_poste="Paierie régionale",
)
ASSOCIATION = Tiers(
    nom="Association « Les Amis du Théâtre »",
    siret="73282932000074",
    adresse="12 rue de l'Église",
    code_postal="33000",
    ville="Bordeaux",
    iban="fr76 3000 4008 2300 0101 2345 669",  # lower case, grouped: must come out compact
    bic="bnpafrpp",
    reference="T000042",
)
ENTREPRISE = Tiers(
    nom="Énergies Citoyennes SAS",
    siren="552008443",
    nature_juridique="03",
    adresse="3 avenue Thiers",
    complement_adresse="Bâtiment B",
    code_postal="87000",
    ville="Limoges",
    iban="FR7610107001011234567890129",
)
ETUDIANTE = Tiers(
    nom="Lefèvre",
    prenom="Léa",
    civilite="MME",
    categorie="01",
    nature_juridique="01",
    adresse="5 place du Marché",
    code_postal="86000",
    ville="Poitiers",
    iban="FR1420041010050500013M02606",
)


def ligne(libelle: str, somme: str, **champs: object) -> LigneMandat:
    valeurs: dict[str, object] = {"nature": "6574", "fonction": "311", "chapitre": "933"}
    valeurs.update(champs)
    return LigneMandat(libelle=libelle, montant=Decimal(somme), **valeurs)


def mandat(numero: int, tiers: Tiers, *lignes: LigneMandat, **champs: object) -> Mandat:
    return Mandat(
        numero=numero,
        exercice=EXERCICE,
        date_emission=date(EXERCICE, 3, 2),
        objet=f"Aide régionale - dossier {numero}",
        tiers=tiers,
        lignes=lignes,
        **champs,
    )


def annee() -> list[Bordereau]:
    """Two ordinary bordereaux, several mandates, several lines per mandate."""
    premier = Bordereau(
        numero=1,
        exercice=EXERCICE,
        date_emission=date(EXERCICE, 3, 2),
        mandats=(
            mandat(
                1,
                ASSOCIATION,
                ligne("Festival d'été - avance", "15000.00", id_convention="CONV-2026-0007"),
                ligne("Festival d'été - résidences", "9000.50", id_convention="CONV-2026-0007"),
            ),
            mandat(2, ETUDIANTE, ligne("Bourse sanitaire et sociale", "1200.00", nature="6513")),
            mandat(
                3,
                ENTREPRISE,
                ligne("Équipement - tranche 1", "40000.00", nature="20422", fonction="91"),
                ligne("Équipement - tranche 2", "12500.25", nature="20422", fonction="91"),
                ligne("Équipement - études", "999.99", nature="20422", fonction="91"),
                nature_piece=NATURE_INVESTISSEMENT,
            ),
        ),
    )
    second = Bordereau(
        numero=2,
        exercice=EXERCICE,
        date_emission=date(EXERCICE, 3, 9),
        mandats=(
            mandat(4, ASSOCIATION, ligne("Solde 2025", "3000.00"), ligne("Frais", "0.01")),
            mandat(5, ENTREPRISE, ligne("Aide à l'export", "23000.00")),
        ),
        cumul_annuel=Decimal("104700.75"),
    )
    return [premier, second]


def lire(xml: bytes) -> etree._Element:
    racine = etree.fromstring(xml)
    assert racine.tag == f"{{{NS_PES_ALLER}}}PES_Aller"
    return racine


def v(element: etree._Element, chemin: str) -> str | None:
    trouve = element.find(chemin)
    return None if trouve is None else trouve.get("V")


def pes(bordereaux: list[Bordereau]) -> bytes:
    return build_pes_aller(
        REGION, bordereaux, nom_fichier="PES_DEP_2026_0001.xml", date=date(EXERCICE, 3, 10)
    )


# --- PES V2 ---------------------------------------------------------------------------------


def test_schema_copie_dans_le_depot():
    assert XSD_PES_ALLER.is_file()
    assert "/work/shared" not in str(XSD_PES_ALLER)
    assert (XSD_PES_ALLER.parents[2] / "SOURCE.md").is_file()


def test_deux_bordereaux_valident_contre_le_xsd():
    xml = pes(annee())
    assert validate_pes(xml) == []

    racine = lire(xml)
    assert v(racine, "Enveloppe/Parametres/TypFic") == "PESALR1"
    assert v(racine, "EnTetePES/IdColl") == "20005375900011"
    assert v(racine, "EnTetePES/CodCol") == "033"
    assert v(racine, "EnTetePES/CodBud") == "01"
    assert v(racine, "PES_DepenseAller/EnTeteDepense/IdVer") == "2"
    bordereaux = racine.findall("PES_DepenseAller/Bordereau")
    assert [v(b, "BlocBordereau/IdBord") for b in bordereaux] == ["1", "2"]
    assert [v(b, "BlocBordereau/TypBord") for b in bordereaux] == ["01", "01"]
    assert [v(b, "BlocBordereau/NbrPce") for b in bordereaux] == ["3", "2"]
    assert v(bordereaux[1], "BlocBordereau/MtCumulAnnuel") == "104700.75"
    assert v(bordereaux[0], "BlocBordereau/MtCumulAnnuel") is None

    pieces = racine.findall(".//Piece")
    assert [v(p, "BlocPiece/InfoPce/IdPce") for p in pieces] == ["1", "2", "3", "4", "5"]
    assert [v(p, "BlocPiece/InfoPce/NatPce") for p in pieces] == ["01", "01", "02", "01", "01"]
    assert {v(p, "BlocPiece/InfoPce/TypPce") for p in pieces} == {"01"}
    troisieme = pieces[2].findall("LigneDePiece")
    assert [v(lp, "BlocLignePiece/InfoLignePce/IdLigne") for lp in troisieme] == ["1", "2", "3"]
    assert {v(lp, "BlocLignePiece/InfoLignePce/Nature") for lp in troisieme} == {"20422"}

    # Every line carries its payee, paid by transfer to an upper-case IBAN.
    lignes = racine.findall(".//LigneDePiece")
    assert len(lignes) == 9
    for lp in lignes:
        assert v(lp, "BlocLignePiece/InfoLignePce/ModRegl") == "03"
        assert v(lp, "BlocLignePiece/InfoLignePce/TVAIntraCom") == "0"
        iban = v(lp, "Tiers/CpteBancaire/IBAN")
        assert iban == iban.upper() and " " not in iban
    premiere = lignes[0]
    assert v(premiere, "Tiers/CpteBancaire/IBAN") == "FR7630004008230001012345669"
    assert v(premiere, "Tiers/CpteBancaire/BIC") == "BNPAFRPP"
    assert v(premiere, "Tiers/InfoTiers/NatIdTiers") == "01"
    assert v(premiere, "Tiers/InfoTiers/IdTiers") == "73282932000074"
    assert v(premiere, "Tiers/InfoTiers/RefTiers") == "T000042"
    assert v(premiere, "BlocLignePiece/LiensIdent/IdConv") == "CONV-2026-0007"
    etudiante = pieces[1].find("LigneDePiece")
    assert v(etudiante, "Tiers/InfoTiers/CatTiers") == "01"
    assert v(etudiante, "Tiers/InfoTiers/Civilite") == "MME"
    assert v(etudiante, "Tiers/InfoTiers/Prenom") == "Léa"
    assert v(etudiante, "Tiers/InfoTiers/Nom") == "Lefèvre"
    assert v(etudiante, "Tiers/CpteBancaire/TitCpte") == "Léa Lefèvre"
    assert v(etudiante, "Tiers/InfoTiers/IdTiers") is None
    assert v(etudiante, "BlocLignePiece/LiensIdent/IdConv") is None
    entreprise = pieces[2].find("LigneDePiece")
    assert v(entreprise, "Tiers/InfoTiers/NatIdTiers") == "02"
    assert v(entreprise, "Tiers/InfoTiers/IdTiers") == "552008443"
    assert v(entreprise, "Tiers/Adresse/Adr1") == "Bâtiment B"

    # Every value sits in a V attribute: no text content anywhere.
    assert all(not (e.text or "").strip() for e in racine.iter())
    assert all(set(e.attrib) <= {"V"} for e in racine.iter() if e is not racine)


def test_totaux_des_bordereaux_egaux_a_la_somme_des_lignes():
    bordereaux = annee()
    racine = lire(pes(bordereaux))
    for bordereau, element in zip(
        bordereaux, racine.findall("PES_DepenseAller/Bordereau"), strict=True
    ):
        lignes = [Decimal(e.get("V")) for e in element.iterfind(".//InfoLignePce/MtHT")]
        total = Decimal(v(element, "BlocBordereau/MtBordHT"))
        assert total == sum(lignes) == bordereau.montant
        assert int(v(element, "BlocBordereau/NbrPce")) == len(element.findall("Piece"))
    assert Decimal(v(racine, ".//Bordereau/BlocBordereau/MtBordHT")) == Decimal("78700.74")


def test_libelles_longs_et_accents_coupes_proprement():
    long = "Subvention à l'œuvre « Été théâtral » – résidence d'artistes, " * 6  # ~380 chars
    sale = "Aide\u00a0à\tl'export\x00\x07 – phase\u200b 2\nsuite"
    nfd = unicodedata.normalize("NFD", "é" * 120)  # accents as combining marks
    bordereau = Bordereau(
        numero=1,
        exercice=EXERCICE,
        date_emission=date(EXERCICE, 3, 2),
        mandats=(
            replace(
                mandat(1, replace(ASSOCIATION, nom="Fédération régionale " + "é" * 300)),
                objet="Objet " + "ê" * 300,
                lignes=(ligne(long[:300], "10.00"), ligne(sale, "20.00"), ligne(nfd, "30.00")),
            ),
        ),
    )
    xml = pes([bordereau])
    assert validate_pes(xml) == []
    assert b"encoding='ISO-8859-1'" in xml.split(b"\n", 1)[0]

    racine = lire(xml)
    lignes = racine.findall(".//InfoLignePce")
    libvir1, libvir2 = v(lignes[0], "LibVir1"), v(lignes[0], "LibVir2")
    assert len(libvir1) <= 70 and len(libvir2) <= 70
    propre = nettoyer_texte(long[:300], 1000)
    assert propre.startswith(libvir1)
    assert libvir2 in propre
    assert "oeuvre" in libvir1 and "–" not in libvir1  # transliterated to Latin-1
    assert v(lignes[1], "LibVir1") == "Aide à l'export - phase 2 suite"
    nfd_coupe = v(lignes[2], "LibVir1")
    assert nfd_coupe == "é" * 70
    assert not any(unicodedata.combining(c) for c in nfd_coupe)
    objet = v(racine, ".//InfoPce/Obj")
    assert len(objet) <= 100 and objet.startswith("Objet ê")
    nom = v(racine, ".//InfoTiers/Nom")
    assert len(nom) <= 38 and nom.startswith("Fédération régionale")
    assert len(v(racine, ".//CpteBancaire/TitCpte")) <= 32
    for element in racine.iter():
        valeur = element.get("V") or ""
        assert valeur == valeur.strip() and valeur == unicodedata.normalize("NFC", valeur)
        assert all(c.isprintable() for c in valeur)


@pytest.mark.parametrize(
    ("texte", "longueur", "attendu"),
    [
        ("Aide régionale à la création d'entreprise", 20, "Aide régionale à la"),
        ("ÉÉÉÉÉ", 3, "ÉÉÉ"),
        ("  a \t\n b  ", 10, "a b"),
        ("Mot-très-long-sans-espace", 8, "Mot-très"),
        ("Fin, et suite", 5, "Fin"),
        (None, 10, ""),
    ],
)
def test_nettoyer_texte(texte, longueur, attendu):
    assert nettoyer_texte(texte, longueur) == attendu


def test_bordereau_annulation_reduction_valide():
    reduction = Bordereau(
        numero=1,
        exercice=EXERCICE,
        date_emission=date(EXERCICE, 11, 4),
        type_bordereau=BORDEREAU_ANNULATION,
        mandats=(
            mandat(
                41,
                ASSOCIATION,
                ligne("Trop versé - festival", "1500.00", ligne_origine=2),
                mandat_origine=1,
            ),
        ),
    )
    xml = pes([*annee(), reduction])
    assert validate_pes(xml) == []

    racine = lire(xml)
    element = racine.findall("PES_DepenseAller/Bordereau")[-1]
    assert v(element, "BlocBordereau/TypBord") == "02"
    assert v(element, "BlocBordereau/IdBord") == "1"
    assert v(element, "BlocBordereau/MtBordHT") == "1500.00"
    info = element.find("Piece/BlocPiece/InfoPce")
    assert (v(info, "TypPce"), v(info, "NatPce")) == ("02", "06")
    rattache = element.find("Piece/LigneDePiece/BlocLignePiece/RattachPiece")
    assert v(rattache, "NatPceOrig") == "01"
    assert v(rattache, "ExerRat") == "2026"
    assert v(rattache, "IdPceOrig") == "1"
    assert v(rattache, "IdLigneOrig") == "2"
    # No payment: neither transfer mode nor bank account on a reduction.
    assert element.find(".//ModRegl") is None
    assert element.find(".//CpteBancaire") is None


def test_document_casse_donne_des_erreurs_avec_lignes():
    racine = lire(pes(annee()))
    info = racine.find(".//Piece/BlocPiece/InfoPce")
    info.remove(info.find("TypPce"))  # a required element
    casse = etree.tostring(racine, xml_declaration=True, encoding="UTF-8")
    erreurs = validate_pes(casse)
    assert erreurs
    assert any("TypPce" in e and e.startswith("Ligne ") for e in erreurs)

    racine = lire(pes(annee()))
    racine.find(".//InfoLignePce/MtHT").set("V", "12.345")
    racine.find(".//CpteBancaire/IBAN").set("V", "fr7630004008230001012345669")
    erreurs = validate_pes(etree.tostring(racine))
    assert len(erreurs) == 2
    assert "MtHT" in erreurs[0] and "12.345" in erreurs[0]
    assert "IBAN" in erreurs[1] and "format" in erreurs[1]


def test_element_inconnu_entre_deux_pieces(monkeypatch):
    monkeypatch.setattr(_Validateur, "SEUIL", 1)
    racine = lire(pes(annee()))
    bordereau = racine.find("PES_DepenseAller/Bordereau")
    bordereau.insert(2, etree.Comment(" commentaire toléré "))
    bordereau.insert(3, etree.Element("Inconnu", V="1"))
    casse = etree.tostring(racine, pretty_print=True)
    ligne_inconnu = etree.fromstring(casse).find(".//Inconnu").sourceline
    erreurs = validate_pes(casse)
    assert len(erreurs) == 1, erreurs
    assert erreurs[0].startswith(f"Ligne {ligne_inconnu} : élément « Inconnu » inattendu")


def test_xml_mal_forme_ou_autre_racine():
    assert validate_pes(b"<n:PES_Aller xmlns:n='x'>")[0].startswith("Ligne 1 : XML mal formé")
    erreurs = validate_pes(b"<PES_Aller/>")
    assert erreurs and "racine" in erreurs[0]


def test_validation_par_tranches_garde_les_vraies_lignes(monkeypatch):
    monkeypatch.setattr(_Validateur, "SEUIL", 2)  # validate every other piece
    bordereaux = [
        Bordereau(
            numero=numero,
            exercice=EXERCICE,
            date_emission=date(2026, 5, numero),
            mandats=tuple(
                mandat(n, ASSOCIATION, ligne(f"Aide {n}", "100.00"), ligne("Frais", "1.00"))
                for n in range(numero * 100, numero * 100 + 11)
            ),
        )
        for numero in (1, 2)
    ]
    xml = build_pes_aller(REGION, bordereaux, nom_fichier="x.xml", date=date(2026, 5, 3))
    assert validate_pes(xml) == []

    racine = etree.fromstring(xml)
    natures = racine.findall(".//InfoLignePce/Nature")
    natures[1].set("V", "6S74")  # in the first slice, pruned once validated
    natures[-3].set("V", "65x4")  # near the end of the second bordereau
    racine.find("EnTetePES/CodCol").set("V", "33")  # in the header, seen by every slice
    casse = etree.tostring(racine, pretty_print=True)
    attendues = sorted(
        (element.sourceline, element.tag)
        for element in etree.fromstring(casse).iter("Nature", "CodCol")
        if element.get("V") in {"6S74", "65x4", "33"}
    )
    erreurs = validate_pes(casse)
    assert len(erreurs) == len(set(erreurs)) == 4, erreurs  # once each, not once per slice
    ligne_codcol = attendues[0][0]
    assert erreurs[0] == (
        f"Ligne {ligne_codcol} : « CodCol » : la valeur « 33 » compte 2 caractères au lieu de 3."
    )
    assert "CodCol" in erreurs[1] and "format attendu" in erreurs[1]
    assert "Nature" in erreurs[2] and "6S74" in erreurs[2]
    assert "Nature" in erreurs[3] and "65x4" in erreurs[3]
    lignes = sorted({int(e.split(" ")[1]) for e in erreurs})
    assert lignes == [ligne for ligne, _ in attendues]


def test_ecriture_dans_un_fichier(tmp_path):
    chemin = tmp_path / "PES.xml"
    resume = write_pes_aller(
        chemin, REGION, iter(annee()), nom_fichier=chemin.name, date=date.today()
    )
    assert (resume.bordereaux, resume.mandats, resume.lignes) == (2, 5, 9)
    assert resume.montant == sum(b.montant for b in annee())
    assert validate_pes(chemin) == []
    assert validate_pes(str(chemin)) == []

    mauvais = replace(ASSOCIATION, iban="FR7630004008230001012345668")
    bordereaux = annee() + [
        Bordereau(
            numero=3,
            exercice=EXERCICE,
            date_emission=date(EXERCICE, 4, 1),
            mandats=(mandat(6, mauvais, ligne("Aide", "10.00")),),
        )
    ]
    with pytest.raises(ValueError, match="IBAN invalide"):
        write_pes_aller(chemin, REGION, bordereaux, nom_fichier="x", date=date.today())
    assert not chemin.exists()  # no half-written file left behind


@pytest.mark.parametrize(
    ("modification", "message"),
    [
        (lambda b: replace(b, mandats=()), "aucun mandat"),
        (lambda b: replace(b, exercice=2025), "exercice différent"),
        (lambda b: replace(b, mandats=b.mandats + b.mandats[:1]), "présent deux fois"),
        (lambda b: replace(b, type_bordereau=BORDEREAU_ANNULATION), "mandat d'origine"),
        (lambda b: replace(b, mandats=(replace(b.mandats[0], lignes=()),)), "aucune ligne"),
        (
            lambda b: replace(
                b, mandats=(replace(b.mandats[0], tiers=replace(ASSOCIATION, siret="1")),)
            ),
            "SIRET invalide",
        ),
        (
            lambda b: replace(
                b, mandats=(replace(b.mandats[0], tiers=replace(ETUDIANTE, prenom=None)),)
            ),
            "Prénom",
        ),
        (
            lambda b: replace(
                b, mandats=(replace(b.mandats[0], lignes=(ligne("x", "1.00", nature="65A"),)),)
            ),
            "compte par nature",
        ),
    ],
)
def test_donnees_refusees_avant_hélios(modification, message):
    bordereau = modification(annee()[0])
    with pytest.raises(ValueError, match=message):
        pes([bordereau])


def test_montants_decimaux_a_deux_decimales():
    assert montant(Decimal("12.5")) == Decimal("12.50")
    assert str(ligne("x", "7").montant) == "7.00"
    with pytest.raises(TypeError):
        LigneMandat(libelle="x", montant=12.5, nature="6574")
    with pytest.raises(ValueError, match="deux décimales"):
        ligne("x", "1.005")


# --- SEPA -----------------------------------------------------------------------------------

EMETTEUR = Emetteur(nom="Région Nouvelle-Aquitaine", iban="FR7630001007941234567890185")


def a_payer() -> list[Mandat]:
    return [m for b in annee() for m in b.mandats]


def test_sepa_valide_et_somme_de_controle():
    mandats = a_payer()
    xml = build_sepa_pain001(EMETTEUR, mandats, execution_date=date(EXERCICE, 3, 12))
    assert validate_sepa(xml) == []

    racine = etree.fromstring(xml)
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
    total = sum(m.montant for m in mandats)
    assert Decimal(racine.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=ns)) == total
    assert racine.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=ns) == "5"
    assert Decimal(racine.findtext(".//p:PmtInf/p:CtrlSum", namespaces=ns)) == total
    assert racine.findtext(".//p:ReqdExctnDt", namespaces=ns) == "2026-03-12"
    montants = [Decimal(e.text) for e in racine.iterfind(".//p:InstdAmt", namespaces=ns)]
    assert montants == [m.montant for m in mandats]
    ibans = [e.text for e in racine.iterfind(".//p:CdtrAcct/p:Id/p:IBAN", namespaces=ns)]
    assert ibans[0] == "FR7630004008230001012345669"
    assert all(i == i.upper() and " " not in i for i in ibans)
    noms = [e.text for e in racine.iterfind(".//p:Cdtr/p:Nm", namespaces=ns)]
    assert noms[0] == "Association Les Amis du Theatre"  # EPC character set
    assert noms[1] == "Lea Lefevre"
    ids = [e.text for e in racine.iterfind(".//p:EndToEndId", namespaces=ns)]
    assert ids[0] == "MDNA-2026-1"


def test_sepa_iban_invalide():
    mauvais = replace(a_payer()[0], tiers=replace(ASSOCIATION, iban="FR7630004008230001012345668"))
    with pytest.raises(ValueError, match=r"Mandat 1/2026 .*IBAN invalide.*clé de contrôle"):
        build_sepa_pain001(EMETTEUR, [mauvais], execution_date=date(EXERCICE, 3, 12))
    with pytest.raises(ValueError, match="Compte émetteur : IBAN invalide"):
        build_sepa_pain001(
            replace(EMETTEUR, iban="FR00 1234"), a_payer(), execution_date=date(EXERCICE, 3, 12)
        )


def test_sepa_refuse_annulation_et_liste_vide():
    reduction = mandat(9, ASSOCIATION, ligne("Trop versé", "10.00"), mandat_origine=1)
    with pytest.raises(ValueError, match="annulation-réduction"):
        build_sepa_pain001(EMETTEUR, [reduction], execution_date=date(EXERCICE, 3, 12))
    with pytest.raises(ValueError, match="vide"):
        build_sepa_pain001(EMETTEUR, [], execution_date=date(EXERCICE, 3, 12))


# --- CSV ------------------------------------------------------------------------------------


def test_csv_relu_donne_les_memes_totaux():
    bordereaux = annee()
    contenu = build_csv(bordereaux)
    assert contenu.startswith(b"\xef\xbb\xbf")

    lignes = list(csv.DictReader(io.StringIO(contenu.decode("utf-8-sig")), delimiter=";"))
    assert list(lignes[0]) == [
        "exercice",
        "bordereau",
        "type",
        "mandat",
        "date",
        "tiers",
        "siret",
        "iban",
        "nature",
        "fonction",
        "chapitre",
        "libelle",
        "montant",
    ]
    assert len(lignes) == 9
    total = sum(Decimal(ligne["montant"].replace(",", ".")) for ligne in lignes)
    assert total == sum(b.montant for b in bordereaux)
    for numero in ("1", "2"):
        par_bordereau = sum(
            Decimal(ligne["montant"].replace(",", "."))
            for ligne in lignes
            if ligne["bordereau"] == numero
        )
        assert par_bordereau == bordereaux[int(numero) - 1].montant
    premiere = lignes[0]
    assert premiere["montant"] == "15000,00"
    assert premiere["date"] == "02/03/2026"
    assert premiere["tiers"] == "Association « Les Amis du Théâtre »"
    assert premiere["siret"] == "73282932000074"
    assert premiere["iban"] == "FR7630004008230001012345669"
    assert premiere["type"] == "ordinaire"
    assert (premiere["nature"], premiere["fonction"], premiere["chapitre"]) == (
        "6574",
        "311",
        "933",
    )


def test_csv_neutralise_les_formules():
    piege = replace(ASSOCIATION, nom='=HYPERLINK("http://x")')
    bordereau = replace(annee()[0], mandats=(mandat(1, piege, ligne("+cmd", "5.00")),))
    lignes = list(
        csv.reader(io.StringIO(build_csv([bordereau]).decode("utf-8-sig")), delimiter=";")
    )
    assert lignes[1][5].startswith("'=")
    assert lignes[1][11] == "'+cmd"


def test_lignes_au_dela_de_65535():
    """libxml2 stores at most 65,535 as an element's line: later errors keep their true line."""
    mandats = tuple(mandat(n, ENTREPRISE, ligne(f"Aide {n}", "10.00")) for n in range(1, 1801))
    bordereau = Bordereau(
        numero=1, exercice=EXERCICE, date_emission=date(2026, 6, 1), mandats=mandats
    )
    xml = pes([bordereau])
    assert xml.count(b"\n") > 66_000
    position = xml.rindex(b'<Nature V="6574"/>')
    casse = xml[:position] + b'<Nature V="6x"/>' + xml[position + len(b'<Nature V="6574"/>') :]
    ligne_reelle = casse.count(b"\n", 0, position) + 1
    assert ligne_reelle > 65_535
    erreurs = validate_pes(casse)
    assert len(erreurs) == 1
    assert erreurs[0].startswith(f"Ligne {ligne_reelle} : « Nature » : la valeur « 6x »")

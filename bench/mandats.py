"""Benchmark: a Region's year of mandates exported to PES V2 (validated) and SEPA.

Generates ~1,000 payees (valid SIRET and IBAN) and 25,000 mandates of 1 to 3 lines in
bordereaux of at most 500 mandates (about 1 % of them in annulation-réduction bordereaux),
then writes and validates the PES_Aller file and builds the SEPA file.

    .venv/bin/python bench/mandats.py [--mandats N] [--out DIR]

Ends with one line ``BENCH {json}``. Goal: under 30 s and 500 MB.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import date, timedelta  # noqa: E402
from decimal import Decimal  # noqa: E402

from schwifty import IBAN  # noqa: E402
from stdnum import luhn  # noqa: E402

from paiements.exports.csv_export import build_csv  # noqa: E402
from paiements.exports.donnees import (  # noqa: E402
    BORDEREAU_ANNULATION,
    BORDEREAU_ORDINAIRE,
    NATURE_FONCTIONNEMENT,
    NATURE_INVESTISSEMENT,
    Bordereau,
    Collectivite,
    Emetteur,
    LigneMandat,
    Mandat,
    Tiers,
)
from paiements.exports.pes import validate_pes, write_pes_aller  # noqa: E402
from paiements.exports.sepa import build_sepa_pain001  # noqa: E402

EXERCICE = 2026
TAILLE_BORDEREAU = 500
BANQUES = ("30004", "30003", "30002", "10278", "20041", "17515", "18315", "13335", "11306")
VILLES = (
    ("33000", "Bordeaux"),
    ("86000", "Poitiers"),
    ("87000", "Limoges"),
    ("64000", "Pau"),
    ("17000", "La Rochelle"),
    ("24000", "Périgueux"),
    ("79000", "Niort"),
    ("23000", "Guéret"),
    ("40000", "Mont-de-Marsan"),
    ("19000", "Tulle"),
)
VOIES = ("rue de la République", "avenue Thiers", "place de l'Église", "chemin des Écoliers")
ORGANISMES = ("Association", "Compagnie", "SARL", "SAS", "Coopérative", "Comité", "Fédération")
SUJETS = (
    "des Amis du Théâtre",
    "Énergies Citoyennes",
    "Les Vignerons de l'Entre-deux-Mers",
    "Océan & Forêt",
    "Danse Contemporaine en Limousin",
    "d'Insertion par l'Activité Économique",
    "Numérique Solidaire",
    "des Producteurs Bio du Périgord",
)
PRENOMS = ("Léa", "Karim", "Chloé", "Noé", "Inès", "Théo", "Maëlle", "Jérôme")
NOMS = ("Martin", "Durand", "Lefèvre", "Moreau", "Garçon", "N'Diaye", "Da Silva", "Bérard")
# (nature, fonction, chapitre, libellé) per section.
IMPUTATIONS = {
    NATURE_FONCTIONNEMENT: (
        ("6574", "311", "933", "Subvention de fonctionnement - action culturelle"),
        ("6574", "32", "933", "Subvention de fonctionnement - sport"),
        ("65734", "74", "937", "Subvention aux communes - environnement"),
        ("6513", "23", "932", "Bourse d'études sanitaires et sociales"),
    ),
    NATURE_INVESTISSEMENT: (
        ("20422", "91", "909", "Subvention d'équipement - aide aux entreprises"),
        ("204142", "74", "907", "Subvention d'équipement aux communes - bâtiments"),
        ("20421", "311", "903", "Subvention d'équipement - matériel culturel"),
    ),
}


def siret_valide(rng: random.Random) -> str:
    """Return a random SIRET whose SIREN and SIRET keys are valid (Luhn)."""
    siren = "".join(rng.choice("0123456789") for _ in range(8))
    siren += luhn.calc_check_digit(siren)
    nic = f"{rng.randint(1, 9999):04d}"
    return siren + nic + luhn.calc_check_digit(siren + nic)


def generer_tiers(rng: random.Random, nombre: int) -> list[Tiers]:
    tiers = []
    for numero in range(1, nombre + 1):
        iban = IBAN.generate(
            "FR",
            bank_code=rng.choice(BANQUES),
            branch_code=f"{rng.randint(1, 99999):05d}",
            account_code=f"{rng.randint(1, 10**11 - 1):011d}",
        )
        code_postal, ville = rng.choice(VILLES)
        adresse = f"{rng.randint(1, 240)} {rng.choice(VOIES)}"
        bic = str(iban.bic) if iban.bic else None
        if numero % 10 == 0:  # a natural person: student grant, apprentice aid…
            prenom = rng.choice(PRENOMS)
            tiers.append(
                Tiers(
                    nom=rng.choice(NOMS),
                    prenom=prenom,
                    civilite="MME" if prenom in {"Léa", "Chloé", "Inès", "Maëlle"} else "M",
                    categorie="01",
                    nature_juridique="01",
                    adresse=adresse,
                    code_postal=code_postal,
                    ville=ville,
                    iban=iban.formatted,
                    bic=bic,
                    reference=f"T{numero:06d}",
                )
            )
            continue
        organisme = rng.choice(ORGANISMES)
        tiers.append(
            Tiers(
                nom=f"{organisme} {rng.choice(SUJETS)} {numero}",
                siret=siret_valide(rng),
                categorie="60",
                nature_juridique="06" if organisme in {"Association", "Comité"} else "03",
                adresse=adresse,
                code_postal=code_postal,
                ville=ville,
                iban=iban.formatted,
                bic=bic,
                reference=f"T{numero:06d}",
            )
        )
    return tiers


def generer_annee(
    rng: random.Random, nombre: int, tiers: list[Tiers]
) -> tuple[list[Bordereau], list[Mandat]]:
    """Return the year's bordereaux and the mandates to pay (the ordinary ones)."""
    annulations = nombre // 100
    ordinaires = nombre - annulations
    mandats: list[Mandat] = []
    debut = date(EXERCICE, 1, 15)
    for numero in range(1, ordinaires + 1):
        section = NATURE_INVESTISSEMENT if rng.random() < 0.35 else NATURE_FONCTIONNEMENT
        lignes = []
        for _ in range(rng.choice((1, 1, 2, 3))):
            nature, fonction, chapitre, libelle = rng.choice(IMPUTATIONS[section])
            montant = Decimal(rng.randint(50_000, 6_000_000)) / 100
            convention = f"CONV-{EXERCICE}-{numero:06d}" if montant > 23_000 else None
            lignes.append(
                LigneMandat(
                    libelle=f"{libelle} - dossier {EXERCICE}-{numero:06d}",
                    montant=montant,
                    nature=nature,
                    fonction=fonction,
                    chapitre=chapitre,
                    id_convention=convention,
                )
            )
        mandats.append(
            Mandat(
                numero=numero,
                exercice=EXERCICE,
                date_emission=debut + timedelta(days=numero * 330 // ordinaires),
                objet=f"Aide régionale - dossier {EXERCICE}-{numero:06d}",
                tiers=rng.choice(tiers),
                lignes=tuple(lignes),
                nature_piece=section,
            )
        )
    bordereaux = [
        Bordereau(
            numero=index + 1,
            exercice=EXERCICE,
            date_emission=lot[-1].date_emission,
            mandats=tuple(lot),
            type_bordereau=BORDEREAU_ORDINAIRE,
        )
        for index, lot in enumerate(_lots(mandats, TAILLE_BORDEREAU))
    ]
    reductions = []
    for numero in range(ordinaires + 1, nombre + 1):
        origine = rng.choice(mandats)
        premiere = origine.lignes[0]
        reductions.append(
            Mandat(
                numero=numero,
                exercice=EXERCICE,
                date_emission=date(EXERCICE, 12, 10),
                objet=f"Réduction du mandat {origine.numero} - trop versé",
                tiers=origine.tiers,
                lignes=(
                    LigneMandat(
                        libelle=f"Reversement partiel - {premiere.libelle}",
                        montant=(premiere.montant / 10).quantize(Decimal("0.01")) or Decimal(1),
                        nature=premiere.nature,
                        fonction=premiere.fonction,
                        chapitre=premiere.chapitre,
                        ligne_origine=1,
                    ),
                ),
                nature_piece=origine.nature_piece,
                mandat_origine=origine.numero,
            )
        )
    for index, lot in enumerate(_lots(reductions, TAILLE_BORDEREAU)):
        bordereaux.append(
            Bordereau(
                numero=index + 1,
                exercice=EXERCICE,
                date_emission=date(EXERCICE, 12, 10),
                mandats=tuple(lot),
                type_bordereau=BORDEREAU_ANNULATION,
            )
        )
    return bordereaux, mandats


def _lots(elements: list[Mandat], taille: int) -> list[list[Mandat]]:
    return [elements[i : i + taille] for i in range(0, len(elements), taille)]


def memoire_max_mb() -> float:
    """Peak resident memory of this process (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mandats", type=int, default=25_000, help="nombre de mandats")
    parser.add_argument("--tiers", type=int, default=1_000, help="nombre de tiers")
    parser.add_argument("--out", type=Path, help="dossier où garder les fichiers produits")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    etapes: list[tuple[str, float, float, float]] = []
    debut, debut_cpu = time.perf_counter(), time.process_time()
    cpu = debut_cpu

    def etape(nom: str, depuis: float) -> float:
        nonlocal cpu
        maintenant, maintenant_cpu = time.perf_counter(), time.process_time()
        etapes.append((nom, maintenant - depuis, maintenant_cpu - cpu, memoire_max_mb()))
        cpu = maintenant_cpu
        return maintenant

    t = debut
    tiers = generer_tiers(rng, args.tiers)
    bordereaux, a_payer = generer_annee(rng, args.mandats, tiers)
    t = etape("génération des données", t)

    region = Collectivite(
        siret="20005375900011",
        nom="Région Nouvelle-Aquitaine",
        code_collectivite="033",
        code_budget="01",
        code_poste="033000",
        libelle_poste="Paierie régionale",
    )
    dossier_temp = None
    if args.out:
        dossier = args.out
        dossier.mkdir(parents=True, exist_ok=True)
    else:
        dossier_temp = tempfile.TemporaryDirectory(prefix="mdna-bench-")
        dossier = Path(dossier_temp.name)
    chemin_pes = dossier / f"PES_DEPENSE_{EXERCICE}.xml"
    resume = write_pes_aller(
        chemin_pes,
        region,
        bordereaux,
        nom_fichier=chemin_pes.name,
        date=date(EXERCICE, 12, 31),
    )
    t = etape("écriture PES V2", t)

    erreurs = validate_pes(chemin_pes)
    t = etape("validation XSD PES_Aller", t)

    sepa = build_sepa_pain001(
        Emetteur(nom=region.nom, iban="FR7630001007941234567890185", bic="BDFEFRPP"),
        a_payer,
        execution_date=date(EXERCICE, 12, 31),
    )
    (dossier / f"SEPA_{EXERCICE}.xml").write_bytes(sepa)
    t = etape("SEPA pain.001 (validé)", t)

    (dossier / f"MANDATS_{EXERCICE}.csv").write_bytes(build_csv(bordereaux))
    t = etape("CSV", t)

    total = time.perf_counter() - debut
    total_cpu = time.process_time() - debut_cpu
    pes_bytes = chemin_pes.stat().st_size
    peak = memoire_max_mb()
    if dossier_temp is not None:
        dossier_temp.cleanup()

    print(f"{'étape':<28} {'secondes':>9} {'CPU s':>7} {'pic Mo':>7}")
    for nom, duree, duree_cpu, memoire in etapes:
        print(f"{nom:<28} {duree:>9.2f} {duree_cpu:>7.2f} {memoire:>7.0f}")
    print(f"{'total':<28} {total:>9.2f} {total_cpu:>7.2f} {peak:>7.0f}")
    print(
        f"{resume.bordereaux} bordereaux, {resume.mandats} mandats, {resume.lignes} lignes, "
        f"{resume.montant} €, PES {pes_bytes / 1e6:.1f} Mo, "
        f"{len(erreurs)} erreur(s) XSD" + (f" : {erreurs[:3]}" if erreurs else "")
    )
    if args.out:
        print(f"fichiers gardés dans {dossier}")
    bench = {
        "mandats": resume.mandats,
        "bordereaux": resume.bordereaux,
        "seconds": round(total, 2),
        "peak_mb": round(peak, 1),
        "xsd_valid": not erreurs,
        "pes_bytes": pes_bytes,
    }
    print("BENCH " + json.dumps(bench))
    return 0 if not erreurs else 1


if __name__ == "__main__":
    raise SystemExit(main())

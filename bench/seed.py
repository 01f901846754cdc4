"""Fill PostgreSQL with a realistic volume of dossiers for the benchmarks (queue, dossier screen,
dashboards, API).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mdna_bench MDNA_ENV=test \\
        .venv/bin/python bench/seed.py --dossiers 1000000

What it creates (all in bulk, through PostgreSQL ``COPY``):

- the catalogue of 265 schemes (``load_catalogue``) if it is not there yet;
- per Service: 8 instructors and 2 valideurs (``instructeur-<service>-<n>@seed.mdna.invalid``,
  ``valideur-<service>-<n>@…``) and one administrator ``admin@seed.mdna.invalid``, all with the
  password ``bench``;
- one applicant account and its organisation (Tiers, membership) per 10 dossiers;
- N dossiers over every scheme, in every state of ``dispositifs.models.Etat`` (drafts included),
  with realistic spreads: filing dates over three years (more recent ones more frequent, older
  ones further in the workflow), communes and départements of Nouvelle-Aquitaine, amounts within
  each scheme's floor, ceiling and rate, an instructor of the scheme's Service, the answers as
  filed (valid for the frozen form version), one piece per filed dossier;
- the timeline of each dossier along a real path of ``instruction/workflow.py`` from « déposé »
  to its state;
- an ``instruction.Proposition`` for proposed dossiers (waiting for the valideur) and for the
  attributed ones (approved).

Re-running adds only what is missing up to N; ``--reset`` first empties the dossiers, their
dependent rows and the seeded accounts (only on a database whose name contains ``bench``).
Prints progress and ends with one line ``BENCH {json}``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import sys
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mdna_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mdna.settings")
os.environ.setdefault("MDNA_ENV", "test")

DOMAINE = "seed.mdna.invalid"
MOT_DE_PASSE = "bench"
LOT = 25_000
INSTRUCTEURS_PAR_SERVICE = 8
VALIDEURS_PAR_SERVICE = 2
DOSSIERS_PAR_TIERS = 10

# Share of dossiers per state (sums to 100): a portfolio a few years into the portal's life.
REPARTITION = {
    "brouillon": 5,
    "depose": 9,
    "incomplet": 5,
    "en_instruction": 17,
    "propose": 5,
    "attribue": 12,
    "rejete": 8,
    "irrecevable": 3,
    "classe_sans_suite": 2,
    "desiste": 3,
    "en_paiement": 12,
    "solde": 16,
    "caduc": 3,
}
# How far back a dossier in this state was filed (days: min, max).
ANCIENNETE = {
    "brouillon": (0, 60),
    "depose": (0, 120),
    "incomplet": (5, 150),
    "en_instruction": (10, 200),
    "propose": (30, 240),
}
ANCIENNETE_DEFAUT = (60, 1095)
NOMS = [
    "Association",
    "Compagnie",
    "Société",
    "Coopérative",
    "Commune de",
    "Ateliers",
    "Collectif",
    "Fédération",
    "Comité",
    "Groupement",
]
MOTS = [
    "Aquitaine",
    "Limousin",
    "Charente",
    "Gironde",
    "Dordogne",
    "Landes",
    "Vienne",
    "Creuse",
    "Corrèze",
    "Béarn",
    "Périgord",
    "Médoc",
    "Marais",
    "Océan",
    "Plateau",
    "Vallée",
    "Estuaire",
    "Bocage",
]
PROJETS = [
    "Festival",
    "Modernisation de l'atelier",
    "Création d'emplois",
    "Rénovation énergétique",
    "Résidence d'artistes",
    "Formation des salariés",
    "Équipement numérique",
    "Saison culturelle",
    "Export",
    "Circuit court",
    "Plantation de haies",
    "Tiers-lieu",
]
TYPES_TIERS = ["association", "entreprise", "collectivite", "particulier"]


def siret(rng: random.Random) -> str:
    """A 14-digit SIRET with a valid Luhn key."""
    digits = [rng.randrange(10) for _ in range(13)]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        value = digit * 2 if index % 2 == 0 else digit
        total += value - 9 if value > 9 else value
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def chemin(cible: str) -> list:
    """The shortest path of transitions from « déposé » to ``cible`` in the workflow table."""
    from instruction.workflow import TRANSITIONS

    if cible in ("brouillon", "depose"):
        return []
    parcours = {"depose": []}
    file = ["depose"]
    while file:
        etat = file.pop(0)
        for transition in TRANSITIONS.values():
            if etat in transition.sources and transition.cible not in parcours:
                parcours[transition.cible] = parcours[etat] + [transition]
                file.append(transition.cible)
    return parcours[cible]


class Copieur:
    """Rows written as CSV into PostgreSQL with COPY (NULL written as \\N)."""

    def __init__(self, cursor, table: str, colonnes: list[str]):
        self.cursor, self.table, self.colonnes = cursor, table, colonnes
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\n")
        self.lignes = 0

    def ajouter(self, row) -> None:
        self.writer.writerow(["\\N" if v is None else v for v in row])
        self.lignes += 1

    def vider(self) -> None:
        if not self.lignes:
            return
        self.buffer.seek(0)
        self.cursor.copy_expert(
            f"COPY {self.table} ({', '.join(self.colonnes)}) FROM STDIN "
            "WITH (FORMAT csv, NULL '\\N')",
            self.buffer,
        )
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\n")
        self.lignes = 0


def reinitialiser(cursor) -> None:
    from django.db import connection

    nom = connection.settings_dict["NAME"]
    if "bench" not in nom:
        raise SystemExit(f"--reset refusé sur la base « {nom} » (réservé aux bases de bench).")
    cursor.execute("TRUNCATE dispositifs_dossier RESTART IDENTITY CASCADE")
    cursor.execute(
        "DELETE FROM mdna_adhesion WHERE user_id IN (SELECT id FROM mdna_user WHERE email LIKE %s)",
        [f"%@{DOMAINE}"],
    )
    cursor.execute(
        "DELETE FROM mdna_tiers t WHERE NOT EXISTS "
        "(SELECT 1 FROM mdna_adhesion a WHERE a.tiers_id = t.id) AND t.rna LIKE 'S%%'"
    )
    cursor.execute(
        "DELETE FROM instruction_exportfile WHERE auteur_id IN "
        "(SELECT id FROM mdna_user WHERE email LIKE %s)",
        [f"%@{DOMAINE}"],
    )
    # The audit log is append-only: accounts it names (agents who ran a bench) are kept.
    cursor.execute(
        "DELETE FROM mdna_user u WHERE email LIKE %s AND NOT EXISTS "
        "(SELECT 1 FROM mdna_auditevent a WHERE a.actor_id = u.id)",
        [f"%@{DOMAINE}"],
    )
    cursor.execute("DELETE FROM dispositifs_compteur WHERE cle LIKE 'dossier-%%'")


def agents(cursor) -> dict[int, dict]:
    """Instructors and valideurs per Service (created once), and the administrator."""
    from django.contrib.auth.hashers import make_password

    from mdna.models import Role, Service, User

    hache = make_password(MOT_DE_PASSE)
    maintenant = datetime.now().astimezone()
    nouveaux = []
    for service in Service.objects.all():
        for role, nombre in (
            (Role.INSTRUCTEUR, INSTRUCTEURS_PAR_SERVICE),
            (Role.VALIDEUR, VALIDEURS_PAR_SERVICE),
        ):
            for n in range(1, nombre + 1):
                nouveaux.append(
                    User(
                        email=f"{role}-{service.code}-{n}@{DOMAINE}",
                        first_name=f"{role.label.split(' ')[0]} {n}",
                        last_name=service.code.upper(),
                        role=role,
                        service=service,
                        password=hache,
                        email_verified_at=maintenant,
                    )
                )
    nouveaux.append(
        User(
            email=f"admin@{DOMAINE}",
            first_name="Administratrice",
            last_name="Bench",
            role=Role.ADMINISTRATEUR,
            password=hache,
            email_verified_at=maintenant,
        )
    )
    User.objects.bulk_create(nouveaux, ignore_conflicts=True)
    par_service: dict[int, dict] = {}
    for user in User.objects.filter(email__endswith=f"@{DOMAINE}", service__isnull=False):
        equipe = par_service.setdefault(user.service_id, {"instructeur": [], "valideur": []})
        equipe[user.role].append(user.pk)
    return par_service


def demandeurs(cursor, nombre: int, rng: random.Random) -> list[tuple[int, int, str, str, str]]:
    """(user id, tiers id, type, name, SIRET) for ``nombre`` applicants, created if missing."""
    cursor.execute("SELECT count(*) FROM mdna_user WHERE email LIKE %s", [f"demandeur-%@{DOMAINE}"])
    existants = cursor.fetchone()[0]
    if existants < nombre:
        maintenant = datetime.now().astimezone().isoformat()
        users = Copieur(
            cursor,
            "mdna_user",
            [
                "email",
                "password",
                "first_name",
                "last_name",
                "role",
                "phone",
                "is_active",
                "is_staff",
                "is_superuser",
                "date_joined",
                "email_verified_at",
            ],
        )
        tiers = Copieur(
            cursor,
            "mdna_tiers",
            [
                "type",
                "nom",
                "siret",
                "rna",
                "forme_juridique",
                "naf",
                "libelle_naf",
                "effectif",
                "adresse",
                "email",
                "telephone",
                "representant",
                "titulaire",
                "iban",
                "bic",
                "verifie",
                "source_verification",
                "cree_le",
            ],
        )
        for n in range(existants, nombre):
            type_ = TYPES_TIERS[n % len(TYPES_TIERS)]
            nom = f"{rng.choice(NOMS)} {rng.choice(MOTS)} {rng.choice(MOTS)} {n}"
            email = f"demandeur-{n}@{DOMAINE}"
            users.ajouter(
                [
                    email,
                    "!",
                    "Demandeur",
                    str(n),
                    "usager",
                    "",
                    "t",
                    "f",
                    "f",
                    maintenant,
                    maintenant,
                ]
            )
            tiers.ajouter(
                [
                    type_,
                    nom,
                    "" if type_ == "particulier" else siret(rng),
                    f"S{n:09d}",
                    "",
                    "",
                    "",
                    "",
                    json.dumps({"ligne": f"{n % 90 + 1} rue de la Gare", "code_postal": "87000"}),
                    email,
                    "05 55 00 00 00",
                    "",
                    nom,
                    "",
                    "",
                    "t",
                    "bench",
                    maintenant,
                ]
            )
        users.vider()
        tiers.vider()
        cursor.execute(
            "INSERT INTO mdna_adhesion (user_id, tiers_id, role, cree_le) "
            "SELECT u.id, t.id, 'proprietaire', now() FROM mdna_user u "
            "JOIN mdna_tiers t ON t.email = u.email "
            "WHERE u.email LIKE %s AND NOT EXISTS "
            "(SELECT 1 FROM mdna_adhesion a WHERE a.user_id = u.id)",
            [f"demandeur-%@{DOMAINE}"],
        )
    cursor.execute(
        "SELECT u.id, t.id, t.type, t.nom, t.siret FROM mdna_user u "
        "JOIN mdna_tiers t ON t.email = u.email WHERE u.email LIKE %s ORDER BY u.id LIMIT %s",
        [f"demandeur-%@{DOMAINE}", nombre],
    )
    return cursor.fetchall()


def modeles() -> list[dict]:
    """Per scheme: its Service, current version, answers as filed (JSON document), amounts."""
    from dispositifs.engine.exemples import valid_answers
    from dispositifs.engine.storage import document
    from dispositifs.models import Dispositif

    resultat = []
    for d in Dispositif.objects.select_related("version_courante").exclude(
        version_courante__isnull=True
    ):
        schema = d.version_courante.schema
        reste = document(valid_answers(schema))
        reste.pop("nom", None)
        reste.pop("titre", None)
        pieces = [
            f.get("piece") or f["key"]
            for s in schema["steps"]
            for f in s["fields"]
            if f["type"] == "file"
        ]
        plancher = float(d.plancher or 500)
        plafond = float(d.plafond or 200_000)
        resultat.append(
            {
                "id": d.pk,
                "service": d.service_id,
                "version": d.version_courante_id,
                "prefixe": schema["prefixe"],
                "reste": json.dumps(reste, ensure_ascii=False)[1:],
                "piece": pieces[0] if pieces else "justificatif",
                "plancher": max(plancher, 1.0),
                "plafond": max(plafond, plancher),
                "taux": float(d.taux) / 100 if d.taux else 0.5,
            }
        )
    return resultat


def seed(total: int, graine: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dispositifs.models import Compteur, Dispositif, Etat
    from mdna.models import Service

    debut = time.monotonic()
    call_command("migrate", verbosity=0)
    if Dispositif.objects.count() < 265:
        call_command("load_catalogue", stdout=io.StringIO())
    return _remplir(total, graine, debut, connection, Compteur, Etat, Service)


def _remplir(total, graine, debut, connection, Compteur, Etat, Service) -> dict:
    from dispositifs import territoires

    rng = random.Random(graine)
    communes = [c for c in territoires._communes().values() if c.region == "75"]
    poids_communes = [
        3 if c.code.endswith("063") or c.code.endswith("085") else 1 for c in communes
    ]
    schemes = modeles()
    poids_schemes = [rng.lognormvariate(0, 1) for _ in schemes]  # popular schemes draw more
    etats = list(REPARTITION)
    poids_etats = [REPARTITION[e] for e in etats]
    assert set(etats) == {e.value for e in Etat}, "every state of Etat must be seeded"
    parcours = {e: chemin(e) for e in etats}
    maintenant = datetime.now().astimezone()
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        cursor.execute("SET synchronous_commit = off")
        cursor.execute(
            "SELECT count(*) FROM dispositifs_dossier d JOIN mdna_user u ON u.id = d.demandeur_id "
            "WHERE u.email LIKE %s",
            [f"%@{DOMAINE}"],
        )
        deja = cursor.fetchone()[0]
        a_creer = max(0, total - deja)
        print(f"seed: {deja} dossiers déjà présents, {a_creer} à créer", flush=True)
        if not a_creer:
            return {"dossiers": deja, "crees": 0, "seconds": round(time.monotonic() - debut, 1)}
        equipes = agents(cursor)
        applicants = demandeurs(cursor, max(100, total // DOSSIERS_PAR_TIERS), rng)
        print(f"seed: {len(applicants)} demandeurs, agents de {len(equipes)} services", flush=True)
        compteurs = {c.cle: c.valeur for c in Compteur.objects.filter(cle__startswith="dossier-")}
        cursor.execute("SELECT coalesce(max(id), 0) FROM dispositifs_dossier")
        prochain = cursor.fetchone()[0] + 1
        cursor.execute("SELECT coalesce(max(id), 0) FROM dispositifs_piece")
        prochaine_piece = cursor.fetchone()[0] + 1
        colonnes = [
            "id",
            "numero",
            "dispositif_id",
            "version_id",
            "etat",
            "demandeur_id",
            "tiers_id",
            "instructeur_id",
            "demandeur_type",
            "nom_demandeur",
            "siret",
            "commune",
            "departement",
            "titre",
            "montant_demande",
            "cout_total",
            "date_debut",
            "date_fin",
            "reponses",
            "etape_courante",
            "cree_le",
            "modifie_le",
            "depose_le",
            "verrou",
        ]
        dossiers = Copieur(cursor, "dispositifs_dossier", colonnes)
        evenements = Copieur(
            cursor,
            "dispositifs_evenementdossier",
            [
                "dossier_id",
                "type",
                "titre",
                "detail",
                "etat_avant",
                "etat_apres",
                "auteur_id",
                "visible_usager",
                "cree_le",
            ],
        )
        pieces = Copieur(
            cursor,
            "dispositifs_piece",
            [
                "id",
                "dossier_id",
                "code",
                "fichier",
                "nom",
                "taille",
                "type_contenu",
                "sha256",
                "statut",
                "motif",
                "depose_par_id",
                "depose_le",
            ],
        )
        propositions = Copieur(
            cursor,
            "instruction_proposition",
            [
                "dossier_id",
                "montant",
                "sens",
                "conditions",
                "justification",
                "auteur_id",
                "cree_le",
                "statut",
                "valideur_id",
                "decidee_le",
                "commentaire_valideur",
            ],
        )
        tires_schemes = rng.choices(range(len(schemes)), weights=poids_schemes, k=a_creer)
        tires_etats = rng.choices(etats, weights=poids_etats, k=a_creer)
        tires_communes = rng.choices(communes, weights=poids_communes, k=a_creer)
        jour = timedelta(days=1)

        def vider(fait: int) -> None:
            for copieur in (dossiers, pieces, evenements, propositions):
                copieur.vider()
            ecoule = time.monotonic() - debut
            print(
                f"seed: {fait}/{a_creer} dossiers ({fait / ecoule:.0f}/s, {ecoule:.0f} s)",
                flush=True,
            )

        for n in range(a_creer):
            if n and n % LOT == 0:
                vider(n)
            pk = prochain + n
            m = schemes[tires_schemes[n]]
            etat = tires_etats[n]
            commune = tires_communes[n]
            user_id, tiers_id, type_, nom, siret_ = applicants[rng.randrange(len(applicants))]
            equipe = equipes.get(m["service"]) or {"instructeur": [None], "valideur": [None]}
            bas, haut = ANCIENNETE.get(etat, ANCIENNETE_DEFAUT)
            age = bas + (haut - bas) * rng.random() ** 1.6
            depose_le = maintenant - age * jour - timedelta(seconds=rng.randrange(86400))
            montant = round(
                min(m["plafond"], m["plancher"] * (m["plafond"] / m["plancher"]) ** rng.random()),
                -1 if m["plafond"] > 5000 else 0,
            )
            montant = Decimal(f"{max(montant, m['plancher']):.2f}")
            cout = (montant / Decimal(str(m["taux"]))).quantize(Decimal("0.01"))
            titre = f"{rng.choice(PROJETS)} {rng.choice(MOTS)} {depose_le.year}"
            brouillon = etat == "brouillon"
            if brouillon:
                numero = None
                instructeur = None
            else:
                cle = f"dossier-{depose_le.year}-{m['prefixe']}"
                compteurs[cle] = compteurs.get(cle, 0) + 1
                numero = f"{depose_le.year}-{m['prefixe']}-{compteurs[cle]:06d}"
                instructeur = (
                    None
                    if etat == "depose" and rng.random() < 0.6
                    else rng.choice(equipe["instructeur"])
                )
            debut_projet = (depose_le + 60 * jour).date()
            dossiers.ajouter(
                [
                    pk,
                    numero,
                    m["id"],
                    m["version"],
                    etat,
                    user_id,
                    tiers_id,
                    instructeur,
                    type_,
                    nom,
                    siret_,
                    commune.code,
                    commune.departement,
                    titre,
                    montant,
                    cout,
                    debut_projet,
                    debut_projet + 300 * jour,
                    '{"nom": '
                    + json.dumps(nom, ensure_ascii=False)
                    + ', "titre": '
                    + json.dumps(titre, ensure_ascii=False)
                    + (", " + m["reste"] if m["reste"] != "}" else "}"),
                    "financement" if brouillon else "",
                    depose_le - 2 * jour,
                    depose_le,
                    None if brouillon else depose_le,
                    len(parcours[etat]),
                ]
            )
            if brouillon:
                continue
            pieces.ajouter(
                [
                    prochaine_piece + n,
                    pk,
                    m["piece"][:40],
                    f"dossiers/{pk}/{m['piece']}.pdf",
                    f"{m['piece']}.pdf",
                    48213,
                    "pdf",
                    "0" * 64,
                    "valide" if parcours[etat] else "a_verifier",
                    "",
                    user_id,
                    depose_le,
                ]
            )
            quand = depose_le
            evenements.ajouter(
                [
                    pk,
                    "depot",
                    "Demande déposée",
                    f"Votre demande porte le numéro {numero}.",
                    "brouillon",
                    "depose",
                    user_id,
                    "t",
                    quand,
                ]
            )
            valideur = rng.choice(equipe["valideur"])
            for transition in parcours[etat]:
                quand = quand + (3 + rng.random() * 25) * jour
                if transition.nom == "valider_proposition" or transition.cible == "attribue":
                    auteur = valideur
                elif "usager" in transition.roles and len(transition.roles) == 1:
                    auteur = user_id
                else:
                    auteur = instructeur
                evenements.ajouter(
                    [
                        pk,
                        transition.nom,
                        transition.titre_usager,
                        transition.detail_usager,
                        next(iter(transition.sources)),
                        transition.cible,
                        auteur,
                        "t",
                        min(quand, maintenant),
                    ]
                )
                if transition.cible == "propose":
                    propose_le = min(quand, maintenant)
            if etat in ("propose", "attribue", "en_paiement", "solde", "caduc"):
                approuvee = etat != "propose"
                propositions.ajouter(
                    [
                        pk,
                        (montant * Decimal("0.9")).quantize(Decimal("0.01")),
                        "favorable",
                        "",
                        "Projet conforme au règlement du dispositif ; plan de financement équilibré.",
                        instructeur,
                        propose_le,
                        "approuvee" if approuvee else "en_attente",
                        valideur if approuvee else None,
                        propose_le + 2 * jour if approuvee else None,
                        "",
                    ]
                )
        vider(a_creer)
        for cle, valeur in compteurs.items():
            Compteur.objects.update_or_create(cle=cle, defaults={"valeur": valeur})
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('dispositifs_dossier', 'id'), "
            "(SELECT max(id) FROM dispositifs_dossier))"
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('dispositifs_piece', 'id'), "
            "(SELECT max(id) FROM dispositifs_piece))"
        )
        print("seed: VACUUM ANALYZE", flush=True)
        for table in (
            "dispositifs_dossier",
            "dispositifs_evenementdossier",
            "dispositifs_piece",
            "instruction_proposition",
            "mdna_user",
            "mdna_tiers",
        ):
            cursor.execute(f"VACUUM (ANALYZE) {table}")  # visibility map: index-only scans
    return {
        "dossiers": deja + a_creer,
        "crees": a_creer,
        "seconds": round(time.monotonic() - debut, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026, help="graine du tirage aléatoire")
    parser.add_argument("--reset", action="store_true", help="vider d'abord les dossiers")
    args = parser.parse_args()
    if args.reset:
        import django

        django.setup()
        from django.db import connection

        with connection.cursor() as cursor:
            reinitialiser(cursor)
        print("seed: base vidée", flush=True)
    resultat = seed(args.dossiers, args.seed)
    print("BENCH " + json.dumps({"bench": "seed", **resultat}), flush=True)


if __name__ == "__main__":
    main()

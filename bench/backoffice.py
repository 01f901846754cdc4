"""Benchmark: the back office on a seeded database (see bench/seed.py).

Measures, through the Django test client (server time: view, queries and template), the work
queue — without filter, each filter, full-text search, each sort, page 1 and page 500 — and the
dossier screen, logged in as an instructor of the busiest Service and as an administrator (who
sees every Service). Reports p50/p95 per page and the number of SQL queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mdna_bench MDNA_ENV=test \\
        .venv/bin/python bench/backoffice.py

It reuses the seeded database as it is; on an empty one it first seeds ``BENCH_DOSSIERS``
dossiers (20,000 by default). Ends with one line ``BENCH {json}``.
Goal: p95 < 150 ms and at most 15 queries per page.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mdna_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mdna.settings")
os.environ.setdefault("MDNA_ENV", "test")

OBJECTIF_MS = 150
OBJECTIF_REQUETES = 15


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def scenarios(instructeur, dispositif_id: int, mot: str, numero: str) -> dict[str, dict]:
    from django.utils import timezone

    aujourdhui = timezone.localdate()
    pages = {
        "sans filtre": {},
        "dispositif": {"dispositif": dispositif_id},
        "état": {"etat": "en_instruction"},
        "plusieurs états": {"etat": ["depose", "incomplet"]},
        "instructeur": {"instructeur": instructeur.pk},
        "mes dossiers": {"mes_dossiers": "on"},
        "département": {"departement": "33"},
        "montant": {"montant_min": "10000", "montant_max": "50000"},
        "dates de dépôt": {
            "depose_du": (aujourdhui - timedelta(days=30)).isoformat(),
            "depose_au": aujourdhui.isoformat(),
        },
        "en retard": {"en_retard": "on"},
        "recherche (mot)": {"q": mot},
        "recherche (numéro)": {"q": numero},
        "page 500": {"page": "500"},
    }
    for tri in ("-depose_le", "depose_le", "-montant", "montant", "numero", "etat"):
        pages[f"tri {tri}"] = {"tri": tri}
    return pages


def mesurer(client, url: str, params: dict, repetitions: int) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params)  # warm-up (caches, prepared plans)
    durees = []
    requetes = 0
    statut = 200
    for _ in range(repetitions):
        with CaptureQueriesContext(connection) as ctx:
            debut = time.perf_counter()
            response = client.get(url, params)
            durees.append((time.perf_counter() - debut) * 1000)
        statut = response.status_code
        requetes = max(requetes, len(ctx.captured_queries))
    return durees, requetes, statut


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--dossiers-ecran", type=int, default=20, help="dossier screens measured")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest page")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from dispositifs.models import Dossier
    from mdna.models import User

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    import seed
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    domaine = seed.DOMAINE
    if not User.objects.filter(email=f"admin@{domaine}").exists():
        resultat = seed.seed(int(os.environ.get("BENCH_DOSSIERS", "20000")), 2026)
        print(f"backoffice: base vide, semée d'abord ({resultat})", flush=True)
    total = Dossier.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.service_id, count(*) FROM dispositifs_dossier d "
            "JOIN dispositifs_dispositif s ON s.id = d.dispositif_id "
            "GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
        )
        service_id, du_service = cursor.fetchone()
    instructeur = (
        User.objects.filter(
            email__endswith=f"@{domaine}", service_id=service_id, role="instructeur"
        )
        .order_by("email")
        .first()
    )
    admin = User.objects.get(email=f"admin@{domaine}")
    dans_scope = Dossier.objects.filter(dispositif__service_id=service_id).exclude(etat="brouillon")
    dispositif_id = (
        dans_scope.values("dispositif_id").order_by("dispositif_id").first()["dispositif_id"]
    )
    exemple = dans_scope.order_by("-id").only("numero").first()
    print(
        f"backoffice: {total} dossiers, service de l'instructeur : {du_service} dossiers",
        flush=True,
    )

    resultats = []
    url = reverse("instruction:file")
    for profil, user in (("instructeur", instructeur), ("administrateur", admin)):
        client = Client()
        client.force_login(user)
        for nom, params in scenarios(
            instructeur, dispositif_id, "festival", exemple.numero
        ).items():
            durees, requetes, statut = mesurer(client, url, params, args.repetitions)
            resultats.append(
                {
                    "page": "file",
                    "profil": profil,
                    "scenario": nom,
                    "params": params,
                    "p50_ms": round(percentile(durees, 50), 1),
                    "p95_ms": round(percentile(durees, 95), 1),
                    "requetes": requetes,
                    "statut": statut,
                    "durees": durees,
                }
            )
            r = resultats[-1]
            print(
                f"file   {profil:<14} {nom:<20} p50 {r['p50_ms']:>7} ms  p95 {r['p95_ms']:>7} ms"
                f"  {requetes:>2} requêtes  HTTP {statut}",
                flush=True,
            )
        ids = list(
            (dans_scope if profil == "instructeur" else Dossier.objects.exclude(etat="brouillon"))
            .order_by("?")
            .values_list("pk", flat=True)[: args.dossiers_ecran]
        )
        durees_ecran, requetes_ecran = [], 0
        for pk in ids:
            d, q, statut = mesurer(
                client, reverse("instruction:dossier", args=[pk]), {}, max(1, args.repetitions // 2)
            )
            assert statut == 200, f"dossier {pk}: HTTP {statut}"
            durees_ecran += d
            requetes_ecran = max(requetes_ecran, q)
        resultats.append(
            {
                "page": "dossier",
                "profil": profil,
                "scenario": f"{len(ids)} dossiers",
                "p50_ms": round(percentile(durees_ecran, 50), 1),
                "p95_ms": round(percentile(durees_ecran, 95), 1),
                "requetes": requetes_ecran,
                "statut": 200,
                "durees": durees_ecran,
            }
        )
        r = resultats[-1]
        print(
            f"dossier {profil:<13} {r['scenario']:<20} p50 {r['p50_ms']:>7} ms  "
            f"p95 {r['p95_ms']:>7} ms  {requetes_ecran:>2} requêtes",
            flush=True,
        )

    export = mesurer_export(instructeur)
    file_durees = [d for r in resultats if r["page"] == "file" for d in r["durees"]]
    ecran_durees = [d for r in resultats if r["page"] == "dossier" for d in r["durees"]]
    pire = max((r for r in resultats if r["page"] == "file"), key=lambda r: r["p95_ms"])
    hors_objectif = [
        f"{r['page']} {r['profil']} {r['scenario']}"
        for r in resultats
        if r["p95_ms"] >= OBJECTIF_MS or r["requetes"] > OBJECTIF_REQUETES or r["statut"] != 200
    ]
    if args.explain:
        expliquer(pire, instructeur if pire["profil"] == "instructeur" else admin)
    print(
        "BENCH "
        + json.dumps(
            {
                "bench": "backoffice",
                "dossiers": total,
                "load_average": [round(x, 1) for x in os.getloadavg()],
                "dossiers_service_instructeur": du_service,
                "queue_p50_ms": round(percentile(file_durees, 50), 1),
                "queue_p95_ms": round(percentile(file_durees, 95), 1),
                "queue_worst_p95_ms": pire["p95_ms"],
                "queue_worst": f"{pire['profil']} {pire['scenario']}",
                "detail_p50_ms": round(percentile(ecran_durees, 50), 1),
                "detail_p95_ms": round(percentile(ecran_durees, 95), 1),
                "max_queries": max(r["requetes"] for r in resultats),
                "pages_off_goal": hors_objectif,
                **export,
            },
            ensure_ascii=False,
        ),
        flush=True,
    )


def mesurer_export(user) -> dict:
    """Export of the instructor's whole scope (every state), in CSV then XLSX, in-process."""
    import tempfile

    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from instruction import exports
    from instruction.models import ExportFile

    resultat = {}
    with tempfile.TemporaryDirectory() as media:
        settings.MEDIA_ROOT = media
        for fmt in ("csv", "xlsx"):
            export = ExportFile.objects.create(auteur=user, format=fmt, parametres="")
            with CaptureQueriesContext(connection) as ctx:
                debut = time.perf_counter()
                exports.export_produire(export_id=export.pk)
                duree = time.perf_counter() - debut
            export.refresh_from_db()
            resultat[f"export_{fmt}_s"] = round(duree, 1)
            resultat[f"export_{fmt}_queries"] = len(ctx.captured_queries)
            resultat["export_rows"] = export.total
            print(
                f"export {fmt}: {export.total} dossiers en {duree:.1f} s, "
                f"{len(ctx.captured_queries)} requêtes, {export.statut}",
                flush=True,
            )
            export.fichier.delete(save=False)
            export.delete()
    return resultat


def expliquer(resultat: dict, user) -> None:
    """Print EXPLAIN ANALYZE of the queue's queries for the slowest scenario."""
    from django.db import connection
    from django.http import QueryDict

    from instruction import selectors
    from instruction.filters import FileFilter

    donnees = QueryDict(mutable=True)
    for cle, valeur in resultat["params"].items():
        donnees.setlist(cle, valeur if isinstance(valeur, list) else [str(valeur)])
    filtre = FileFilter(donnees, queryset=selectors.perimetre(user), user=user)
    qs = filtre.qs.select_related("dispositif", "instructeur")
    for titre in ("count", "page"):
        with connection.cursor() as cursor:
            source = qs if titre == "page" else qs.order_by().values("pk")
            requete, params = source.query.sql_with_params()
            if titre == "count":
                requete = f"SELECT count(*) FROM ({requete}) t"
            else:
                requete += " LIMIT 50"
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + requete, params)
            print(f"-- EXPLAIN {titre} ({resultat['profil']} {resultat['scenario']})")
            print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()

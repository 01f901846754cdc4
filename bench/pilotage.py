"""Benchmark: the steering dashboards and the budget envelopes on a large database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mdna_bench_prog MDNA_ENV=test \\
        .venv/bin/python bench/pilotage.py --dossiers 1000000

Reuses a database seeded by ``bench/seed.py`` (runs it first when the database holds fewer than
``--dossiers`` dossiers). Then: one envelope per Service for the current exercice over its
schemes, ``pilotage_recalculer(reprise=True)`` (imputations of the seeded approved proposals,
envelope totals, dashboard aggregates), and a check that the dashboard equals a direct count.
Measured through the Django test client (whole request: view, queries, template):

- the overall dashboard as an administrator (265 schemes) and as an agent of each Service;
- the dashboard of 30 schemes, and the CSV export;
- each envelope's page (consumption, scenarios, candidates) and its consumption read alone.

Ends with one line ``BENCH {json}``. Goal: dashboard p95 < 500 ms, envelope p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mdna_bench_prog")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mdna.settings")
os.environ.setdefault("MDNA_ENV", "test")


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return 0.0
    index = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return values[index]


def mesurer(client, url: str, fois: int) -> list[float]:
    durees = []
    for _ in range(fois):
        debut = time.perf_counter()
        response = client.get(url)
        durees.append((time.perf_counter() - debut) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} : HTTP {response.status_code}")
    return durees


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--repetitions", type=int, default=20)
    parser.add_argument("--sans-recalcul", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from dispositifs.models import Dispositif, Dossier, Etat
    from instruction.pilotage import selectors
    from instruction.pilotage.models import CumulPilotage
    from instruction.pilotage.recalcul import pilotage_recalculer
    from instruction.programmation.models import Enveloppe, EnveloppeDispositif
    from mdna.models import Role, Service, User

    settings.ALLOWED_HOSTS = ["*"]
    present = Dossier.objects.count()
    if present < args.dossiers:
        seed = ROOT / "bench" / "seed.py"
        if not seed.exists():
            raise SystemExit("bench/seed.py est introuvable : il remplit la base à mesurer.")
        print(f"pilotage: {present} dossiers, remplissage jusqu'à {args.dossiers} (bench/seed.py)")
        subprocess.run([sys.executable, str(seed), "--dossiers", str(args.dossiers)], check=True)
        connection.close()
    total_dossiers = Dossier.objects.count()
    exercice = timezone.localdate().year
    admin = User.objects.filter(role=Role.ADMINISTRATEUR).first() or User.objects.create(
        email="admin-pilotage@seed.mdna.invalid", role=Role.ADMINISTRATEUR, is_superuser=True
    )
    for service in Service.objects.all():
        dispositifs = list(Dispositif.objects.filter(service=service))
        if (
            not dispositifs
            or Enveloppe.objects.filter(
                exercice=exercice, ligne_budgetaire=f"BENCH-{service.code}"
            ).exists()
        ):
            continue
        enveloppe = Enveloppe.objects.create(
            exercice=exercice,
            ligne_budgetaire=f"BENCH-{service.code}",
            libelle=f"Enveloppe {service.nom}",
            credits_votes=Decimal("50000000.00"),
        )
        EnveloppeDispositif.objects.bulk_create(
            [
                EnveloppeDispositif(enveloppe=enveloppe, dispositif=d, exercice=exercice)
                for d in dispositifs
                if not EnveloppeDispositif.objects.filter(dispositif=d, exercice=exercice).exists()
            ]
        )
    recalcul_s = None
    if not args.sans_recalcul or not CumulPilotage.objects.exists():
        debut = time.perf_counter()
        resultat = pilotage_recalculer(reprise=True)
        recalcul_s = round(time.perf_counter() - debut, 1)
        print(f"pilotage: agrégats recalculés en {recalcul_s} s {resultat}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    # Exactness: the dashboard equals a direct count over the dossiers.
    figures = selectors.tableau(admin)
    direct = Dossier.objects.exclude(etat=Etat.BROUILLON).count()
    exact = figures["total"].nombre == direct
    print(f"pilotage: tableau {figures['total'].nombre} dossiers, comptage direct {direct}")

    client = Client()
    rng = random.Random(2026)
    reps = args.repetitions
    tableaux: dict[str, list[float]] = {}
    client.force_login(admin)
    tableaux["ensemble (administrateur)"] = mesurer(client, reverse("pilotage:tableau"), reps)
    for service in Service.objects.all():
        agent = User.objects.filter(role=Role.VALIDEUR, service=service).first()
        if agent is None:
            continue
        client.force_login(agent)
        tableaux[f"service {service.code}"] = mesurer(
            client, reverse("pilotage:tableau"), max(3, reps // 4)
        )
    client.force_login(admin)
    dispositifs = list(Dispositif.objects.values_list("pk", flat=True))
    tableaux["par dispositif (30)"] = [
        d
        for pk in rng.sample(dispositifs, min(30, len(dispositifs)))
        for d in mesurer(client, reverse("pilotage:dispositif", args=[pk]), 2)
    ]
    tableaux["export CSV"] = mesurer(client, reverse("pilotage:export"), max(3, reps // 4))
    enveloppes: dict[str, list[float]] = {"page enveloppe": [], "lecture consommation": []}
    for enveloppe in Enveloppe.objects.filter(exercice=exercice):
        enveloppes["page enveloppe"] += mesurer(
            client, reverse("instruction:enveloppe", args=[enveloppe.pk]), max(3, reps // 4)
        )
        for _ in range(reps):
            debut = time.perf_counter()
            e = Enveloppe.objects.get(pk=enveloppe.pk)
            _ = (e.montant_attribue, e.montant_propose, e.restant)
            enveloppes["lecture consommation"].append((time.perf_counter() - debut) * 1000)

    print(f"\n{'Mesure':<32} {'n':>5} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
    for nom, durees in {**tableaux, **enveloppes}.items():
        print(
            f"{nom:<32} {len(durees):>5} {statistics.median(durees):>9.1f} "
            f"{p(durees, 0.95):>9.1f} {max(durees):>9.1f}"
        )
    tous_tableaux = [d for durees in tableaux.values() for d in durees]
    resultat = {
        "bench": "pilotage",
        "dossiers": total_dossiers,
        "database": connection.vendor,
        "dashboard_p50_ms": round(statistics.median(tous_tableaux), 1),
        "dashboard_p95_ms": round(p(tous_tableaux, 0.95), 1),
        "dashboard_admin_p95_ms": round(p(tableaux["ensemble (administrateur)"], 0.95), 1),
        "envelope_p95_ms": round(p(enveloppes["page enveloppe"], 0.95), 1),
        "envelope_read_p95_ms": round(p(enveloppes["lecture consommation"], 0.95), 2),
        "recalcul_s": recalcul_s,
        "exact": exact,
    }
    print("BENCH " + json.dumps(resultat))


if __name__ == "__main__":
    main()

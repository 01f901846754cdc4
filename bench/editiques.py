"""Benchmark: 1,000 decision letters rendered by 2 worker processes.

    .venv/bin/python bench/editiques.py [--documents N] [--bare N]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mdna_bench_editiques \\
    REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/editiques.py

With DATABASE_URL and REDIS_URL, two real Celery worker processes (one worker, prefork,
concurrency 2) consume a queue of their own; otherwise a pool of 2 processes calls the same
render service the task calls. The letters are requested in one transaction (a commission vote),
as a lot, and rendered after commit.

Measures, in the same run:
- ``bare_s``: a bare WeasyPrint render (same HTML, same fonts, same PDF/A variant), one process;
- ``ours_s``: our whole path for one document in one process (data snapshot, template, PDF,
  hash, storage, safe entry, audit), on a sample;
- ``docs_per_s`` with 2 processes, ``overhead_ratio`` = ours_s / bare_s,
  ``efficiency`` = docs_per_s / (2 / bare_s).

Ends with one line ``BENCH {json}``. Goals: overhead ≤ 1.2, efficiency ≥ 0.8, ≥ 10 documents/s.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_TMP = Path(tempfile.mkdtemp(prefix="mdna-bench-editiques-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mdna.settings")
os.environ.setdefault("MDNA_ENV", "test")
os.environ.setdefault("MEDIA_ROOT", str(_TMP / "media"))
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("SQLITE_PATH", str(_TMP / "bench.sqlite3"))
if os.environ.get("REDIS_URL"):
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"

import argparse  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

import django  # noqa: E402

WORKERS = 2


def _setup() -> None:
    django.setup()
    from django.db import connection

    if connection.vendor == "sqlite":
        # Several writer processes on one SQLite file: take the write lock at BEGIN and use WAL
        # (PostgreSQL, the production database, needs neither).
        connection.settings_dict["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")


def prepare():
    from django.core.management import call_command

    _setup()
    if os.environ.get("DATABASE_URL"):
        name = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], capture_output=True)
    call_command("migrate", verbosity=0)
    from dispositifs.depot import services as depot
    from dispositifs.depot.services import etape_enregistrer
    from mdna.models import Adhesion, Tiers
    from tests.dispositifs.answers import valid_answers
    from tests.factories import DispositifFactory, ServiceFactory, UserFactory

    suffixe = uuid.uuid4().hex[:6]
    service = ServiceFactory(code=f"B{suffixe}", nom="Direction de la culture et du patrimoine")
    agent = UserFactory(role="instructeur", service=service, email=f"agent-{suffixe}@region.fr")
    demandeur = UserFactory(email=f"claire-{suffixe}@festival.fr")
    tiers = Tiers.objects.create(
        type="association",
        nom="Les Tréteaux de la Creuse",
        siret="73282932000074",
        adresse={"ligne": "3 place Bonnyaud", "code_postal": "23000", "commune": "Guéret"},
    )
    Adhesion.objects.create(user=demandeur, tiers=tiers, role="proprietaire")
    dispositif = DispositifFactory(publie=True, slug=f"festivals-{suffixe}", service=service)
    dossier = depot.brouillon_creer(dispositif=dispositif, tiers=tiers, par=demandeur)
    answers = valid_answers(dossier.version.schema)
    answers.update(demandeur_type=tiers.type)
    etape_enregistrer(dossier=dossier, par=demandeur, etape="engagements", reponses=answers)
    dossier = depot.dossier_deposer(dossier=dossier, par=demandeur)
    return agent, dossier


def bare_seconds(dossier, n: int) -> tuple[float, float]:
    """A bare WeasyPrint render of the same letter: the HTML with its stylesheet linked, as
    WeasyPrint is usually called (``bare``), and with the stylesheet and fonts parsed once,
    as our renderer does (``bare_cached``)."""
    from django.utils import timezone
    from weasyprint import HTML

    from editiques import rendu, services

    _, _, html = services.composer(
        type="notification_attribution",
        numero="NA-2026-000000",
        date=timezone.localtime(),
        dossier=dossier,
        contexte={"montant": "12500.00"},
    )
    lie = html.replace("</head>", '<link rel="stylesheet" href="css/courrier.css"></head>', 1)

    def nu():
        HTML(string=lie, base_url=rendu.BASE_URL, url_fetcher=rendu._fetcher()).write_pdf(
            pdf_variant=rendu.PDF_VARIANT
        )

    def cache():
        css, polices = rendu._feuille()
        HTML(string=html, base_url=rendu.BASE_URL, url_fetcher=rendu._fetcher()).write_pdf(
            stylesheets=[css], font_config=polices, pdf_variant=rendu.PDF_VARIANT
        )

    resultats = []
    for f in (nu, cache):
        f()  # warm-up (imports, font cache)
        times = []
        for _ in range(n):
            start = time.perf_counter()
            f()
            times.append(time.perf_counter() - start)
        resultats.append(statistics.median(times))
    return resultats[0], resultats[1]


def request_lot(agent, dossier, n: int, libelle: str):
    from django.db import transaction

    from editiques import services

    with transaction.atomic():
        lot = services.lot_creer(libelle=libelle, par=agent)
        for i in range(n):
            services.document_demander(
                type="notification_attribution",
                par=agent,
                cle_evenement=f"{libelle}-{i}",
                dossier=dossier,
                contexte={"montant": f"{1000 + i}.00"},
                lot=lot,
            )
    return lot


def ours_seconds(agent, dossier, n: int) -> float:
    """Our path, sequential, in this process (eager task)."""
    from editiques import services

    saved = services._planifier
    services._planifier = lambda pk: None
    try:
        lot = request_lot(agent, dossier, n, f"seq-{uuid.uuid4().hex[:6]}")
    finally:
        services._planifier = saved
    ids = list(lot.documents.values_list("pk", flat=True))
    services.document_rendre(document_id=ids[0])  # warm-up
    times = []
    for pk in ids[1:]:
        start = time.perf_counter()
        services.document_rendre(document_id=pk)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _warm(_: int) -> None:
    from editiques import rendu

    rendu.html_vers_pdf("<p>warm-up</p>")
    time.sleep(0.5)


def _render_chunk(ids: list[int]) -> int:
    _setup()
    from django.db import connection

    from editiques import services

    for pk in ids:
        services.document_rendre(document_id=pk)
    connection.close()
    return len(ids)


def parallel_pool(agent, dossier, n: int) -> tuple[float, dict]:
    from django.db import connection

    from editiques import services

    saved = services._planifier
    services._planifier = lambda pk: None
    try:
        lot = request_lot(agent, dossier, n, f"pool-{uuid.uuid4().hex[:6]}")
    finally:
        services._planifier = saved
    ids = list(lot.documents.values_list("pk", flat=True))
    chunks = [ids[i :: WORKERS * 10] for i in range(WORKERS * 10)]
    connection.close()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(WORKERS, initializer=_setup) as pool:
        pool.map(_warm, range(WORKERS), chunksize=1)  # boot both processes before the clock
        start = time.perf_counter()
        pool.map(_render_chunk, chunks, chunksize=1)
        wall = time.perf_counter() - start
    return wall, lot.progression()


def parallel_celery(agent, dossier, n: int) -> tuple[float, dict]:
    from editiques import services

    queue = f"bench-{uuid.uuid4().hex[:8]}"
    services.FILE_RENDU = queue
    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "0"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "mdna", "worker", "--queues", queue,
         "--concurrency", str(WORKERS), "--pool", "prefork", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING",
         "--hostname", f"{queue}@localhost"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        # Let the worker processes boot (imports) before the clock starts.
        from mdna.celery import app

        deadline = time.monotonic() + 60
        while not (app.control.ping(destination=[f"{queue}@localhost"], timeout=1.0)):
            if time.monotonic() > deadline:
                raise RuntimeError("the Celery worker did not start")
        start = time.perf_counter()
        lot = request_lot(agent, dossier, n, queue)
        while True:
            p = lot.progression()
            if p["en_attente"] == 0:
                break
            time.sleep(0.2)
        wall = time.perf_counter() - start
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return wall, p


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--bare", type=int, default=30)
    parser.add_argument("--sample", type=int, default=30)
    args = parser.parse_args()

    agent, dossier = prepare()
    bare, bare_cached = bare_seconds(dossier, args.bare)
    ours = ours_seconds(agent, dossier, args.sample)
    celery = bool(os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL"))
    if celery:
        wall, progression = parallel_celery(agent, dossier, args.documents)
    else:
        wall, progression = parallel_pool(agent, dossier, args.documents)
    docs_per_s = progression["rendus"] / wall
    result = {
        "documents": args.documents,
        "rendus": progression["rendus"],
        "echecs": progression["echecs"],
        "workers": WORKERS,
        "mode": "celery-redis" if celery else "multiprocessing",
        "database": "postgresql" if os.environ.get("DATABASE_URL") else "sqlite",
        "wall_s": round(wall, 2),
        "bare_s": round(bare, 4),
        "bare_cached_s": round(bare_cached, 4),
        "ours_s": round(ours, 4),
        "docs_per_s": round(docs_per_s, 2),
        "overhead_ratio": round(ours / bare, 3),
        "efficiency": round(docs_per_s / (WORKERS / bare), 3),
        "overhead_vs_cached": round(ours / bare_cached, 3),
        "efficiency_vs_cached": round(docs_per_s / (WORKERS / bare_cached), 3),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
    }
    print(f"Bare WeasyPrint render: {bare * 1000:.1f} ms; our path: {ours * 1000:.1f} ms")
    print(f"{progression['rendus']} documents in {wall:.1f} s with {WORKERS} processes "
          f"({result['mode']}): {docs_per_s:.2f} documents/s")  # fmt: skip
    print("BENCH " + json.dumps(result))


if __name__ == "__main__":
    main()

"""Benchmark: N applicants filing at once, through gunicorn, on PostgreSQL.

Each simulated applicant (a thread with its own HTTP session on loopback) opens the scheme, starts
a draft, walks every step of the wizard (pieces uploaded as real PDF files), reads the recap and
submits. Reports requests/s, p50/p95 per step and errors.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mdna_bench .venv/bin/python bench/filing.py \\
        --concurrency 50 --seconds 60

Without DATABASE_URL it uses the database ``mdna_bench_filing`` on the local PostgreSQL (created
if missing). Sessions are created server-side (no password hashing in the measure). Ends with one
line ``BENCH {json}``. Goal at 50 concurrent applicants: 0 errors, p95 < 300 ms.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mdna_bench_filing")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mdna.settings")
os.environ.setdefault("MDNA_ENV", "test")
os.environ.setdefault("MEDIA_ROOT", "/tmp/mdna-bench-filing-media")

PORT = 8765
SLUG = "soutien-aux-festivals"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
    b"endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF"
)


def ensure_database() -> None:
    name = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], capture_output=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def prepare(count: int) -> tuple[list[str], dict]:
    """Migrate, load the catalogue, create the applicants with their association and a session."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from dispositifs.models import Dispositif
    from mdna.models import Adhesion, Tiers, User

    call_command("migrate", verbosity=0)
    if not Dispositif.objects.filter(slug=SLUG).exists():
        call_command("load_catalogue", stdout=io.StringIO())
    schema = Dispositif.objects.get(slug=SLUG).version_courante.schema
    cookies = []
    for index in range(count):
        user, created = User.objects.get_or_create(email=f"bench-filing-{index}@bench.invalid")
        if created:
            tiers = Tiers.objects.create(
                type="association", nom=f"Association bench {index}", rna=f"W{index:09d}"
            )
            Adhesion.objects.create(user=user, tiers=tiers, role="proprietaire")
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(session.session_key)
    return cookies, schema


def step_payload(schema: dict, key: str, answers: dict, pk: int):
    from dispositifs.engine.forms import form_data

    step = next(s for s in schema["steps"] if s["key"] == key)
    data, _ = form_data(step, answers)
    payload = [(f"{key}-{k}", v) for k, values in data.lists() for v in values]
    payload.append((f"depot_{pk}-current_step", key))
    files = [
        (f"{key}-{f['key']}", (f"{f['key']}.pdf", PDF, "application/pdf"))
        for f in step["fields"]
        if f["type"] == "file"
    ]
    return payload, files


class Applicant:
    def __init__(self, base: str, session_key: str, schema: dict, timings: dict, errors: list):
        import requests

        from dispositifs.engine.exemples import valid_answers

        self.http = requests.Session()
        self.http.cookies.set("sessionid", session_key, domain="127.0.0.1")
        self.base = base
        self.schema = schema
        self.answers = valid_answers(schema)
        self.answers["demandeur_type"] = "association"
        self.timings = timings
        self.errors = errors

    def csrf(self, html: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def timed(self, label: str, method: str, url: str, **kwargs):
        start = time.perf_counter()
        response = self.http.request(
            method, self.base + url, allow_redirects=False, timeout=30, **kwargs
        )
        self.timings[label].append((time.perf_counter() - start) * 1000)
        if response.status_code >= 400:
            self.errors.append(f"{label} {response.status_code}")
            raise RuntimeError(label)
        return response

    def file_one(self) -> None:
        page = self.timed("nouvelle", "GET", f"/compte/demandes/nouvelle/{SLUG}/")
        tiers = re.search(r'name="tiers" value="(\d+)"', page.text).group(1)
        response = self.timed(
            "brouillon",
            "POST",
            f"/compte/demandes/nouvelle/{SLUG}/",
            data={"csrfmiddlewaretoken": self.csrf(page.text), "tiers": tiers},
            headers={"Referer": self.base},
        )
        pk = int(re.search(r"/compte/demandes/(\d+)/", response.headers["Location"]).group(1))
        for step in self.schema["steps"]:
            key = step["key"]
            page = self.timed(f"GET {key}", "GET", f"/compte/demandes/{pk}/{key}/")
            payload, files = step_payload(self.schema, key, self.answers, pk)
            payload.append(("csrfmiddlewaretoken", self.csrf(page.text)))
            response = self.timed(
                f"POST {key}",
                "POST",
                f"/compte/demandes/{pk}/{key}/",
                data=payload,
                files=files or None,
                headers={"Referer": self.base},
            )
            if response.status_code != 302:
                self.errors.append(f"POST {key}: formulaire refusé")
                raise RuntimeError(key)
        recap = self.timed("recapitulatif", "GET", f"/compte/demandes/{pk}/recapitulatif/")
        self.timed(
            "deposer",
            "POST",
            f"/compte/demandes/{pk}/deposer/",
            data={"csrfmiddlewaretoken": self.csrf(recap.text)},
            headers={"Referer": self.base},
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=45.0, help="durée maximale de la charge")
    parser.add_argument("--workers", type=int, default=4, help="processus gunicorn")
    args = parser.parse_args(argv)
    ensure_database()
    cookies, schema = prepare(args.concurrency)

    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "mdna.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(args.workers),
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{PORT}"
    try:
        import requests

        for _ in range(120):
            try:
                if requests.get(base + "/healthz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        timings: dict[str, list[float]] = defaultdict(list)
        errors: list[str] = []
        done = []
        lock = threading.Lock()
        deadline = time.monotonic() + args.seconds

        def run(cookie: str) -> None:
            applicant = Applicant(base, cookie, schema, timings, errors)
            while time.monotonic() < deadline:
                try:
                    applicant.file_one()
                except Exception as error:  # noqa: BLE001 - counted and reported
                    with lock:
                        errors.append(repr(error)[:120])
                    break
                with lock:
                    done.append(1)

        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            list(pool.map(run, cookies))
        elapsed = time.monotonic() - start
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    requests_total = sum(len(v) for v in timings.values())
    steps = [t for label, values in timings.items() for t in values]
    print(f"{'étape':<28}{'n':>7}{'p50 ms':>10}{'p95 ms':>10}")
    for label, values in sorted(timings.items()):
        print(
            f"{label:<28}{len(values):>7}{percentile(values, 50):>10.1f}{percentile(values, 95):>10.1f}"
        )
    bench = {
        "concurrency": args.concurrency,
        "dossiers_deposes": len(done),
        "requests": requests_total,
        "seconds": round(elapsed, 1),
        "requests_per_s": round(requests_total / elapsed, 1) if elapsed else 0,
        "step_p50_ms": round(percentile(steps, 50), 1),
        "step_p95_ms": round(percentile(steps, 95), 1),
        "errors": len(errors),
        "gunicorn_workers": args.workers,
    }
    if errors:
        print("Erreurs :", sorted(set(errors))[:10])
    print("BENCH " + json.dumps(bench))


if __name__ == "__main__":
    main()

"""Benchmark: the 265 generated forms of the catalogue, step by step.

For each published scheme and each step of its form: build the form class (first call, the
per-version cache emptied before each scheme), then instantiate and render it; then validate a
full valid submission (every step, cross-field rules included) with the answers of
``dispositifs/engine/exemples.py``.

    MDNA_ENV=test .venv/bin/python bench/forms.py

Without ``DATABASE_URL`` it works on a throwaway SQLite database in a temporary directory; with
it, it migrates that database and loads the catalogue there (idempotent). Ends with one line
``BENCH {json}``. Goal: p95 under 20 ms per step (build + render).
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mdna.settings")
os.environ.setdefault("MDNA_ENV", "test")
_tmp = None
if not os.environ.get("DATABASE_URL"):
    _tmp = tempfile.TemporaryDirectory(prefix="mdna-bench-forms-")
    os.environ["SQLITE_PATH"] = str(Path(_tmp.name) / "bench.sqlite3")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from dispositifs.engine.exemples import valid_answers  # noqa: E402
from dispositifs.engine.forms import _form_class, form_class, step_keys, validate_answers  # noqa: E402
from dispositifs.models import Dispositif  # noqa: E402

GOAL_STEP_P95_MS = 20.0


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * p // 100))  # ceil
    return ordered[int(rank) - 1]


class Clock:
    """Wall-clock and CPU time of one block, in milliseconds (CPU time tells how much of the
    wall time was ours when the machine is shared)."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall_ms = (time.perf_counter() - self.wall) * 1000
        self.cpu_ms = (time.process_time() - self.cpu) * 1000


def measure() -> tuple[dict[str, list[float]], dict[str, list[float]], dict[str, list[float]]]:
    """(wall ms per phase, CPU ms per phase, wall ms per step key)."""
    phases: dict[str, list[float]] = {"build": [], "render": [], "step": [], "validate": []}
    cpu: dict[str, list[float]] = {key: [] for key in phases}
    by_step: dict[str, list[float]] = {}
    dispositifs = Dispositif.objects.publies().select_related("version_courante").order_by("slug")
    for dispositif in dispositifs:
        schema = dispositif.version_courante.schema
        _form_class.cache_clear()
        for key in step_keys(schema):
            with Clock() as build:
                cls = form_class(schema, key)
            with Clock() as render:
                html = cls(answers={}).render()
            assert html, (dispositif.slug, key)
            for phase, wall, used in (
                ("build", build.wall_ms, build.cpu_ms),
                ("render", render.wall_ms, render.cpu_ms),
                ("step", build.wall_ms + render.wall_ms, build.cpu_ms + render.cpu_ms),
            ):
                phases[phase].append(wall)
                cpu[phase].append(used)
            by_step.setdefault(key, []).append(build.wall_ms + render.wall_ms)
        answers = valid_answers(schema)
        with Clock() as validate:
            problems = validate_answers(schema, answers)
        phases["validate"].append(validate.wall_ms)
        cpu["validate"].append(validate.cpu_ms)
        if problems:
            raise SystemExit(f"{dispositif.slug} : réponses valides refusées {problems}")
    return phases, cpu, by_step


def main() -> int:
    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - start
    start = time.perf_counter()
    call_command("load_catalogue", stdout=io.StringIO())
    load_s = time.perf_counter() - start
    forms = Dispositif.objects.publies().count()

    phases, cpu, by_step = measure()

    labels = {
        "build": "construction de la classe (1er appel)",
        "render": "instanciation + rendu",
        "step": "étape (construction + rendu)",
        "validate": "validation d'un dépôt complet",
    }
    print(f"base : {connection.vendor} ; migrate {migrate_s:.1f} s ; catalogue {load_s:.1f} s")
    print(f"{forms} formulaires, {len(phases['step'])} étapes")
    print(f"charge de la machine (1, 5, 15 min) : {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    header = f"{'phase (ms)':<40} {'nombre':>7} {'p50':>7} {'p95':>7} {'max':>7} {'CPU p95':>8}"
    print(header)
    for key, label in labels.items():
        values = phases[key]
        print(
            f"{label:<40} {len(values):>7} {percentile(values, 50):>7.2f} "
            f"{percentile(values, 95):>7.2f} {max(values):>7.2f} {percentile(cpu[key], 95):>8.2f}"
        )
    print(f"{'étape du formulaire (ms)':<40} {'nombre':>7} {'p50':>7} {'p95':>7} {'max':>7}")
    for key, values in by_step.items():
        print(
            f"{key:<40} {len(values):>7} {percentile(values, 50):>7.2f} "
            f"{percentile(values, 95):>7.2f} {max(values):>7.2f}"
        )
    step_p95 = percentile(phases["step"], 95)
    verdict = "atteint" if step_p95 < GOAL_STEP_P95_MS else "MANQUÉ"
    print(f"objectif p95 par étape < {GOAL_STEP_P95_MS:.0f} ms : {verdict}")
    bench = {
        "forms": forms,
        "steps": len(phases["step"]),
        "step_p50_ms": round(percentile(phases["step"], 50), 2),
        "step_p95_ms": round(step_p95, 2),
        "validate_p95_ms": round(percentile(phases["validate"], 95), 2),
        "database": connection.vendor,
    }
    print("BENCH " + json.dumps(bench))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        connection.close()
        if _tmp is not None:
            _tmp.cleanup()

"""Suggested relapses: how well the criteria find the demo cohort's relapses, and how fast
`suggest --all` runs on 50 ten-year cases. Prints `name value unit` lines.

suggest_recall: true relapses with a suggested relapse whose onset is within 14 days,
over the demo cohort built with SEEDS seeds (the generator knows each relapse's day:
data.demo.DemoPatient.relapse_day, never written to the database).
suggest_extra_per_case: suggested relapses matching no true relapse, per case (and the
most in one case); suggested flares (one attack resolved by the next visit) are counted
apart, per case, as suggest_flares_per_case.
suggest_onset_error_days: mean and largest |suggested − true onset| of the matches.
suggest_all_ms: `main.py suggest --all --json` in a fresh process (interpreter start and
imports included) on 50 cases of 10 years of daily diary, weekly cytokines and markers and
monthly physician globals; median of 5 runs, with its CPU time (the process's user and
system time: neighbours on a shared machine inflate it far less than the wall time) and
the run conditions: the 1-minute load average before the first run and after the last,
and the machine's cores.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.large_case import WORK  # noqa: E402

SEEDS = 10
MATCH_DAYS = 14
CASES = 50
YEARS = 10
VERSION = 2  # bump when the cohort's shape or storage changes (2: diary packed)


def demo_scores() -> None:
    from data.alignment import DAY
    from data.demo import COHORT, DEFAULT_SEED, generate
    from data.relapse_criteria import RELAPSE, suggest
    from data.suggest_agreement import match
    from data.suggest_cases import load_case
    from db.engine import open_database

    truths = matched = cases = 0
    extras: list[int] = []
    flares: list[int] = []
    errors: list[int] = []
    folder = Path(tempfile.mkdtemp(prefix="bench-suggest-"))
    try:
        for k in range(SEEDS):
            engine = open_database(str(folder / f"demo{k}.db"))
            ids = generate(engine, seed=DEFAULT_SEED + k)
            for pid, p in zip(ids, COHORT, strict=True):
                case = load_case(engine, pid)
                found = suggest(case).suggestions
                relapses = [s for s in found if s.kind == RELAPSE]
                truth = ([] if p.relapse_day is None else
                         [{"onset": case.day0 + p.relapse_day * DAY, "kind": RELAPSE}])
                pairs, _, extra = match(relapses, truth, within_days=MATCH_DAYS)
                cases += 1
                truths += len(truth)
                matched += len(pairs)
                extras.append(len(extra))
                flares.append(len(found) - len(relapses))
                errors += [abs(x.onset_days) for x in pairs]
            engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"suggest_cases {cases} n")
    print(f"suggest_true_relapses {truths} n")
    print(f"suggest_recall {matched / truths:.3f} fraction")
    print(f"suggest_extra_per_case {sum(extras) / cases:.2f} n")
    print(f"suggest_extra_max_case {max(extras)} n")
    print(f"suggest_flares_per_case {sum(flares) / cases:.2f} n")
    print(f"suggest_onset_error_days {statistics.mean(errors):.1f} days")
    print(f"suggest_onset_error_max_days {max(errors)} days")


def _rows(pid: int, start: int, rng: np.random.Generator):
    from data.alignment import DAY
    from data.codes import AIDAI_CODES, PBMC_SPONTANEOUS, PGA, SERUM

    days = start + np.arange(YEARS * 365) * DAY + 20 * 3600
    attack = rng.random(days.size) < 0.05
    for code in AIDAI_CODES:
        ticks = (attack & (rng.random(days.size) < 0.6)).astype(float)
        yield from ((pid, int(t), code, float(v), None, "1", "diary", "bench")
                    for t, v in zip(days, ticks, strict=True))
    weeks = start + np.arange(YEARS * 52) * 7 * DAY + 9 * 3600
    for code, scale, spec, unit in (("IL1B", 12, PBMC_SPONTANEOUS, "pg/mL"),
                                    ("IL1RA", 900, PBMC_SPONTANEOUS, "pg/mL"),
                                    ("IL6", 120, PBMC_SPONTANEOUS, "pg/mL"),
                                    ("TNFA", 25, PBMC_SPONTANEOUS, "pg/mL"),
                                    ("CRP", 3, SERUM, "mg/L"), ("SAA", 5, SERUM, "mg/L")):
        values = scale * rng.lognormal(0, 1, weeks.size)
        yield from ((pid, int(t), code, round(float(v), 2), None, unit, spec, "bench")
                    for t, v in zip(weeks, values, strict=True))
    months = weeks[::4]
    yield from ((pid, int(t), PGA, float(g), None, "{score}", "", "bench")
                for t, g in zip(months, rng.integers(0, 4, months.size), strict=True))


def build_cohort() -> Path:
    path = WORK / f"suggest50_v{VERSION}.db"
    if path.exists():
        return path
    from data.controls import write_references
    from data.demo import demo_references
    from db.engine import open_database
    from db.writes import insert_medications, insert_observations, insert_patient

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    engine = open_database(str(tmp))
    rng = np.random.default_rng(15)
    start = int(dt.datetime(2014, 1, 1, tzinfo=dt.UTC).timestamp())
    with engine.begin() as conn:
        write_references(conn, demo_references(), actor="bench", action="demo", lab="demo")
    for n in range(CASES):
        with engine.begin() as conn:
            pid = insert_patient(conn, pseudonym=f"TEN-{n:02d}")
            insert_medications(conn, [dict(
                patient_id=pid, drug="anakinra", atc="L04AC03", dose=100.0, unit="mg",
                route="subcutaneous", start=dt.date(2016, 1, 1), end=dt.date(2019, 3, 1))])
            insert_observations(conn, _rows(pid, start, rng))
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    shutil.move(tmp, path)
    return path


def suggest_all_speed() -> None:
    path = build_cohort()
    walls, cpus = [], []
    env = {**os.environ, "FLARESCOPE_LOG": os.devnull}
    load_before = os.getloadavg()[0]
    for _ in range(5):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(path),
                               "suggest", "--all", "--json"], capture_output=True, env=env,
                              cwd=ROOT)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if done.returncode:
            raise SystemExit(done.stderr.decode())
    print(f"suggest_all_ms {statistics.median(walls) * 1000:.0f} ms")
    print(f"suggest_all_cpu_ms {statistics.median(cpus) * 1000:.0f} ms")
    print(f"suggest_all_cases {CASES} n")
    print(f"suggest_all_load_before {load_before:.1f} load")
    print(f"suggest_all_load_after {os.getloadavg()[0]:.1f} load")
    print(f"suggest_all_cores {os.cpu_count()} n")


if __name__ == "__main__":
    if "--speed" not in sys.argv[1:]:  # --speed: suggest_all_ms alone
        demo_scores()
    suggest_all_speed()

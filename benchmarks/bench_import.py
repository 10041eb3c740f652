"""Import speed and memory.

- ``import_rows_per_s``: a generated 200,000-row long CSV parsed, validated and inserted
  into a fresh SQLite database, as ``flarescope import`` does it (median of 5 runs;
  floor 200,000 rows/s).
- ``import_4m_peak_mb``: the peak resident memory of a separate process importing a
  4,000,000-row long CSV the same way (ceiling 500 MB).

Run: .venv/bin/python benchmarks/bench_import.py [--rows N] [--runs K] [--big-rows N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from data.importing.commit import commit_plans  # noqa: E402
from data.importing.plan import iter_plans  # noqa: E402
from db.engine import open_database  # noqa: E402

ROWS_PER_S_FLOOR = 200_000
PEAK_MB_CEILING = 500

CODES = [("IL1B", "pg/mL", "PBMC spontaneous"), ("IL1B", "ng/mL", "LPS"),
         ("IL1RA", "pg/mL", "pbmc-spont"), ("IL6", "pg/mL", "pbmc-spont"),
         ("TNFA", "pg/mL", "pbmc-spont"), ("CRP", "mg/dL", "serum"), ("SAA", "mg/L", "serum"),
         ("TEMP", "Cel", "diary")]


def write_long_csv(path: Path, rows: int, seed: int = 1) -> None:
    """A realistic long file: 25 patients, 8 series each, one value per series and time.
    Written a patient at a time, so that making a 4-million-row file needs little memory."""
    rng = np.random.default_rng(seed)
    patients = 25
    per_series = -(-rows // (patients * len(CODES)))
    t0 = pd.Timestamp("2015-01-01T08:00:00")
    times = (t0 + pd.to_timedelta(np.arange(per_series) * 6, unit="h")).strftime(
        "%Y-%m-%dT%H:%M:%S").to_numpy()
    n = len(CODES) * per_series  # rows of one patient
    c = np.repeat(np.arange(len(CODES)), per_series)
    k = np.tile(np.arange(per_series), len(CODES))
    left = rows
    for patient in range(patients):
        value = np.round(rng.lognormal(2.5, 1.0, n), 2).astype(str).astype(object)
        value[rng.random(n) < 0.03] = "<5"  # below the limit of detection
        temp = c == len(CODES) - 1
        value[temp] = np.round(rng.normal(37.2, 0.6, temp.sum()), 1).astype(str)
        frame = pd.DataFrame({
            "patient": f"BENCH-{patient:02d}",
            "date": times[k],
            "code": np.array([x[0] for x in CODES])[c],
            "value": value,
            "unit": np.array([x[1] for x in CODES])[c],
            "specimen": np.array([x[2] for x in CODES])[c],
        }).iloc[:left]
        frame.to_csv(path, index=False, header=patient == 0, mode="w" if patient == 0 else "a")
        left -= len(frame)
        if not left:
            break


def one_run(csv: Path, workdir: Path, run: int) -> tuple[float, int]:
    engine = open_database(str(workdir / f"bench-{run}.db"))  # schema built before timing
    try:
        start = time.perf_counter()
        result = commit_plans(engine, iter_plans(csv), actor="bench")
        elapsed = time.perf_counter() - start
    finally:
        engine.dispose()
    return elapsed, result.observations_added


def peak_mb(csv: Path, workdir: Path) -> tuple[float, int]:
    """Import ``csv`` in a child process; its peak resident memory (MB) and rows added.

    VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and
    exec, so the child would report the parent's peak."""
    code = ("import sys; sys.path.insert(0, sys.argv[3]);"
            "from data.importing.commit import commit_plans;"
            "from data.importing.plan import iter_plans;"
            "from db.engine import open_database;"
            "e = open_database(sys.argv[2]);"
            "r = commit_plans(e, iter_plans(sys.argv[1]), actor='bench');"
            "print(r.observations_added, [l.split()[1] for l in open('/proc/self/status')"
            " if l.startswith('VmHWM')][0])")
    out = subprocess.run([sys.executable, "-c", code, str(csv), str(workdir / "big.db"),
                          str(Path(__file__).resolve().parent.parent)],
                         check=True, capture_output=True, text=True).stdout.split()
    return int(out[1]) / 1024, int(out[0])  # VmHWM is in kB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--big-rows", type=int, default=4_000_000,
                        help="rows of the file whose peak memory is measured (0: skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        csv = workdir / "long.csv"
        write_long_csv(csv, args.rows)
        rates = []
        for run in range(args.runs):
            elapsed, added = one_run(csv, workdir, run)
            if added != args.rows:
                print(f"bench_import: expected {args.rows} rows, {added} were added",
                      file=sys.stderr)
                return 1
            rates.append(added / elapsed)
        rate = statistics.median(rates)
        print(f"import_rows_per_s {rate:.0f} rows/s (floor {ROWS_PER_S_FLOOR:,})")
        failed = rate < ROWS_PER_S_FLOOR
        if args.big_rows:
            big = workdir / "big.csv"
            write_long_csv(big, args.big_rows)
            peak, added = peak_mb(big, workdir)
            if added != args.big_rows:
                print(f"bench_import: expected {args.big_rows} rows, {added} were added",
                      file=sys.stderr)
                return 1
            print(f"import_4m_peak_mb {peak:.0f} MB (ceiling {PEAK_MB_CEILING})")
            failed |= peak > PEAK_MB_CEILING
    return int(failed)


if __name__ == "__main__":
    sys.exit(main())

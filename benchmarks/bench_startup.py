"""Start-up as a clinician sees it: a fresh process on the demo database until the window
has painted the case list, and until the case asked for on the command line is painted.

Prints medians of RUNS runs; the floor is measured in the same run, interleaved with ours:
start_to_case_list_ms  process start → the case list painted with its rows
floor_case_list_ms     the same for a bare PySide6 window with a QTableView of the rows
start_to_case_ms       process start → the case painted on the timeline
…_cpu_ms               the CPU time the process had used by then (all its threads): on a
                       shared machine wall time swings with the neighbours, this much less
The processes write these moments to $FLARESCOPE_BENCH_READY (gui/first_paint.py).
Python may cache compiled modules, as an installed program does (PYTHONDONTWRITEBYTECODE
is removed for the children; the first, unmeasured start compiles them).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RUNS = 7
CASE = "NLRP12-02"
TIMEOUT_S = 120


def environment(folder: Path) -> dict[str, str]:
    """Settings, log and data in folder: a benchmark never touches the user's files."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for var in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        (folder / var).mkdir()
        env[var] = str(folder / var)
    screen = folder / "screen.json"  # a desktop-sized offscreen screen, as the tests use
    screen.write_text(json.dumps({"screens": [{
        "name": "bench", "x": 0, "y": 0, "width": 1920, "height": 1200, "logicalDpi": 96,
        "logicalWidth": 508, "logicalHeight": 317}]}))
    if env.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
        env["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen}"
    env["FLARESCOPE_DB"] = str(folder / "demo.db")
    env["FLARESCOPE_LOG"] = str(folder / "flarescope.log")
    return env


def build_demo(path: str) -> None:
    from data.demo import generate
    from db.engine import open_database

    engine = open_database(path)
    generate(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


def timed_start(command: list[str], env: dict[str, str], ready: Path,
                until: str) -> dict[str, tuple[float, float]]:
    """Start command and wait for its line `until`: {name: (wall ms, cpu ms)} per line."""
    ready.unlink(missing_ok=True)
    env = env | {"FLARESCOPE_BENCH_READY": str(ready)}
    t0 = time.time()
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    seen: dict[str, tuple[float, float]] = {}
    try:
        while until not in seen:
            if time.time() - t0 > TIMEOUT_S or proc.poll() is not None:
                raise RuntimeError(f"{Path(command[1]).name} did not report {until!r}")
            time.sleep(0.005)
            if ready.exists():
                for line in ready.read_text().splitlines():
                    name, wall, cpu = line.split()[:3]
                    seen.setdefault(name, ((float(wall) - t0) * 1000, float(cpu) * 1000))
    finally:
        proc.terminate()
        proc.wait()
    return seen


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = environment(folder)
        build_demo(env["FLARESCOPE_DB"])
        ready = folder / "ready"
        app = [sys.executable, str(ROOT / "main.py"), "--case", CASE]
        floor = [sys.executable, str(ROOT / "benchmarks" / "floor_window.py")]
        timed_start(app, env, ready, "case")  # unmeasured: file cache, compiled modules
        timed_start(floor, env, ready, "case_list")
        runs: dict[str, list[tuple[float, float]]] = {"list": [], "case": [], "floor": []}
        for _ in range(RUNS):
            seen = timed_start(app, env, ready, "case")
            runs["list"].append(seen["case_list"])
            runs["case"].append(seen["case"])
            runs["floor"].append(timed_start(floor, env, ready, "case_list")["case_list"])
    for name, key in (("start_to_case_list", "list"), ("floor_case_list", "floor"),
                      ("start_to_case", "case")):
        wall = statistics.median(w for w, _ in runs[key])
        cpu = statistics.median(c for _, c in runs[key])
        print(f"{name}_ms {wall:.0f} ms")
        print(f"{name}_cpu_ms {cpu:.0f} ms")


if __name__ == "__main__":
    main()

"""How soon another reviewer's save shows in an open window, on both back-ends, and what
watching costs while nothing happens (gui.live_refresh, db.changes).

A second engine (another Flarescope's connections) changes the note of the open case's
episode at a random moment; the time from its commit to the window's case holding the new
note is measured (median and p90 of RUNS). SQLite asks PRAGMA data_version every POLL_MS,
so its delay is about half the interval plus the re-read; PostgreSQL is woken by NOTIFY.

others_change_shown_ms[_pg], others_change_shown_p90_ms[_pg]: commit → on screen.
watch_tick_us[_pg]: one look at the watch when nothing changed (the cost per timer tick on
SQLite; per socket wake-up on PostgreSQL, which never ticks when idle).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RUNS = 12


def _delays(app, engine, folder: Path) -> list[float]:
    from benchmarks.window import close_window, window_on_case
    from db.engine import open_database
    from db.episodes import update_episode

    window = window_on_case(app, engine, folder, "NLRP12-02")
    eid = int(window.case.episodes.iloc[0]["id"])
    other = open_database(str(engine.url.database) if engine.dialect.name == "sqlite"
                          else engine.url.render_as_string(hide_password=False))
    delays = []
    try:
        for i in range(RUNS):
            pause = time.perf_counter() + random.uniform(0.2, 1.2)  # any phase of a poll
            while time.perf_counter() < pause:
                app.processEvents()
            version = int(window.case.episodes.iloc[0]["version"])
            note = f"run {i}"
            update_episode(other, eid, version, actor="Dr Colleague", note=note)
            t0 = time.perf_counter()
            while window.case.episodes.iloc[0]["note"] != note:
                app.processEvents()
                if time.perf_counter() - t0 > 30:
                    raise RuntimeError("the change never showed")
            delays.append(time.perf_counter() - t0)
    finally:
        other.dispose()
        close_window(app, window)
    return delays


def _tick_us(engine) -> float:
    from db.changes import Watch

    watch = Watch(engine)
    try:
        n = 2000
        t0 = time.perf_counter()
        for _ in range(n):
            watch.changed()
        return (time.perf_counter() - t0) / n * 1e6
    finally:
        watch.close()


def _report(suffix: str, delays: list[float], tick: float) -> None:
    ms = sorted(d * 1000 for d in delays)
    print(f"others_change_shown_ms{suffix} {statistics.median(ms):.0f} ms")
    print(f"others_change_shown_p90_ms{suffix} {ms[int(0.9 * (len(ms) - 1))]:.0f} ms")
    print(f"watch_tick_us{suffix} {tick:.1f} us")


def main() -> int:
    from benchmarks.window import application

    app = application()
    from data.demo import generate
    from db.engine import open_database
    from tests.pg_cluster import Cluster, available

    random.seed(16)
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_database(str(Path(tmp) / "bench.db"))
        generate(engine)
        _report("", _delays(app, engine, Path(tmp)), _tick_us(engine))
        engine.dispose()
        if not available():
            print("# PostgreSQL not installed: skipped the _pg figures", flush=True)
            return 0
        cluster = Cluster().start()
        try:
            pg = cluster.new_database("bench")
            generate(pg)
            _report("_pg", _delays(app, pg, Path(tmp)), _tick_us(pg))
            pg.dispose()
        finally:
            cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The timeline's case read on both back-ends, in the same run: the large synthetic case
in a SQLite file and on a throwaway PostgreSQL server (tests/pg_cluster.py: a Unix
socket, no TCP). Prints `name value unit` lines (medians of RUNS).

open_case_ms / open_case_ms_pg: request to first painted frame, case without the
minute-by-minute temperature (as bench_timeline's open_case_ms).
open_case_temp_ms / open_case_temp_ms_pg: the same with ~1 M temperature rows.
…_cpu_ms…: the CPU time it took, this process's and (PostgreSQL) the server processes'
together: on a shared machine wall time swings with the neighbours, CPU time much less.
open_case_ms_pg_vs_sqlite: the ratio of the two (issue 16 asks ≤ 1.5); likewise for the
temperature case and for CPU time. The back-ends take turns, run by run.
import_rows_per_s_pg: writing the large case's observations on the server.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_timeline import RUNS, median_ms, open_case  # noqa: E402
from benchmarks.large_case import build_large_case, fill_large_case  # noqa: E402
from benchmarks.server_cpu import ServerCPU  # noqa: E402
from tests.pg_cluster import Cluster, available  # noqa: E402


def _server_copy(cluster: Cluster):
    engine = cluster.new_database("bench")
    t0 = time.perf_counter()
    ids = fill_large_case(engine)
    seconds = time.perf_counter() - t0
    # A server's tables in their steady state: vacuumed and analysed (autovacuum would, a
    # minute later, in the middle of the measurement: its CPU counts as the server's).
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        rows = conn.exec_driver_sql("SELECT count(*) FROM observation").scalar()
        conn.exec_driver_sql("VACUUM (ANALYZE)")
    return engine, ids[0], ids[1], rows / seconds


def main() -> int:
    if not available():
        print("# PostgreSQL not installed: skipped", flush=True)
        return 0
    from benchmarks.window import application

    app = application()
    from gui.timeline.widget import TimelineWidget

    cluster = Cluster().start()
    try:
        lite, lite_temp, lite_plain = build_large_case()
        pg, pg_temp, pg_plain, import_rate = _server_copy(cluster)
        widget = TimelineWidget()
        widget.resize(1400, 900)
        widget.show()
        app.processEvents()
        server = ServerCPU(cluster, "bench")
        cases = {"": (lite, lite_plain, lite_temp, lambda: 0.0),
                 "_pg": (pg, pg_plain, pg_temp, server)}
        samples: dict[str, list[float]] = {}
        for engine, plain, temp, _ in cases.values():
            for pid in (plain, temp):  # warm-up: imports, caches, the server's pages
                open_case(widget, engine, pid)
        # Turn about, SQLite then the server: the neighbours' load falls on both alike.
        for _ in range(RUNS):
            for suffix, (engine, plain, temp, server_cpu) in cases.items():
                for case, pid in (("open_case", plain), ("open_case_temp", temp)):
                    before = server_cpu()
                    wall, cpu = open_case(widget, engine, pid)
                    samples.setdefault(f"{case}_ms{suffix}", []).append(wall)
                    samples.setdefault(f"{case}_cpu_ms{suffix}", []).append(
                        cpu + server_cpu() - before)
        server.close()
        figures = {name: median_ms(values) for name, values in samples.items()}
        for name, value in figures.items():
            print(f"{name} {value:.0f} ms")
        for case in ("open_case", "open_case_temp"):
            for kind in ("ms", "cpu_ms"):
                print(f"{case}_{kind}_pg_vs_sqlite "
                      f"{figures[f'{case}_{kind}_pg'] / figures[f'{case}_{kind}']:.2f} ratio")
        print(f"import_rows_per_s_pg {import_rate:.0f} rows/s")
        widget.close()
        widget.deleteLater()
        app.processEvents()
        lite.dispose()
        pg.dispose()
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The timeline's case read on both back-ends, in the same run: the large synthetic case
in a SQLite file and on a throwaway PostgreSQL server (tests/pg_cluster.py: a Unix
socket, no TCP). Prints `name value unit` lines (medians of RUNS).

open_case_ms / open_case_ms_pg: request to first painted frame, case without the
minute-by-minute temperature (as bench_timeline's open_case_ms).
open_case_temp_ms / open_case_temp_ms_pg: the same with ~1 M temperature rows.
open_case_pg_vs_sqlite: the ratio of the two (issue 16 asks ≤ 1.5).
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
from tests.pg_cluster import Cluster, available  # noqa: E402


def _server_copy(cluster: Cluster):
    import psycopg

    from db.engine import open_database, upgrade_schema
    from tests.pg_cluster import PORT, SUPERUSER

    with psycopg.connect(host=str(cluster.folder), port=PORT, user=SUPERUSER,
                         dbname="postgres", autocommit=True) as admin:
        admin.execute("CREATE DATABASE bench")
    engine = open_database(cluster.url("bench"), migrate=False)
    upgrade_schema(engine)
    t0 = time.perf_counter()
    ids = fill_large_case(engine)
    seconds = time.perf_counter() - t0
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT count(*) FROM observation").scalar()
        conn.exec_driver_sql("ANALYZE")
    return engine, ids[0], ids[1], rows / seconds


def main() -> int:
    if not available():
        print("# PostgreSQL not installed: skipped", flush=True)
        return 0
    from PySide6 import QtWidgets

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    from gui.timeline.widget import TimelineWidget

    cluster = Cluster().start()
    try:
        lite, lite_temp, lite_plain = build_large_case()
        pg, pg_temp, pg_plain, import_rate = _server_copy(cluster)
        widget = TimelineWidget()
        widget.resize(1400, 900)
        widget.show()
        app.processEvents()
        figures = {}
        for suffix, engine, temp, plain in (("", lite, lite_temp, lite_plain),
                                            ("_pg", pg, pg_temp, pg_plain)):
            open_case(widget, engine, plain)  # warm-up: imports, caches, the server's pages
            # Wall time: the server's work is in its own processes, not in this one's CPU.
            figures[f"open_case_ms{suffix}"] = median_ms(
                [open_case(widget, engine, plain)[0] for _ in range(RUNS)])
            figures[f"open_case_temp_ms{suffix}"] = median_ms(
                [open_case(widget, engine, temp)[0] for _ in range(RUNS)])
        for name, value in figures.items():
            print(f"{name} {value:.0f} ms")
        print(f"open_case_pg_vs_sqlite "
              f"{figures['open_case_ms_pg'] / figures['open_case_ms']:.2f} ratio")
        print(f"open_case_temp_pg_vs_sqlite "
              f"{figures['open_case_temp_ms_pg'] / figures['open_case_temp_ms']:.2f} ratio")
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

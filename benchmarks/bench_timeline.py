"""Timeline speed on the large synthetic case; prints `name value unit` lines (medians).

open_case_ms: from the request to the first painted frame (load, derive, draw, paint).
frame_ms: one repaint while panning and zooming programmatically over the whole range.
load_vs_raw_sqlite: our load of the observations into a DataFrame ÷ a plain sqlite3
fetchall of the same rows.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.large_case import build_large_case  # noqa: E402

RUNS = 5


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def open_case(widget, engine, pid) -> float:
    from data.case import Case
    from db.queries import load_case

    t0 = time.perf_counter()
    case = Case.from_frames(load_case(engine, pid))
    _ = case.activity_score
    widget.set_case(case)
    widget.view.viewport().repaint()
    return time.perf_counter() - t0


def frames(widget, app) -> list[float]:
    from gui.timeline import navigation

    lo, hi = widget.case.time_range
    out = []
    spans = [hi - lo, (hi - lo) / 4, 90 * navigation.DAY, 14 * navigation.DAY]
    for span in spans:
        for start in list(range(0, 20)):
            a = lo + (hi - lo - span) * start / 19
            t0 = time.perf_counter()
            widget.set_x_range(a, a + span)
            widget.view.viewport().repaint()
            out.append(time.perf_counter() - t0)
    return out


def load_ratio(engine, pid) -> tuple[float, float]:
    from db.queries import load_observations

    path = engine.url.database
    ours, raw = [], []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        df = load_observations(engine, pid)
        ours.append(time.perf_counter() - t0)
        con = sqlite3.connect(path)
        t0 = time.perf_counter()
        rows = con.execute(
            "SELECT o.series_id, o.t, o.value, o.censor, o.source_id FROM observation o "
            "JOIN series s ON s.id = o.series_id WHERE s.patient_id = ? ORDER BY o.series_id, o.t",
            (pid,)).fetchall()
        raw.append(time.perf_counter() - t0)
        con.close()
        assert len(rows) == len(df)
    return statistics.median(ours), statistics.median(raw)


def main() -> None:
    from PySide6 import QtWidgets

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    from gui.timeline.widget import TimelineWidget

    engine, pid_temp, pid_plain = build_large_case()
    widget = TimelineWidget()
    widget.resize(1400, 900)
    widget.show()
    app.processEvents()
    open_case(widget, engine, pid_plain)  # warm-up: imports, caches
    plain = [open_case(widget, engine, pid_plain) for _ in range(RUNS)]
    with_temp = [open_case(widget, engine, pid_temp) for _ in range(RUNS)]
    frame = frames(widget, app)
    ours, raw = load_ratio(engine, pid_temp)
    print(f"open_case_ms {median_ms(plain):.0f} ms")
    print(f"open_case_temp_ms {median_ms(with_temp):.0f} ms")
    print(f"frame_ms {median_ms(frame):.1f} ms")
    print(f"frame_p90_ms {statistics.quantiles(frame, n=10)[-1] * 1000:.1f} ms")
    print(f"load_ms {ours * 1000:.0f} ms")
    print(f"raw_sqlite_ms {raw * 1000:.0f} ms")
    print(f"load_vs_raw_sqlite {ours / raw:.2f} ratio")
    widget.close()
    widget.deleteLater()
    app.processEvents()
    engine.dispose()


if __name__ == "__main__":
    main()

"""Timeline speed on the large synthetic case; prints `name value unit` lines (medians).

open_case_ms: from the request to the first painted frame (load, derive, draw, paint);
…_cpu_ms: the CPU time it took (this process, all threads): on a shared machine wall time
swings with the neighbours, this much less.
frame_ms: one repaint while panning and zooming programmatically over the whole range.
frame_floor_p90_ms: the same frames for bare pyqtgraph plots of the same arrays (one line
per series, peak downsampling, clip to view), x-linked as the timeline's tracks are.
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


def open_case(widget, engine, pid) -> tuple[float, float]:
    from data.case import Case
    from db.queries import load_case

    t0, c0 = time.perf_counter(), time.process_time()
    case = Case.from_frames(load_case(engine, pid))
    _ = case.activity_score
    widget.set_case(case)
    widget.view.viewport().repaint()
    return time.perf_counter() - t0, time.process_time() - c0


def frames(widget, time_range) -> list[float]:
    from gui.timeline import navigation

    lo, hi = time_range
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


class FloorPlots:
    """The floor for a frame: pyqtgraph alone, the case's arrays as plain lines."""

    def __init__(self, case) -> None:
        import pyqtgraph as pg

        from data.codes import AIDAI_CODES

        self.view = pg.GraphicsLayoutWidget()
        self.view.resize(1400, 900)
        groups = [list(AIDAI_CODES), ["IL1B", "IL1RA", "IL6", "TNFA"], ["CRP", "SAA"], ["TEMP"]]
        self.plots = []
        for row, codes in enumerate(groups):
            plot = self.view.addPlot(row=row, col=0)
            for code in codes:
                s = case.series(code)
                item = pg.PlotDataItem(s["t"].to_numpy(dtype=float), s["value"].to_numpy(),
                                       skipFiniteCheck=True)
                plot.addItem(item)
                item.setDownsampling(auto=True, method="peak")
                item.setClipToView(True)
            if self.plots:
                plot.setXLink(self.plots[0])
            self.plots.append(plot)
        self.view.show()

    def set_x_range(self, lo: float, hi: float) -> None:
        self.plots[0].vb.setXRange(lo, hi, padding=0)


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
    from benchmarks.window import application

    app = application()  # as the program paints (the frames' CPU time is the same either way)
    from gui.timeline.widget import TimelineWidget

    engine, pid_temp, pid_plain = build_large_case()
    widget = TimelineWidget()
    widget.resize(1400, 900)
    widget.show()
    app.processEvents()
    open_case(widget, engine, pid_plain)  # warm-up: imports, caches
    plain = [open_case(widget, engine, pid_plain) for _ in range(RUNS)]
    with_temp = [open_case(widget, engine, pid_temp) for _ in range(RUNS)]
    frame = frames(widget, widget.case.time_range)
    floor = FloorPlots(widget.case)
    app.processEvents()
    floor_frame = frames(floor, widget.case.time_range)
    floor.view.close()
    ours, raw = load_ratio(engine, pid_temp)
    for name, runs in (("open_case", plain), ("open_case_temp", with_temp)):
        print(f"{name}_ms {median_ms([w for w, _ in runs]):.0f} ms")
        print(f"{name}_cpu_ms {median_ms([c for _, c in runs]):.0f} ms")
    print(f"frame_ms {median_ms(frame):.1f} ms")
    print(f"frame_p90_ms {statistics.quantiles(frame, n=10)[-1] * 1000:.1f} ms")
    print(f"frame_floor_p90_ms {statistics.quantiles(floor_frame, n=10)[-1] * 1000:.1f} ms")
    print(f"load_ms {ours * 1000:.0f} ms")
    print(f"raw_sqlite_ms {raw * 1000:.0f} ms")
    print(f"load_vs_raw_sqlite {ours / raw:.2f} ratio")
    widget.close()
    widget.deleteLater()
    app.processEvents()
    engine.dispose()


if __name__ == "__main__":
    main()

"""The episode overlay and the cohort view (issue 14, items 5 and 6): prints `name value unit`.

overlay_open_ms: the large case (10 years, weekly cytokines and markers, daily diary; no
temperature) with 10 relapses: the overlay computed and drawn to its first frame.
cohort_open_ms: 50 cases of that shape (their anakinra starts spread over two years, one
relapse each): read, aligned and drawn to the first frame (IL-1β fold, TNF-α fold, CRP;
the AIDAI panel says it is summing the diaries). cohort_diary_ms: then the diaries summed
by the database and the AIDAI panel drawn (the view answers the mouse meanwhile only
after it). *_cpu_ms: the same in this process's CPU time; *_runq_ms: the time its threads
were ready to run but waited for a CPU another process held; *_blocked_ms: the rest of
the wall time (disk, locks, sleep). On a shared machine wall ≈ CPU + run-queue wait.
cohort_loop_frame_ms: the same frames as the window gets them, the range set and the event
loop left to do the rest (the repaint, the time axis, the readout; the whole-span frames
change nothing, so nothing is painted). cohort_hover_ms: one mouse move over the whole span (the line under it named and drawn
over the others, the crosshair moved). cohort_frame_ms: one repaint of the cohort view
while panning and zooming over it
(median; p90 beside it; *_cpu_*: the same frames in this process's CPU time, Qt's
painting threads included). Medians of 5 runs: for the openings, and for the frames the
median of each run's median and p90 (a run: 20 repaints at the whole span, 20 panning a
quarter of it, 20 panning three months).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.large_case import START, WORK, _rows, build_large_case  # noqa: E402
from benchmarks.window import close_window  # noqa: E402

RUNS = 5
COHORT = 50
COHORT_VERSION = 1


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _waited_s() -> float:
    """Seconds this process's threads have been runnable but not running (waiting for a
    CPU another process had): /proc/<pid>/task/*/schedstat's second field. Wall time
    minus CPU time minus this is what was spent blocked (disk, locks, sleeping)."""
    total = 0
    for f in Path("/proc/self/task").glob("*/schedstat"):
        try:
            total += int(f.read_text().split()[1])
        except (OSError, IndexError, ValueError):  # a thread gone meanwhile
            continue
    return total / 1e9


class _Clock:
    """Wall, CPU and run-queue wait of a stretch of code, one run after another."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.waited: list[float] = []

    def start(self) -> None:
        self._t, self._c, self._w = time.perf_counter(), time.process_time(), _waited_s()

    def stop(self) -> None:
        self.wall.append(time.perf_counter() - self._t)
        self.cpu.append(time.process_time() - self._c)
        self.waited.append(_waited_s() - self._w)

    def print(self, name: str) -> None:
        print(f"{name}_ms {_median_ms(self.wall):.1f} ms")
        # CPU: this process's own seconds; on a shared machine wall time is mostly waiting.
        print(f"{name}_cpu_ms {_median_ms(self.cpu):.1f} ms")
        print(f"{name}_runq_ms {_median_ms(self.waited):.1f} ms")
        blocked = [w - c - q for w, c, q in zip(self.wall, self.cpu, self.waited, strict=True)]
        print(f"{name}_blocked_ms {_median_ms(blocked):.1f} ms")


def build_cohort_db() -> tuple[object, list[int]]:
    """50 large cases without temperature, built once into benchmarks/_work/."""
    import numpy as np

    from data.alignment import DAY
    from db.engine import open_database

    path = WORK / f"cohort_v{COHORT_VERSION}.db"
    if not path.exists():
        from data.controls import write_references
        from data.demo import demo_references
        from db.episodes import create_episode
        from db.writes import insert_medications, insert_observations, insert_patient

        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)
        engine = open_database(str(tmp))
        rng = np.random.default_rng(7)
        with engine.begin() as conn:
            write_references(conn, demo_references(), actor="bench", action="demo", lab="demo")
        ids = []
        for i in range(COHORT):
            start = dt.date(2015, 1, 1) + dt.timedelta(days=int(i * 730 / COHORT))
            with engine.begin() as conn:
                pid = insert_patient(conn, pseudonym=f"COHORT-{i + 1:02d}",
                                     diagnosis="NLRP12-associated autoinflammatory disorder")
                insert_medications(conn, [dict(patient_id=pid, drug="anakinra", atc="L04AC03",
                                               dose=100.0, unit="mg", route="subcutaneous",
                                               start=start, end=dt.date(2019, 3, 1))])
                insert_observations(conn, _rows(pid, rng, False))
            onset = START + (800 + i * 20) * DAY
            create_episode(engine, pid, actor="bench", kind="relapse", onset=onset)
            ids.append(pid)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        shutil.move(tmp, path)
    engine = open_database(str(path))
    with engine.connect() as conn:
        ids = [int(r[0]) for r in conn.exec_driver_sql("SELECT id FROM patient ORDER BY id")]
    return engine, ids


def overlay_open(app) -> _Clock:
    import pandas as pd

    from data.alignment import DAY, RELAPSE_ONSET
    from data.case import Case
    from data.episode_overlay import anchor_counts, episode_overlay
    from db.queries import load_case
    from gui.overlay.panel import OverlayPanel

    engine, _with_temp, pid = build_large_case()
    case = Case.from_frames(load_case(engine, pid))
    engine.dispose()
    onsets = [START + (200 + 340 * k) * DAY for k in range(10)]
    case.episodes = pd.DataFrame({"id": range(1, 11), "kind": "relapse", "onset": onsets,
                                  "end": [t + 14 * DAY for t in onsets], "status": "accepted"})
    panel = OverlayPanel()
    panel.resize(1150, 760)
    panel.show()
    app.processEvents()
    clock = _Clock()
    for _ in range(RUNS):
        clock.start()
        panel.set_counts(anchor_counts(case))  # as OverlayFeature.fill: the anchor choices
        overlay = episode_overlay(case, RELAPSE_ONSET)
        panel.show_overlay(overlay)
        panel.stack.view.viewport().repaint()
        clock.stop()
    assert len(overlay.episodes) == 10
    close_window(app, panel)  # closed and deleted now: left pending, exit segfaulted
    return clock


def cohort(app) -> tuple[_Clock, _Clock, dict, tuple[list[float], list[float]]]:
    """As gui/cohort/install.py opens it: the measured series to the first frame, then
    the diaries' AIDAI panel."""
    from data.cohort import build_cohort, read_cases, read_diary_blocks, with_diary
    from gui.cohort.window import CohortWindow
    from gui.timeline import navigation

    engine, ids = build_cohort_db()
    view = CohortWindow()
    view.resize(1400, 900)
    view.show()
    app.processEvents()
    opening, diary = _Clock(), _Clock()
    for _ in range(RUNS):
        opening.start()
        cases = read_cases(engine, ids)
        first = build_cohort(cases, diary_pending=True)
        view.show_cohort(first, f"{len(ids)} cases")
        view.stack.view.viewport().repaint()
        opening.stop()
        diary.start()
        view.update_panels(with_diary(first, cases, read_diary_blocks(engine, cases)))
        view.stack.view.viewport().repaint()
        diary.stop()
    assert len(view.cohort.members) == COHORT
    assert all(len(p.lines) == COHORT for p in view.cohort.panels)
    lo, hi = view.stack.x_range()
    runs = {"cohort_frame": [], "cohort_loop_frame": []}
    for name, draw in (("cohort_frame", view.stack.view.viewport().repaint),
                       ("cohort_loop_frame", app.processEvents)):
        for _ in range(RUNS):
            wall, cpu = [], []
            for span in (hi - lo, (hi - lo) / 4, 90 * navigation.DAY):
                for k in range(20):
                    a = lo + (hi - lo - span) * k / 19
                    t0, c0 = time.perf_counter(), time.process_time()
                    view.stack.set_x_range(a, a + span)
                    draw()
                    wall.append(time.perf_counter() - t0)
                    cpu.append(time.process_time() - c0)
            runs[name].append((wall, cpu))
    hover = _hover(app, view, lo, hi)
    engine.dispose()
    close_window(app, view)
    return opening, diary, runs, hover


def _hover(app, view, lo: float, hi: float) -> tuple[list[float], list[float]]:
    """The mouse moved over the whole span, as a reader hovers: each move names the line
    under it, draws it over the others and moves the crosshair (wall and CPU per move,
    the wait for the 60-per-second rate limit left out)."""
    from PySide6 import QtCore, QtGui, QtWidgets

    view.stack.set_x_range(lo, hi)
    viewport = view.stack.view.viewport()
    wall, cpu = [], []
    wait = 1 / 60 + 0.001
    for k in range(40):
        pos = QtCore.QPointF(150 + k * 24, 60 + (k * 37) % 500)
        event = QtGui.QMouseEvent(QtCore.QEvent.Type.MouseMove, pos, viewport.mapToGlobal(pos),
                                  QtCore.Qt.MouseButton.NoButton,
                                  QtCore.Qt.MouseButton.NoButton,
                                  QtCore.Qt.KeyboardModifier.NoModifier)
        t0, c0 = time.perf_counter(), time.process_time()
        QtWidgets.QApplication.sendEvent(viewport, event)
        time.sleep(wait)
        app.processEvents()
        wall.append(time.perf_counter() - t0 - wait)
        cpu.append(time.process_time() - c0)
    return wall, cpu


def main() -> None:
    from benchmarks.window import application

    app = application()  # as the program paints
    print(f"load_average_1min {os.getloadavg()[0]:.1f} load")
    overlay_open(app).print("overlay_open")
    opening, diary, runs, hover = cohort(app)
    opening.print("cohort_open")
    diary.print("cohort_diary")
    for name, which in (("cohort_frame", 0), ("cohort_frame_cpu", 1),
                        ("cohort_loop_frame", 0), ("cohort_loop_frame_cpu", 1)):
        frames = [sorted(run[which]) for run in runs[name.removesuffix("_cpu")]]
        print(f"{name}_ms {_median_ms([statistics.median(f) for f in frames]):.1f} ms")
        print(f"{name}_p90_ms {_median_ms([f[int(len(f) * 0.9)] for f in frames]):.1f} ms")
    for name, samples in (("cohort_hover", hover[0]), ("cohort_hover_cpu", hover[1])):
        print(f"{name}_ms {_median_ms(samples):.1f} ms")
        print(f"{name}_p90_ms {sorted(samples)[int(len(samples) * 0.9)] * 1000:.1f} ms")
    print(f"load_average_1min {os.getloadavg()[0]:.1f} load")


if __name__ == "__main__":
    main()

"""The episode overlay and the cohort view (issue 14, items 5 and 6): prints `name value unit`.

overlay_open_ms: the large case (10 years, weekly cytokines and markers, daily diary; no
temperature) with 10 relapses: the overlay computed and drawn to its first frame.
cohort_open_ms: 50 cases of that shape (their anakinra starts spread over two years, one
relapse each): read, aligned and drawn to the first frame (IL-1β fold, TNF-α fold, CRP;
the AIDAI panel says it is summing the diaries). cohort_diary_ms: then the diaries summed
by the database and the AIDAI panel drawn (the view answers the mouse meanwhile only
after it). *_cpu_ms: the same in this process's CPU time (a shared machine's wall time is
mostly waiting).
cohort_frame_ms: one repaint of the cohort view while panning and zooming over it
(median; p90 beside it). Medians of 5 runs for the openings.
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

RUNS = 5
COHORT = 50
COHORT_VERSION = 1


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


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


def overlay_open(app) -> tuple[list[float], list[float]]:
    import pandas as pd

    from data.alignment import DAY, RELAPSE_ONSET
    from data.case import Case
    from data.episode_overlay import episode_overlay
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
    out, cpu = [], []
    for _ in range(RUNS):
        t0, c0 = time.perf_counter(), time.process_time()
        overlay = episode_overlay(case, RELAPSE_ONSET)
        panel.show_overlay(overlay)
        panel.stack.view.viewport().repaint()
        out.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    assert len(overlay.episodes) == 10
    panel.close()
    panel.deleteLater()
    return out, cpu


def cohort(app) -> tuple[dict[str, list[float]], list[float]]:
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
    times: dict[str, list[float]] = {"open": [], "open_cpu": [], "diary": [], "diary_cpu": []}
    for _ in range(RUNS):
        t0, c0 = time.perf_counter(), time.process_time()
        cases = read_cases(engine, ids)
        first = build_cohort(cases, diary_pending=True)
        view.show_cohort(first, f"{len(ids)} cases")
        view.stack.view.viewport().repaint()
        t1, c1 = time.perf_counter(), time.process_time()
        view.update_panels(with_diary(first, cases, read_diary_blocks(engine, cases)))
        view.stack.view.viewport().repaint()
        t2, c2 = time.perf_counter(), time.process_time()
        times["open"].append(t1 - t0)
        times["open_cpu"].append(c1 - c0)
        times["diary"].append(t2 - t1)
        times["diary_cpu"].append(c2 - c1)
    assert len(view.cohort.members) == COHORT
    assert all(len(p.lines) == COHORT for p in view.cohort.panels)
    lo, hi = view.stack.x_range()
    frames = []
    for span in (hi - lo, (hi - lo) / 4, 90 * navigation.DAY):
        for k in range(20):
            a = lo + (hi - lo - span) * k / 19
            t0 = time.perf_counter()
            view.stack.set_x_range(a, a + span)
            view.stack.view.viewport().repaint()
            frames.append(time.perf_counter() - t0)
    engine.dispose()
    view.close()
    view.deleteLater()
    return times, frames


def main() -> None:
    from PySide6 import QtCore, QtWidgets

    app = QtWidgets.QApplication([])
    overlay, overlay_cpu = overlay_open(app)
    print(f"overlay_open_ms {_median_ms(overlay):.1f} ms")
    print(f"overlay_open_cpu_ms {_median_ms(overlay_cpu):.1f} ms")
    opens, frames = cohort(app)
    # CPU: this process's own seconds; on a shared machine wall time is mostly waiting.
    print(f"cohort_open_ms {_median_ms(opens['open']):.1f} ms")
    print(f"cohort_open_cpu_ms {_median_ms(opens['open_cpu']):.1f} ms")
    print(f"cohort_diary_ms {_median_ms(opens['diary']):.1f} ms")
    print(f"cohort_diary_cpu_ms {_median_ms(opens['diary_cpu']):.1f} ms")
    frames.sort()
    print(f"cohort_frame_ms {_median_ms(frames):.1f} ms")
    print(f"cohort_frame_p90_ms {frames[int(len(frames) * 0.9)] * 1000:.1f} ms")
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete.value)


if __name__ == "__main__":
    main()

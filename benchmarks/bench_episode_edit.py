"""One episode edit through the controller: write + audit row, re-read, redraw.

Prints `episode_edit_ms` (median of 15 edits on the demo case NLRP12-02).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data.alignment import DAY


def main() -> None:
    from benchmarks.window import application, close_window, window_on_case

    app = application()
    from data.demo import generate
    from db.engine import open_database

    with tempfile.TemporaryDirectory() as tmp:
        engine = open_database(str(Path(tmp) / "bench.db"))
        generate(engine)
        window = window_on_case(app, engine, Path(tmp), "NLRP12-02")
        row = window.case.episodes.iloc[0]
        onset, end, eid = float(row["onset"]), float(row["end"]), int(row["id"])
        controller = window.episode_feature.controller
        times = []
        for i in range(15):
            t0 = time.perf_counter()
            controller.change_times(eid, onset + (i % 5 + 1) * DAY, end)
            app.processEvents()
            times.append(time.perf_counter() - t0)
        print(f"episode_edit_ms {statistics.median(times) * 1000:.0f} ms")
        close_window(app, window)
        engine.dispose()


if __name__ == "__main__":
    main()

"""Peak memory with the large case open, beside its floor, each in a fresh process.

peak_rss_mb   the window (MainWindow) opens the 1.1 M-value case (benchmarks/large_case.py)
              through its loader, paints it and pans across it
floor_rss_mb  Python with PySide6 (a QApplication) and pyqtgraph imported, nothing loaded
Medians of RUNS runs of each, interleaved; RSS peaks as the kernel counts them for the
measured process alone (VmHWM).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RUNS = 3


def peak_mb() -> float:
    """This process's peak RSS. Not ru_maxrss: Linux carries it over fork and exec, so a
    child read its parent's peak (this script's after building the large case: 505 MB
    printed for the window and for the floor alike). VmHWM belongs to the process's own
    memory map, new at exec."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def floor() -> float:
    from benchmarks.window import application

    app = application()
    import pyqtgraph  # noqa: F401

    del app
    return peak_mb()


def large_case_open() -> float:
    from benchmarks.large_case import build_large_case
    from benchmarks.window import application, close_window, window_on_case

    app = application()

    engine, _, _ = build_large_case()
    with tempfile.TemporaryDirectory() as tmp:
        window = window_on_case(app, engine, Path(tmp), "LARGE-TEMP")
        timeline = window.timeline
        lo, hi = window.case.time_range
        for k in range(20):  # pan across the whole case at a quarter of its span
            a = lo + (hi - lo) * 0.75 * k / 19
            timeline.set_x_range(a, a + (hi - lo) / 4)
            timeline.view.viewport().repaint()
        peak = peak_mb()
        close_window(app, window)
        engine.dispose()
    return peak


def child(mode: str) -> float:
    out = subprocess.run([sys.executable, __file__, mode], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return float(out.split()[-1])


def main() -> None:
    from benchmarks.large_case import build_large_case

    build_large_case()[0].dispose()  # built once, outside the measured processes
    peaks, floors = [], []
    for _ in range(RUNS):
        peaks.append(child("case"))
        floors.append(child("floor"))
    print(f"peak_rss_mb {statistics.median(peaks):.0f} MB")
    print(f"floor_rss_mb {statistics.median(floors):.0f} MB")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(f"{(large_case_open if sys.argv[1] == 'case' else floor)():.1f}")
    else:
        main()

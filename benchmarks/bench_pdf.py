"""PDF case summary speed and size; prints `name value unit` lines (medians).

export_pdf_ms: one demo case (NLRP12-01), from the engine to the closed file.
export_pdf_large_ms / export_pdf_large_kb: the 10-year synthetic case with its ~1 M
body-temperature points (benchmarks/large_case.py). Targets: 1 s; 3 s and 1 MB.
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

RUNS = 5
LARGE_RUNS = 3


def timed_exports(engine, pid: int, folder: Path, runs: int) -> tuple[list[float], int]:
    from gui.pdf import export_case_pdf

    out = folder / f"case{pid}.pdf"
    export_case_pdf(engine, out, patient_id=pid)  # warm-up: imports, font caches
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        export_case_pdf(engine, out, patient_id=pid)
        samples.append(time.perf_counter() - t0)
    return samples, out.stat().st_size


def demo_engine(folder: Path):
    from data.demo import generate
    from db.engine import open_database
    from db.queries import list_cases

    engine = open_database(str(folder / "demo.db"))
    generate(engine)
    cases = list_cases(engine)
    return engine, int(cases.loc[cases["pseudonym"] == "NLRP12-01", "id"].iloc[0])


def large_engine():
    from benchmarks.large_case import build_large_case

    built = build_large_case()
    return built[0], built[1]  # the case with the minute-by-minute temperature


def main() -> None:
    from benchmarks.window import application

    app = application()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine, pid = demo_engine(folder)
        demo, _ = timed_exports(engine, pid, folder, RUNS)
        engine.dispose()
        print(f"export_pdf_ms {statistics.median(demo) * 1000:.0f} ms")
        engine, pid = large_engine()
        large, size = timed_exports(engine, pid, folder, LARGE_RUNS)
        engine.dispose()
        print(f"export_pdf_large_ms {statistics.median(large) * 1000:.0f} ms")
        print(f"export_pdf_large_kb {size / 1024:.0f} kB")
    for w in app.topLevelWidgets():  # a live pyqtgraph widget at exit segfaults
        w.deleteLater()
    app.processEvents()


if __name__ == "__main__":
    main()

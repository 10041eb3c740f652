"""Clinical-insight computations on the large case (10 years, weekly cytokines and markers,
daily diary; temperature excluded): prints `name value unit` lines (medians of 5).

dose_context_ms: time since the last anakinra dose for every one of its 3,120 cytokine
and marker samples, plus 1,000,000 synthetic sample times (the vectorised path).
key_figures_ms: the six key figures with their samples (panel, PDF, `summary --json`).
results_grid_ms: the date × analyte grid of every cytokine and marker value.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.large_case import build_large_case  # noqa: E402

RUNS = 5


def _median_ms(fn) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    import numpy as np

    from data.case import Case
    from data.codes import CYTOKINES, MARKERS
    from data.dose_context import dose_context
    from data.key_figure_samples import case_figures
    from data.results_grid import results_grid
    from db.queries import load_case

    engine, _with_temp, pid = build_large_case()
    case = Case.from_frames(load_case(engine, pid))
    engine.dispose()
    codes = [a.code for a in (*CYTOKINES, *MARKERS)]
    samples = case.observations[case.observations["code"].isin(codes)]["t"].to_numpy()
    lo, hi = case.time_range
    many = np.linspace(lo, hi, 1_000_000)
    print(f"dose_context_samples {len(samples)} n")
    print(f"dose_context_ms {_median_ms(lambda: dose_context(case, samples)):.1f} ms")
    print(f"dose_context_1m_ms {_median_ms(lambda: dose_context(case, many)):.1f} ms")
    print(f"key_figures_ms {_median_ms(lambda: case_figures(case)):.1f} ms")
    print(f"results_grid_ms {_median_ms(lambda: results_grid(case)):.1f} ms")


if __name__ == "__main__":
    main()

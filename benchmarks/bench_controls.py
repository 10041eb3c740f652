"""What control references add to opening a case: reading the set in force, and matching.

Prints `controls_load_ms` (read the references in force and their set, median of 20,
after a history of 200 reference sets of 5 rows each, 995 of them retired) and
`fold_match_us` (one reference lookup by code, specimen and unit, median of 2,000) and
`case_control_us` (the same through a loaded Case, which keeps each lookup).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SETS = 200


def main() -> None:
    import pandas as pd

    from data.case import Case
    from data.controls import Reference, match, store_references
    from db.controls import load_references
    from db.engine import open_database

    with tempfile.TemporaryDirectory() as tmp:
        engine = open_database(str(Path(tmp) / "bench.db"))
        for i in range(SETS):
            refs = [Reference(code, "pbmc-spont", "pg/mL", n=20, mean=10.0 + i, sd=2.0,
                              lab=f"lab {i}") for code in ("IL1B", "IL1RA", "IL6", "TNFA")]
            refs.append(Reference("IL1B", "pbmc-lps", "ng/mL", n=20, mean=1.0 + i, lab="x"))
            store_references(engine, refs, actor="bench", action="import", supersede=True)
        runs = []
        for _ in range(20):
            t0 = time.perf_counter()
            controls, _ = load_references(engine)
            runs.append((time.perf_counter() - t0) * 1000)
        assert len(controls) == 5
        print(f"controls_load_ms {statistics.median(runs):.2f} ms")
        calls = []
        for _ in range(2000):
            t0 = time.perf_counter()
            match(controls, "IL1B", "pbmc-lps", "pg/mL")
            calls.append((time.perf_counter() - t0) * 1e6)
        print(f"fold_match_us {statistics.median(calls):.0f} us")
        case = Case(dict(id=1, pseudonym="B"), pd.DataFrame(
            dict(t=[0.0], code=["IL1B"], value=[1.0], censor=[0], unit=["pg/mL"],
                 specimen=["pbmc-lps"], source=[""])), pd.DataFrame(), pd.DataFrame(),
            controls)
        calls = []
        for _ in range(2000):
            t0 = time.perf_counter()
            case.control_mean("IL1B", "pbmc-lps")
            calls.append((time.perf_counter() - t0) * 1e6)
        print(f"case_control_us {statistics.median(calls):.1f} us")
        engine.dispose()


if __name__ == "__main__":
    main()

"""What refusing writes to a damaged file costs: the PRAGMA quick_check db.engine runs
before the first commit of a session, on the large case (1.1 M values)."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.large_case import build_large_case  # noqa: E402


def main() -> None:
    engine, _, _ = build_large_case()
    path = Path(engine.url.database)
    times = []
    for _ in range(5):
        with engine.connect() as conn:
            start = time.perf_counter()
            assert conn.exec_driver_sql("PRAGMA quick_check(3)").scalar() == "ok"
            times.append((time.perf_counter() - start) * 1000)
    engine.dispose()
    print(f"first_write_check_ms {statistics.median(times):.0f} ms")
    print(f"first_write_check_db_mb {path.stat().st_size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()

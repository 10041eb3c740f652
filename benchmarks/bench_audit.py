"""`audit verify` over a long trail: reading and re-hashing every audit row.

Prints `audit_verify_ms` (median of 5 runs over 200,000 chained audit rows about 20,000
episodes, which verify also compares with the episode table), and the
CPU time of the same runs: on a shared machine the wall time grows with the load.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROWS = 200_000


def _fill(engine, n: int) -> None:
    """n rows chained as db.audit.record chains them, written in bulk (record() appends
    one row per transaction: minutes for 200,000)."""
    from db.audit import GENESIS, HASHED, row_hash

    prev, rows = GENESIS, []
    for i in range(n):
        change = {"version": i % 7 + 1, "severity": "moderate", "note": f"fevers, day {i}"}
        values = dict(at=1_700_000_000 + i, actor="dr. bench", entity="episode",
                      entity_id=i // 10 + 1, patient_id=i // 1000 + 1, action="update",
                      before=json.dumps(change, sort_keys=True),
                      after=json.dumps(change | {"version": i % 7 + 2}, sort_keys=True))
        prev = row_hash(prev, values)
        rows.append((*(values[k] for k in HASHED), rows[-1][-1] if rows else GENESIS, prev))
    cols = ", ".join(f'"{c}"' for c in (*HASHED, "prev_hash", "hash"))
    # The cases and episodes as the trail's last changes left them, so that verify also
    # compares 20,000 episodes with their folded trail (db.audit_state) and finds them same.
    last = {r[3]: r for r in rows}  # entity_id -> its newest row
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        raw.executemany(f"INSERT INTO audit_event ({cols}) VALUES ({', '.join('?' * 10)})", rows)
        raw.executemany("INSERT INTO patient (id, pseudonym) VALUES (?, ?)",
                        [(p, f"B-{p}") for p in sorted({r[4] for r in rows})])
        raw.executemany(
            "INSERT INTO episode (id, patient_id, kind, onset, severity, note, author, created,"
            " updated, version, status, origin) VALUES (?, ?, 'flare', 0, ?, ?, 'dr. bench', 0,"
            " 0, ?, 'accepted', 'reviewer')",
            [(eid, r[4], *(json.loads(r[7])[k] for k in ("severity", "note", "version")))
             for eid, r in last.items()])


def main() -> None:
    from db.audit import verify
    from db.engine import open_database

    with tempfile.TemporaryDirectory() as tmp:
        engine = open_database(str(Path(tmp) / "bench.db"))
        _fill(engine, ROWS)
        times, cpu = [], []
        for _ in range(5):
            t0, c0 = time.perf_counter(), time.process_time()
            n, problems = verify(engine)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            assert n == ROWS and not problems, problems[:3]
        engine.dispose()
    print(f"audit_verify_ms {statistics.median(times) * 1000:.0f} ms")
    print(f"audit_verify_cpu_ms {statistics.median(cpu) * 1000:.0f} ms")


if __name__ == "__main__":
    main()

"""Writing an administration file's doses (data/importing/administrations.py).

A dose already stored for the same patient, drug and time with the same dose and unit is
skipped (the file imported again); a different one there is a correction of the record,
and an error, as for a measured value: never skipped silently nor written over.
"""

from __future__ import annotations

from sqlalchemy import Connection

from data.importing.errors import Problems
from data.numbers import fmt_number, utc_date
from db.writes import insert_administrations, stored_administrations


def write_administrations(conn: Connection, plan, pids: dict[str, int]) -> tuple[int, int]:
    """(added, skipped); raises ImportFailed naming each row that clashes."""
    given = plan.administrations
    if given.empty:
        return 0, 0
    stored = stored_administrations(conn, pids.values())
    problems = Problems(plan.file)
    new, skipped = [], 0
    for m in given.to_dict("records"):
        row = dict(patient_id=pids[m["patient"]], drug=m["drug"], t=int(m["t"]),
                   dose=float(m["dose"]), unit=m["unit"],
                   route=m["route"] if isinstance(m["route"], str) else None,
                   source=plan.file)
        before = stored.get((row["patient_id"], row["drug"], row["t"]))
        if before is None:
            new.append(row)
        elif before == (row["dose"], row["unit"]):
            skipped += 1
        else:
            when = utc_date(row["t"], with_time=True)
            problems.add(int(m["row"]), None, None,
                         f"a {row['drug']} dose of {fmt_number(before[0])} {before[1]} is "
                         f"stored at {when} UTC; this file gives "
                         f"{fmt_number(row['dose'])} {row['unit']}")
    problems.raise_if_any()
    return insert_administrations(conn, new), skipped

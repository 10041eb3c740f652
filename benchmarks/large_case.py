"""A large synthetic case for benchmarks: 10 years of daily diary for 12 symptoms, weekly
cytokines and markers, and (optionally) 2 years of body temperature every minute (~1 M rows).

Built once into benchmarks/_work/ and reused; delete that folder to rebuild.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from db.engine import open_database  # noqa: E402

WORK = Path(__file__).with_name("_work")

START = int(dt.datetime(2014, 1, 1, tzinfo=dt.UTC).timestamp())
YEARS = 10
VERSION = 4  # bump when the shape changes (4: diary series packed, db/dense.py)


def _rows(pid: int, rng: np.random.Generator, with_temperature: bool):
    from data.alignment import DAY
    from data.codes import AIDAI_CODES, PBMC_SPONTANEOUS, SERUM

    days = START + np.arange(YEARS * 365) * DAY + 20 * 3600
    attack = rng.random(days.size) < 0.05
    for code in AIDAI_CODES:
        present = (attack & (rng.random(days.size) < 0.6)).astype(float)
        yield from ((pid, int(t), code, v, None, "1", "diary", "bench") for t, v in zip(days, present, strict=True))
    weeks = START + np.arange(YEARS * 52) * 7 * DAY + 9 * 3600
    for code, scale, spec, unit in (("IL1B", 12, PBMC_SPONTANEOUS, "pg/mL"), ("IL1RA", 900, PBMC_SPONTANEOUS, "pg/mL"),
                                    ("IL6", 120, PBMC_SPONTANEOUS, "pg/mL"), ("TNFA", 25, PBMC_SPONTANEOUS, "pg/mL"),
                                    ("CRP", 3, SERUM, "mg/L"), ("SAA", 5, SERUM, "mg/L")):
        vals = scale * rng.lognormal(0, 1, weeks.size)
        yield from ((pid, int(t), code, round(float(v), 2), None, unit, spec, "bench") for t, v in zip(weeks, vals, strict=True))
    if with_temperature:
        t0 = START + (YEARS - 2) * 365 * DAY
        minutes = t0 + np.arange(2 * 365 * 24 * 60) * 60
        temp = 36.8 + 0.3 * np.sin(np.arange(minutes.size) / 720) + rng.normal(0, 0.05, minutes.size)
        yield from ((pid, int(t), "TEMP", round(float(v), 2), None, "Cel", "device", "bench")
                    for t, v in zip(minutes, temp, strict=True))


def fill_large_case(engine) -> list[int]:
    """Write the two large cases into an empty database (a file or a server's)."""
    # Imported only to build: the measured processes hold what the app holds.
    from data.controls import write_references
    from data.demo import demo_references
    from db.writes import insert_medications, insert_observations, insert_patient

    with engine.begin() as conn:
        write_references(conn, demo_references(), actor="bench", action="demo", lab="demo")
        ids = [insert_patient(conn, pseudonym=name, diagnosis="NLRP12-associated autoinflammatory disorder")
               for name in ("LARGE-TEMP", "LARGE")]
        for pid in ids:
            insert_medications(conn, [dict(patient_id=pid, drug="anakinra", atc="L04AC03", dose=100.0, unit="mg",
                                           route="subcutaneous", start=dt.date(2016, 1, 1), end=dt.date(2017, 3, 1))])
    rng = np.random.default_rng(1)
    with engine.begin() as conn:
        for pid, with_temp in ((ids[0], True), (ids[1], False)):
            insert_observations(conn, _rows(pid, rng, with_temp))
    return ids


def build_large_case(path: Path | None = None):
    """Return (engine, id of the case with temperature, id of the case without)."""
    path = path or WORK / f"large_v{VERSION}.db"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)
        engine = open_database(str(tmp))
        fill_large_case(engine)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        shutil.move(tmp, path)
    engine = open_database(str(path))
    with engine.connect() as conn:
        ids = dict(conn.exec_driver_sql("SELECT pseudonym, id FROM patient").all())
    return engine, ids["LARGE-TEMP"], ids["LARGE"]


if __name__ == "__main__":
    e, a, b = build_large_case()
    with e.connect() as c:
        print(c.exec_driver_sql("SELECT s.patient_id, COUNT(*) FROM observation o JOIN series s ON s.id = o.series_id GROUP BY 1").all())

"""A home thermometer's minutes (a dense series) open with exactly the stored values,
whatever wrote the rows since: on SQLite they are read from packed chunks (db/dense.py),
which a write to any of the series' rows takes away until they are packed again."""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import text

from db.dense import DENSE_ROWS
from db.queries import load_case
from db.writes import patient_id_by_pseudonym
from main import main
from tests.backend import target

START = dt.datetime(2025, 1, 6, tzinfo=dt.UTC)
MINUTES = DENSE_ROWS + 5_000


def thermometer_file(path, first_minute: int, minutes: int):
    """The device's export: one reading a minute, two decimals, as a long CSV."""
    lines = ["patient,date,code,value,unit,specimen"]
    for k in range(first_minute, first_minute + minutes):
        when = START + dt.timedelta(minutes=k)
        lines.append(f"HOME-01,{when:%Y-%m-%dT%H:%M:00Z},TEMP,{reading(k):.2f},Cel,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def reading(k: int) -> float:
    return round(36.4 + (k % 97) / 100, 2)


def temperatures(engine) -> tuple[np.ndarray, np.ndarray]:
    with engine.connect() as conn:
        pid = patient_id_by_pseudonym(conn, "HOME-01")
    obs = load_case(engine, pid).observations
    temp = obs[obs["code"] == "TEMP"]
    return temp["t"].to_numpy(), temp["value"].to_numpy()


def expected(minutes: range) -> tuple[np.ndarray, np.ndarray]:
    t0 = int(START.timestamp())
    return (np.array([t0 + 60 * k for k in minutes]),
            np.array([reading(k) for k in minutes]))


def chunks(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM series_chunk")).scalar_one()


def test_a_thermometer_opens_with_its_values_after_import_correction_and_more_days(
        engine, tmp_path):
    sqlite = engine.dialect.name == "sqlite"
    first = thermometer_file(tmp_path / "thermometer.csv", 0, MINUTES)
    assert main(["--db", target(engine), "import", str(first)]) == 0
    t, v = temperatures(engine)
    want_t, want_v = expected(range(MINUTES))
    assert np.array_equal(t, want_t) and np.array_equal(v, want_v)
    if sqlite:
        assert chunks(engine) == -(-MINUTES // 65_536)  # read from its chunks

    # Another program corrects one reading in the database itself.
    moment = int(START.timestamp()) + 60 * 1234
    with engine.begin() as conn:
        conn.execute(text("UPDATE observation SET value = :v WHERE t = :t AND series_id = "
                          "(SELECT id FROM series WHERE code = 'TEMP')"), {"v": 39.1, "t": moment})
    assert chunks(engine) == 0
    t, v = temperatures(engine)
    want_v[1234] = 39.1
    assert np.array_equal(t, want_t) and np.array_equal(v, want_v)

    # The next day's file: the series is packed again, with the day added.
    more = thermometer_file(tmp_path / "next_day.csv", MINUTES, 1440)
    assert main(["--db", target(engine), "import", str(more)]) == 0
    t, v = temperatures(engine)
    all_t, all_v = expected(range(MINUTES + 1440))
    all_v[1234] = 39.1
    assert np.array_equal(t, all_t) and np.array_equal(v, all_v)
    if sqlite:
        assert chunks(engine) > 0


def test_a_deleted_reading_is_gone_from_the_opened_case(engine, tmp_path):
    path = thermometer_file(tmp_path / "thermometer.csv", 0, MINUTES)
    assert main(["--db", target(engine), "import", str(path)]) == 0
    moment = int(START.timestamp()) + 60 * 99
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM observation WHERE t = :t AND series_id = "
                          "(SELECT id FROM series WHERE code = 'TEMP')"), {"t": moment})
    t, _ = temperatures(engine)
    assert len(t) == MINUTES - 1 and moment not in t

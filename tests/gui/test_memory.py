"""Memory: opening one case after another in the same window frees the previous one."""

import gc

import numpy as np
import psutil
import pytest

from tests.gui.conftest import open_case

CASES = 20
READINGS = 40_000  # a home thermometer every 5 minutes for four and a half months


@pytest.fixture
def twenty_cases(engine):
    from db.writes import insert_observations, insert_patient

    start = 1_640_995_200  # 2022-01-01
    minutes = np.arange(READINGS) * 300
    with engine.begin() as conn:
        for k in range(CASES):
            pid = insert_patient(conn, pseudonym=f"MEM-{k:02d}", diagnosis="TRAPS")
            temp = 36.6 + 0.4 * np.sin(minutes / 43_200 + k)
            insert_observations(conn, [
                *((pid, int(start + m), "TEMP", round(float(v), 2), None, "Cel", "device",
                   "home thermometer") for m, v in zip(minutes, temp, strict=True)),
                (pid, start + 86_400, "CRP", 48.0, None, "mg/L", "serum", "lab"),
                (pid, start + 30 * 86_400, "CRP", 5.0, "<", "mg/L", "serum", "lab"),
                (pid, start + 86_400, "IL1B", 152.0, None, "pg/mL", "pbmc-spont", "lab"),
            ])
    return engine


def _rss_mb() -> float:
    gc.collect()
    return psutil.Process().memory_info().rss / 2**20


def test_twenty_cases_opened_in_turn_hold_the_memory_of_about_one(qtbot, make_window,
                                                                  twenty_cases):
    before = _rss_mb()
    w = make_window(twenty_cases)
    w.resize(1400, 900)
    after = []
    for k in range(CASES):
        case = open_case(qtbot, w, f"MEM-{k:02d}")
        assert len(case.observations) == READINGS + 3
        w.timeline.view.viewport().repaint()
        qtbot.wait(10)
        after.append(_rss_mb())
    # Measured beyond what the process held before the window (the test session's
    # imports and fixtures): the whole process's RSS would hide a leak of every case
    # (+40 MB over 20 cases here) inside its 20 %.
    held = [m - before for m in after]
    assert held[-1] <= held[0] * 1.2, [round(m) for m in held]

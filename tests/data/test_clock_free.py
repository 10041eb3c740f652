"""A de-identified summary gives no time of day: hours since a dose at a stated usual
dosing time, or a clock time in a note, would give every sample's hour back."""

from __future__ import annotations

import re

from data.summary import build_summary
from tests.data.insight_cases import at, make_case

# IL-1β at 14:00 on day 10 (≈6 h after the assumed 08:00 dose), at 09:00 on day 12 of an
# interruption, and TNF-α on day 20, two days after the last dose.
OBS = [(10, 14, "IL1B", 40.0), (12, 9, "IL1B", 60.0), (20, 11, "TNFA", 30.0),
       (-3, 9, "IL1B", 150.0)]
PERIODS = [(0, 10, 100), (13, 18, 100)]


def _cytokines(summary):
    return next(t for t in summary.tables if t.title == "Cytokine measurements")


def test_identified_table_keeps_hours_since_dose():
    table = _cytokines(build_summary(make_case(OBS, PERIODS)))
    assert "≈6 h after 100 mg" in [r[-1] for r in table.rows]
    assert "08:00 UTC" in table.note


def test_deidentified_table_says_within_24_h_or_possibly_off_drug_without_hours():
    table = _cytokines(build_summary(make_case(OBS, PERIODS), deidentify=True))
    then = [r[-1] for r in table.rows]
    assert then == ["before anakinra", "within 24 h of 100 mg",
                    "anakinra interrupted since day +11: > 24 h after 100 mg: possibly "
                    "off-drug",
                    "anakinra stopped since day +19: > 24 h after 100 mg: possibly off-drug"]
    text = " ".join([*then, table.note])
    # The 24 h threshold is the only span printed.
    assert not re.search(r"\d+ [hd] after|h UTC|\d:\d\d UTC|usual dosing time, \d",
                         text.replace("24 h after", ""))


def test_deidentified_notes_lose_clock_times():
    ep = dict(id=1, kind="relapse", onset=at(30), end=None, severity="moderate",
              certainty="sure", note="Fever at 10:45, again 22h05 and at 8 pm; CRP 10.45 mg/L",
              author="dr", created=at(31),
              updated=at(31), status="accepted")
    case = make_case(OBS, PERIODS, episodes=[ep])
    summary = build_summary(case, deidentify=True, include_notes=True)
    episodes = next(t for t in summary.tables if t.title == "Episodes")
    note = episodes.rows[0][-1]
    assert note == ("Fever at [time removed], again [time removed] and at [time removed]; "
                    "CRP 10.45 mg/L")
    assert "10:45" in build_summary(case, include_notes=True).tables[0].rows[0][-1]

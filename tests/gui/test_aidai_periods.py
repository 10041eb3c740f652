"""The AIDAI diary's periods: a de-identified view sums 30-day blocks from day 0 on the
timeline, in the key figure and in the table alike (calendar month edges would give day
0's date back); a partial diary says which items are missing."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from data.aidai_periods import aidai_periods
from data.alignment import DAY
from data.codes import AIDAI_CODES
from data.summary import build_summary
from gui.timeline.widget import TimelineWidget
from tests.data.insight_cases import DAY0, make_case

# Day 0 is 6 January 2020: calendar months would step at day +26 (1 February) and +55.
DIARY = [(d, 20, code, 1.0 if d % 3 == 0 and code == "SX_FEVER" else 0.0)
         for d in range(45) for code in AIDAI_CODES]
ON_ANAKINRA = [(0, None, 100)]


def _score_edges(case, relative: bool, qtbot) -> np.ndarray:
    w = TimelineWidget(theme="print")
    qtbot.addWidget(w)
    w.set_case(case)
    w.set_axis_mode("relative" if relative else "calendar")
    items = [i for i in w.plot_for("activity").items
             if isinstance(i, pg.PlotCurveItem) and i.name().endswith(" score")]
    assert len(items) == 1
    return (items[0].xData - DAY0) / DAY


def test_deidentified_timeline_key_figure_and_table_use_30_day_blocks(qtbot):
    case = make_case(DIARY, ON_ANAKINRA)
    assert list(_score_edges(case, True, qtbot)) == [0, 30, 60]
    # Identified: calendar months may stay (1 January, 1 February, 1 March).
    assert list(_score_edges(case, False, qtbot)) == [-5, 26, 55]

    summary = build_summary(case, deidentify=True)
    table = next(t for t in summary.tables if t.title == "Monthly AIDAI")
    assert [r[0] for r in table.rows] == ["day 0 to +29", "day +30 to +59"]
    assert table.rows[0][1:] == ("10", "30 of 30", "active")
    assert table.rows[1][3] == "incomplete: 15 days without diary"
    figure = next(f for f in summary.figures if f.name == "Monthly AIDAI")
    assert figure.value == "1 active of 1 classified blocks; 1 of 2 blocks incomplete (see table)"
    assert "30-day blocks from day 0" in figure.definition
    text = " ".join([figure.value, figure.definition, table.note or ""])
    assert "calendar month" not in text.replace("not calendar months", "")


def test_identified_summary_keeps_calendar_months():
    case = make_case(DIARY, ON_ANAKINRA)
    table = next(t for t in build_summary(case).tables if t.title == "Monthly AIDAI")
    assert [r[0] for r in table.rows] == ["2020-01", "2020-02"]


def test_partial_diary_names_the_items_not_recorded():
    # 4 of the 12 items on 3 days, nothing else: the recorded days are not "missing".
    items = AIDAI_CODES[:4]
    case = make_case([(d, 20, code, 0.0) for d in (3, 4, 5) for code in items], ON_ANAKINRA)
    (block,) = aidai_periods(case, relative=True)
    assert block.diary_days == 3
    verdict = block.verdict()
    assert verdict.startswith("incomplete: 27 days without diary; items not recorded: ")
    assert "Headache" in verdict and "Skin rash" in verdict and "Fever" not in verdict
    row = next(t for t in build_summary(case, deidentify=True).tables
               if t.title == "Monthly AIDAI").rows[0]
    assert row[2] == "3 of 30" and row[3] == verdict

    # Headache missing on one of three diary days only: said with its count.
    obs = [(d, 20, code, 0.0) for d in (3, 4, 5) for code in AIDAI_CODES
           if not (d == 4 and code == "SX_HEADACHE")]
    (block,) = aidai_periods(make_case(obs, ON_ANAKINRA), relative=True)
    assert block.verdict() == ("incomplete: 27 days without diary; items not recorded: "
                               "Headache (1 of 3 diary days)")
    # Items missing on as many days are named together, with the count once.
    obs = [o for o in obs if not (o[0] == 4 and o[2] == "SX_RASH")]
    (block,) = aidai_periods(make_case(obs, ON_ANAKINRA), relative=True)
    assert block.verdict().endswith("items not recorded: Headache, Skin rash "
                                    "(1 of 3 diary days)")


def test_a_partial_period_already_at_the_threshold_is_active():
    # Missing items can only add to the sum: 9 recorded points are active disease.
    obs = [(d, 20, "SX_FEVER", 1.0) for d in range(9)]
    (block,) = aidai_periods(make_case(obs, ON_ANAKINRA), relative=True)
    assert block.active and block.classified and not block.complete
    assert block.verdict().startswith("active (incomplete diary): 21 days without diary")

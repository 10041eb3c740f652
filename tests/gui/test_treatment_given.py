"""Doses recorded one by one on the Treatment track: anakinra's as its daily dose, another
drug's as a tick per dose on its lane, named when no period's bar names it."""

from __future__ import annotations

import pyqtgraph as pg

from tests.gui.conftest import open_case
from tests.gui.hand_files import import_texts, utc

LAB = """patient,date,code,value,unit,specimen
PRED-01,2024-04-05T09:00,CRP,40,mg/L,serum
PRED-01,2024-04-20T09:00,CRP,8,mg/L,serum
"""
GIVEN = """patient,date,time,drug,dose,unit,route
PRED-01,2024-04-02,08:00,prednisone,20,mg,PO
PRED-01,2024-04-03,08:00,prednisone,20,mg,PO
PRED-01,2024-04-04,08:30,prednisone,10,mg,PO
"""


def test_a_drug_given_dose_by_dose_has_its_ticks_and_its_name(qtbot, make_window,
                                                                demo_engine, tmp_path):
    import_texts(demo_engine, tmp_path, {"lab.csv": LAB, "given.csv": GIVEN})
    w = make_window()
    case = open_case(qtbot, w, "PRED-01")
    assert "treatment" in w.timeline.tracks  # no period at all: the track is still there
    items = w.timeline.plot_for("treatment").items
    [ticks] = [i for i in items if isinstance(i, pg.ScatterPlotItem)]
    x, _ = ticks.getData()
    assert x.tolist() == [utc("2024-04-02T08:00"), utc("2024-04-03T08:00"),
                          utc("2024-04-04T08:30")]
    labels = [i.toPlainText() for i in items if isinstance(i, pg.TextItem)]
    assert labels == ["prednisone, doses given"]
    # Never on anakinra: day 0 is the first record, the first prednisone dose.
    assert case.anchor.t == utc("2024-04-02")

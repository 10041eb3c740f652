"""Every readout item says which day it was measured on when that is not the cursor's:
the diary's symptoms too (reviewer finding: "symptoms: Fever" had no date)."""

from __future__ import annotations

from PySide6 import QtGui

from data.alignment import DAY
from gui.timeline.readout import ReadoutLine, readout_html
from tests.gui.conftest import open_case


def _plain(html: str) -> str:
    doc = QtGui.QTextDocument()
    doc.setHtml(html)
    return doc.toPlainText().replace("\u00a0", " ").replace("\u2060", "")


def test_symptoms_carry_their_diary_day():
    lines = [ReadoutLine("Fever", "yes", "", "31 Mar", "#D55E00", "symptoms"),
             ReadoutLine("Rash", "yes", "", "31 Mar", "#D55E00", "symptoms"),
             ReadoutLine("Headache", "no", "", "31 Mar", "#D55E00", "symptoms"),
             ReadoutLine("Anakinra", "100", "mg/d", "", "#0072B2", "treatment")]
    text = _plain(readout_html("2009-04-01 00:43", lines))
    assert "symptoms: Fever, Rash (31 Mar)" in text
    assert text.endswith("■ Anakinra 100 mg/d")  # the cursor's own day: no date
    same_day = [ReadoutLine("Fever", "yes", "", "", "#D55E00", "symptoms")]
    assert _plain(readout_html("2009-04-01", same_day)).endswith("symptoms: Fever")


def test_values_of_one_other_day_give_it_once():
    lines = [ReadoutLine("IL-1β spont.", "20.3", "pg/mL", "21 Mar", "#D55E00", "cytokines"),
             ReadoutLine("IL-6 spont.", "1227", "pg/mL", "21 Mar", "#009E73", "cytokines"),
             ReadoutLine("CRP", "1.8", "mg/L", "21 Mar", "#E69F00", "markers"),
             ReadoutLine("Temperature", "36.8", "°C", "31 Mar", "#D55E00", "temperature"),
             ReadoutLine("Anakinra", "100", "mg/d", "", "#0072B2", "treatment")]
    text = _plain(readout_html("2009-04-01", lines))
    assert text == ("2009-04-01 · (21 Mar: ■ IL-1β spont. 20.3 pg/mL · ■ IL-6 spont. 1227 "
                    "pg/mL · ■ CRP 1.8 mg/L) · ■ Temperature 36.8 °C (31 Mar) · "
                    "■ Anakinra 100 mg/d")


def test_the_readout_on_screen_dates_the_diary(qtbot, make_window):
    import datetime as dt

    w = make_window()
    case = open_case(qtbot, w, "NLRP12-01")
    t = w.timeline
    t.set_x_range(*case.time_range)
    fever = case.series("SX_FEVER")
    day = float(fever.loc[fever["value"] > 0, "t"].iloc[0]) // DAY * DAY
    t.set_cursor(day + 0.03 * DAY)  # 00:43, as the reviewer saw it
    symptoms = next(part for part in _plain(t.readout.text()).split(" · ")
                    if part.startswith("symptoms:"))
    when = dt.datetime.fromtimestamp(day, dt.UTC).strftime("%d %b")
    assert "Fever" in symptoms and symptoms.endswith(f"({when})"), symptoms
    # Days from day 0 on the axis: the diary's day is a day number too.
    w.actions["relative_axis"].trigger()
    t.set_cursor(day + 0.03 * DAY)
    symptoms = next(part for part in _plain(t.readout.text()).split(" · ")
                    if part.startswith("symptoms:"))
    assert symptoms.endswith(f"({case.anchor.label(day)})"), symptoms

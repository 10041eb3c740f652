"""The hovered sample says how long after which anakinra dose it was drawn (issue 14, 1)."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets
from PySide6.QtTest import QTest

from data.alignment import DAY
from gui.timeline.widget import TimelineWidget, data_x_to_widget
from tests.data.insight_cases import at, make_case
from tests.gui.conftest import open_case
from tests.gui.test_timeline import _shown, readout_text

# 100 mg on days 0–9, a gap on days 10–14, 150 mg from day 15; 50 kg.
CASE = dict(obs=[(-10, 9, "WEIGHT", 50), (-3, 9, "IL1B", 900), (3, 14, "IL1B", 40),
                 (12, 9, "IL1B", 300), (16, 9, "IL1B", 20), (12, 9, "CRP", 45)],
            periods=[(0, 9, 100), (15, None, 150)])


def _timeline(qtbot) -> TimelineWidget:
    return _shown(qtbot, make_case(**CASE))


def _hover(qtbot, w, key, t):
    qtbot.wait(50)
    pos = data_x_to_widget(w, key, t, w.plot_for(key).vb.viewRange()[1][0])
    QTest.mouseMove(w.view.viewport(), pos + QtCore.QPoint(0, -5))
    qtbot.waitUntil(lambda: w.cursor_t is not None and abs(w.cursor_t - t) < DAY / 4)


def test_hovering_a_sample_reads_its_time_since_dose(qtbot):
    w = _timeline(qtbot)
    _hover(qtbot, w, "cytokines", at(3, 14))
    # The cursor's own day: the readout's heading names it, as for every value.
    assert "Sampled ≈6 h after 100 mg (2 mg/kg/d)" in readout_text(w)
    _hover(qtbot, w, "cytokines", at(12, 9))
    text = readout_text(w)
    assert ("Sampled anakinra interrupted since day +10: ≈3 d after 100 mg (2 mg/kg/d), "
            "possibly off-drug") in text
    _hover(qtbot, w, "cytokines", at(-3, 9))
    assert readout_text(w).endswith("Sampled before anakinra")
    w.grab().save("/tmp/insight_shots/dose_readout.png")


def test_the_readout_names_the_day_of_the_sample_it_describes(qtbot):
    # Cursor on day +10, nearest draw day +12: the line read as if about day +10.
    w = _timeline(qtbot)
    w.set_axis_mode("relative")
    _hover(qtbot, w, "cytokines", at(10, 9))
    text = readout_text(w)
    assert text.startswith("day +10")
    assert "(day +12: " in text
    assert text.endswith("■ Sampled anakinra interrupted since day +10: ≈3 d after 100 mg "
                         "(2 mg/kg/d), possibly off-drug)"), text


def test_a_date_only_sample_reads_no_hours_on_screen(qtbot):
    w = _shown(qtbot, make_case(obs=[(-10, 9, "WEIGHT", 50), (3, 0, "CRP", 45)],
                                periods=[(0, 9, 100)]))
    _hover(qtbot, w, "markers", at(3, 0))
    text = readout_text(w)
    assert "Sampled on a dosing day (time not recorded), 100 mg (2 mg/kg/d)" in text
    assert " h after" not in text


def test_ctrl_d_rewrites_the_readout_at_once(qtbot, make_window):
    w = make_window()
    case = open_case(qtbot, w, "NLRP12-01")
    t = w.timeline
    t.set_x_range(*case.time_range)
    t.set_cursor((case.time_range[0] + case.time_range[1]) / 2)
    before = readout_text(t)
    assert not before.startswith("day ")
    w.activateWindow()
    t.view.setFocus()
    qtbot.keyClick(t.view, QtCore.Qt.Key.Key_D, QtCore.Qt.KeyboardModifier.ControlModifier)
    assert w.actions["relative_axis"].isChecked()
    assert readout_text(t).startswith("day ")


def test_the_point_record_and_tooltip_carry_it(qtbot):
    from gui.timeline.tracks.points import tip

    w = _timeline(qtbot)
    crp = next(s for s in w.tracks["markers"].series if s.label == "CRP")
    assert str(crp.records[0]["dose"]).startswith("anakinra interrupted since day +10")
    il1b = next(s for s in w.tracks["cytokines"].series if s.label.startswith("IL-1β"))
    # Day 16 09:00 is an hour after day 16's 150 mg.
    assert tip(0, 0, il1b.records[-1]).endswith("≈1 h after 150 mg (3 mg/kg/d), day +16")


def test_the_usual_dosing_time_moves_the_time_since_dose(qtbot):
    w = _timeline(qtbot)
    w.set_dose_time(20 * 3600)  # 20:00: day 3's sample at 14:00 follows day 2's dose
    w.set_cursor(at(3, 14))
    assert "Sampled ≈18 h after 100 mg" in readout_text(w)


def test_preferences_set_the_usual_dosing_time(qtbot, make_window, settings, monkeypatch):
    from gui.preferences import PreferencesDialog

    w = make_window()
    case = open_case(qtbot, w, "NLRP12-01")
    il1b = next(s for s in w.timeline.tracks["cytokines"].series if s.records)
    before = str(il1b.records[-1]["dose"])

    def set_and_accept(dialog):
        dialog.dose_time.setTime(QtCore.QTime(21, 30))
        dialog.accept()
        return QtWidgets.QDialog.DialogCode.Accepted

    monkeypatch.setattr(PreferencesDialog, "exec", set_and_accept)
    w.actions["preferences"].trigger()
    assert settings.get("dosing/usual_time") == "21:30"
    assert settings.dose_time == 21.5 * 3600
    assert w.timeline.options.dose_time == 21.5 * 3600
    il1b = next(s for s in w.timeline.tracks["cytokines"].series if s.records)
    assert str(il1b.records[-1]["dose"]) != before
    assert case.day0 is not None


def test_the_point_window_shows_the_dose_context(qtbot):
    from gui.dialogs import PointDialog

    w = _timeline(qtbot)
    il1b = next(s for s in w.tracks["cytokines"].series if s.label.startswith("IL-1β"))
    dialog = PointDialog(il1b.records[1], w.case)
    qtbot.addWidget(dialog)
    texts = [label.text() for label in dialog.findChildren(QtWidgets.QLabel)]
    assert "≈6 h after 100 mg (2 mg/kg/d), day +3" in texts


def test_an_imported_administration_record_sets_the_time_since_dose(qtbot, make_window,
                                                                   demo_engine, tmp_path):
    # The ward's record (tests/data/test_import_administrations.py): 150 mg at 22:00 on
    # 5 March, so the 23:00 sample is 1 h after it, not ≈15 h after the period's 08:00.
    from tests.data.test_import_administrations import DOSES, GIVEN, LAB
    from tests.gui.hand_files import import_texts, utc

    import_texts(demo_engine, tmp_path, {"doses.csv": DOSES, "lab.csv": LAB,
                                         "given.csv": GIVEN})
    w = make_window()
    open_case(qtbot, w, "ADM-01")
    _hover(qtbot, w.timeline, "cytokines", utc("2024-03-05T23:00"))
    assert "Sampled 1 h after 150 mg" in readout_text(w.timeline)

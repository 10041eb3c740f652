"""The case header and the case list for a patient whose details were never recorded."""

from __future__ import annotations

from PySide6 import QtCore

from data.importing import import_file
from data.numbers import DASH
from tests.gui.conftest import open_case

LAB = "patient,date,code,value,unit\nHOP-78,2025-03-01,CRP,12,mg/L\nHOP-78,2025-03-08,CRP,3,mg/L\n"


def test_imported_patient_without_details_opens_with_a_plain_header(qtbot, make_window,
                                                                      demo_engine, tmp_path):
    path = tmp_path / "crp.csv"
    path.write_text(LAB, encoding="utf-8")
    import_file(demo_engine, path)
    window = make_window()
    model = window.browser.model
    row = next(i for i, r in enumerate(model.rows) if r.pseudonym == "HOP-78")
    assert model.data(model.index(row, 1), QtCore.Qt.ItemDataRole.DisplayRole) == DASH

    open_case(qtbot, window, "HOP-78")
    text = window.header.text()
    assert "HOP-78" in text and "no diagnosis recorded" in text
    assert "nan" not in text and "None" not in text


def test_the_header_is_tall_enough_for_the_pseudonym(qtbot, make_window):
    from PySide6 import QtGui

    window = make_window()
    open_case(qtbot, window, "NLRP12-02")
    big = QtGui.QFont(window.header.font())
    big.setPointSizeF(13)
    big.setBold(True)
    assert window.header.height() >= QtGui.QFontMetrics(big).height() + 4

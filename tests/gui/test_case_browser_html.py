"""A pseudonym or diagnosis that looks like HTML is shown as written (attacker review:
the case list's tooltip drew a heading, a link and tried to load an image)."""

from __future__ import annotations

from PySide6 import QtCore, QtGui

from gui.plain_text import tip


def test_html_in_a_pseudonym_or_diagnosis_is_shown_as_text(qtbot, make_window, demo_engine,
                                                            tmp_path):
    from data.importing import import_file

    path = tmp_path / "lab.csv"
    path.write_text('patient,date,code,value,unit\n"<h1>HUGE</h1><img src=/etc/x.png>",'
                    "2024-01-15,CRP,3,mg/L\n", encoding="utf-8")
    import_file(demo_engine, path)
    w = make_window()
    model = w.browser.model
    [row] = [r for r in range(model.rowCount()) if "HUGE" in model.index(r, 0).data()]
    shown = model.index(row, 0).data(QtCore.Qt.ItemDataRole.ToolTipRole)
    doc = QtGui.QTextDocument()
    doc.setHtml(shown)
    assert doc.toPlainText().startswith("<h1>HUGE</h1><img src=/etc/x.png>: ")
    assert tip("a < b\nc") == "<qt>a &lt; b<br>c</qt>"

"""PDF file names never make one case's summary replace another's: pseudonyms that a
safe name would merge ("A/B", "A_B", "A:B") stay apart by a stable hash, a batch guards
against any remaining clash, the de-identified PDF of a case has a name of its own, and
the export dialog asks before it replaces a file."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from PySide6 import QtCore, QtWidgets

from db.engine import open_database
from db.writes import insert_patient
from gui.export_dialog import ExportDialog
from gui.pdf.export import pdf_name, safe_file_name
from main import main

CLASHING = ("A/B", "A_B", "A:B")


def test_names_made_safe_keep_pseudonyms_apart_and_stable():
    names = [safe_file_name(p) for p in CLASHING]
    assert len(set(names)) == 3 and names[1] == "A_B"
    assert names[0].startswith("A_B-") and names == [safe_file_name(p) for p in CLASHING]
    assert safe_file_name("LYON-07") == "LYON-07" and safe_file_name("case 3") == "case 3"
    assert pdf_name("LYON-07", deidentified=True) == "LYON-07 de-identified.pdf"
    assert pdf_name("LYON-07", deidentified=False) == "LYON-07.pdf"


def _db(tmp_path, pseudonyms) -> str:
    db = str(tmp_path / "names.db")
    engine = open_database(db)
    with engine.begin() as conn:
        for p in pseudonyms:
            insert_patient(conn, pseudonym=p, diagnosis="NLRP12AD", sex="F")
    engine.dispose()
    return db


def _title(path: Path) -> str:
    return " ".join(PdfReader(path).pages[0].extract_text().splitlines()[0].split())


def test_export_all_writes_one_file_per_case(tmp_path, qapp):
    db = _db(tmp_path, [*CLASHING, "ab", "AB"])
    out = tmp_path / "all"
    assert main(["--db", db, "export", "--all", "-o", str(out)]) == 0
    files = sorted(out.iterdir())
    assert len(files) == 5  # "ab" and "AB" too, for a file system that ignores case
    assert len({f.name.lower() for f in files}) == 5
    assert sorted(_title(f).removeprefix("Case summary ") for f in files) == \
        sorted([*CLASHING, "ab", "AB"])


def test_one_case_into_a_folder_does_not_replace_another(tmp_path, qapp):
    db = _db(tmp_path, CLASHING)
    one = tmp_path / "one"
    assert main(["--db", db, "export", "A_B", "-o", f"{one}/"]) == 0
    assert main(["--db", db, "export", "A/B", "-o", f"{one}/"]) == 0
    assert _title(one / "A_B.pdf") == "Case summary A_B"
    # The de-identified PDF of the same case goes beside the identified one.
    assert main(["--db", db, "export", "A_B", "-o", f"{one}/", "--deidentify"]) == 0
    assert sorted(p.name for p in one.iterdir()) == sorted(
        ["A_B.pdf", "A_B de-identified.pdf", f"{safe_file_name('A/B')}.pdf"])
    assert _title(one / "A_B.pdf") == "Case summary A_B"


def _dialog(qtbot, target: Path) -> ExportDialog:
    dialog = ExportDialog(None, target, deidentified_name="LYON-07 de-identified.pdf")
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _answer(qtbot, key) -> list[str]:
    """Press key in the confirmation when it shows; returns its text."""
    seen: list[str] = []

    def press():
        box = QtWidgets.QApplication.activeModalWidget()
        if not isinstance(box, QtWidgets.QMessageBox):
            QtCore.QTimer.singleShot(20, press)
            return
        seen.append(box.text())
        qtbot.keyClick(box, key)

    QtCore.QTimer.singleShot(0, press)
    return seen


def test_the_dialog_proposes_a_de_identified_name_and_asks_before_replacing(qtbot, tmp_path):
    target = tmp_path / "LYON-07.pdf"
    dialog = _dialog(qtbot, target)
    dialog.deidentify.setFocus()
    qtbot.keyClick(dialog.deidentify, QtCore.Qt.Key.Key_Space)
    assert Path(dialog.path.text()) == tmp_path / "LYON-07 de-identified.pdf"
    qtbot.keyClick(dialog.deidentify, QtCore.Qt.Key.Key_Space)
    assert Path(dialog.path.text()) == target

    target.write_bytes(b"%PDF another summary")
    seen = _answer(qtbot, QtCore.Qt.Key.Key_Escape)  # Escape: keep the file
    qtbot.keyClick(dialog.path, QtCore.Qt.Key.Key_Return)
    assert seen and "LYON-07.pdf already exists" in seen[0]
    assert dialog.isVisible() and dialog.result() == 0
    seen = _answer(qtbot, QtCore.Qt.Key.Key_Y)  # Yes: replace it
    qtbot.keyClick(dialog.path, QtCore.Qt.Key.Key_Return)
    assert seen and dialog.result() == QtWidgets.QDialog.DialogCode.Accepted
    assert target.read_bytes() == b"%PDF another summary"  # the dialog itself writes nothing

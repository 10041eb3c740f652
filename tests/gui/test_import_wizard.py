"""The import wizard as a user drives it: file, preview, mapping, patient, confirm."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from PySide6 import QtCore, QtWidgets

from data.importing.store import remembered_mapping, remembered_specimens
from gui.import_wizard import TEMPLATES, ImportWizard, open_import_wizard
from tests.data.test_import_helpers import FILES, dump, stored, value_of


@pytest.fixture
def make_wizard(qtbot):
    made = []

    def make(engine) -> ImportWizard:
        w = ImportWizard(engine)
        qtbot.addWidget(w)
        w.show()
        made.append(w)
        return w

    yield make
    for w in made:
        for runner in w._runners():
            runner.wait()


@pytest.fixture
def wizard(make_wizard, engine):
    return make_wizard(engine)


def choose_file(qtbot, wizard, path: Path) -> None:
    wizard.file_page.path.setText(str(path))
    assert wizard.button(QtWidgets.QWizard.WizardButton.NextButton).isEnabled()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == ImportWizard.PREVIEW, timeout=10_000)


def confirm(qtbot, wizard) -> None:
    qtbot.waitUntil(lambda: wizard.currentId() == ImportWizard.CONFIRM, timeout=5_000)
    qtbot.waitUntil(lambda: wizard.confirm_page.isComplete(), timeout=10_000)


def press_import(wizard) -> None:
    wizard.button(QtWidgets.QWizard.WizardButton.FinishButton).click()


def test_wide_file_with_an_unknown_column_is_mapped_and_imported(qtbot, wizard, engine,
                                                                 tmp_path):
    path = tmp_path / "visits.csv"
    path.write_text("Date;IL-1b sécrétion (pg/mL);CRP (mg/dL)\n"
                    "02/03/2026;120,5;1,2\n09/03/2026;<5;0,3\n", encoding="latin-1")
    choose_file(qtbot, wizard, path)

    preview = wizard.currentPage().view.model()
    assert preview.rowCount() == 2
    assert preview.headerData(0, QtCore.Qt.Orientation.Vertical) == "2"  # spreadsheet row
    assert preview.data(preview.index(0, 1)) == "120,5"
    assert "semicolon" in wizard.currentPage().info.text()

    wizard.next()
    assert wizard.currentId() == ImportWizard.MAPPING
    assert list(wizard.mapping_page.boxes) == ["IL-1b sécrétion (pg/mL)"]
    assert not wizard.mapping_page.isComplete()
    box = wizard.mapping_page.boxes["IL-1b sécrétion (pg/mL)"]
    box.setCurrentIndex(box.findData("IL1B"))
    assert wizard.mapping_page.isComplete()

    wizard.next()  # IL-1β and no specimen in the file: the specimen step
    assert wizard.currentId() == ImportWizard.SPECIMEN
    assert "IL-1b sécrétion (pg/mL)" in wizard.specimen_page.columns.text()
    assert not wizard.specimen_page.isComplete()
    choose_specimen(wizard, "pbmc-lps")
    wizard.next()
    assert wizard.currentId() == ImportWizard.PATIENT
    assert not wizard.patient_page.isComplete()
    wizard.patient_page.patient.setEditText("NEW-01")
    assert "new patient" in wizard.patient_page.note.text()
    wizard.next()
    confirm(qtbot, wizard)
    assert "NEW-01 (new: will be created)" in wizard.confirm_page.text.toPlainText()

    with qtbot.waitSignal(wizard.accepted, timeout=10_000):
        press_import(wizard)
    assert wizard.result_.observations_added == 4
    values = stored(engine, "NEW-01")
    assert value_of(values, "2026-03-02 00:00", "CRP") == (12.0, "")  # 1,2 mg/dL
    assert value_of(values, "2026-03-09 00:00", "IL1B") == (5.0, "<")
    assert value_of(values, "2026-03-02 00:00", "IL1B", "pbmc-lps") == (120.5, "")
    assert remembered_mapping(engine) == {"IL-1b sécrétion (pg/mL)": "IL1B"}
    assert remembered_specimens(engine) == {"IL-1b sécrétion (pg/mL)": "pbmc-lps"}


def choose_specimen(wizard, code: str) -> None:
    box = wizard.specimen_page.specimen
    box.setCurrentIndex(box.findData(code))
    assert wizard.specimen_page.isComplete()


def test_the_specimen_chosen_is_remembered_per_column(qtbot, make_wizard, engine, tmp_path):
    """Unspecified is an explicit, remembered choice; the next file with the same column
    gets it preselected, and the command line applies it too."""
    first = tmp_path / "a.csv"
    first.write_text("date,IL-6 (pg/mL),CRP\n2026-01-01,30,4\n", encoding="utf-8")
    w = make_wizard(engine)
    choose_file(qtbot, w, first)
    w.next()
    assert w.currentId() == ImportWizard.SPECIMEN
    choose_specimen(w, "")
    w.next()
    w.patient_page.patient.setEditText("P1")
    w.next()
    confirm(qtbot, w)
    assert "specimen unspecified, as chosen: 1 cytokine value" in \
        w.confirm_page.text.toPlainText()
    with qtbot.waitSignal(w.accepted, timeout=10_000):
        press_import(w)
    assert remembered_specimens(engine) == {"IL-6 (pg/mL)": ""}
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT specimen FROM import_mapping").scalar() == \
            "unspecified"

    second = tmp_path / "b.csv"
    second.write_text("date,IL-6 (pg/mL)\n2026-01-02,31\n", encoding="utf-8")
    w2 = make_wizard(engine)
    choose_file(qtbot, w2, second)
    w2.next()
    assert w2.currentId() == ImportWizard.SPECIMEN
    assert w2.specimen_page.chosen() == "" and w2.specimen_page.isComplete()


def test_a_file_that_names_its_specimens_has_no_specimen_step(qtbot, wizard, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("date,IL-6 serum (pg/mL),IL-1b LPS\n2026-01-02,31,4\n", encoding="utf-8")
    choose_file(qtbot, wizard, path)
    wizard.next()
    assert wizard.currentId() == ImportWizard.PATIENT


def test_remembered_mapping_is_preselected_for_the_next_file(qtbot, make_wizard, engine,
                                                           tmp_path):
    from data.importing.commit import commit_plan
    from data.importing.context import Options
    from data.importing.plan import build_plan

    first = tmp_path / "a.csv"
    first.write_text("date,Interleukin one beta\n2026-01-01,3\n", encoding="utf-8")
    plan = build_plan(first, Options(patient="P1", mapping={"Interleukin one beta": "IL1B"}))
    commit_plan(engine, plan, remember={"Interleukin one beta": "IL1B"})

    w = make_wizard(engine)
    second = tmp_path / "b.csv"
    second.write_text("date,Interleukin one beta (ng/mL)\n2026-01-02,0.004\n", encoding="utf-8")
    choose_file(qtbot, w, second)
    w.next()
    assert w.currentId() == ImportWizard.MAPPING
    assert w.mapping_page.boxes["Interleukin one beta (ng/mL)"].currentData() == "IL1B"
    assert w.mapping_page.isComplete()


def test_problems_are_listed_and_nothing_is_written(qtbot, make_wizard, demo_engine,
                                                    tmp_path):
    wizard = make_wizard(demo_engine)
    before = dump(demo_engine)
    path = tmp_path / "bad.csv"
    path.write_text("patient,date,code,value,unit\n"
                    "NLRP12-01,2026-01-01,CRP,3,mg/L\n"
                    "NLRP12-01,2026-02-30,CRP,3,mg/L\n"
                    "NLRP12-01,2026-03-01,CRP,3,mmol/L\n", encoding="utf-8")
    choose_file(qtbot, wizard, path)
    wizard.next()
    assert wizard.currentId() == ImportWizard.PATIENT
    assert wizard.patient_page.isComplete()  # the file names its patient
    wizard.next()
    qtbot.waitUntil(lambda: "problems" in wizard.confirm_page.text.toPlainText(),
                    timeout=10_000)
    text = wizard.confirm_page.text.toPlainText()
    assert 'row 3, column "date", value "2026-02-30": impossible date' in text
    assert 'row 4, column "unit", value "mmol/L"' in text
    assert not wizard.confirm_page.isComplete()
    wizard.reject()
    assert dump(demo_engine) == before


def test_unreadable_file_stays_on_the_first_page(qtbot, wizard, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("   \n", encoding="utf-8")
    wizard.file_page.path.setText(str(path))
    wizard.next()
    qtbot.waitUntil(lambda: "empty" in wizard.file_page.error.text(), timeout=5_000)
    assert wizard.currentId() == ImportWizard.FILE


def test_cancel_while_writing_writes_nothing(qtbot, make_wizard, engine, tmp_path,
                                            monkeypatch):
    import data.importing.commit as commit

    monkeypatch.setattr(commit, "CHUNK", 10)  # many chunks: many chances to cancel
    rows = "\n".join(f"P1,2026-01-01T{h:02d}:{m:02d},CRP,{h + m / 100},mg/L"
                     for h in range(24) for m in range(60))
    path = tmp_path / "big.csv"
    path.write_text("patient,date,code,value,unit\n" + rows + "\n", encoding="utf-8")
    before = dump(engine)

    w = make_wizard(engine)
    choose_file(qtbot, w, path)
    w.next()
    w.next()
    confirm(qtbot, w)
    gate = threading.Event()
    real = commit.insert_observation_columns

    def slow_insert(conn, frame, source, chunk, between):
        def slow_between(start):
            gate.set()
            time.sleep(0.01)  # 144 chunks: the write outlasts the click on Cancel
            between(start)

        return real(conn, frame, source, chunk, slow_between)

    monkeypatch.setattr(commit, "insert_observation_columns", slow_insert)
    press_import(w)  # the write starts in the background
    qtbot.waitUntil(gate.is_set, timeout=5_000)
    with qtbot.waitSignal(w.rejected, timeout=10_000):
        w.reject()
    assert w.result_ is None
    assert dump(engine) == before


def test_open_import_wizard_returns_false_when_cancelled(qtbot, engine):
    def cancel_when_shown():
        for widget in QtWidgets.QApplication.topLevelWidgets():
            if isinstance(widget, ImportWizard) and widget.isVisible():
                widget.reject()
                return
        QtCore.QTimer.singleShot(20, cancel_when_shown)

    QtCore.QTimer.singleShot(0, cancel_when_shown)
    assert open_import_wizard(None, engine) is False


def test_template_files_import(qtbot, wizard, engine, tmp_path, collections):
    path = TEMPLATES / "long_template.csv"
    copy = Path(shutil.copy(path, tmp_path / "long_template.csv"))
    choose_file(qtbot, wizard, copy)
    wizard.next()
    assert wizard.currentId() == ImportWizard.PATIENT  # every code known: no mapping step
    wizard.next()
    confirm(qtbot, wizard)
    with qtbot.waitSignal(wizard.accepted, timeout=10_000):
        press_import(wizard)
    assert wizard.result_.observations_added == 12
    # The wizard alone, no window's case loader to turn automatic collection off: a
    # collection on the import's thread would finalise Qt objects off their thread.
    assert set(collections) <= {threading.get_ident()}, "a collection ran on another thread"


def test_back_and_forth_checks_again_and_imports_once(qtbot, wizard, engine):
    choose_file(qtbot, wizard, FILES / "lab_long.csv")
    wizard.next()
    wizard.next()
    assert wizard.currentId() == ImportWizard.CONFIRM
    wizard.back()  # while the first check may still run
    wizard.next()
    confirm(qtbot, wizard)
    with qtbot.waitSignal(wizard.accepted, timeout=10_000):
        press_import(wizard)
    assert wizard.result_.observations_added == 7
    assert value_of(stored(engine, "TEST-02"), "2026-03-05 14:00", "IL6") == (2.5, "<")


# The confirm step says what the import does to the numbers before the user confirms:
# values converted (from which unit to which) and censored values (<LOD). A hospital's
# long CSV and a dosing file, written by hand.
LAB = ("patient,date,code,value,unit,specimen\n"
       "HOP-12,2025-03-01,IL1B,0.5,ng/mL,serum\n"
       "HOP-12,2025-03-08,IL1B,<5,pg/mL,serum\n"
       "HOP-12,2025-03-01,CRP,2.1,mg/dL,serum\n"
       "HOP-12,2025-03-08,CRP,<0.3,mg/dL,serum\n"
       "HOP-12,2025-03-15,CRP,14,mg/L,serum\n"
       "HOP-12,2025-03-15,IL6,>5000,pg/mL,serum\n")


def test_confirm_says_how_many_values_are_converted_and_censored(qtbot, make_wizard, engine,
                                                                  tmp_path):
    path = tmp_path / "lab.csv"
    path.write_text(LAB, encoding="utf-8")
    w = make_wizard(engine)
    choose_file(qtbot, w, path)
    w.next()
    assert w.currentId() == ImportWizard.PATIENT  # the file names its patients
    w.next()
    confirm(qtbot, w)
    text = w.confirm_page.text.toPlainText()
    assert "converted from mg/dL to mg/L: 2 values" in text, text
    assert "converted from ng/mL to pg/mL: 1 value" in text, text
    assert "converted from mg/L" not in text and "converted from pg/mL" not in text
    assert "below the detection limit (<): 2 values" in text, text
    assert "above the upper limit (>): 1 value" in text, text
    with qtbot.waitSignal(w.accepted, timeout=10_000):
        press_import(w)
    assert w.result_.observations_added == 6


def test_confirm_says_how_many_doses_are_converted(qtbot, make_wizard, engine, tmp_path):
    path = tmp_path / "dosing.csv"
    path.write_text("patient,drug,dose,unit,start,end,route\n"
                    "HOP-12,anakinra,0.1,g,2025-03-01,2025-03-31,sc\n"
                    "HOP-12,anakinra,100,mg,2025-04-01,,sc\n", encoding="utf-8")
    w = make_wizard(engine)
    choose_file(qtbot, w, path)
    w.next()
    w.next()
    confirm(qtbot, w)
    text = w.confirm_page.text.toPlainText()
    assert "converted from g to mg: 1 value" in text, text
    assert "detection limit" not in text


def test_a_refused_correction_is_imported_by_ticking_the_corrected_report_box(
        qtbot, make_wizard, engine, tmp_path):
    first = tmp_path / "crp.csv"
    first.write_text("patient,date,code,value,unit\nHOP-31,2025-03-01,CRP,48,mg/L\n")
    corrected = tmp_path / "crp_corrected.csv"
    corrected.write_text("patient,date,code,value,unit\nHOP-31,2025-03-01,CRP,4.8,mg/L\n")
    for path in (first, corrected):
        wizard = make_wizard(engine)
        choose_file(qtbot, wizard, path)
        wizard.next()
        wizard.next()
        confirm(qtbot, wizard)
        page = wizard.confirm_page
        assert not page.corrections.isChecked()
        press_import(wizard)
        if path is first:
            qtbot.waitUntil(lambda w=wizard: w.result_ is not None, timeout=10_000)
    qtbot.waitUntil(lambda: "differs from the stored value 48 mg/L" in page.text.toPlainText(),
                    timeout=10_000)
    assert "tick the box below" in page.subTitle()
    assert value_of(stored(engine, "HOP-31"), "2025-03-01 00:00", "CRP") == (48.0, "")
    qtbot.waitUntil(page.isComplete, timeout=5_000)
    qtbot.mouseClick(page.corrections, QtCore.Qt.MouseButton.LeftButton,
                     pos=QtCore.QPoint(8, page.corrections.height() // 2))
    assert page.corrections.isChecked()
    with qtbot.waitSignal(wizard.accepted, timeout=10_000):
        press_import(wizard)
    assert wizard.result_.observations_corrected == 1
    assert value_of(stored(engine, "HOP-31"), "2025-03-01 00:00", "CRP") == (4.8, "")


def test_a_dosing_file_is_not_offered_as_a_corrected_report(qtbot, wizard, tmp_path):
    path = tmp_path / "dosing.csv"
    path.write_text("patient,drug,dose,unit,start,end\nHOP-32,anakinra,100,mg,2025-01-01,\n")
    choose_file(qtbot, wizard, path)
    while wizard.currentId() != ImportWizard.CONFIRM:
        wizard.next()
    confirm(qtbot, wizard)
    assert wizard.confirm_page.corrections.isHidden()


def test_a_ward_s_administration_record_imports_through_the_wizard(qtbot, wizard, engine,
                                                                   tmp_path):
    from data.case import Case
    from db.queries import list_cases, load_case
    from gui.import_wizard import TEMPLATES
    from tests.gui.hand_files import import_texts, utc

    # The file page points at the templates, the administrations one among them.
    assert "administrations" in wizard.file_page.templates.text()
    assert (TEMPLATES / "administrations_template.csv").is_file()
    assert TEMPLATES.as_uri() in wizard.file_page.templates.text()
    import_texts(engine, tmp_path, {"lab.csv": "patient,date,code,value,unit,specimen\n"
                                    "WARD-01,2024-05-02T09:00,IL1B,800,pg/mL,pbmc-spont\n"})
    path = tmp_path / "injections.csv"
    path.write_text("N° patient;Date;Heure;Médicament;Dose;Unité;Voie\n"
                    "WARD-01;03/05/2024;21:30;Kineret;100;mg;SC\n"
                    "WARD-01;04/05/2024;21:45;anakinra;100;mg;SC\n"
                    "WARD-01;05/05/2024;08:10;anakinra;0,15;g;SC\n", encoding="utf-8")
    choose_file(qtbot, wizard, path)
    assert "administrations (one dose given per row)" in wizard.currentPage().info.text()
    while wizard.currentId() != ImportWizard.CONFIRM:
        wizard.next()
    confirm(qtbot, wizard)
    assert "anakinra: 3 administrations" in wizard.confirm_page.text.toPlainText()
    with qtbot.waitSignal(wizard.accepted, timeout=10_000):
        press_import(wizard)
    assert wizard.result_.administrations_added == 3
    cases = list_cases(engine)
    pid = int(cases.loc[cases["pseudonym"] == "WARD-01", "id"].iloc[0])
    case = Case.from_frames(load_case(engine, pid))
    given = case.recorded_doses("anakinra")
    assert given["t"].tolist() == [utc("2024-05-03T21:30"), utc("2024-05-04T21:45"),
                                   utc("2024-05-05T08:10")]
    assert given["dose"].tolist() == [100, 100, 150]  # 0,15 g
    assert case.day0 == utc("2024-05-03")  # no period: the first recorded dose


def _patient_file_through_the_wizard(qtbot, engine, path, answer) -> tuple[bool, list[str]]:
    """File → Import… with ``path``; ``answer(box)`` closes the message box that follows."""
    seen: list[str] = []

    def drive():
        modal = QtWidgets.QApplication.activeModalWidget()
        if isinstance(modal, ImportWizard) and not modal.file_page.path.text():
            modal.file_page.path.setText(str(path))
            modal.next()
        elif isinstance(modal, QtWidgets.QMessageBox):
            seen.append(modal.text() + "\n" + modal.informativeText())
            answer(modal)
            return
        QtCore.QTimer.singleShot(20, drive)

    QtCore.QTimer.singleShot(0, drive)
    return open_import_wizard(None, engine), seen


def test_a_patient_file_chosen_in_the_wizard_is_imported_as_patient_details(
        qtbot, engine, tmp_path):
    # A clinician's first file is often the list of patients: the wizard used to ask her
    # to map "Diagnostic" and "Sexe" to analytes.
    from db.patients import get_patient, patient_id

    path = tmp_path / "patients.csv"
    path.write_text("N° patient;Diagnostic;Sexe;Année de naissance;Âge de début\n"
                    "HOP-51;TRAPS;F;1984;6\n", encoding="utf-8")

    def press_import(box):
        button = next(b for b in box.buttons() if b.text() == "&Import")
        qtbot.mouseClick(button, QtCore.Qt.MouseButton.LeftButton)

    imported, seen = _patient_file_through_the_wizard(qtbot, engine, path, press_import)
    assert imported is True
    assert "patients.csv is a file of patient details" in seen[0]
    assert "1 patient would be created: HOP-51" in seen[0]
    row = get_patient(engine, patient_id(engine, "HOP-51"))
    assert (row["diagnosis"], row["sex"], row["birth_year"], row["onset_age"]) == \
        ("TRAPS", "F", 1984, 6.0)


def test_a_bad_patient_file_is_refused_naming_row_and_column(qtbot, engine, tmp_path):
    path = tmp_path / "patients.csv"
    path.write_text("pseudonym,diagnosis,sex\nHOP-52,CAPS,Q\n", encoding="utf-8")
    before = dump(engine)
    imported, seen = _patient_file_through_the_wizard(qtbot, engine, path,
                                                      lambda box: box.accept())
    assert imported is False
    assert 'row 2, column "sex", value "Q"' in seen[0] and "nothing was imported" in seen[0]
    assert dump(engine) == before

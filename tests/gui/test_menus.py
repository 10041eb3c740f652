"""File menu actions reach the import wizard and the PDF export."""

from tests.gui.conftest import open_case


def test_ctrl_e_exports_the_open_case(qtbot, make_window, monkeypatch, tmp_path, settings,
                                      reviewer):
    calls = []

    def fake_export(parent, engine, case, **options):
        calls.append((case.pseudonym, options))
        return tmp_path / "x.pdf"

    monkeypatch.setattr("gui.export_dialog.export_current_case", fake_export)
    settings.set("figures/near_normal_fold", 2.5)
    w = make_window()
    assert not w.actions["export_pdf"].isEnabled()  # nothing to export yet
    open_case(qtbot, w, "NLRP12-01")
    assert w.actions["export_pdf"].isEnabled()
    assert w.actions["export_pdf"].shortcut().toString() == "Ctrl+E"
    w.actions["export_pdf"].trigger()
    assert calls == [("NLRP12-01", {"reviewer": reviewer, "near_normal_fold": 2.5,
                                    "dose_time": 8 * 3600.0})]
    assert "x.pdf" in w.statusBar().currentMessage()


def test_import_refreshes_the_case_list(qtbot, make_window, monkeypatch):
    from sqlalchemy import insert

    from db.models import Patient

    w = make_window()
    assert w.actions["import"].isEnabled()

    def fake_wizard(parent, engine, actor=None):
        with engine.begin() as conn:
            conn.execute(insert(Patient).values(pseudonym="NEW-01", diagnosis="CAPS"))
        return True

    monkeypatch.setattr("gui.import_wizard.open_import_wizard", fake_wizard)
    w.actions["import"].trigger()
    assert w.browser.proxy.rowCount() == 5


def test_no_two_actions_share_a_shortcut(qtbot, make_window):
    from PySide6 import QtGui

    w = make_window()
    seen: dict[str, str] = {}
    for action in w.findChildren(QtGui.QAction):
        for key in action.shortcuts():
            text = key.toString()
            assert text not in seen, f"{text}: {seen.get(text)} and {action.text()}"
            seen[text] = action.text()
    assert {"Ctrl+F", "Ctrl+Shift+F", "Ctrl+E", "Ctrl+Z", "Ctrl+Q", "A"} <= set(seen)


def test_preferences_show_the_login_changes_are_recorded_as_and_offer_no_name_to_type(
        qtbot, make_window, settings, monkeypatch, reviewer):
    from PySide6 import QtWidgets

    from gui.preferences import PreferencesDialog

    settings.q.setValue("reviewer/name", "Dr Lefèvre")  # typed into an older version
    w = make_window()
    shown = []

    def look_and_accept(dialog):
        typed = [e for e in dialog.findChildren(QtWidgets.QLineEdit) if e.parent() is dialog]
        shown.append((dialog.reviewer.text(), typed))
        dialog.near_normal.setValue(3.0)
        dialog.accept()
        return QtWidgets.QDialog.DialogCode.Accepted

    monkeypatch.setattr(PreferencesDialog, "exec", look_and_accept)
    w.actions["preferences"].trigger()
    assert shown == [(reviewer, [])]  # the login, and nowhere to type another name
    assert settings.get("figures/near_normal_fold") == 3.0
    assert w.episode_feature.controller.actor() == reviewer  # author of new episodes


def test_f5_shows_what_the_command_line_imported_meanwhile(qtbot, make_window, demo_engine):
    from sqlalchemy import insert

    from db.models import Patient

    w = make_window()
    open_case(qtbot, w, "CAPS-01")
    with demo_engine.begin() as conn:  # as `flarescope import` would, from another process
        conn.execute(insert(Patient).values(pseudonym="CLI-01", diagnosis="TRAPS"))
    assert w.browser.proxy.rowCount() == 4
    assert w.actions["refresh"].shortcut().toString() == "F5"
    with qtbot.waitSignal(w.caseOpened, timeout=10_000):
        w.actions["refresh"].trigger()
    assert w.browser.proxy.rowCount() == 5
    assert w.case.pseudonym == "CAPS-01"

"""An unexpected error in a slot is logged with its traceback and told in one line."""

import logging
import sys

from PySide6 import QtWidgets

from gui import errors


def test_an_error_in_a_slot_is_logged_and_shown_without_traceback(qtbot, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QtWidgets.QMessageBox, "critical",
                        lambda parent, title, text: shown.append((title, text)))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    root_handlers = list(logging.getLogger().handlers)
    try:
        path = errors.install()
        assert path == tmp_path / "flarescope.log"
        button = QtWidgets.QPushButton()
        qtbot.addWidget(button)

        def broken() -> None:
            raise ValueError("the lab file moved")

        button.clicked.connect(broken)
        with qtbot.capture_exceptions() as caught:
            button.click()
        # pytest-qt captures slot exceptions itself; hand them to the installed hook.
        assert isinstance(sys.excepthook, errors.ErrorReporter) and len(caught) == 1
        sys.excepthook(*caught[0])
        assert shown and shown[0][0] == "Unexpected error"
        assert "ValueError: the lab file moved" in shown[0][1] and "Traceback" not in shown[0][1]
        assert str(path) in shown[0][1]
        for h in logging.getLogger().handlers:
            h.flush()
        text = path.read_text(encoding="utf-8")
        assert "Traceback" in text and "the lab file moved" in text
    finally:
        for h in logging.getLogger().handlers:
            if h not in root_handlers:
                logging.getLogger().removeHandler(h)
                h.close()


def test_a_busy_database_in_a_slot_is_told_as_such_not_as_a_bug(qtbot, tmp_path, monkeypatch):
    import sqlite3

    from sqlalchemy.exc import OperationalError

    shown = []
    monkeypatch.setattr(QtWidgets.QMessageBox, "critical",
                        lambda parent, title, text: shown.append((title, text)))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    root_handlers = list(logging.getLogger().handlers)
    try:
        errors.install()
        busy = OperationalError("UPDATE episode SET note=? WHERE id=?", ("Jean Dupont", 3),
                                sqlite3.OperationalError("database is locked"))
        sys.excepthook(OperationalError, busy, None)
        assert shown == [("Flarescope", "The database is busy: another Flarescope is writing "
                          "to it; nothing was changed, try again when it has finished")]
    finally:
        for h in logging.getLogger().handlers:
            if h not in root_handlers:
                logging.getLogger().removeHandler(h)
                h.close()


def test_an_error_before_the_window_opens_is_one_line_not_a_traceback(qapp, tmp_path,
                                                                    monkeypatch, capsys):
    import data.demo
    import gui.app
    import main

    shown = []
    monkeypatch.setattr(QtWidgets.QMessageBox, "critical",
                        lambda parent, title, text: shown.append(text))
    # As on a desktop: the offscreen platform of the tests shows no box (nobody could
    # close it, tests/gui/test_exit.py).
    monkeypatch.setattr(gui.app, "HEADLESS_PLATFORMS", ())

    def broken(engine):
        raise ValueError("demo cohort could not be built")

    monkeypatch.setattr(data.demo, "ensure_demo", broken)
    monkeypatch.delenv("FLARESCOPE_DB")  # the demo is built only in the default database
    assert main.main([]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "unexpected error (ValueError: demo cohort could not be built)" in err
    assert shown and "\n" not in shown[0]

"""Ctrl+E on a fresh account, where ~/Documents does not exist yet (issue 11.3)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from tests.gui.conftest import open_case


def _when_modal(qtbot, act) -> list:
    """Run act(dialog) once the modal dialog opened by the next action is up."""
    done = []

    def poll():
        dialog = QtWidgets.QApplication.activeModalWidget()
        if dialog is None:
            QtCore.QTimer.singleShot(20, poll)
            return
        act(dialog)
        done.append(dialog)

    QtCore.QTimer.singleShot(0, poll)
    return done


def _button(dialog, text: str) -> QtWidgets.QPushButton:
    return next(b for b in dialog.findChildren(QtWidgets.QPushButton) if b.text() == text)


def test_ctrl_e_on_a_fresh_account_proposes_a_folder_that_exists_and_exports(
        make_window, qtbot, monkeypatch):
    from gui import export_dialog

    monkeypatch.setattr(export_dialog, "_last_folder", None)  # no export yet this session
    home = Path(os.environ["HOME"])
    assert not (home / "Documents").exists()
    window = make_window()
    open_case(qtbot, window, "NLRP12-01")
    chosen = home / "Documents" / "Reviews" / "NLRP12-01.pdf"  # a folder not made yet
    starts = []

    def save_as(parent, caption, start, filters):
        starts.append(start)
        return str(chosen), filters

    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", save_as)
    warnings = []
    monkeypatch.setattr(QtWidgets.QMessageBox, "warning",
                        lambda parent, title, text: warnings.append(text))
    proposed = []

    def in_dialog(dialog):
        proposed.append(Path(dialog.path.text()))
        qtbot.mouseClick(_button(dialog, "Choose…"), QtCore.Qt.MouseButton.LeftButton)
        qtbot.mouseClick(_button(dialog, "Export"), QtCore.Qt.MouseButton.LeftButton)

    done = _when_modal(qtbot, in_dialog)
    window.activateWindow()
    qtbot.keyClick(window, QtCore.Qt.Key.Key_E, QtCore.Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    assert warnings == []
    assert proposed[0].parent.is_dir()  # not a ~/Documents that does not exist
    assert proposed[0] == home / "NLRP12-01.pdf"
    assert Path(starts[0]).parent == proposed[0].parent  # Choose… starts there
    assert chosen.read_bytes().startswith(b"%PDF")
    assert window.statusBar().currentMessage() == f"Exported {chosen}"


def test_a_failed_export_names_the_users_file_never_a_temporary_one(
        make_window, qtbot, monkeypatch, tmp_path):
    window = make_window()
    open_case(qtbot, window, "NLRP12-01")
    target = tmp_path / "NLRP12-01.pdf"
    target.write_bytes(b"%PDF the previous summary")
    warnings = []
    monkeypatch.setattr(QtWidgets.QMessageBox, "warning",
                        lambda parent, title, text: warnings.append(text))

    def no_space(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)

    def replace():
        box = QtWidgets.QApplication.activeModalWidget()
        if not isinstance(box, QtWidgets.QMessageBox):
            QtCore.QTimer.singleShot(20, replace)
            return
        qtbot.keyClick(box, QtCore.Qt.Key.Key_Y)  # yes, replace the previous summary

    def in_dialog(dialog):
        dialog.path.setText(str(target))
        QtCore.QTimer.singleShot(0, replace)
        qtbot.mouseClick(_button(dialog, "Export"), QtCore.Qt.MouseButton.LeftButton)

    done = _when_modal(qtbot, in_dialog)
    window.actions["export_pdf"].trigger()
    qtbot.waitUntil(lambda: bool(done) and bool(warnings), timeout=10_000)
    assert warnings == [f"{target}: not written (No space left on device); "
                        "any previous file is unchanged"]
    assert target.read_bytes() == b"%PDF the previous summary"
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")]

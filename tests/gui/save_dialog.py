"""The save-file dialog answered by the test: where it started, and the file chosen."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6 import QtWidgets


def documents(monkeypatch) -> Path:
    """The test's own Documents folder, made, and no export made yet this session."""
    from gui import export_dialog

    monkeypatch.setattr(export_dialog, "_last_folder", None)
    folder = Path(os.environ["HOME"]) / "Documents"  # the test's own HOME
    folder.mkdir()
    return folder


def answer_with(monkeypatch, chosen: Path) -> list[str]:
    """Every save dialog answers chosen (its folder made); the list gets where each
    dialog started."""
    starts: list[str] = []

    def save_as(parent, caption, start, filters):
        starts.append(start)
        chosen.parent.mkdir(exist_ok=True)
        return str(chosen), filters

    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", save_as)
    return starts

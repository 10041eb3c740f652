"""Small dialogs: a measurement's full record, the keyboard shortcuts."""

from __future__ import annotations

import html

from PySide6 import QtCore, QtWidgets

from data.codes import SPECIMEN_LABELS
from gui.timeline.axis import format_time
from gui.timeline.tracks.points import measured_text, shown_text

# The keys come from the action registry; these are what the mouse does.
TIMELINE_KEYS = (
    ("Zoom with the mouse", "the wheel"),
    ("Pan with the mouse", "drag on the timeline"),
)


class PointDialog(QtWidgets.QDialog):
    def __init__(self, record: dict, case, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{record['analyte']} measurement")
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        form = QtWidgets.QFormLayout(self)
        value = measured_text(record)
        if record["censor"] == "<":
            value += "  (below the limit of detection)"
        anchor = None if case is None else case.anchor
        rows = [("Analyte", record["analyte"]), ("Value", value),
                ("Date", format_time(record["t"], "calendar", None))]
        if anchor is not None:
            rows.append(("Day from anakinra start" if anchor.on_anakinra else
                         "Day from the first record", anchor.label(record["t"])))
        shown = shown_text(record)
        if shown is not None:
            rows.append(("Shown as", shown))
        rows += [("Specimen", SPECIMEN_LABELS.get(record["specimen"], record["specimen"])),
                 ("Source", record["source"] or "—")]
        if record.get("dose"):  # gui.timeline.dose_readout
            rows.append(("Anakinra", str(record["dose"])))
        for label, text in rows:
            form.addRow(f"{label}:", QtWidgets.QLabel(html.escape(str(text))))
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        form.addRow(buttons)


def show_shortcuts(parent, rows: list[tuple[str, str]]) -> None:
    body = "".join(f"<tr><td>{html.escape(a)}</td><td><b>{html.escape(b)}</b></td></tr>"
                   for a, b in [*rows, *TIMELINE_KEYS])
    box = QtWidgets.QMessageBox(parent)
    box.setWindowTitle("Keyboard shortcuts")
    box.setTextFormat(QtCore.Qt.TextFormat.RichText)
    box.setText(f"<table cellspacing=6>{body}</table>")
    box.open()

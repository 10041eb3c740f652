"""One episode's audit trail: who, when, what, and each changed value before → after."""

from __future__ import annotations

from typing import Any

import pandas as pd
from PySide6 import QtCore, QtWidgets

from data import episode_edit as edit
from gui.episodes.properties_panel import stamp

TIME_FIELDS = {"onset", "end", "created", "updated"}
# What a creation or deletion is summed up by; the rest is in the row but clutters.
SUMMARY_FIELDS = ("kind", "onset", "end", "severity", "certainty", "note")
ACTIONS = {"create": "created", "update": "changed", "delete": "deleted",
           "restore": "restored"}


def show_value(field: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if field == "end":  # stored exclusive: shown as its last day, as everywhere else
        value = edit.shown_end(value)
    if field in TIME_FIELDS:
        return stamp(value).removesuffix(" 00:00 UTC")
    return str(value)


def describe_change(action: str, before: dict | None, after: dict | None) -> str:
    """'onset: 2024-03-03 → 2024-03-01' per changed field, one per line."""
    if action in ("create", "restore") and after:
        return "\n".join(f"{k}: {show_value(k, after.get(k))}" for k in SUMMARY_FIELDS)
    if action == "delete" and before:
        return "\n".join(f"{k}: {show_value(k, before.get(k))}" for k in SUMMARY_FIELDS)
    before, after = before or {}, after or {}
    fields = [k for k in after if k != "version"] or list(before)
    return "\n".join(f"{k}: {show_value(k, before.get(k))} → {show_value(k, after.get(k))}"
                     for k in fields)


class HistoryDialog(QtWidgets.QDialog):
    def __init__(self, history: pd.DataFrame, title: str,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"History of {title}")
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        self.table = QtWidgets.QTableWidget(len(history), 4)
        self.table.setObjectName("historyTable")
        self.table.setHorizontalHeaderLabels(["When (UTC)", "Who", "Action", "Before → after"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        for r, row in enumerate(history.itertuples(index=False)):
            cells = (stamp(row.at).removesuffix(" UTC"), row.actor,
                     ACTIONS.get(row.action, row.action),
                     describe_change(row.action, row.before, row.after))
            for c, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(str(text))
                item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignTop
                                      | QtCore.Qt.AlignmentFlag.AlignLeft)
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        for c in range(3):
            header.setSectionResizeMode(c, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        # Long notes wrap inside the last column instead of widening the table.
        header.setSectionResizeMode(3, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setCurrentCell(-1, -1)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(760, 380)
        self.table.resizeRowsToContents()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.table.resizeRowsToContents()  # wrapped rows grow or shrink with the width

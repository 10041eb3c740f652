"""One episode's audit trail: who, when, what, and each changed value before → after."""

from __future__ import annotations

import pandas as pd
from PySide6 import QtCore, QtWidgets

from data.audit_text import action_text, describe_change, when


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
            # The same wording as the PDF's audit trail (data.audit_text).
            cells = (when(row.at), row.actor, action_text(row.action),
                     describe_change(row.action, "episode", row.before, row.after))
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

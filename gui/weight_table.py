"""The weight history in Case → Patient details…: a table of (date, kg) to add to, correct
and remove from, by keyboard or mouse.

It only holds what is typed; ``data.patients.weight_edits`` turns its rows into the change
to save (and refuses bad ones), so nothing here decides what a valid weight is.

Keys: Tab reaches the table, F2 (or typing) edits a cell, Enter keeps it, Insert adds a
row, Delete removes the selected rows while no cell is being edited.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from data.patients import weight_text

COLUMNS = ("Date", "kg")
HINTS = ("YYYY-MM-DD or DD/MM/YYYY", "kg, e.g. 61.5")


class _Hinted(QtWidgets.QStyledItemDelegate):
    """Cell editors that say what to type, as the dialog's other fields do."""

    def createEditor(self, parent, option, index):  # noqa: N802 - Qt's name
        editor = super().createEditor(parent, option, index)
        if isinstance(editor, QtWidgets.QLineEdit):
            editor.setPlaceholderText(HINTS[index.column()])
        return editor


class _Table(QtWidgets.QTableWidget):
    insertPressed = QtCore.Signal()
    deletePressed = QtCore.Signal()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        editing = self.state() == QtWidgets.QAbstractItemView.State.EditingState
        if not editing and event.key() == QtCore.Qt.Key.Key_Insert:
            self.insertPressed.emit()
        elif not editing and event.key() == QtCore.Qt.Key.Key_Delete:
            self.deletePressed.emit()
        else:
            super().keyPressEvent(event)


class WeightTable(QtWidgets.QWidget):
    """Attributes: ``table`` (rows of date and kg text), ``add_button``, ``remove_button``."""

    def __init__(self, weights: dict[str, float],
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = _Table(0, len(COLUMNS))
        self.table.setObjectName("weights")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        # Row numbers stay visible: a refusal names the row ("weight row 3: …").
        self.table.setItemDelegate(_Hinted(self.table))
        self.table.setColumnWidth(0, self.fontMetrics().horizontalAdvance(HINTS[0]) + 24)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, as in the other fields
        self.table.setToolTip("Date (YYYY-MM-DD or DD/MM/YYYY) and body weight in kg. F2 edits "
                              "a cell, Insert adds a weight, Delete removes the selected ones.")
        self.set_weights(weights)
        self.table.setMinimumHeight(self.table.verticalHeader().defaultSectionSize() * 5)
        self.add_button = QtWidgets.QPushButton("Add &weight")
        self.remove_button = QtWidgets.QPushButton("Re&move weight")
        self.add_button.setAutoDefault(False)
        self.remove_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add)
        self.remove_button.clicked.connect(self.remove_selected)
        self.table.insertPressed.connect(self.add)
        self.table.deletePressed.connect(self.remove_selected)

        buttons = QtWidgets.QVBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def set_weights(self, weights: dict[str, float]) -> None:
        """Show these weighings, replacing the rows (a colleague's change kept)."""
        self.table.setRowCount(0)
        for day, kg in weights.items():
            self._append(day, weight_text(kg))

    def _append(self, day: str, kg: str) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QtWidgets.QTableWidgetItem(day))
        self.table.setItem(row, 1, QtWidgets.QTableWidgetItem(kg))
        return row

    def add(self) -> None:
        """A new empty row, its date cell being edited."""
        row = self._append("", "")
        self.table.setFocus()
        self.table.setCurrentCell(row, 0)
        self.table.editItem(self.table.item(row, 0))

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        if not rows and self.table.currentRow() >= 0:
            rows = [self.table.currentRow()]
        for row in rows:
            self.table.removeRow(row)

    def rows(self) -> list[tuple[str, str]]:
        """(date, kg) as typed, in table order (the order the refusals number them)."""
        return [tuple(self.table.item(r, c).text().strip() if self.table.item(r, c) else ""
                      for c in range(len(COLUMNS)))
                for r in range(self.table.rowCount())]

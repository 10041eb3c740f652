"""The results grid as a table: a row per day, a column per analyte and specimen, values
outside their reference flagged ↑/↓ and coloured. Clicking a cell announces its samples
(``cellChosen``) so the window moves the timeline there and rings them.

The content is data.results_grid.ResultsGrid; text is written per visible cell.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from data.alignment import Anchor
from data.numbers import utc_date
from data.results_grid import HIGH, LOW, ResultsGrid
from gui.palette import OKABE_ITO
from gui.plain_text import tip

FLAG_COLOURS = {HIGH: OKABE_ITO["vermillion"], LOW: OKABE_ITO["blue"]}


class ResultsModel(QtCore.QAbstractTableModel):
    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.grid: ResultsGrid | None = None
        self.anchor: Anchor | None = None

    def set_grid(self, grid: ResultsGrid | None, anchor: Anchor | None) -> None:
        self.beginResetModel()
        self.grid, self.anchor = grid, anchor
        self.endResetModel()

    def rowCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() or self.grid is None else len(self.grid.days)

    def columnCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() or self.grid is None else len(self.grid.columns)

    def data(self, index: QtCore.QModelIndex, role: int = QtCore.Qt.ItemDataRole.DisplayRole):
        if self.grid is None or not index.isValid():
            return None
        key = (index.row(), index.column())
        cells = self.grid.cells.get(key, ())
        if role == QtCore.Qt.ItemDataRole.DisplayRole:
            return self.grid.text(*key)
        if role == QtCore.Qt.ItemDataRole.TextAlignmentRole:
            return int(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
        if role == QtCore.Qt.ItemDataRole.ForegroundRole:
            flagged = [c.flag for c in cells if c.flag]
            return QtGui.QColor(FLAG_COLOURS[flagged[0]]) if flagged else None
        if role == QtCore.Qt.ItemDataRole.ToolTipRole and cells:
            column = self.grid.columns[index.column()]
            times = ", ".join(utc_date(c.t, with_time=True) for c in cells)
            return tip("\n".join(filter(None, (f"{column.title} ({column.unit}), "
                                                f"{column.reference}", times, column.caveat))))
        return None

    def headerData(self, section: int, orientation: QtCore.Qt.Orientation,  # noqa: N802
                   role: int = QtCore.Qt.ItemDataRole.DisplayRole):
        if self.grid is None or role not in (QtCore.Qt.ItemDataRole.DisplayRole,
                                             QtCore.Qt.ItemDataRole.ToolTipRole):
            return None
        if orientation == QtCore.Qt.Orientation.Horizontal:
            column = self.grid.columns[section]
            if role == QtCore.Qt.ItemDataRole.ToolTipRole:
                return tip(" ".join(filter(None, (f"{column.title} in {column.unit}; "
                                                  f"{column.reference}.", column.caveat))))
            return f"{column.title}\n{column.unit}"
        t = float(self.grid.days[section])
        day = f" · {self.anchor.label(t)}" if self.anchor is not None else ""
        return f"{utc_date(t)}{day}"

    def samples(self, index: QtCore.QModelIndex) -> list[dict]:
        """The measurements in a cell, as the timeline's highlight takes them."""
        if self.grid is None or not index.isValid():
            return []
        column = self.grid.columns[index.column()]
        return [{"code": column.code, "specimen": column.specimen, "t": c.t}
                for c in self.grid.cells.get((index.row(), index.column()), ())]


class ResultsGridPanel(QtWidgets.QWidget):
    """Attributes: ``table`` (the view), ``model`` (ResultsModel), ``note``."""

    cellChosen = QtCore.Signal(list)  # noqa: N815  [{code, specimen, t}, …]

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ResultsModel(self)
        self.table = QtWidgets.QTableView()
        self.table.setObjectName("resultsGrid")
        self.table.setModel(self.model)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setDefaultSectionSize(96)
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().lineSpacing() + 6)
        self.table.clicked.connect(self._clicked)
        self.table.activated.connect(self._clicked)  # Enter on a cell, from the keyboard
        self.note = QtWidgets.QLabel(f"{HIGH} above, {LOW} below the healthy-control band "
                                     "(mean ± 2 SD or range) or the normal range; “<5”: "
                                     "below the detection limit. Click a cell to see it on "
                                     "the timeline.")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color:#555")
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)

    def show_grid(self, grid: ResultsGrid | None, anchor: Anchor | None) -> None:
        self.model.set_grid(grid, anchor)
        # A column as wide as its longest header line ("IL-1β LPS ÷ spont." was cut to
        # "-1β LPS ÷ spon"), never narrower than the default.
        header = self.table.horizontalHeader()
        metrics = header.fontMetrics()
        pad = 3 * header.style().pixelMetric(QtWidgets.QStyle.PixelMetric.PM_HeaderMargin) + 8
        for c in range(self.model.columnCount()):
            text = self.model.headerData(c, QtCore.Qt.Orientation.Horizontal) or ""
            wanted = max(metrics.horizontalAdvance(line) for line in text.split("\n")) + pad
            header.resizeSection(c, max(header.defaultSectionSize(), wanted))

    def _clicked(self, index: QtCore.QModelIndex) -> None:
        samples = self.model.samples(index)
        if samples:
            self.cellChosen.emit(samples)

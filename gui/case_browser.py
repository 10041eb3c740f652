"""The case list: pseudonym, diagnosis, first/last date, episodes, review status; filterable."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from data.case_list import CaseRow
from data.numbers import DASH
from gui import table_fit
from gui.plain_text import tip

COLUMNS = (("pseudonym", "Case"), ("diagnosis", "Diagnosis"), ("first", "First"),
           ("last", "Last"), ("episodes", "Ep."), ("reviewed", "Reviewed"))
HEADER_TIPS = {"episodes": "Episodes", "first": "First record", "last": "Last record"}
# In a narrow list these give way, in this order, so Case, Last, Ep. and Reviewed always show.
GIVE_WAY = ("first", "diagnosis")
FIELDS = [field for field, _title in COLUMNS]


class CaseListModel(QtCore.QAbstractTableModel):
    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[CaseRow] = []

    def set_rows(self, rows: list[CaseRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: N802, B008
        return len(COLUMNS)

    def data(self, index, role=QtCore.Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        field = COLUMNS[index.column()][0]
        if role == QtCore.Qt.ItemDataRole.DisplayRole:
            return str(getattr(row, field))
        if role == QtCore.Qt.ItemDataRole.ToolTipRole:
            review = "not reviewed" if row.reviewed == DASH else f"reviewed by {row.reviewed}"
            return tip(f"{row.pseudonym}: {row.diagnosis or 'no diagnosis'}; {review}")
        if role == QtCore.Qt.ItemDataRole.UserRole:
            return row
        if role == QtCore.Qt.ItemDataRole.TextAlignmentRole and field == "episodes":
            return int(QtCore.Qt.AlignmentFlag.AlignCenter)
        return None

    def headerData(self, section, orientation, role=QtCore.Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != QtCore.Qt.Orientation.Horizontal:
            return None
        if role == QtCore.Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        if role == QtCore.Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS.get(COLUMNS[section][0])
        return None


# No pseudonym or diagnosis holds these: in the filter box they stay shortcuts ("?": help).
KEYS_NOT_TYPED = frozenset({"?"})


class _LetShortcutsThrough(QtCore.QObject):
    """A line edit claims every printable key before shortcuts see it (ShortcutOverride);
    for the given characters it declines, so the window's shortcut fires instead."""

    def __init__(self, characters: frozenset[str], parent: QtCore.QObject) -> None:
        super().__init__(parent)
        self.characters = characters

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QtCore.QEvent.Type.ShortcutOverride and \
                event.text() in self.characters:
            event.ignore()
            return True
        return False


class CaseBrowser(QtWidgets.QWidget):
    """Filter box over a sortable table; emits the chosen case's id."""

    caseActivated = QtCore.Signal(int)  # noqa: N815

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = CaseListModel(self)
        self.proxy = QtCore.QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(QtCore.Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)  # any column: pseudonym, diagnosis, dates
        self.filter = QtWidgets.QLineEdit(placeholderText="Filter cases (pseudonym, diagnosis…)")
        self.filter.setClearButtonEnabled(True)
        self.filter.installEventFilter(_LetShortcutsThrough(KEYS_NOT_TYPED, self))
        self.filter.textChanged.connect(self._filter)
        self._chosen: int | None = None  # the case last asked for from this list
        self.table = QtWidgets.QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, QtCore.Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().sortIndicatorChanged.connect(
            lambda *_: self._fit_columns())
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        # Several rows for the cohort view (Ctrl+click, Shift+click); the current row is
        # the case on screen.
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        # Every column fits the list's width, no horizontal scroll bar: the diagnosis
        # takes what is left and elides; narrower still, First and Diagnosis give way.
        table_fit.set_up(self.table, FIELDS.index("diagnosis"))
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.filter.returnPressed.connect(self._open_first_match)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter)
        layout.addWidget(self.table)

    def set_rows(self, rows: list[CaseRow]) -> bool:
        """Show these rows, keeping the selected case and the scroll position (the list
        follows others' changes while the reviewer reads it); False if nothing changed."""
        if rows == self.model.rows:
            return False
        current = self.current_id()
        scroll = self.table.verticalScrollBar().value()
        self.model.set_rows(rows)
        self._fit_columns()
        if current is not None:
            self.select_id(current, emit=False)
        self.table.verticalScrollBar().setValue(scroll)
        return True

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit_columns()

    def _fit_columns(self) -> None:
        table = self.table
        widths = table_fit.content_widths(table, [title for _f, title in COLUMNS])
        # Who reviewed and when can be long: elided here, whole in the row's tooltip.
        reviewed = FIELDS.index("reviewed")
        widths[reviewed] = min(widths[reviewed], table.horizontalHeader().fontMetrics()
                               .horizontalAdvance("Reviewed") + 24)
        table_fit.fit(table, widths, stretch=FIELDS.index("diagnosis"), stretch_min=100,
                      give_way=[FIELDS.index(f) for f in GIVE_WAY])

    def current_id(self) -> int | None:
        idx = self.table.currentIndex()
        row = idx.data(QtCore.Qt.ItemDataRole.UserRole) if idx.isValid() else None
        return None if row is None else row.id

    def selected_ids(self) -> list[int]:
        """The cases selected in the list, in its order (the cohort view's choice)."""
        rows = sorted(self.table.selectionModel().selectedRows(), key=lambda i: i.row())
        return [i.data(QtCore.Qt.ItemDataRole.UserRole).id for i in rows]

    def select_id(self, case_id: int, *, emit: bool = True) -> bool:
        idx = self._index_of(case_id)
        if idx is None:
            return False
        blocker = None if emit else QtCore.QSignalBlocker(self.table.selectionModel())
        self.table.setCurrentIndex(idx)
        del blocker
        return True

    def _index_of(self, case_id: int | None) -> QtCore.QModelIndex | None:
        for r in range(self.proxy.rowCount()):
            idx = self.proxy.index(r, 0)
            if idx.data(QtCore.Qt.ItemDataRole.UserRole).id == case_id:
                return idx
        return None

    def select_pseudonym(self, pseudonym: str) -> bool:
        for row in self.model.rows:
            if row.pseudonym == pseudonym:
                return self.select_id(row.id)
        return False

    def _filter(self, text: str) -> None:
        """Narrow the list. A current row that goes out of sight moved to a neighbour,
        which opened that case as the reviewer typed ('12' opened NLRP12-01): only Enter
        or a click opens one. The chosen case's row is current while it is listed, else
        none is; the rows selected for the cohort view stay selected."""
        model = self.table.selectionModel()
        with QtCore.QSignalBlocker(model):
            self.proxy.setFilterFixedString(text)
            if self.current_id() != self._chosen:
                chosen = self._index_of(self._chosen)
                model.setCurrentIndex(QtCore.QModelIndex() if chosen is None else chosen,
                                      QtCore.QItemSelectionModel.SelectionFlag.NoUpdate)

    def _current_changed(self, current, _previous) -> None:
        row = current.data(QtCore.Qt.ItemDataRole.UserRole) if current.isValid() else None
        if row is not None:
            self._chosen = row.id
            self.caseActivated.emit(row.id)

    def _open_first_match(self) -> None:
        if self.proxy.rowCount():
            self.table.setCurrentIndex(self.proxy.index(0, 0))
            self.table.setFocus()

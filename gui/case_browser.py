"""The case list: pseudonym, diagnosis, first/last date, episodes, review status; filterable."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from data.case_list import CaseRow
from data.numbers import DASH

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
            return f"{row.pseudonym}: {row.diagnosis or 'no diagnosis'}; {review}"
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
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QtWidgets.QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, QtCore.Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().sortIndicatorChanged.connect(
            lambda *_: self._fit_columns())
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        # Every column fits the list's width, no horizontal scroll bar: the diagnosis
        # takes what is left and elides; narrower still, First and Diagnosis give way.
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(FIELDS.index("diagnosis"),
                                    QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.table.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setTextElideMode(QtCore.Qt.TextElideMode.ElideRight)
        self.table.setWordWrap(False)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.filter.returnPressed.connect(self._open_first_match)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter)
        layout.addWidget(self.table)

    def set_rows(self, rows: list[CaseRow]) -> None:
        current = self.current_id()
        self.model.set_rows(rows)
        self._fit_columns()
        if current is not None:
            self.select_id(current, emit=False)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit_columns()

    def _fit_columns(self) -> None:
        table = self.table
        # The vertical scroll bar may appear after this: leave it its room.
        width = table.width() - 2 * table.frameWidth() - \
            table.verticalScrollBar().sizeHint().width()
        # Qt's own header size keeps room for a sort arrow in every column; only the
        # sorted one shows it, so the others are sized by their text.
        header = table.horizontalHeader()
        fm = header.fontMetrics()
        widths = {f: max(table.sizeHintForColumn(i), fm.horizontalAdvance(title) + 14)
                  for i, (f, title) in enumerate(COLUMNS)}
        sorted_field = FIELDS[header.sortIndicatorSection()] \
            if 0 <= header.sortIndicatorSection() < len(FIELDS) else None
        if sorted_field in widths:
            widths[sorted_field] += 16
        # Who reviewed and when can be long: elided here, whole in the row's tooltip.
        widths["reviewed"] = min(widths["reviewed"], fm.horizontalAdvance("Reviewed") + 24)
        hidden: set[str] = set()
        for field in (None, *GIVE_WAY):
            if field is not None:
                hidden.add(field)
            need = sum(w for f, w in widths.items() if f not in hidden and f != "diagnosis")
            if need + (0 if "diagnosis" in hidden else 100) <= width:
                break
        for i, f in enumerate(FIELDS):
            table.setColumnHidden(i, f in hidden)
            if f != "diagnosis" and f not in hidden:
                table.setColumnWidth(i, widths[f])

    def current_id(self) -> int | None:
        idx = self.table.currentIndex()
        row = idx.data(QtCore.Qt.ItemDataRole.UserRole) if idx.isValid() else None
        return None if row is None else row.id

    def select_id(self, case_id: int, *, emit: bool = True) -> bool:
        for r in range(self.proxy.rowCount()):
            idx = self.proxy.index(r, 0)
            if idx.data(QtCore.Qt.ItemDataRole.UserRole).id == case_id:
                blocker = None if emit else QtCore.QSignalBlocker(self.table.selectionModel())
                self.table.setCurrentIndex(idx)
                del blocker
                return True
        return False

    def select_pseudonym(self, pseudonym: str) -> bool:
        for row in self.model.rows:
            if row.pseudonym == pseudonym:
                return self.select_id(row.id)
        return False

    def _current_changed(self, current, _previous) -> None:
        row = current.data(QtCore.Qt.ItemDataRole.UserRole) if current.isValid() else None
        if row is not None:
            self.caseActivated.emit(row.id)

    def _open_first_match(self) -> None:
        if self.proxy.rowCount():
            self.table.setCurrentIndex(self.proxy.index(0, 0))
            self.table.setFocus()

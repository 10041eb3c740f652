"""The open case's episodes as a sortable table beside the timeline.

Selection goes both ways through the controller: picking a row selects the episode and
zooms the timeline to it; selecting an episode on the timeline picks its row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from PySide6 import QtCore, QtWidgets

from data import episode_edit as edit
from data.alignment import Anchor, day_text
from gui import table_fit
from gui.episodes.controller import clean_row
from gui.episodes.graphics import episode_colour
from gui.plain_text import tip
from gui.timeline.axis import CALENDAR, format_time

SORT_ROLE = QtCore.Qt.ItemDataRole.UserRole + 1
ID_ROLE = QtCore.Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    tip: str


COLUMNS = (
    Column("kind", "Kind", "Relapse, flare, remission, adverse event or note"),
    Column("onset", "Onset", "First day of the episode (UTC)"),
    Column("end", "End", "Last day of the episode (UTC), or the moment it ends if that is "
           "within a day; ongoing when it has no end"),
    Column("days", "Days", "Duration in days"),
    Column("day0", "Day", "Onset in whole days from day 0: the first anakinra dose, or the "
           "first record for a case never on anakinra"),
    Column("severity", "Severity", "Mild, moderate or severe"),
)
KEYS = [c.key for c in COLUMNS]
# Beside the case list on a 1024 px screen these give way, in this order (the row's
# tooltip still has them); the kind takes what is left and elides.
GIVE_WAY = ("days", "day0", "end")
STRETCH = "kind"


class EpisodeListModel(QtCore.QAbstractTableModel):
    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[dict] = []
        self.anchor: Anchor | None = None

    def set_episodes(self, episodes: pd.DataFrame, anchor: Anchor | None) -> None:
        self.beginResetModel()
        self.rows = [clean_row(r) for _, r in episodes.iterrows()]
        self.anchor = anchor
        self.endResetModel()

    def rowCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: N802, B008
        return len(COLUMNS)

    def headerData(self, section, orientation, role=QtCore.Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != QtCore.Qt.Orientation.Horizontal:
            return None
        if role == QtCore.Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        if role == QtCore.Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[section].tip
        return None

    def value(self, row: dict, key: str) -> float | str | None:
        """The column's value before formatting (what sorting uses)."""
        if key == "days":
            return edit.duration_days(row["onset"], row["end"])
        if key == "day0":
            return None if self.anchor is None else self.anchor.day(row["onset"])
        return row.get(key)

    def data(self, index, role=QtCore.Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        key = COLUMNS[index.column()].key
        value = self.value(row, key)
        if role == QtCore.Qt.ItemDataRole.DisplayRole:
            return self._text(key, value)
        if role == SORT_ROLE:
            if isinstance(value, str):
                return value
            # Missing values last: an ongoing episode has the latest end and longest span.
            return math.inf if value is None else float(value)
        if role == ID_ROLE:
            return row["id"]
        if role == QtCore.Qt.ItemDataRole.DecorationRole and key == "kind":
            return episode_colour(row["kind"])
        if role == QtCore.Qt.ItemDataRole.ToolTipRole:
            return tip(self.tooltip(row))
        if role == QtCore.Qt.ItemDataRole.TextAlignmentRole and key in ("days", "day0"):
            return int(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
        return None

    def tooltip(self, row: dict) -> str:
        """Every column of the row, whichever the list's width hides, and the note."""
        text = ", ".join(f"{c.title}: {self._text(c.key, self.value(row, c.key))}"
                         for c in COLUMNS)
        return f"{text}\n{row['note']}" if row.get("note") else text

    @staticmethod
    def _text(key: str, value) -> str:
        if value is None and key in ("onset", "end"):
            return "ongoing"
        if key == "onset":
            return format_time(value, CALENDAR, None)
        if key == "end":  # stored exclusive: a one-day episode on 14 March ends 15 March 00:00
            return format_time(edit.shown_end(value), CALENDAR, None)
        if key == "days":
            return edit.format_days(value, missing="ongoing")
        if key == "day0":
            return "—" if value is None else day_text(int(value)).removeprefix("day ")
        return "—" if value is None else str(value)


class EpisodeListPanel(QtWidgets.QWidget):
    def __init__(self, controller, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.model = EpisodeListModel(self)
        self.proxy = QtCore.QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QtWidgets.QTableView()
        self.table.setObjectName("episodeTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, QtCore.Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setMinimumWidth(60)  # the window's minimum is the timeline's, not ours
        table_fit.set_up(self.table, KEYS.index(STRETCH))
        self.table.horizontalHeader().sortIndicatorChanged.connect(
            lambda *_: self._fit_columns())
        self.empty = QtWidgets.QLabel("No episodes yet. Press <b>A</b> (Annotate) and drag "
                                      "across the timeline to mark one.")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color:#555; padding:4px")
        self.empty.setMinimumWidth(40)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)
        self._syncing = False
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.activated.connect(self._activated)
        controller.episodesChanged.connect(self.set_episodes)
        controller.selectionChanged.connect(self._show_selection)

    def set_episodes(self, episodes: pd.DataFrame) -> None:
        case = self.controller.case
        self._syncing = True
        try:
            self.model.set_episodes(episodes, None if case is None else case.anchor)
        finally:
            self._syncing = False
        self._fit_columns()
        self.empty.setVisible(self.model.rowCount() == 0)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit_columns()

    def _fit_columns(self) -> None:
        widths = table_fit.content_widths(self.table, [c.title for c in COLUMNS])
        table_fit.fit(self.table, widths, stretch=KEYS.index(STRETCH), stretch_min=56,
                      give_way=[KEYS.index(k) for k in GIVE_WAY])

    def row_of(self, episode_id: int) -> int | None:
        for r in range(self.proxy.rowCount()):
            if self.proxy.index(r, 0).data(ID_ROLE) == episode_id:
                return r
        return None

    def selected_id(self) -> int | None:
        idx = self.table.currentIndex()
        return idx.data(ID_ROLE) if idx.isValid() else None

    def _show_selection(self, row: dict | None) -> None:
        r = None if row is None else self.row_of(row["id"])
        self._syncing = True
        try:
            if r is None:
                self.table.clearSelection()
                self.table.setCurrentIndex(QtCore.QModelIndex())
            else:
                self.table.selectRow(r)
                self.table.scrollTo(self.proxy.index(r, 0))
        finally:
            self._syncing = False

    def _current_changed(self, current: QtCore.QModelIndex, _previous) -> None:
        if not self._syncing and current.isValid():
            self.controller.select(current.data(ID_ROLE), zoom=True)

    def _activated(self, index: QtCore.QModelIndex) -> None:
        self.controller.select(index.data(ID_ROLE), zoom=True)

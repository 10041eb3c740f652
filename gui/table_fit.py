"""Table columns that fit their table's width: no horizontal scroll bar beside the timeline.

One column stretches and elides its text; the others keep their content's width, and in
a narrow table the columns named to give way are hidden, in order, until the rest fit.
The case list and the episode list both use it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6 import QtCore, QtWidgets

SORT_ARROW = 16  # px Qt's header needs beside the sorted column's title


def set_up(table: QtWidgets.QTableView, stretch: int) -> None:
    """Column `stretch` takes what is left and elides; no horizontal scroll bar."""
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Interactive)
    header.setSectionResizeMode(stretch, QtWidgets.QHeaderView.ResizeMode.Stretch)
    table.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setTextElideMode(QtCore.Qt.TextElideMode.ElideRight)
    table.setWordWrap(False)


def content_widths(table: QtWidgets.QTableView, titles: Sequence[str]) -> list[int]:
    """Each column's width for its cells and its title (and the sort arrow if sorted).

    Qt's own header size keeps room for a sort arrow in every column; only the sorted
    one shows it, so the others are sized by their text.
    """
    header = table.horizontalHeader()
    fm = header.fontMetrics()
    widths = [max(table.sizeHintForColumn(i), fm.horizontalAdvance(title) + 14)
              for i, title in enumerate(titles)]
    if table.isSortingEnabled() and 0 <= header.sortIndicatorSection() < len(widths):
        widths[header.sortIndicatorSection()] += SORT_ARROW
    return widths


def fit(table: QtWidgets.QTableView, widths: Sequence[int], *, stretch: int,
        stretch_min: int, give_way: Sequence[int]) -> set[int]:
    """Hide the give_way columns, in order, until the others fit the table's width with
    stretch_min px left for the stretching column; returns the hidden columns."""
    # The vertical scroll bar may appear after this: leave it its room.
    room = table.width() - 2 * table.frameWidth() - \
        table.verticalScrollBar().sizeHint().width()
    hidden: set[int] = set()
    for column in (None, *give_way):
        if column is not None:
            hidden.add(column)
        need = sum(w for i, w in enumerate(widths) if i not in hidden and i != stretch)
        if need + (0 if stretch in hidden else stretch_min) <= room:
            break
    # With the stretching column given way, the last one shown takes the rest: otherwise
    # a blank strip was left at the table's right (the case list at 1024 px).
    shown = [i for i in range(len(widths)) if i not in hidden]
    stretching = stretch if stretch not in hidden or not shown else shown[-1]
    header = table.horizontalHeader()
    for i, w in enumerate(widths):
        table.setColumnHidden(i, i in hidden)
        header.setSectionResizeMode(i, QtWidgets.QHeaderView.ResizeMode.Stretch if i == stretching
                                    else QtWidgets.QHeaderView.ResizeMode.Interactive)
        if i != stretching and i not in hidden:
            table.setColumnWidth(i, w)
    return hidden

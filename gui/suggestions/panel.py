"""The Suggestions dock's content: the list of suggested episodes, the evidence of the one
selected (clicking a line rings its measurements on the timeline), accept and reject with
a reason, and the agreement with the reviewer's episodes. The panel only announces what
the reviewer asked for; the feature acts."""

from __future__ import annotations

import pandas as pd
from PySide6 import QtCore, QtGui, QtWidgets

from data.relapse_criteria import BY_KEY
from data.suggest_report import PER_CRITERION_COLUMNS
from gui.plain_text import tip

COLUMNS = ("Onset", "Last day", "Kind", "Certainty", "Criteria", "State")
ID_ROLE = QtCore.Qt.ItemDataRole.UserRole
CHANGED = "#8A4B00"  # amber: what the criteria say the reviewer should look at
# The per-criterion agreement without its Role column, too wide for a dock: the role is
# the criterion's tooltip, and a criterion that does not apply says why across the row.
ROLE = PER_CRITERION_COLUMNS.index("Role")
MIN_ROWS = 3  # suggestions the list shows however small the dock
AGREEMENT_COLUMNS = PER_CRITERION_COLUMNS[:ROLE] + PER_CRITERION_COLUMNS[ROLE + 1:]


def state_text(row) -> str:
    text = {"open": "open", "accepted": "accepted", "rejected": "rejected"}[row["state"]]
    if row["state"] == "rejected" and row.get("reason"):
        text += f": {row['reason']}"
    # The mark first, short: a narrow dock elides the end of a cell (the tooltip says it
    # whole), and a long reason took the mark with it.
    return f"changed · {text}" if row["changed"] else text


def needs_a_look(rows: pd.DataFrame) -> pd.Series:
    """Open suggestions, and decided ones whose evidence changed since the decision: the
    reviewer keeps or changes that decision, so it stays listed until then."""
    return (rows["state"] == "open") | (rows["changed"].astype(bool))


class SuggestionPanel(QtWidgets.QWidget):
    runRequested = QtCore.Signal()  # noqa: N815
    acceptRequested = QtCore.Signal(int)  # noqa: N815  suggestion id
    rejectRequested = QtCore.Signal(int, str)  # noqa: N815  id, reason
    keepRequested = QtCore.Signal(int)  # noqa: N815  suggestion id
    selected = QtCore.Signal(object)  # suggestion id or None
    evidenceChosen = QtCore.Signal(list)  # noqa: N815  samples [{code, specimen, t}]

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: pd.DataFrame = pd.DataFrame()
        self.run = QtWidgets.QPushButton("Run criteria again")
        self.run.setObjectName("suggestRun")
        self.run.setToolTip("Apply the relapse criteria to this case's current data: new "
                            "candidates are added, none is duplicated, and a suggestion "
                            "whose evidence changed is marked")
        self.show_decided = QtWidgets.QCheckBox("Show accepted and rejected")
        self.show_decided.setObjectName("suggestShowDecided")
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("suggestionTable")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        # Dates, kind and certainty at their width; the criteria and the state (a reason
        # can be long) share the rest, elided in a narrow dock, whole in the tooltip: the
        # state was scrolled out of sight.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        for name in ("Criteria", "State"):
            header.setSectionResizeMode(COLUMNS.index(name),
                                        QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(QtCore.Qt.TextElideMode.ElideRight)
        self.evidence = QtWidgets.QListWidget()
        self.evidence.setObjectName("suggestionEvidence")
        self.evidence.setWordWrap(True)
        self.evidence.setToolTip("Click a line to ring its measurements on the timeline")
        self.reason = QtWidgets.QLineEdit()
        self.reason.setObjectName("suggestReason")
        self.reason.setPlaceholderText("Reason to reject (required)")
        self.accept = QtWidgets.QPushButton("Accept")
        self.accept.setObjectName("suggestAccept")
        self.accept.setToolTip("Make it a reviewer episode (its edges stay editable)")
        self.reject = QtWidgets.QPushButton("Reject")
        self.reject.setObjectName("suggestReject")
        self.keep = QtWidgets.QPushButton("Keep decision")
        self.keep.setObjectName("suggestKeep")
        self.keep.setToolTip("The evidence changed since this suggestion was decided: keep "
                             "the decision (the mark goes; audited, undoable). To change "
                             "it, edit or delete the episode")
        self.agreement = QtWidgets.QLabel()
        self.agreement.setObjectName("suggestAgreement")
        self.agreement.setWordWrap(True)
        self.per_criterion = _agreement_table()
        self.notes = QtWidgets.QLabel()
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet(f"color:{CHANGED}")

        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.run)
        top.addWidget(self.show_decided)
        top.addStretch(1)
        # The list, the evidence with the decision, and the agreement share the height
        # through a splitter the reviewer can move; the list always shows three rows.
        chosen = QtWidgets.QWidget()
        decide = QtWidgets.QHBoxLayout()
        decide.addWidget(self.accept)
        decide.addWidget(self.reason, 1)
        decide.addWidget(self.reject)
        decide.addWidget(self.keep)
        box = QtWidgets.QVBoxLayout(chosen)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.evidence, 1)
        box.addLayout(decide)
        report = QtWidgets.QWidget()
        box = QtWidgets.QVBoxLayout(report)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.notes)
        box.addWidget(self.agreement)
        box.addWidget(self.per_criterion, 1)
        self.splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        self.splitter.setObjectName("suggestSplitter")
        self.splitter.setChildrenCollapsible(False)
        for part, stretch in ((self.table, 3), (chosen, 2), (report, 3)):
            self.splitter.addWidget(part)
            self.splitter.setStretchFactor(self.splitter.count() - 1, stretch)
        self.table.setMinimumHeight(self._rows_height(MIN_ROWS))
        self.evidence.setMinimumHeight(self.fontMetrics().height() * 3)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

        self.run.clicked.connect(self.runRequested)
        self.show_decided.toggled.connect(lambda _on: self.set_rows(self.rows, self._anchor))
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.evidence.itemClicked.connect(
            lambda item: self.evidenceChosen.emit(item.data(ID_ROLE) or []))
        self.accept.clicked.connect(self._accept)
        self.reject.clicked.connect(self._reject)
        self.keep.clicked.connect(self._keep)
        self.reason.textChanged.connect(lambda _t: self._enable())
        self.reason.returnPressed.connect(self._reject)
        self._anchor = None
        self._enable()

    def _rows_height(self, rows: int) -> int:
        table = self.table
        return (table.horizontalHeader().sizeHint().height()
                + rows * table.verticalHeader().defaultSectionSize()
                + table.horizontalScrollBar().sizeHint().height() + 2 * table.frameWidth())

    # -- what the feature calls ------------------------------------------------------------
    def set_rows(self, rows: pd.DataFrame, anchor) -> None:
        keep = self.selected_id()
        self.rows, self._anchor = rows, anchor
        shown = rows if self.show_decided.isChecked() or rows.empty else \
            rows[needs_a_look(rows)]
        self.table.blockSignals(True)
        self.table.setRowCount(len(shown))
        for r, row in enumerate(shown.to_dict("records")):
            last = "ongoing" if pd.isna(row["end"]) or row["end"] is None else \
                anchor.label(float(row["end"]) - 86_400)
            cells = (anchor.label(float(row["onset"])), last, row["kind"], row["certainty"],
                     ", ".join(BY_KEY[k].name for k in row["criteria"] if k in BY_KEY),
                     state_text(row))
            for c, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                item.setData(ID_ROLE, int(row["id"]))
                item.setToolTip(tip(text if c != len(cells) - 1 or not row["changed"] else
                                    "The evidence changed since the decision: "
                                    + text.removeprefix("changed · ")))
                if row["changed"]:  # to look at again: in the notes' amber
                    item.setForeground(QtGui.QColor(CHANGED))
                self.table.setItem(r, c, item)
        self.table.blockSignals(False)
        self.select(keep, announce=False)
        self._show_evidence()

    def set_agreement(self, text: str, notes: list[str],
                      per_criterion: list[tuple[str, ...]]) -> None:
        """The agreement in a line and per criterion (data.suggest_report's rows, the
        case PDF's table)."""
        self.agreement.setText(text)
        self.notes.setText("\n".join(notes))
        self.notes.setVisible(bool(notes))
        table = self.per_criterion
        table.clearSpans()
        table.setRowCount(len(per_criterion))
        for r, row in enumerate(per_criterion):
            role = row[ROLE]
            cells = row[:ROLE] + row[ROLE + 1:]
            if role.startswith("does not apply"):
                cells = (cells[0], role, *("",) * (len(cells) - 2))
                table.setSpan(r, 1, 1, len(cells) - 1)
            for c, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                item.setToolTip(tip(f"{cells[0]}: {role}" if c == 0 else text))
                if 0 < c < len(cells) - 1 and not role.startswith("does not apply"):
                    item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignRight
                                          | QtCore.Qt.AlignmentFlag.AlignVCenter)
                table.setItem(r, c, item)
        table.resizeRowsToContents()

    def selected_id(self) -> int | None:
        items = self.table.selectedItems()
        return int(items[0].data(ID_ROLE)) if items else None

    def selected_row(self) -> dict | None:
        sid = self.selected_id()
        if sid is None or self.rows.empty:
            return None
        hit = self.rows[self.rows["id"] == sid]
        return None if hit.empty else hit.iloc[0].to_dict()

    def select(self, sid: int | None, *, announce: bool = True) -> None:
        self.table.blockSignals(True)
        self.table.clearSelection()
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).data(ID_ROLE) == sid:
                self.table.selectRow(r)
                self.table.scrollToItem(self.table.item(r, 0))
                break
        self.table.blockSignals(False)
        self._show_evidence()
        if announce:
            self.selected.emit(self.selected_id())

    # -- the reviewer ----------------------------------------------------------------------
    def _selection_changed(self) -> None:
        self._show_evidence()
        self.selected.emit(self.selected_id())

    def _show_evidence(self) -> None:
        self.evidence.clear()
        row = self.selected_row()
        if row is not None:
            for e in row["evidence"]:
                item = QtWidgets.QListWidgetItem(e["text"])
                item.setData(ID_ROLE, e.get("samples", []))
                self.evidence.addItem(item)
        self._enable()

    def _enable(self) -> None:
        row = self.selected_row()
        open_ = row is not None and row["state"] == "open"
        self.accept.setEnabled(open_)
        self.reason.setEnabled(open_)
        self.reject.setEnabled(open_ and bool(self.reason.text().strip()))
        self.keep.setEnabled(row is not None and not open_ and bool(row["changed"]))
        self.keep.setVisible(self.keep.isEnabled())

    def _accept(self) -> None:
        sid = self.selected_id()
        if sid is not None:
            row = self.table.currentRow()
            self.acceptRequested.emit(sid)
            self._on_to_the_next(sid, row)

    def _reject(self) -> None:
        sid, reason = self.selected_id(), self.reason.text().strip()
        if sid is not None and reason and self.reject.isEnabled():
            row = self.table.currentRow()
            self.rejectRequested.emit(sid, reason)
            self.reason.clear()
            self._on_to_the_next(sid, row)

    def _keep(self) -> None:
        sid = self.selected_id()
        if sid is not None and self.keep.isEnabled():
            row = self.table.currentRow()
            self.keepRequested.emit(sid)
            self._on_to_the_next(sid, row)

    def _on_to_the_next(self, decided: int, row: int) -> None:
        """After a decision the keyboard stays in the list, on the suggestion that follows
        the decided one: a reviewer goes through them with the arrow keys, Tab to Accept
        or to the reason and Enter. (The decided row left the list, or its button greyed out, and Qt gave the
        focus to the case filter, where the next key went.)"""
        n = self.table.rowCount()
        if n:
            ids = [self.table.item(r, 0).data(ID_ROLE) for r in range(n)]
            at = min(max(row, 0), n - 1)
            if ids[at] == decided and at + 1 < n:  # still listed (decided ones shown)
                at += 1
            self.select(ids[at])
        self.table.setFocus(QtCore.Qt.FocusReason.OtherFocusReason)


SHORT = {"Suggested": "Sugg.", "Onset difference": "Onset"}  # the header's tooltip says it


def _agreement_table() -> QtWidgets.QTableWidget:
    table = QtWidgets.QTableWidget(0, len(AGREEMENT_COLUMNS))
    table.setObjectName("suggestAgreementTable")
    table.setHorizontalHeaderLabels([SHORT.get(c, c) for c in AGREEMENT_COLUMNS])
    tips = {"Suggested": "Suggestions meeting the criterion",
            "Missed": "Reviewer's relapses or flares no suggestion meeting it matches (– "
                      "for a criterion that supports only: it never sets an episode)",
            "Onset difference": "The suggested onset against the reviewer's, of its "
                                "matched suggestions"}
    for c, name in enumerate(AGREEMENT_COLUMNS):
        table.horizontalHeaderItem(c).setToolTip(tips.get(name, name))
    table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
    table.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)  # read, not gone through by Tab
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)  # wraps
    table.setWordWrap(True)
    table.setToolTip("Agreement per criterion: the same table as the case PDF's and "
                     "`suggest`'s")
    return table

"""The selected episode's properties: kind, severity, onset certainty, dates, note, and who
wrote it when. Every edit goes to the controller as one undoable change; the note is
committed when the reviewer presses Enter or leaves the field, not on every keystroke.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from data import episode_edit as edit
from db.episodes import CERTAINTIES, KINDS, SEVERITIES
from gui.date_edit import DateEdit
from gui.episodes.graphics import episode_colour

NONE = "—"
PLACEHOLDER = ("<p><b>No episode selected.</b></p>"
               "<p>Click an episode on the timeline or in the list above, or press "
               "<b>A</b> (Annotate) and drag across the timeline to draw one, or "
               "<b>N</b> to mark the day under the cursor and type its dates.</p>")


def _utc(t: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, dt.UTC)


def stamp(t: float | None) -> str:
    return NONE if t is None else _utc(t).strftime("%Y-%m-%d %H:%M UTC")


class NoteEdit(QtWidgets.QPlainTextEdit):
    """Multi-line note: Enter commits, Shift+Enter starts a new line, leaving commits."""

    committed = QtCore.Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.saved = ""
        self.setTabChangesFocus(True)
        self.setPlaceholderText("Note (Enter saves, Shift+Enter: new line)")

    def set_saved(self, text: str) -> None:
        self.saved = text
        self.setPlainText(text)

    def dirty(self) -> bool:
        return self.toPlainText() != self.saved

    def commit(self) -> None:
        if self.dirty():
            self.saved = self.toPlainText()
            self.committed.emit(self.saved)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802
        enter = event.key() in (QtCore.Qt.Key.Key_Return, QtCore.Qt.Key.Key_Enter)
        if enter and not event.modifiers() & QtCore.Qt.KeyboardModifier.ShiftModifier:
            self.commit()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QtGui.QFocusEvent) -> None:  # noqa: N802
        self.commit()
        super().focusOutEvent(event)


class _WheelOnlyWhenFocused:
    """The wheel scrolls the panel, never edits a field the reviewer has not clicked:
    a wheel over the panel once moved an episode's onset seven years back, saved and
    audited."""

    def wheelEvent(self, event: QtGui.QWheelEvent) -> None:  # noqa: N802
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()  # goes on to the scrolling panel


class _Combo(_WheelOnlyWhenFocused, QtWidgets.QComboBox):
    pass


class _DateEdit(_WheelOnlyWhenFocused, DateEdit):
    pass


def _combo(values: tuple[str, ...], *, optional: bool) -> QtWidgets.QComboBox:
    box = _Combo()
    box.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
    if optional:
        box.addItem(NONE, None)
    for v in values:
        box.addItem(v, v)
    return box


NO_DATE = QtCore.QDate(1900, 1, 1)


def _date_edit() -> QtWidgets.QDateEdit:
    edit_ = _DateEdit()
    edit_.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
    edit_.setCalendarPopup(True)
    edit_.setDisplayFormat("yyyy-MM-dd")
    # The minimum date stands for "no date" (an ongoing episode's end) and shows a dash.
    edit_.setMinimumDate(NO_DATE)
    edit_.setSpecialValueText(NONE)
    return edit_


class PropertiesPanel(QtWidgets.QWidget):
    """Shows the controller's selection and sends edits back to it."""

    historyRequested = QtCore.Signal()  # noqa: N815

    def __init__(self, controller, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.row: dict[str, Any] | None = None

        self.title = QtWidgets.QLabel()
        self.title.setObjectName("episodeTitle")
        self.kind = _combo(KINDS, optional=False)
        self.severity = _combo(SEVERITIES, optional=True)
        self.certainty = _combo(CERTAINTIES, optional=True)
        self.certainty.setToolTip("How sure you are of the onset date")
        self.onset = _date_edit()
        self.end = _date_edit()
        self.ongoing = QtWidgets.QCheckBox("ongoing")
        self.ongoing.setToolTip("The episode has no end yet (e.g. a relapse still going on)")
        self.length = QtWidgets.QLabel()
        self.length.setWordWrap(True)
        self.note = NoteEdit()
        self.note.setMinimumHeight(56)
        self.note.setMaximumHeight(120)  # room for a few lines; the panel must fit the dock
        self.meta = QtWidgets.QLabel()
        self.meta.setObjectName("episodeMeta")
        self.meta.setWordWrap(True)
        self.meta.setStyleSheet("color:#555")
        self.meta.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.history_button = QtWidgets.QPushButton("History…")
        self.history_button.setToolTip("Every change to this episode: who, when, before → after")

        end_row = QtWidgets.QHBoxLayout()
        end_row.setContentsMargins(0, 0, 0, 0)
        end_row.addWidget(self.end, 1)
        end_row.addWidget(self.ongoing)
        form = QtWidgets.QFormLayout()
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # Beside the case list on a 1024 px screen a field goes under its label rather
        # than past the dock's edge.
        form.setRowWrapPolicy(QtWidgets.QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(self.title)
        form.addRow("Kind", self.kind)
        form.addRow("Severity", self.severity)
        form.addRow("Onset certainty", self.certainty)
        form.addRow("Onset", self.onset)
        form.addRow("End", end_row)
        form.addRow("Length", self.length)
        form.addRow("Note", self.note)
        form.addRow(self.meta)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.history_button)
        form.addRow(buttons)
        editor = QtWidgets.QWidget()
        editor.setLayout(form)

        self.placeholder = QtWidgets.QLabel(PLACEHOLDER)
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop)
        self.placeholder.setStyleSheet("color:#555; padding:6px")
        self.stack = QtWidgets.QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(editor)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.stack)
        layout.addStretch(1)

        # activated/clicked/editingFinished fire on the reviewer's actions only, so
        # showing a row never writes it back.
        self.kind.activated.connect(lambda _i: self._set(kind=self.kind.currentData()))
        self.severity.activated.connect(
            lambda _i: self._set(severity=self.severity.currentData()))
        self.certainty.activated.connect(
            lambda _i: self._set(certainty=self.certainty.currentData()))
        self.note.committed.connect(lambda text: self._set(note=text))
        self.onset.editingFinished.connect(lambda: self._dates_edited(onset_typed=True))
        self.end.editingFinished.connect(self._dates_edited)
        self.ongoing.clicked.connect(self._ongoing_clicked)
        self.history_button.clicked.connect(self.historyRequested)
        controller.selectionChanged.connect(self.show_row)
        self.show_row(None)

    # -- showing -------------------------------------------------------------------------
    def show_row(self, row: dict[str, Any] | None) -> None:
        if self.row is not None and self.note.dirty():
            # Keep what was typed: save it first. Saving reloads and re-selects the saved
            # episode; then go on to the one that was asked for.
            wanted = None if row is None else row["id"]
            self.note.commit()
            if self.controller.selected_id != wanted:
                self.controller.select(wanted)  # comes back here, note saved
                return
            row = self.controller.row(wanted)  # as stored now
        self.row = row
        self.stack.setCurrentIndex(0 if row is None else 1)
        if row is None:
            return
        for w in (self.kind, self.severity, self.certainty, self.onset, self.end, self.ongoing):
            w.blockSignals(True)
        try:
            self._fill(row)
        finally:
            for w in (self.kind, self.severity, self.certainty, self.onset, self.end,
                      self.ongoing):
                w.blockSignals(False)

    def _fill(self, row: dict[str, Any]) -> None:
        colour = episode_colour(row["kind"]).name()
        self.title.setText(f"<span style='color:{colour}; font-size:14pt'>■</span> "
                           f"<b>{row['kind'].capitalize()}</b> episode")
        self.kind.setCurrentIndex(max(self.kind.findData(row["kind"]), 0))
        self.severity.setCurrentIndex(max(self.severity.findData(row["severity"]), 0))
        self.certainty.setCurrentIndex(max(self.certainty.findData(row["certainty"]), 0))
        self.onset.setDate(_utc(row["onset"]).date())
        ongoing = row["end"] is None
        self.ongoing.setChecked(ongoing)
        self.end.setEnabled(not ongoing)
        # The End field holds the last day (ends are stored exclusive).
        self.end.setDate(NO_DATE if ongoing else _utc(edit.last_day(row["end"])).date())
        self.length.setText(self._length_text(row))
        self.note.set_saved(row["note"] or "")
        self.meta.setText(f"By <b>{row['author']}</b> · created {stamp(row['created'])}"
                          f"<br>updated {stamp(row['updated'])} · version {row['version']}")

    def _length_text(self, row: dict[str, Any]) -> str:
        days = edit.duration_days(row["onset"], row["end"])
        text = "ongoing" if days is None else \
            f"{edit.format_days(days)} day{'' if days == 1 else 's'}"
        case = self.controller.case
        if case is not None:
            text += f" · onset on {case.anchor.label(row['onset'])}" + (
                " of anakinra" if case.anchor.on_anakinra else " from the first record")
        return text

    # -- editing ---------------------------------------------------------------------------
    def _set(self, **changes: Any) -> None:
        if self.row is not None:
            self.controller.change_properties(self.row["id"], **changes)

    def _dates_edited(self, onset_typed: bool = False) -> None:
        row = self.row
        if row is None:
            return
        onset = _with_date(row["onset"], self.onset.date())
        end = None if row["end"] is None else \
            edit.end_for_last_day(row["end"], _midnight(self.end.date()))
        if onset_typed and end is not None and onset >= end:
            # An onset typed past the end takes the episode with it, its length kept:
            # N marks one day, and the reviewer types the real onset first (clinician
            # review: typing a later onset was refused, "end before onset").
            end += onset - row["onset"]
        if not self.controller.change_times(row["id"], onset, end):
            self.show_row(self.controller.row(row["id"]))  # put refused dates back

    def _ongoing_clicked(self, ongoing: bool) -> None:
        row = self.row
        if row is None:
            return
        if ongoing:
            end = None
        else:
            case = self.controller.case
            horizon = case.time_range[1] if case is not None else row["onset"]
            end = edit.close_ongoing(row["onset"], horizon)
        self.controller.change_times(row["id"], row["onset"], end)


def _midnight(date: QtCore.QDate) -> int:
    return int(dt.datetime(date.year(), date.month(), date.day(), tzinfo=dt.UTC).timestamp())


def _with_date(t: float, date: QtCore.QDate) -> int:
    """t moved to another calendar day, keeping its UTC time of day."""
    old = _utc(t)
    new = dt.datetime(date.year(), date.month(), date.day(), old.hour, old.minute, old.second,
                      tzinfo=dt.UTC)
    return int(new.timestamp())


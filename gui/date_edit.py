"""A date field that takes a date typed in full, as a reviewer copies it from a letter."""

from __future__ import annotations

from PySide6 import QtGui, QtWidgets


class DateEdit(QtWidgets.QDateEdit):
    """Takes a date typed in full, "2009-06-10": Qt moves on to the next section by itself
    once a year or month is complete, and the "-" typed next then skipped the day as well,
    so the day's digits landed nowhere (clinician review: dates could not be typed)."""

    _SEPARATORS = frozenset("-/.")

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._moved_on = False  # the last digit made Qt move to the next section

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802
        text = event.text()
        if text.isdigit() and self._at_a_section_start():
            # Typed into a full section with nothing selected, Qt keeps the section as it
            # was: 2010-02-10 typed before "2009" saved 2009-02-10 without a word. In a
            # real window the focus arrives after the year was selected and drops the
            # selection (clinician review), so the digit replaces the section instead.
            self.setSelectedSection(self.currentSection())
        if self._moved_on and text in self._SEPARATORS:
            self._moved_on = False
            event.accept()  # already in the section this separator leads to
            return
        section = self.currentSection()
        super().keyPressEvent(event)
        self._moved_on = text.isdigit() and self.currentSection() != section

    def _at_a_section_start(self) -> bool:
        line = self.lineEdit()
        if line.hasSelectedText():
            return False
        text, cursor = line.text(), line.cursorPosition()
        starts = {0} | {i + 1 for i, c in enumerate(text) if c in self._SEPARATORS}
        return cursor in starts and cursor < len(text)

    def focusInEvent(self, event: QtGui.QFocusEvent) -> None:  # noqa: N802
        self._moved_on = False
        super().focusInEvent(event)

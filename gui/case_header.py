"""The line above the timeline naming the open case (pseudonym only: never identifying fields)."""

from __future__ import annotations

import html

from PySide6 import QtCore, QtGui, QtWidgets

from data.patients import NO_DIAGNOSIS, header_parts

_STYLE = {"genotype": "<i>{}</i>", "person": "{}", "diagnosis": "{}"}


class CaseHeader(QtWidgets.QLabel):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.setObjectName("caseHeader")
        self.setContentsMargins(6, 2, 6, 2)
        # A long diagnosis and genotype must not set the window's minimum width.
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored,
                           QtWidgets.QSizePolicy.Policy.Fixed)
        # Tall enough for the 13 pt pseudonym: the layout sizes a rich-text label from the
        # widget font, which clipped the pseudonym's top.
        big = QtGui.QFont(self.font())
        big.setPointSizeF(13)
        big.setBold(True)
        self.setFixedHeight(QtGui.QFontMetrics(big).height() + 10)
        self._parts: list[tuple[str, str]] = []
        self.show_case(None)

    def show_case(self, case) -> None:
        self._parts: list[tuple[str, str]] = []  # (HTML with {} for the text, the text)
        if case is None:
            self.setToolTip("")
            self.setText("<span style='color:#666'>Choose a case in the list to open it.</span>")
            return
        p = case.patient
        parts = [("<b style='font-size:13pt'>{}</b>", case.pseudonym)]
        for field, text in header_parts(p):
            style = "<span style='color:#666'>{}</span>" if text == NO_DIAGNOSIS else _STYLE[field]
            parts.append((style, text))
        if p.get("reviewed_by"):
            parts.append(("<span style='color:#009E73'>{}</span>", f"✔ reviewed by {p['reviewed_by']}"))
        self._parts = parts
        self._fit()

    def full_text(self) -> str:
        """The whole header as plain text (the tooltip when the line is cut short)."""
        return _SEPARATOR_TEXT.join(text for _style, text in self._parts)

    def _fit(self) -> None:
        """One line that fits the width: trailing items give way, the last one shown is
        cut with "…", and the tooltip holds the whole header."""
        if not self._parts:
            return
        room = self.contentsRect().width() - 2 * self.margin() - 4
        full = _html(self._parts)
        if room <= 0 or self._width(full) <= room:
            self.setToolTip("")
            self.setText(full)
            return
        self.setToolTip(self.full_text())
        kept = list(self._parts)
        while len(kept) > 1 and self._width(_html([*kept[:-1], ("{}", "…")])) > room:
            kept.pop()
        style, text = kept[-1]
        head = _html(kept[:-1]) + (_SEPARATOR if len(kept) > 1 else "")
        font = QtGui.QFont(self.font())
        if len(kept) == 1:  # only the pseudonym: its own size
            font.setPointSizeF(13)
            font.setBold(True)
        left = max(room - self._width(head), 0)
        short = QtGui.QFontMetrics(font).elidedText(text, QtCore.Qt.TextElideMode.ElideRight,
                                                    int(left))
        while short and short != "…" and self._width(head + style.format(html.escape(short))) > room:
            left -= 4
            short = QtGui.QFontMetrics(font).elidedText(text, QtCore.Qt.TextElideMode.ElideRight,
                                                        int(left))
        self.setText(head + style.format(html.escape(short or "…")))

    def _width(self, text: str) -> float:
        doc = QtGui.QTextDocument()
        doc.setDocumentMargin(0)
        doc.setDefaultFont(self.font())
        doc.setHtml(text)
        return doc.idealWidth()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()


_SEPARATOR = " &nbsp;·&nbsp; "
_SEPARATOR_TEXT = "  ·  "


def _html(parts: list[tuple[str, str]]) -> str:
    return _SEPARATOR.join(style.format(html.escape(text)) for style, text in parts)

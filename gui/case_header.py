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
        self.show_case(None)

    def show_case(self, case) -> None:
        if case is None:
            self.setText("<span style='color:#666'>Choose a case in the list to open it.</span>")
            return
        p = case.patient
        parts = [f"<b style='font-size:13pt'>{html.escape(case.pseudonym)}</b>"]
        for field, text in header_parts(p):
            style = "<span style='color:#666'>{}</span>" if text == NO_DIAGNOSIS else _STYLE[field]
            parts.append(style.format(html.escape(text)))
        if p.get("reviewed_by"):
            parts.append(f"<span style='color:#009E73'>✔ reviewed by {html.escape(p['reviewed_by'])}</span>")
        self.setText(" &nbsp;·&nbsp; ".join(parts))

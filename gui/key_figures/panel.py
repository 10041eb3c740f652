"""The Key figures panel: each figure of the open case with its value; the chosen one's
definition, threshold and samples below. Choosing a figure announces its samples
(``figureChosen``) so the window can ring them on the timeline.

The figures are data.key_figure_samples.case_figures: the computation the PDF and
``summary --json`` use, so the three never disagree.
"""

from __future__ import annotations

import html

from PySide6 import QtCore, QtWidgets

from data.key_figure_samples import sample_line

RECORD_ROLE = QtCore.Qt.ItemDataRole.UserRole


class KeyFiguresPanel(QtWidgets.QWidget):
    """Attributes: ``figures`` (the list, one item per figure), ``details`` (the chosen
    figure's definition and samples), ``record`` (what was last shown)."""

    figureChosen = QtCore.Signal(dict)  # noqa: N815  one figure record (case_figures)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.record: dict | None = None
        self.day0 = QtWidgets.QLabel()
        self.day0.setObjectName("keyFiguresDay0")
        self.day0.setWordWrap(True)
        self.day0.setStyleSheet("color:#555")
        self.figures = QtWidgets.QListWidget()
        self.figures.setObjectName("keyFiguresList")
        self.figures.setWordWrap(True)
        self.figures.setTextElideMode(QtCore.Qt.TextElideMode.ElideNone)
        self.figures.setVerticalScrollMode(
            QtWidgets.QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.figures.setAlternatingRowColors(True)  # one figure runs over several lines
        self.figures.setSpacing(2)
        self.figures.currentItemChanged.connect(self._chosen)
        # A second click on the chosen figure rings its samples again (after a pan).
        self.figures.itemClicked.connect(lambda item: self._chosen(item, None))
        self.details = QtWidgets.QLabel()
        self.details.setObjectName("keyFiguresDetails")
        self.details.setWordWrap(True)
        self.details.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.details.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop)
        self.details.setTextInteractionFlags(
            QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidget(self.details)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        split.addWidget(self.figures)
        split.addWidget(scroll)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([1000, 1000])  # half each, whatever the list's size hint asks
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.day0)
        layout.addWidget(split, 1)
        self.show_record(None)

    def show_record(self, record: dict | None) -> None:
        """The figures of a case (data.key_figure_samples.case_figures), or none."""
        self.record = record
        blocker = QtCore.QSignalBlocker(self.figures)  # refilling is not choosing
        self.figures.clear()
        if record is None:
            self.day0.setText("Open a case to see its key figures.")
            self.details.setText("")
            del blocker
            return
        day0 = record["day0"]
        self.day0.setText(day0["described"].capitalize()
                          + (f" ({day0['date']})" if day0["date"] else ""))
        for f in record["figures"]:
            n = len(f["samples"])
            item = QtWidgets.QListWidgetItem(
                f"{f['name']}\n{f['value']}" + (f"\n{n} sample{'s' if n != 1 else ''}"
                                                if n else ""))
            item.setData(RECORD_ROLE, f)
            item.setToolTip(f["definition"])
            self.figures.addItem(item)
        del blocker
        self.details.setText("<span style='color:#666'>Click a figure for its definition; its "
                             "samples are ringed on the timeline.</span>")

    def _chosen(self, item: QtWidgets.QListWidgetItem | None, _previous=None) -> None:
        if item is None:
            return
        f = item.data(RECORD_ROLE)
        parts = [f"<b>{html.escape(f['name'])}</b>: {html.escape(f['value'])}",
                 f"<p><i>Definition.</i> {html.escape(f['definition'])}</p>"]
        if f["threshold"]:
            parts.append(f"<p><i>Threshold.</i> {html.escape(f['threshold'])}</p>")
        if f["samples"]:
            rows = "".join(f"<li>{html.escape(sample_line(s))}</li>" for s in f["samples"])
            parts.append(f"<p><i>Samples</i> (ringed on the timeline):</p><ul>{rows}</ul>")
        else:
            parts.append("<p><i>No sample behind this figure.</i></p>")
        self.details.setText("".join(parts))
        self.figureChosen.emit(f)

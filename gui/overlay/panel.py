"""The episode overlay's widget: the anchor and window, the episodes listed, the panels.

It shows a data.episode_overlay.Overlay and announces what the reviewer changes
(``settingsChanged``); the feature (gui/overlay/install.py) computes the overlay.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from data.alignment import RELAPSE_ONSET
from data.episode_overlay import (
    KIND_HINTS,
    KIND_NAMES,
    KINDS,
    WINDOW,
    Overlay,
    samples_in_window,
)
from gui.timeline.aligned_layout import list_beside, member_list, swatch
from gui.timeline.aligned_stack import AlignedStack
from gui.timeline.tracks.aligned import member_colour

PANEL_HEIGHT = 100  # px: a panel's least height in the dock (70 squeezed seven into it)
HINT = ("Each line is one episode, day 0 at its anchor; black: their median, day by day, "
        "where two or more episodes run. "
        "Hover a line to name it; click it to show that day on the timeline.")


class OverlayPanel(QtWidgets.QWidget):
    settingsChanged = QtCore.Signal()  # noqa: N815
    exportRequested = QtCore.Signal()  # noqa: N815

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.overlay: Overlay | None = None
        self.anchor_box = QtWidgets.QComboBox()
        for kind in KINDS:
            self.anchor_box.addItem(KIND_NAMES[kind].capitalize(), kind)
            self.anchor_box.setItemData(self.anchor_box.count() - 1,
                                        f"Day 0 = {KIND_HINTS[kind]}",
                                        QtCore.Qt.ItemDataRole.ToolTipRole)
        self.anchor_box.setSizeAdjustPolicy(
            QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._tip_anchor()
        self.from_box = _day_box(-365, 0, WINDOW[0])
        self.to_box = _day_box(1, 730, WINDOW[1])
        self.export_button = QtWidgets.QPushButton("Export PDF…")
        self.export_button.setToolTip("This overlay as a one-page PDF")
        controls = QtWidgets.QHBoxLayout()
        controls.addWidget(QtWidgets.QLabel("Day 0:"))
        controls.addWidget(self.anchor_box)
        controls.addSpacing(12)
        controls.addWidget(QtWidgets.QLabel("Window: day"))
        controls.addWidget(self.from_box)
        controls.addWidget(QtWidgets.QLabel("to day"))
        controls.addWidget(self.to_box)
        controls.addStretch(1)
        controls.addWidget(self.export_button)

        self.message = QtWidgets.QLabel()
        self.message.setWordWrap(True)
        self.episodes = member_list("The episodes overlaid; choose one to draw it over the "
                                    "others")
        # Taller panels than the cohort window's: a dock is short, and seven panels
        # squeezed into it were unreadable; they scroll instead.
        self.stack = AlignedStack(hint=HINT, panel_height=PANEL_HEIGHT)
        split = list_beside(self.episodes, self.stack)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(controls)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)

        self.anchor_box.currentIndexChanged.connect(lambda _i: self._tip_anchor())
        self.anchor_box.currentIndexChanged.connect(lambda _i: self.settingsChanged.emit())
        self.from_box.valueChanged.connect(lambda _v: self.settingsChanged.emit())
        self.to_box.valueChanged.connect(lambda _v: self.settingsChanged.emit())
        self.export_button.clicked.connect(self.exportRequested)
        self.episodes.currentRowChanged.connect(self._episode_chosen)

    def kind(self) -> str:
        return str(self.anchor_box.currentData() or RELAPSE_ONSET)

    def set_counts(self, counts: dict[str, int]) -> None:
        """Each choice of anchor with how many the open case has: "Each relapse onset (2)"."""
        for i in range(self.anchor_box.count()):
            kind = self.anchor_box.itemData(i)
            self.anchor_box.setItemText(i, f"{KIND_NAMES[kind].capitalize()} ({counts[kind]})")

    def _tip_anchor(self) -> None:
        self.anchor_box.setToolTip(f"Day 0 of each episode = {KIND_HINTS[self.kind()]}")

    def window_days(self) -> tuple[int, int]:
        return (self.from_box.value(), self.to_box.value())

    def show_overlay(self, overlay: Overlay) -> None:
        self.overlay = overlay
        self.message.setText(overlay.message or overlay.definition)
        self.episodes.blockSignals(True)
        self.episodes.clear()
        n = len(overlay.episodes)
        for i, e in enumerate(overlay.episodes):
            count = samples_in_window(overlay, e)
            item = QtWidgets.QListWidgetItem(f"{e.name} · {count} value{'s' * (count != 1)}")
            item.setIcon(swatch(member_colour(i, n)))
            self.episodes.addItem(item)
        self.episodes.blockSignals(False)
        self.export_button.setEnabled(bool(overlay.panels))
        # The whole window on the axis, its edges labelled (day -28 … +56), weekly ticks.
        self.stack.set_panels(overlay.panels, f"Days from {KIND_NAMES[overlay.kind]}",
                              window=overlay.window)

    def _episode_chosen(self, row: int) -> None:
        if self.overlay is None or not 0 <= row < len(self.overlay.episodes):
            return
        number = self.overlay.episodes[row].number
        for track in self.stack.tracks.values():
            track.highlight(next((ln for ln in track.panel.lines if ln.member == number), None))


def _day_box(lo: int, hi: int, value: int) -> QtWidgets.QSpinBox:
    box = QtWidgets.QSpinBox()
    box.setRange(lo, hi)
    box.setValue(value)
    box.setKeyboardTracking(False)  # typing "-90" recomputes once, not at "-" and "-9"
    return box

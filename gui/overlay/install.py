"""Adds the Episode overlay window (View → Episode overlay, Ctrl+Shift+O) for the open case.

A dock under the timeline (float it for the room of a window); like the other case docks
it is computed only while in sight. The main window calls install(window).
"""

from __future__ import annotations

from PySide6 import QtCore

from gui.case_dock import CaseDock
from gui.overlay.panel import OverlayPanel

HEIGHT = 420  # px: three or four panels in sight, the others a scroll away


class OverlayFeature(CaseDock):
    """``window.overlay``: the panel, its dock, and the PDF page."""

    def __init__(self, window) -> None:
        self.panel = OverlayPanel()
        super().__init__(window, self.panel, title="Episode overlay", name="overlayDock",
                         area=QtCore.Qt.DockWidgetArea.BottomDockWidgetArea,
                         shortcut="Ctrl+Shift+O",
                         tip="The open case's analytes around each relapse, dose change, "
                             "anakinra start or stop, on one relative axis")
        window.resizeDocks([self.dock], [HEIGHT], QtCore.Qt.Orientation.Vertical)
        self.panel.settingsChanged.connect(lambda: self.refresh(force=True))
        self.panel.exportRequested.connect(self.export)
        self.panel.stack.lineClicked.connect(self.show_on_timeline)

    def fill(self, case) -> None:
        from data.episode_overlay import anchor_counts, episode_overlay

        self.panel.set_counts(anchor_counts(case))
        self.panel.show_overlay(episode_overlay(case, self.panel.kind(),
                                                self.panel.window_days()))

    def show_on_timeline(self, _member: int, t: float) -> None:
        timeline = self.window.timeline
        timeline.highlight.bring_into_view([t])
        timeline.set_cursor(t)

    def export(self) -> None:
        from gui.export_dialog import save_pdf_as
        from gui.pdf.export import pdf_name

        overlay = self.panel.overlay
        if overlay is None or self.case is None:
            return
        name = pdf_name(f"{self.case.pseudonym} overlay", deidentified=False)
        path = save_pdf_as(self.dock, "Export the overlay", name)
        if path is not None:
            self.write_pdf(str(path))

    def write_pdf(self, path: str) -> None:
        from data.episode_overlay import KIND_NAMES
        from gui.pdf.aligned_page import write_aligned_pdf
        from gui.timeline.tracks.aligned import member_colour_name

        # A failed write raises ExportError: the window's error reporter says it in one
        # line and logs it.
        overlay = self.panel.overlay
        n = len(overlay.episodes)
        write_aligned_pdf(path, title=f"Episode overlay · {self.case.pseudonym}",
                          about=[overlay.definition, f"Episodes counted in the case's own "
                                 f"days ({self.case.anchor.described})."],
                          items=[f"{e.name} ({member_colour_name(i, n)})"
                                 for i, e in enumerate(overlay.episodes)],
                          panels=overlay.panels,
                          axis_label=f"Days from {KIND_NAMES[overlay.kind]}",
                          window=overlay.window)


def install(window) -> OverlayFeature:
    feature = OverlayFeature(window)
    feature.follow_episodes()
    window.overlay = feature
    return feature

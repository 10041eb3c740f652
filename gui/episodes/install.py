"""Adds annotating to the main window: docks, actions, toolbar button, menus, status hint.

The main window imports this module by name and calls install(window).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6 import QtCore, QtGui, QtWidgets

from data.alignment import DAY
from db.episodes import KINDS
from gui.access import changes_data
from gui.actions import ActionSpec
from gui.episodes.controller import EpisodeController
from gui.episodes.history_dialog import HistoryDialog
from gui.episodes.list_panel import EpisodeListPanel
from gui.episodes.properties_panel import PropertiesPanel, stamp

SK = QtGui.QKeySequence.StandardKey
ANNOTATE_ON = "Annotate mode on"
ANNOTATE_HINT = ("Annotate: drag across any track to mark an episode · Shift+drag: exact "
                 "times, no snapping to days · drag an edge to adjust · Esc: leave")

SPECS = (
    ActionSpec("annotate", "&Annotate episodes", "A",
               "Draw episodes: drag across the timeline to mark a relapse, flare…",
               checkable=True),
    ActionSpec("leave_annotate", "Leave annotate mode", "Esc", "Stop drawing episodes"),
    ActionSpec("new_episode", "&New episode on the cursor's day", "N",
               "Mark the day under the cursor (or the middle of the view) as an episode of "
               "the chosen kind, then type its dates in the Episode panel"),
    ActionSpec("delete_episode", "&Delete episode", SK.Delete,
               "Delete the selected episode (undoable)"),
    ActionSpec("episode_history", "Episode &history…", "Ctrl+H",
               "Every change to the selected episode: who, when, before → after"),
    ActionSpec("mark_reviewed", "&Mark case reviewed", "",
               "Record that you have reviewed this case (shown in the case list)",
               checkable=True),
)


@dataclass
class EpisodeFeature:
    """What install() built; kept on the window as ``window.episode_feature``."""

    controller: EpisodeController
    list_panel: EpisodeListPanel
    properties: PropertiesPanel
    kind_box: QtWidgets.QComboBox
    hint: QtWidgets.QLabel
    review_info: QtGui.QAction


def install(window) -> EpisodeFeature:
    controller = EpisodeController(window)
    a = window.actions
    for spec in SPECS:
        a.add(window, spec)
    a["annotate"].setIconText("Annotate")
    list_panel = EpisodeListPanel(controller)
    properties = PropertiesPanel(controller)
    _add_docks(window, list_panel, properties)

    kind_box = QtWidgets.QComboBox()
    kind_box.addItems(list(KINDS))
    kind_box.setToolTip("Kind of the next episode you draw (change it later in the "
                        "Episode panel)")
    kind_box.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
    kind_box.currentTextChanged.connect(lambda k: setattr(controller, "new_kind", k))
    tb = window.toolbar
    tb.addSeparator()
    tb.addAction(a["annotate"])
    tb.addWidget(kind_box)

    hint = QtWidgets.QLabel(ANNOTATE_HINT)
    hint.setObjectName("annotateHint")
    hint.setStyleSheet("color:#8A4B00; padding-right:6px")
    hint.hide()
    window.statusBar().addPermanentWidget(hint)

    edit_menu = window.menu("&Edit")
    edit_menu.addSeparator()
    edit_menu.addAction(a["delete_episode"])
    case_menu = window.menu("&Case")
    case_menu.addActions([a["annotate"], a["new_episode"], a["episode_history"]])
    case_menu.addSeparator()
    case_menu.addAction(a["mark_reviewed"])
    review_info = case_menu.addAction("Not reviewed yet")
    review_info.setEnabled(False)
    controller.menu_actions = [a["delete_episode"], a["episode_history"]]
    p = properties
    changes_data(window.access, a["annotate"], a["new_episode"], a["delete_episode"],
                 a["mark_reviewed"], kind_box,
                 p.kind, p.severity, p.certainty, p.onset, p.end, p.ongoing, p.note)
    controller.layer.editable = window.access.can_write  # no dragging an episode's edges
    if not window.access.can_write:  # the hints would invite what is greyed out
        list_panel.empty.setText("No episodes yet.")
        p.placeholder.setText("<p><b>No episode selected.</b></p><p>Click an episode on the "
                              "timeline or in the list above.</p>")

    feature = EpisodeFeature(controller, list_panel, properties, kind_box, hint, review_info)
    _connect(window, feature)
    window.episode_feature = feature
    return feature


def _add_docks(window, list_panel: QtWidgets.QWidget, properties: QtWidgets.QWidget) -> None:
    # Under the case list rather than on the right: the timeline keeps its width (its
    # legend rows need it) and the reviewer reads case → episodes → details downwards.
    docks = []
    for title, name, widget in (("Episodes", "episodesDock", list_panel),
                                ("Episode", "episodePropertiesDock", properties)):
        dock = QtWidgets.QDockWidget(title, window)
        dock.setObjectName(name)
        dock.setWidget(_scrolling(widget) if widget is properties else widget)
        dock.setFeatures(QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetClosable)
        window.addDockWidget(QtCore.Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        window.menu("&View").addAction(dock.toggleViewAction())
        docks.append(dock)
    window.splitDockWidget(window.cases_dock, docks[0], QtCore.Qt.Orientation.Vertical)
    window.splitDockWidget(docks[0], docks[1], QtCore.Qt.Orientation.Vertical)
    window.resizeDocks([window.cases_dock, *docks], [220, 180, 420],
                       QtCore.Qt.Orientation.Vertical)


def _scrolling(widget: QtWidgets.QWidget) -> QtWidgets.QScrollArea:
    """The form scrolls rather than setting a minimum size on the whole window."""
    area = QtWidgets.QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
    return area


def _connect(window, f: EpisodeFeature) -> None:
    a, c = window.actions, f.controller

    def set_annotating(on: bool) -> None:
        c.layer.set_annotating(on)
        a["leave_annotate"].setEnabled(on)
        f.hint.setVisible(on)
        status = window.statusBar()
        if on:
            status.showMessage(ANNOTATE_ON, 4000)
            window.timeline.setFocus()
        elif status.currentMessage() == ANNOTATE_ON:
            status.clearMessage()  # the mode it announces has ended

    def new_episode() -> None:
        # The keyboard's way to mark an episode: a reviewer without a mouse (or with exact
        # dates from a letter) marks one day, then types onset and end in the panel.
        day = window.timeline.cursor_day()
        if c.create(day, day + DAY):
            window.findChild(QtWidgets.QDockWidget, "episodePropertiesDock").show()
            f.properties.onset.setFocus(QtCore.Qt.FocusReason.ShortcutFocusReason)
            f.properties.onset.setSelectedSection(QtWidgets.QDateTimeEdit.Section.YearSection)

    def case_state(case) -> None:
        for name in ("annotate", "new_episode", "mark_reviewed"):
            a[name].setEnabled(case is not None)

    def selection_state(row) -> None:
        for name in ("delete_episode", "episode_history"):
            a[name].setEnabled(row is not None)

    def review_state(review) -> None:
        by = (review or {}).get("reviewed_by")
        a["mark_reviewed"].blockSignals(True)
        a["mark_reviewed"].setChecked(bool(by))
        a["mark_reviewed"].blockSignals(False)
        text = f"Reviewed by {by}, {stamp(review.get('reviewed_at'))}" if by \
            else "Not reviewed yet"
        f.review_info.setText(text)
        a["mark_reviewed"].setStatusTip(text)

    def show_history() -> None:
        row = c.row(c.selected_id)
        history = None if row is None else c.history(row["id"])
        if history is not None:
            HistoryDialog(history, f"{row['kind']} episode {row['id']}", window).show()

    a["annotate"].toggled.connect(set_annotating)
    a["leave_annotate"].triggered.connect(lambda: a["annotate"].setChecked(False))
    a["new_episode"].triggered.connect(new_episode)
    a["delete_episode"].triggered.connect(c.delete_selected)
    a["episode_history"].triggered.connect(show_history)
    a["mark_reviewed"].triggered.connect(c.set_reviewed)
    f.properties.historyRequested.connect(show_history)
    window.caseOpened.connect(case_state)
    c.selectionChanged.connect(selection_state)
    c.reviewChanged.connect(review_state)
    set_annotating(False)
    case_state(window.case)
    selection_state(None)
    # Closing the window while typing a note must not lose it.
    window.installEventFilter(_SaveOnClose(f.properties, window))


class _SaveOnClose(QtCore.QObject):
    def __init__(self, properties: PropertiesPanel, parent: QtCore.QObject) -> None:
        super().__init__(parent)
        self.properties = properties

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QtCore.QEvent.Type.Close:
            self.properties.note.commit()
        return False

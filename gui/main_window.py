"""The main window: case browser dock, case header, timeline; menus from the action registry.

Capabilities that add docks or actions (annotation, import, export) live in their own
modules and are installed by name (INSTALLERS), each with install(window).
"""

from __future__ import annotations

import importlib
import logging

from PySide6 import QtCore, QtGui, QtWidgets
from sqlalchemy import Engine

from data.case_list import case_list_rows
from db.errors import user_line
from db.roles import access
from gui.access import changes_data, show_who
from gui.actions import ActionRegistry, set_tip
from gui.case_browser import CaseBrowser
from gui.case_header import CaseHeader
from gui.case_loader import CaseLoader
from gui.collector import freeze_startup
from gui.first_paint import after_next_paint
from gui.settings import Settings

log = logging.getLogger(__name__)

INSTALLERS = ("gui.episodes.install", "gui.suggestions.install", "gui.import_install",
              "gui.export_install",
              "gui.patient_install", "gui.pga_install", "gui.controls_install",
              "gui.key_figures.install", "gui.results_grid.install", "gui.overlay.install",
              "gui.cohort.install", "gui.live_refresh")
DOCKS_SHARE = 0.3  # of the window's width, for the case list and episode docks at most
TIMELINE_ACTIONS = ("fit", "months_1", "months_3", "months_6", "months_12", "zoom_in",
                    "zoom_out", "pan_left", "pan_right", "pan_left_far", "pan_right_far")


class MainWindow(QtWidgets.QMainWindow):
    caseOpened = QtCore.Signal(object)  # noqa: N815  data.case.Case
    caseClosed = QtCore.Signal()  # noqa: N815  another case asked for: let go of this one
    preferencesChanged = QtCore.Signal()  # noqa: N815  Edit → Preferences accepted

    def __init__(self, engine: Engine, settings: Settings | None = None, *,
                 defer_timeline: bool = False, freeze_startup: bool = False) -> None:
        """freeze_startup: the program's window (gui/app.py); gui.collector.freeze_startup
        when the first case comes.
        With defer_timeline the window can be shown with its case list at once; the
        timeline (pyqtgraph, pandas: most of the start-up time) is built once the case
        list has been painted (build_timeline)."""
        super().__init__()
        self.engine = engine
        self._freeze_startup = freeze_startup
        self.settings = settings or Settings()
        # Who is signed in and what their role allows: asked once, the server decides.
        self.access = access(engine)
        self.case = None
        self.setWindowTitle("Flarescope")
        self.undo_stack = QtGui.QUndoStack(self)
        self.actions = ActionRegistry(self)
        self.menus: dict[str, QtWidgets.QMenu] = {}

        self.browser = CaseBrowser()
        self.browser.caseActivated.connect(self.open_case)
        # A case chosen with the mouse hands the keys to its timeline (↑/↓ then no longer
        # switch patients); one chosen with the keyboard leaves them in the list.
        self.browser.table.clicked.connect(lambda _index: self.timeline.setFocus())
        dock = QtWidgets.QDockWidget("Cases", self)
        dock.setObjectName("casesDock")
        dock.setWidget(self.browser)
        dock.setFeatures(QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(QtCore.Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.cases_dock = dock

        self.header = CaseHeader()
        self.timeline = _placeholder()  # until build_timeline
        central = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.timeline, 1)
        self.setCentralWidget(central)

        self.loader = CaseLoader(engine, self)
        self.loader.loaded.connect(self._case_loaded)
        self.loader.failed.connect(lambda msg: self.show_error("Cannot open the case", msg))

        self._build_menus()
        self._build_toolbar()
        self.statusBar().showMessage("Ready")
        show_who(self, self.access)
        self.refresh_case_list()
        self._restore_geometry()
        if defer_timeline:
            after_next_paint(self.browser.table.viewport(), lambda: True, self.build_timeline)
        else:
            self.build_timeline()

    _pending_case: int | None = None  # chosen before the timeline was built
    conflict_dialog = None  # gui.conflict_dialog: the choice after a refused save, while open

    def build_timeline(self) -> None:
        """The timeline, its actions and the installed capabilities. A case chosen
        meanwhile starts loading first, on the loader's thread, while this builds."""
        pending, self._pending_case = self._pending_case, None
        if pending is not None:
            self.loader.load(pending)
        from gui.timeline.widget import TimelineWidget

        placeholder, self.timeline = self.timeline, TimelineWidget()
        self.timeline.pointClicked.connect(self._show_point)
        self.timeline.tracksChanged.connect(self.settings.set_track_config)
        self.centralWidget().layout().replaceWidget(placeholder, self.timeline)
        if self.focusWidget() is placeholder:
            self.timeline.setFocus()
        placeholder.deleteLater()
        self._restore_timeline_state()
        self._connect_actions()
        self._enable_timeline_keys(False)
        for name in INSTALLERS:
            self._install(name)
        state = self.settings.get("window/state")
        if state is not None:
            self.restoreState(state)  # again: the docks installed above are now there

    # -- set-up -------------------------------------------------------------------------
    def _install(self, module_name: str) -> None:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                return  # capability not built yet
            raise
        module.install(self)

    def menu(self, title: str) -> QtWidgets.QMenu:
        if title not in self.menus:
            self.menus[title] = self.menuBar().addMenu(title)
        return self.menus[title]

    def _build_menus(self) -> None:
        a = self.actions
        file = self.menu("&File")
        file.addActions([a["import"], a["export_pdf"], a["export_all"]])
        file.addSeparator()
        file.addAction(a["quit"])
        edit = self.menu("&Edit")
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcuts([QtGui.QKeySequence(QtGui.QKeySequence.StandardKey.Undo)])
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcuts([QtGui.QKeySequence("Ctrl+Shift+Z"), QtGui.QKeySequence("Ctrl+Y")])
        a["undo"], a["redo"] = undo, redo
        changes_data(self.access, undo, redo)
        edit.addActions([undo, redo])
        edit.addSeparator()
        edit.addAction(a["focus_filter"])
        edit.addSeparator()
        edit.addAction(a["preferences"])
        view = self.menu("&View")
        view.addAction(a["refresh"])
        view.addSeparator()
        view.addActions([a["fit"], a["months_1"], a["months_3"], a["months_6"], a["months_12"]])
        view.addSeparator()
        view.addActions([a["relative_axis"], a["fold"], a["per_kg"]])
        view.addSeparator()
        self.tracks_menu = view.addMenu("&Tracks")
        self.tracks_menu.aboutToShow.connect(self._fill_tracks_menu)
        view.addAction(self.cases_dock.toggleViewAction())
        self.menu("&Case")
        help_menu = self.menu("&Help")
        help_menu.addActions([a["shortcuts"], a["about"]])

    def _build_toolbar(self) -> None:
        a = self.actions
        tb = self.addToolBar("Timeline")
        tb.setObjectName("timelineToolbar")
        tb.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextOnly)
        tb.addActions([a["months_1"], a["months_3"], a["months_6"], a["months_12"], a["fit"]])
        tb.addSeparator()
        tb.addActions([a["relative_axis"], a["fold"], a["per_kg"]])
        tb.addSeparator()
        button = QtWidgets.QToolButton()
        button.setText("Tracks")
        button.setMenu(self.tracks_menu)
        button.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        tb.addWidget(button)
        self.toolbar = tb

    def _connect_actions(self) -> None:
        a, t = self.actions, self.timeline
        a["quit"].triggered.connect(self.close)
        a["fit"].triggered.connect(t.fit)
        for n in (1, 3, 6, 12):
            a[f"months_{n}"].triggered.connect(lambda _=False, n=n: t.show_months(n))
        a["zoom_in"].triggered.connect(lambda: t.zoom(0.5, t.cursor_t))
        a["zoom_out"].triggered.connect(lambda: t.zoom(2.0, t.cursor_t))
        for name, fraction in (("pan_left", -0.1), ("pan_right", 0.1),
                               ("pan_left_far", -0.5), ("pan_right_far", 0.5)):
            a[name].triggered.connect(lambda _=False, f=fraction: t.pan(f))
        self._year_after_one = QtCore.QElapsedTimer()
        a["months_1"].triggered.connect(self._year_after_one.start)
        two = QtGui.QShortcut(QtGui.QKeySequence("2"), self)
        two.activated.connect(self._year_if_after_one)
        self._timeline_keys = [two]
        a["relative_axis"].toggled.connect(self._set_relative)
        a["fold"].toggled.connect(self._set_fold)
        a["per_kg"].toggled.connect(self._set_per_kg)
        a["focus_filter"].triggered.connect(lambda: (self.browser.filter.setFocus(),
                                                     self.browser.filter.selectAll()))
        a["shortcuts"].triggered.connect(self._show_shortcuts)
        a["about"].triggered.connect(self._about)
        a["preferences"].triggered.connect(self._preferences)
        a["refresh"].triggered.connect(lambda: (self.refresh_case_list(), self.reload_case()))
        for name in ("export_pdf", "export_all", "import"):
            a[name].setEnabled(False)  # enabled by their installers

    def _year_if_after_one(self) -> None:
        timer = self._year_after_one
        if timer.isValid() and timer.elapsed() < 1500:
            timer.invalidate()
            self.actions["months_12"].trigger()

    def _enable_timeline_keys(self, on: bool) -> None:
        """Timeline keys act while a case is open, wherever the focus is, except in a text
        field being edited (it takes its printable keys first: ShortcutOverride)."""
        for name in TIMELINE_ACTIONS:
            self.actions[name].setEnabled(on)
        for shortcut in self._timeline_keys:
            shortcut.setEnabled(on)

    def _restore_timeline_state(self) -> None:
        from gui.timeline.axis import RELATIVE

        s = self.settings
        config = s.track_config()
        if config is not None:
            self.timeline.set_track_config(*config)
        self.timeline.options.axis_mode = s.get("timeline/axis_mode")
        self.timeline.options.fold = s.get("timeline/fold")
        self.timeline.options.per_kg = s.get("timeline/per_kg")
        self.timeline.options.dose_time = s.dose_time
        self.actions["relative_axis"].setChecked(self.timeline.options.axis_mode == RELATIVE)
        self.actions["fold"].setChecked(self.timeline.options.fold)
        self.actions["per_kg"].setChecked(self.timeline.options.per_kg)

    def _restore_geometry(self) -> None:
        geometry = self.settings.get("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            screen = QtGui.QGuiApplication.primaryScreen().availableGeometry()
            self.resize(min(1440, screen.width()), min(900, screen.height()))
            self.resizeDocks([self.cases_dock], [int(self.width() * DOCKS_SHARE)],
                             QtCore.Qt.Orientation.Horizontal)
        state = self.settings.get("window/state")
        if state is not None:
            self.restoreState(state)
        last = self.settings.get("case/last")
        if last and self.browser.select_pseudonym(str(last)):
            self.timeline.setFocus()  # not the filter box: keys go to the case on screen
        else:  # the first run: arrow keys choose a case; typing a digit must not filter
            self.browser.table.setFocus()

    # -- cases ---------------------------------------------------------------------------
    def refresh_case_list(self) -> None:
        try:
            self.browser.set_rows(case_list_rows(self.engine))
        except Exception as exc:
            log.exception("listing cases failed")
            self.show_error("Cannot list the cases", user_line(exc) or str(exc))

    def open_case(self, case_id: int) -> None:
        self.statusBar().showMessage("Opening case…")
        if isinstance(self.timeline, _Placeholder):
            self._pending_case = case_id  # loaded as soon as the timeline is being built
        else:
            if self.case is not None and self.case.id != case_id:
                self._close_case()
            self.loader.load(case_id)

    def _close_case(self) -> None:
        """Let go of the case on screen before the next one is read, so that the window
        never holds two cases' numbers (a ten-year case with a thermometer: ~20 MB each).
        The timeline keeps its plots for the next case; docks drop theirs (caseClosed)."""
        self.case = None
        self._keep_range = None
        self.timeline.clear_case()
        self.caseClosed.emit()

    def reload_case(self) -> None:
        """Re-read the open case (after an import or an edit), keeping the visible range."""
        if self.case is not None:
            self._keep_range = (self.case.id, self.timeline.x_range())
            self.loader.load(self.case.id)

    _keep_range: tuple[int, tuple[float, float]] | None = None  # (case id, x range)

    def _case_loaded(self, case) -> None:
        if self._freeze_startup:  # everything imported by now, no plot item made yet
            self._freeze_startup = False
            freeze_startup()
        self.case = case
        self.header.show_case(case)
        keep, self._keep_range = self._keep_range, None
        self.timeline.set_case(case, keep[1] if keep and keep[0] == case.id else None)
        self.settings.set("case/last", case.pseudonym)
        self._describe_day0(case.anchor)
        self._enable_timeline_keys(True)
        self.statusBar().showMessage(f"{case.pseudonym}: {len(case.observations):,} values", 5000)
        self.caseOpened.emit(case)

    # -- timeline options ------------------------------------------------------------------
    def _set_relative(self, on: bool) -> None:
        from gui.timeline.axis import CALENDAR, RELATIVE

        self.timeline.set_axis_mode(RELATIVE if on else CALENDAR)
        self.settings.set("timeline/axis_mode", RELATIVE if on else CALENDAR)
        if on and self.case is not None:
            self.statusBar().showMessage(f"Axis in days: {self.case.anchor.described}", 5000)

    def _describe_day0(self, anchor) -> None:
        """Ctrl+D's text says what day 0 is for the case on screen: a case never on
        anakinra counts from its first record."""
        action = self.actions["relative_axis"]
        if anchor.on_anakinra:
            action.setText("&Days from anakinra start")
            set_tip(action, "Axis in days relative to the first anakinra dose (day 0)")
        else:
            action.setText("&Days from the first record")
            set_tip(action, "Axis in days relative to the case's first record (day 0): "
                    "this case has no anakinra")

    def _set_fold(self, on: bool) -> None:
        self.timeline.set_fold(on)
        self.settings.set("timeline/fold", on)

    def _set_per_kg(self, on: bool) -> None:
        self.timeline.set_per_kg(on)
        self.settings.set("timeline/per_kg", on)

    def _fill_tracks_menu(self) -> None:
        from gui.timeline.tracks import TRACKS_BY_KEY

        m = self.tracks_menu
        m.clear()
        t = self.timeline
        for key in t.track_order:
            sub = m.addMenu(TRACKS_BY_KEY[key].title)
            show = sub.addAction("Show")
            show.setCheckable(True)
            show.setChecked(t.shown(key))
            show.toggled.connect(lambda on, k=key: t.set_track_visible(k, on))
            sub.addAction("Move up").triggered.connect(lambda _=False, k=key: t.move_track(k, -1))
            sub.addAction("Move down").triggered.connect(lambda _=False, k=key: t.move_track(k, 1))

    def _show_point(self, record: dict) -> None:
        from gui.dialogs import PointDialog

        PointDialog(record, self.case, self).show()

    def _show_shortcuts(self) -> None:
        from gui.dialogs import show_shortcuts

        show_shortcuts(self, self.actions.shortcut_rows(self))

    # -- messages ---------------------------------------------------------------------------
    def show_error(self, title: str, message: str) -> None:
        log.warning("%s: %s", title, message)
        self.statusBar().showMessage(f"{title}: {message}", 10_000)
        QtWidgets.QMessageBox.warning(self, title, message)

    def _preferences(self) -> None:
        from db.cipher import storage_line
        from gui.preferences import PreferencesDialog

        if not PreferencesDialog(self.settings, self.access.login, self,
                                 database=storage_line(self.engine)).exec():
            return
        if not isinstance(self.timeline, _Placeholder):
            self.timeline.set_dose_time(self.settings.dose_time)
        self.preferencesChanged.emit()

    def _about(self) -> None:
        version = QtCore.QCoreApplication.applicationVersion()
        QtWidgets.QMessageBox.about(
            self, "About Flarescope",
            f"<b>Flarescope {version}</b><p>Offline review of autoinflammatory disease "
            "cases: symptoms, anakinra, ex vivo cytokines and relapse episodes.</p>"
            "<p>Your data never leaves this computer.</p>")

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        # A window made smaller keeps its docks' width and squeezes the timeline: on a
        # 1024 px screen the docks give way instead, down to their share.
        most = int(event.size().width() * DOCKS_SHARE)
        if self.cases_dock.width() > most:
            self.resizeDocks([self.cases_dock], [most], QtCore.Qt.Orientation.Horizontal)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802
        self.settings.set("window/geometry", self.saveGeometry())
        self.settings.set("window/state", self.saveState())
        self.settings.sync()
        self.loader.close()
        super().closeEvent(event)


class _Placeholder(QtWidgets.QLabel):
    """Where the timeline goes until build_timeline; takes the focus meant for it."""


def _placeholder() -> _Placeholder:
    label = _Placeholder("Opening the timeline…")
    label.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
    label.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
    return label

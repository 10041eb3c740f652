"""The action registry: each QAction made once, with its shortcut and tip.

Menus and toolbars reuse these; the shortcut help lists them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6 import QtGui, QtWidgets

SK = QtGui.QKeySequence.StandardKey


@dataclass(frozen=True)
class ActionSpec:
    name: str
    text: str
    shortcut: str | SK | tuple = ""
    tip: str = ""
    checkable: bool = False
    keys_text: str = ""  # for the shortcut help when the keys are not a QKeySequence
    short: str = ""  # toolbar text, so the toolbar fits a 1024 px window


SPECS = (
    ActionSpec("import", "&Import data…", "Ctrl+I", "Import CSV or Excel lab exports, diaries, dosing"),
    ActionSpec("export_pdf", "&Export PDF…", "Ctrl+E", "Export the open case as a PDF case summary"),
    ActionSpec("export_all", "Export &all cases…", "", "Export every case as PDF into a folder"),
    ActionSpec("quit", "&Quit", "Ctrl+Q", "Quit Flarescope"),
    ActionSpec("refresh", "&Refresh", SK.Refresh,
               "Read the case list and the open case again (after an import from the command line)"),
    ActionSpec("fit", "&Whole case", "Home", "Show the whole case"),
    ActionSpec("months_1", "1 month", "1", "Show one month around the cursor"),
    ActionSpec("months_3", "3 months", "3", "Show three months around the cursor"),
    ActionSpec("months_6", "6 months", "6", "Show six months around the cursor"),
    # "1" then "2": Qt fires "1" at once, so the year is a plain "2" that only counts right
    # after "1" (main_window._year_after_one); the help says so.
    ActionSpec("months_12", "1 year", "", "Show a year around the cursor",
               keys_text="1, then 2"),
    ActionSpec("zoom_in", "Zoom &in", ("+", "="), "Zoom in on time around the cursor"),
    ActionSpec("zoom_out", "Zoom &out", "-", "Zoom out on time around the cursor"),
    ActionSpec("pan_left", "Earlier", "Left", "Move a tenth of a screen back in time"),
    ActionSpec("pan_right", "Later", "Right", "Move a tenth of a screen forward in time"),
    ActionSpec("pan_left_far", "Half a screen earlier", "Shift+Left", ""),
    ActionSpec("pan_right_far", "Half a screen later", "Shift+Right", ""),
    ActionSpec("relative_axis", "&Days from anakinra start", "Ctrl+D",
               "Axis in days relative to the first anakinra dose (day 0)", checkable=True,
               short="Day N"),
    ActionSpec("fold", "&Fold over controls", "Ctrl+Shift+F",
               "Cytokines as fold over the healthy-control mean", checkable=True,
               short="Fold"),
    ActionSpec("per_kg", "Dose in mg/&kg/day", "Ctrl+K",
               "Anakinra dose per kg of body weight", checkable=True,
               short="mg/kg"),
    ActionSpec("focus_filter", "Find case", SK.Find, "Filter the case list"),
    ActionSpec("preferences", "&Preferences…", "Ctrl+,", "Near-normal threshold, usual anakinra time; who changes are recorded as"),
    ActionSpec("shortcuts", "&Keyboard shortcuts", "?", "Show every keyboard shortcut"),
    ActionSpec("about", "&About Flarescope", "", ""),
)


class ActionRegistry(dict[str, QtGui.QAction]):
    def __init__(self, parent: QtWidgets.QWidget) -> None:
        super().__init__()
        for spec in SPECS:
            self.add(parent, spec)

    def add(self, parent: QtWidgets.QWidget, spec: ActionSpec) -> QtGui.QAction:
        action = QtGui.QAction(spec.text, parent)
        keys = spec.shortcut if isinstance(spec.shortcut, tuple) else (spec.shortcut,)
        action.setShortcuts([QtGui.QKeySequence(k) for k in keys if k])
        if spec.keys_text:
            action.setProperty("keys_text", spec.keys_text)
        if spec.tip:
            set_tip(action, spec.tip)
        action.setCheckable(spec.checkable)
        if spec.short:
            action.setIconText(spec.short)
        action.setObjectName(f"action_{spec.name}")
        parent.addAction(action)
        self[spec.name] = action
        return action

    def shortcut_rows(self, window: QtWidgets.QWidget) -> list[tuple[str, str]]:
        """Every action of the window that has keys: the registry's, then those made
        elsewhere (a dock's toggle, Ctrl+Shift+K), so the help cannot miss one."""
        rows = []
        actions = list(self.values())
        actions += [a for a in window.findChildren(QtGui.QAction) if a not in actions]
        for action in actions:
            keys = keys_text(action)
            if keys:
                rows.append((action.text().replace("&", "").rstrip("…"), keys))
        return rows


def keys_text(action: QtGui.QAction) -> str:
    """The keys of an action as a reader types them: "Ctrl+Shift+Z or Ctrl+Y", "+ or ="
    (a comma between keys reads as a key of its own)."""
    return action.property("keys_text") or " or ".join(
        s.toString(QtGui.QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts())


def set_tip(action: QtGui.QAction, tip: str) -> None:
    """The status bar's text for an action, and its tooltip with its keys."""
    keys = keys_text(action)
    action.setStatusTip(tip)
    action.setToolTip(f"{tip} ({keys})" if keys else tip)


def add_case_action(window, spec: ActionSpec, run: Callable[[], object]) -> QtGui.QAction:
    """A Case menu action that works on the open case: enabled only while one is open."""
    action = window.actions.add(window, spec)
    window.menu("&Case").addAction(action)
    action.triggered.connect(lambda: run())
    action.setEnabled(window.case is not None)
    window.caseOpened.connect(lambda case: action.setEnabled(case is not None))
    return action

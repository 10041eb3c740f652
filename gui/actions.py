"""The action registry: each QAction made once, with its shortcut and tip.

Menus and toolbars reuse these; the shortcut help lists them all.
"""

from __future__ import annotations

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


SPECS = (
    ActionSpec("import", "&Import data…", "Ctrl+I", "Import CSV or Excel lab exports, diaries, dosing"),
    ActionSpec("export_pdf", "&Export PDF…", "Ctrl+E", "Export the open case as a PDF case summary"),
    ActionSpec("export_all", "Export &all cases…", "", "Export every case as PDF into a folder"),
    ActionSpec("quit", "&Quit", "Ctrl+Q", "Quit Flarescope"),
    ActionSpec("refresh", "&Refresh", SK.Refresh,
               "Read the case list and the open case again (after an import from the command line)"),
    ActionSpec("fit", "&Whole case", "Home", "Show the whole case"),
    ActionSpec("months_1", "1 month", "", "Show one month around the cursor"),
    ActionSpec("months_3", "3 months", "", "Show three months around the cursor"),
    ActionSpec("months_6", "6 months", "", "Show six months around the cursor"),
    ActionSpec("months_12", "1 year", "", "Show a year around the cursor"),
    ActionSpec("relative_axis", "&Days from anakinra start", "Ctrl+D",
               "Axis in days relative to the first anakinra dose (day 0)", checkable=True),
    ActionSpec("fold", "&Fold over controls", "Ctrl+Shift+F",
               "Cytokines as fold over the healthy-control mean", checkable=True),
    ActionSpec("per_kg", "Dose in mg/&kg/day", "Ctrl+K",
               "Anakinra dose per kg of body weight", checkable=True),
    ActionSpec("focus_filter", "Find case", SK.Find, "Filter the case list"),
    ActionSpec("preferences", "&Preferences…", "Ctrl+,", "Reviewer name, near-normal threshold"),
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
        if spec.shortcut:
            action.setShortcut(QtGui.QKeySequence(spec.shortcut))
        if spec.tip:
            action.setStatusTip(spec.tip)
            action.setToolTip(f"{spec.tip} ({action.shortcut().toString()})"
                              if spec.shortcut else spec.tip)
        action.setCheckable(spec.checkable)
        action.setObjectName(f"action_{spec.name}")
        parent.addAction(action)
        self[spec.name] = action
        return action

    def shortcut_rows(self) -> list[tuple[str, str]]:
        rows = []
        for action in self.values():
            keys = ", ".join(s.toString(QtGui.QKeySequence.SequenceFormat.NativeText)
                             for s in action.shortcuts())
            if keys:
                rows.append((action.text().replace("&", "").rstrip("…"), keys))
        return rows

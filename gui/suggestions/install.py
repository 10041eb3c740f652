"""Adds suggested episodes to the main window: the Suggestions dock (View → Suggestions,
Ctrl+Shift+S), the hatched boxes on the timeline, and accept/reject as undoable commands
through the episode controller.

The main window imports this module by name and calls install(window); it comes after
gui.episodes.install, whose controller it uses.
"""

from __future__ import annotations

import html
import logging

from PySide6 import QtCore

from data.relapse_criteria import CriteriaSettings, suggest
from data.suggest_report import (
    agreement_line,
    agreement_report,
    criteria_names,
    per_criterion_rows,
    stored_form,
)
from data.summary.dates import date_format
from db import suggestions as store
from gui.access import changes_data
from gui.case_dock import CaseDock
from gui.episodes.controller import DB_ERRORS, database_problem
from gui.suggestions.commands import AcceptSuggestion, KeepDecision, RejectSuggestion
from gui.suggestions.layer import SuggestionLayer
from gui.suggestions.panel import SuggestionPanel

log = logging.getLogger(__name__)
DOCK_WIDTH = 420  # px: the list's dates, kind and certainty, and the agreement's counts


class SuggestionFeature(CaseDock):
    """``window.suggestions``: the panel, its dock and the timeline layer."""

    def __init__(self, window) -> None:
        self.panel = SuggestionPanel()
        super().__init__(window, self.panel, title="Suggestions", name="suggestionsDock",
                         area=QtCore.Qt.DockWidgetArea.RightDockWidgetArea, tabbed=True,
                         shortcut="Ctrl+Shift+S",
                         tip="Relapses suggested by published criteria, with their "
                             "evidence: accept or reject them")
        self.controller = window.episode_feature.controller
        self.layer = SuggestionLayer(window.timeline)
        self.settings = CriteriaSettings()
        self.result = None  # the last run of the criteria on the open case
        self.rows = None
        # Closed, the dock cannot be sized: it is widened the first time it opens.
        self.dock.visibilityChanged.connect(self._widen)
        p = self.panel
        p.runRequested.connect(self.run_criteria)
        p.acceptRequested.connect(self.accept)
        p.rejectRequested.connect(self.reject)
        p.keepRequested.connect(self.keep)
        p.selected.connect(self._selected)
        p.evidenceChosen.connect(self._ring)
        self.layer.clicked.connect(self._clicked)
        self.controller.episodesChanged.connect(lambda _episodes: self.load())
        # After the Episode panel has shown the row: an accepted suggestion's criteria.
        self.controller.selectionChanged.connect(self._origin_note)

    def _widen(self, visible: bool) -> None:
        if visible:
            self.dock.visibilityChanged.disconnect(self._widen)
            if self.dock.width() < DOCK_WIDTH:
                self.window.resizeDocks([self.dock], [DOCK_WIDTH],
                                        QtCore.Qt.Orientation.Horizontal)

    # -- the open case ---------------------------------------------------------------------
    def case_opened(self, case) -> None:
        self.result = None
        self.rows = None
        super().case_opened(case)
        if self.rows is None:  # the dock is closed: what is stored is still drawn
            self.load()

    def fill(self, case) -> None:
        self.run_criteria()

    def run_criteria(self) -> None:
        case = self.case
        if case is None:
            return
        self.result = suggest(case, self.settings)
        if not self.window.access.can_write:
            # Storing is a change this login may not make: show what reviewers stored.
            self.window.statusBar().showMessage(
                "Read-only: the suggestions stored by reviewers; the criteria's findings "
                "now are not saved", 8000)
            self.load()
            return
        found = [stored_form(s) for s in self.result.suggestions]
        try:
            counts = store.store_suggestions(self.controller.engine, case.id, found,
                                             actor=self.controller.actor())
        except store.EpisodeError as exc:
            self.controller.tell(str(exc), error=True)
        except DB_ERRORS as exc:
            log.error("storing suggestions failed", exc_info=exc)
            self.controller.tell(f"The suggestions could not be saved: "
                                 f"{database_problem(exc)}.", error=True)
        else:
            parts = [f"{n} {what}" for what, n in counts.items()
                     if n and what != "unchanged"]
            text = "Criteria applied: " + (", ".join(parts) if parts else "nothing new")
            self.load()
            # Said after every run, not only the one that found the change.
            if self.rows is not None and (n := self._decided_and_changed()):
                text += (f"; {n} decided suggestion{'s' if n != 1 else ''} with changed "
                         "evidence to look at")
            self.window.statusBar().showMessage(text, 8000)
            return
        self.load()

    def _decided_and_changed(self) -> int:
        rows = self.rows
        if rows is None or rows.empty:
            return 0
        return int(((rows["state"] != "open") & rows["changed"].astype(bool)).sum())

    def load(self) -> None:
        case = self.case
        if case is None:
            return
        try:
            self.rows = store.load_suggestions(self.controller.engine, case.id)
        except DB_ERRORS as exc:
            log.error("reading suggestions failed", exc_info=exc)
            self.controller.tell(f"The suggestions could not be read: "
                                 f"{database_problem(exc)}.", error=True)
            return
        self.panel.set_rows(self.rows, case.anchor)
        self.layer.set_suggestions(self.rows)
        if self.result is not None:
            report = agreement_report(case, self.result.suggestions,
                                      date_format(case, relative=False))
            self.panel.set_agreement(agreement_line(report), self.result.notes,
                                     per_criterion_rows(report))

    # -- decisions -------------------------------------------------------------------------
    def _row(self, sid: int) -> dict | None:
        if self.rows is None or self.rows.empty:
            return None
        hit = self.rows[self.rows["id"] == sid]
        return None if hit.empty else hit.iloc[0].to_dict()

    def accept(self, sid: int) -> bool:
        row = self._row(sid)
        return row is not None and self.controller.run(AcceptSuggestion(self.controller, row))

    def reject(self, sid: int, reason: str) -> bool:
        row = self._row(sid)
        return row is not None and self.controller.run(
            RejectSuggestion(self.controller, row, reason))

    def keep(self, sid: int) -> bool:
        row = self._row(sid)
        return row is not None and self.controller.run(KeepDecision(self.controller, row))

    def _origin_note(self, row: dict | None) -> None:
        if row is None or row.get("origin") != "rule":
            return
        try:
            s = store.suggestion_of_episode(self.controller.engine, int(row["id"]))
        except DB_ERRORS:
            log.exception("reading the suggestion of episode %s failed", row["id"])
            return
        if s is not None:
            meta = self.window.episode_feature.properties.meta
            first = s["evidence"][0]["text"] if s["evidence"] else ""
            changed = (" <b>Evidence changed since it was accepted</b> (Suggestions dock: "
                       "keep the decision, or edit the episode)." if s["changed"] else "")
            meta.setText(f"{meta.text()}<br>Suggested by {criteria_names(s['criteria'])} "
                         f"({s['certainty']}): {html.escape(first)}{changed}")

    # -- pointing ----------------------------------------------------------------------------
    def _selected(self, sid: int | None) -> None:
        self.layer.set_selected(sid)
        row = None if sid is None else self._row(sid)
        if row is not None:
            self._ring([s for e in row["evidence"] for s in e.get("samples", [])],
                       fallback=float(row["onset"]))

    def _clicked(self, sid: int) -> None:
        if not self.dock.isVisible():
            self.dock.show()
        self.panel.select(sid)

    def _ring(self, samples: list, fallback: float | None = None) -> None:
        highlight = self.window.timeline.highlight
        if samples:
            highlight.show(samples)
        else:
            highlight.clear()
            if fallback is not None:
                highlight.bring_into_view([fallback])


def install(window) -> SuggestionFeature:
    feature = SuggestionFeature(window)
    p = feature.panel
    # each stores a decision
    changes_data(window.access, p.run, p.accept, p.reject, p.reason, p.keep)
    window.suggestions = feature
    return feature

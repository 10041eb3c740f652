"""Turns what the reviewer asked for (layer signals, panel edits, actions) into undoable
commands, keeps one selection for the timeline, the list and the properties panel, and
says why when a change is refused.

It is the commands' EditContext: the version a command checks is the one on screen, so
an edit based on something another reviewer has since changed is refused, never merged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pandas as pd
from PySide6 import QtCore, QtWidgets
from sqlalchemy.exc import SQLAlchemyError

from data import episode_edit as edit
from db import episodes as db
from db.errors import denied_message, is_denied
from db.queries import load_episodes, patient_row
from gui.episodes import commands

log = logging.getLogger(__name__)

Row = dict[str, Any]
# A write that failed rather than was refused: a locked or unreachable database, a broken
# constraint, a full disk. Whether it happened is uncertain; the screen is re-read.
DB_ERRORS = (SQLAlchemyError, OSError)


def clean_row(row: pd.Series | dict) -> Row:
    """A DataFrame row as plain Python: NaN → None, numpy numbers → int."""
    out: Row = {}
    for k, v in dict(row).items():
        if edit.is_missing(v):
            out[k] = None
        elif hasattr(v, "item"):  # numpy scalar
            out[k] = v.item()
        else:
            out[k] = v
    for k in ("onset", "end", "id", "version", "created", "updated"):
        if isinstance(out.get(k), float):
            out[k] = int(out[k])
    return out


def database_problem(exc: BaseException) -> str:
    """One line for the reviewer: the driver's own message ('database is locked'), without
    the SQL and the link SQLAlchemy adds."""
    if is_denied(exc):  # the login's role: say so rather than "permission denied for table"
        return denied_message(exc)
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


class EpisodeController(QtCore.QObject):
    episodesChanged = QtCore.Signal(object)  # noqa: N815  DataFrame of the open case
    selectionChanged = QtCore.Signal(object)  # noqa: N815  the selected row (dict) or None
    reviewChanged = QtCore.Signal(object)  # noqa: N815  {"reviewed_by", "reviewed_at"}

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.engine = window.engine
        self.stack: QtWidgets.QUndoStack = window.undo_stack
        self.layer = window.timeline.episode_layer
        self.patient_id: int | None = None
        self.selected_id: int | None = None
        self.new_kind = "relapse"
        self.menu_actions: list = []  # what a right click on an episode offers
        self.layer.selected.connect(self.select)
        self.layer.createRequested.connect(self.create)
        self.layer.changeRequested.connect(self.change_times)
        self.layer.menuRequested.connect(self._menu)
        window.caseOpened.connect(self._case_opened)

    # -- the open case -----------------------------------------------------------------
    @property
    def case(self):
        return self.window.case

    @property
    def episodes(self) -> pd.DataFrame:
        return self.case.episodes if self.case is not None else pd.DataFrame()

    def row(self, episode_id: int | None) -> Row | None:
        df = self.episodes
        if episode_id is None or df.empty:
            return None
        hit = df[df["id"] == episode_id]
        return None if hit.empty else clean_row(hit.iloc[0])

    def _case_opened(self, case) -> None:
        if case.id != self.patient_id:
            # Commands write to the case they were made in; after switching, undoing
            # one would change a case that is not on screen. Start a fresh history.
            self.stack.clear()
            self.selected_id = None
        self.patient_id = case.id
        self.episodesChanged.emit(case.episodes)
        self.select(self.selected_id)
        self.reviewChanged.emit(case.patient)

    # -- EditContext -------------------------------------------------------------------
    def actor(self) -> str:
        return self.window.access.login

    def version(self, episode_id: int) -> int:
        row = self.row(episode_id)
        if row is None:
            raise db.StaleEpisodeError(f"Episode {episode_id} is no longer in this case")
        return int(row["version"])

    def perform(self, step: Callable[[], int | None]) -> None:
        """Run an undo or redo step (called by the stack, inside its undo()/redo())."""
        try:
            selected = step()
        except db.EpisodeError as exc:
            self._failed(exc)
        except DB_ERRORS as exc:
            self._db_failed(exc)
        else:
            self._written(selected)

    # -- running commands --------------------------------------------------------------
    def run(self, command: commands.EpisodeCommand) -> bool:
        """Apply then push: a refused or failed write never becomes an undo step."""
        try:
            selected = command.apply()
        except db.StaleEpisodeError as exc:
            seen = self._seen_version(command)
            self._failed(exc)
            self._offer_choice(command, seen)
            return False
        except db.EpisodeError as exc:
            self._failed(exc)
            return False
        except DB_ERRORS as exc:
            self._db_failed(exc)
            return False
        self.stack.push(command)
        self._written(selected)
        return True

    def _written(self, selected: int | None) -> None:
        count = len(self.episodes)
        try:
            self.reload(selected)
        except DB_ERRORS as exc:  # saved, but reading it back failed
            self._db_failed(exc)
            return
        if len(self.episodes) != count:  # the case list shows how many episodes
            QtCore.QTimer.singleShot(0, self.window.refresh_case_list)

    def reload(self, selected: int | None = None) -> None:
        """Re-read this case's episodes (a few ms; no full case reload)."""
        if self.case is None:
            return
        df = load_episodes(self.engine, self.case.id)
        self.case.episodes = df
        self.layer.set_episodes(df)
        self.episodesChanged.emit(df)
        self.select(selected)

    def _failed(self, exc: db.EpisodeError) -> None:
        log.info("episode change refused: %s", exc)
        if isinstance(exc, db.StaleEpisodeError):
            if isinstance(exc, db.StaleReviewError) and self.case is not None:
                # Show the colleague's review that won, in the panel and the case list.
                self.show_review({k: v for k, v in
                                      patient_row(self.engine, self.case.id).items()
                                      if k.startswith("review")})
                shown = "The stored review is shown"
            else:
                self.reload(self.selected_id)
                shown = "Episodes reloaded from the database"
            # The stack has already moved past the failed step: its history no longer
            # matches the database. Cleared after the stack finishes its own call.
            QtCore.QTimer.singleShot(0, self.stack.clear)
            self.tell(f"{exc}. {shown}; undo history cleared.", error=True)
        else:
            self.tell(str(exc), error=True)
        self._show_stored_review()

    # -- someone else saved first ----------------------------------------------------------
    def _seen_version(self, command: commands.EpisodeCommand) -> int | None:
        """The version the refused command was based on: the one still on screen."""
        if isinstance(command, commands.MarkReviewed):
            return self._review_version()
        row = self.row(getattr(command, "episode_id", None))
        return None if row is None else int(row["version"])

    def _offer_choice(self, command: commands.EpisodeCommand, seen: int | None) -> None:
        """Their change is on screen now (reloaded by _failed); say who changed what and
        when, and let the reviewer keep it or apply their own change on top."""
        from data.conflicts import EPISODE, REVIEW, changes_since, theirs_text
        from gui.conflict_dialog import ask

        if seen is None or self.case is None:
            return
        review = isinstance(command, commands.MarkReviewed)
        entity_id = self.case.id if review else command.episode_id
        try:
            theirs = theirs_text(changes_since(self.engine, REVIEW if review else EPISODE,
                                               entity_id, seen))
        except DB_ERRORS as exc:
            log.error("reading what changed failed", exc_info=exc)
            theirs = f"(the audit trail could not be read: {database_problem(exc)})"
        if review:
            what = f"The review of {self.case.pseudonym}"
        else:
            row = self.row(command.episode_id)
            what = "This episode" if row is None else f"The {row['kind']} episode"
        rebased = command.rebased()

        def apply_mine() -> None:
            again = command.rebased()  # on what is stored by the time of the click
            if again is not None:
                self.run(again)

        ask(self.window, what, theirs, command.mine(),
            apply_mine if rebased is not None else None)

    def _db_failed(self, exc: Exception) -> None:
        """A write failed in the database: say so in one line, log the traceback, show what
        is stored, and drop the undo history, which may no longer match it."""
        log.error("episode change failed in the database", exc_info=exc)
        # Inside the stack's own undo()/redo() it cannot be cleared yet: right after.
        QtCore.QTimer.singleShot(0, self.stack.clear)
        try:
            self.reload(self.selected_id)
            shown = "Episodes reloaded from the database"
        except DB_ERRORS:
            log.exception("reloading the episodes failed too")
            shown = "Episodes could not be reloaded"
        self._show_stored_review()
        self.tell(f"The change could not be saved: {database_problem(exc)}. {shown}; undo "
                  "history cleared.", error=True)

    def _show_stored_review(self) -> None:
        # A refused review leaves the checked action as the reviewer clicked it.
        if self.case is not None:
            self.reviewChanged.emit(self.case.patient)

    def tell(self, text: str, *, error: bool = False) -> None:
        """Where the reviewer is looking (the timeline) and where it stays (status bar)."""
        self.window.statusBar().showMessage(text, 10_000)
        self.layer.show_message(text, error=error)

    # -- selection ---------------------------------------------------------------------
    def select(self, episode_id: int | None, *, zoom: bool = False) -> None:
        row = self.row(episode_id)
        self.selected_id = None if row is None else row["id"]
        self.layer.set_selected(self.selected_id)
        self.selectionChanged.emit(row)
        if zoom and row is not None:
            self.zoom_to(row["id"])

    def zoom_to(self, episode_id: int) -> None:
        view = self.layer.view_of(episode_id)
        if view is None:
            return
        length = view.drawn_end - view.onset
        pad = max(length * 0.3, 3 * edit.DAY)
        self.window.timeline.set_x_range(view.onset - pad, view.drawn_end + pad)

    # -- edits -------------------------------------------------------------------------
    def create(self, onset: float, end: float | None) -> bool:
        if self.case is None:
            return False
        reason = edit.check(onset, end)
        if reason:
            self.tell(reason, error=True)
            return False
        return self.run(commands.CreateEpisode(self, {"kind": self.new_kind, "onset": onset,
                                                      "end": end}))

    def change_times(self, episode_id: int, onset: float, end: float | None) -> bool:
        row = self.row(episode_id)
        if row is None:
            return False
        reason = edit.check(onset, end)
        if reason:
            self.tell(f"{reason}: the {row['kind']} episode was not changed.", error=True)
            return False
        if (onset, end) == (row["onset"], row["end"]):
            return False
        return self.run(commands.change_times(self, row, onset, end))

    def change_properties(self, episode_id: int, **changes: Any) -> bool:
        row = self.row(episode_id)
        if row is None:
            return False
        changes = {k: v for k, v in changes.items() if row.get(k) != v}
        if not changes:
            return False
        return self.run(commands.change_properties(self, row, **changes))

    def delete_selected(self) -> bool:
        row = self.row(self.selected_id)
        if row is None:
            self.tell("Select an episode to delete (click it on the timeline or in the list).")
            return False
        return self.run(commands.DeleteEpisode(self, row))

    def set_reviewed(self, reviewed: bool) -> None:
        if self.case is None:
            return
        p = self.case.patient
        if bool(p.get("reviewed_by")) == reviewed:
            return
        self.run(commands.MarkReviewed(self, reviewed, self._shown_review(), self.show_review,
                                       self._review_version, self._shown_review))

    def _shown_review(self) -> Row:
        p = self.case.patient if self.case is not None else {}
        return {"reviewed_by": p.get("reviewed_by"), "reviewed_at": p.get("reviewed_at")}

    def _review_version(self) -> int:
        return int((self.case.patient if self.case is not None else {}).get("review_version")
                   or 0)

    def show_review(self, review: Row) -> None:
        """The case's review as stored (ours, a colleague's): panel, action, case list."""
        if self.case is not None:
            self.case.patient.update(review)
        self.reviewChanged.emit(review)
        QtCore.QTimer.singleShot(0, self.window.refresh_case_list)

    def history(self, episode_id: int | None = None) -> pd.DataFrame | None:
        """The episode's audit trail; None (and the reviewer told why) if it cannot be read."""
        eid = self.selected_id if episode_id is None else episode_id
        if eid is None:
            return pd.DataFrame()
        try:
            return db.episode_history(self.engine, eid)
        except DB_ERRORS as exc:
            log.error("reading the history of episode %s failed", eid, exc_info=exc)
            self.tell(f"The history could not be read: {database_problem(exc)}.", error=True)
            return None

    def _menu(self, episode_id: int, pos: QtCore.QPoint) -> None:
        if not self.menu_actions:
            return
        menu = QtWidgets.QMenu(self.window)
        menu.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addActions(self.menu_actions)
        menu.popup(pos)

"""Undoable episode edits. Each do and each undo calls one function of db/episodes.py.

A command is applied once by the controller *before* it goes on the stack (so a refused
or failed write never becomes an undo step); the stack's first redo() is then skipped.
Later undo/redo run through ``ctx.perform``, which reports a refused write (EpisodeError)
or a failed one (a database error) instead of raising inside Qt.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6 import QtGui
from sqlalchemy import Engine

from data import episode_edit as edit
from data.conflicts import mine_text
from db import episodes as db

Row = dict[str, Any]


class EditContext(Protocol):
    """What a command needs from its controller."""

    engine: Engine
    patient_id: int
    selected_id: int | None

    def actor(self) -> str: ...
    def version(self, episode_id: int) -> int: ...
    def perform(self, step: Callable[[], int | None]) -> None: ...


class EpisodeCommand(QtGui.QUndoCommand):
    def __init__(self, ctx: EditContext, text: str) -> None:
        super().__init__(text)
        self.ctx = ctx
        self._applied = False
        # What the audit row says wrote the change: None the first time, then "undo" or
        # "redo" (db.audit.stepped), so the trail tells an undo from a new edit.
        self.step: str | None = None

    def apply(self) -> int | None:
        """Do the change now (raises db.EpisodeError or a database error); returns the
        episode to select."""
        result = self._do()
        self._applied = True
        return result

    def redo(self) -> None:
        if self._applied:  # push() calls redo(); the controller already applied it
            self._applied = False
            return
        self.step = "redo"
        self.ctx.perform(self._do)

    def undo(self) -> None:
        self.step = "undo"
        self.ctx.perform(self._undo)

    def _do(self) -> int | None:
        raise NotImplementedError

    def _undo(self) -> int | None:
        raise NotImplementedError

    def _still(self, episode_id: int, left: Row) -> None:
        """An undo or redo changes an episode only while it still holds what this command
        left there: a colleague's later change, shown meanwhile (gui.live_refresh) and so
        at the version on screen, is never undone or deleted unseen."""
        row = self.ctx.row(episode_id)
        if row is None:
            return  # deleted meanwhile: the database refuses the write itself
        moved = [k for k, v in left.items() if k in FIELD_NAMES and not _same(row.get(k), v)]
        if moved:
            names = " and ".join(FIELD_NAMES.get(k, k) for k in moved)
            raise db.StaleEpisodeError(
                f"The {row['kind']} episode's {names} was changed by someone else since; "
                f"your {self.step or 'change'} was not applied")

    def rebased(self) -> EpisodeCommand | None:
        """The same change made again on what is stored now (after someone else's change
        refused this one): "Apply mine on top". None when it no longer applies."""
        return None

    def mine(self) -> str:
        """This change in the audit trail's words, for the conflict message."""
        return self.text()


class CreateEpisode(EpisodeCommand):
    """Create; undo deletes; redo restores the same id (its audit trail stays whole)."""

    def __init__(self, ctx: EditContext, fields: Row) -> None:
        super().__init__(ctx, f"Create {fields['kind']} episode")
        self.fields = fields
        self.patient_id = ctx.patient_id
        self.row: Row | None = None

    def _do(self) -> int:
        if self.row is None:
            self.row = db.create_episode(self.ctx.engine, self.patient_id,
                                         actor=self.ctx.actor(), **self.fields)
        else:
            self.row = db.restore_episode(self.ctx.engine, self.row, actor=self.ctx.actor(),
                                          step=self.step)
        return self.row["id"]

    def _undo(self) -> None:
        eid = self.row["id"]
        self._still(eid, self.row)
        self.row = db.delete_episode(self.ctx.engine, eid, self.ctx.version(eid),
                                     actor=self.ctx.actor(), step=self.step)


class DeleteEpisode(EpisodeCommand):
    def __init__(self, ctx: EditContext, row: Row) -> None:
        super().__init__(ctx, f"Delete {row['kind']} episode")
        self.episode_id = int(row["id"])
        self.row: Row = row

    def _do(self) -> None:
        if self.step is not None:
            self._still(self.episode_id, self.row)
        self.row = db.delete_episode(self.ctx.engine, self.episode_id,
                                     self.ctx.version(self.episode_id), actor=self.ctx.actor(),
                                     step=self.step)

    def _undo(self) -> int:
        self.row = db.restore_episode(self.ctx.engine, self.row, actor=self.ctx.actor(),
                                      step=self.step)
        return self.episode_id

    def rebased(self) -> DeleteEpisode | None:
        row = self.ctx.row(self.episode_id)
        return None if row is None else DeleteEpisode(self.ctx, row)

    def mine(self) -> str:
        return "delete this episode"


class UpdateEpisode(EpisodeCommand):
    """Set some fields; undo sets them back. The version checked is the one on screen."""

    def __init__(self, ctx: EditContext, episode_id: int, before: Row, after: Row,
                 text: str) -> None:
        super().__init__(ctx, text)
        self.episode_id = episode_id
        self.before, self.after = before, after

    def _write(self, values: Row) -> int:
        db.update_episode(self.ctx.engine, self.episode_id, self.ctx.version(self.episode_id),
                          actor=self.ctx.actor(), step=self.step, **values)
        return self.episode_id

    def _do(self) -> int:
        if self.step is not None:
            self._still(self.episode_id, self.before)
        return self._write(self.after)

    def _undo(self) -> int:
        self._still(self.episode_id, self.after)
        return self._write(self.before)

    def rebased(self) -> UpdateEpisode | None:
        row = self.ctx.row(self.episode_id)
        if row is None:
            return None
        return UpdateEpisode(self.ctx, self.episode_id, {k: row[k] for k in self.after},
                             dict(self.after), self.text())

    def mine(self) -> str:
        return mine_text("episode", self.before, self.after)


def _same(stored: Any, value: Any) -> bool:
    """A stored value and what a command wrote: times are stored as whole seconds."""
    if isinstance(stored, int | float) and isinstance(value, int | float) \
            and not isinstance(value, bool):
        return round(float(stored)) == round(float(value))
    return stored == value


def change_times(ctx: EditContext, row: Row, onset: float, end: float | None) -> UpdateEpisode:
    """Moving an edge or the whole episode; the text says which, for the Edit menu."""
    old_end = None if edit.is_missing(row["end"]) else row["end"]
    moved_onset, moved_end = onset != row["onset"], end != old_end
    if moved_onset and moved_end:
        what = "Move"
    elif moved_onset:
        what = "Change onset of"
    elif end is None:
        what = "Mark ongoing:"
    else:
        what = "Change end of"
    return UpdateEpisode(ctx, int(row["id"]), {"onset": row["onset"], "end": old_end},
                         {"onset": onset, "end": end}, f"{what} {row['kind']} episode")


FIELD_NAMES = {"kind": "kind", "severity": "severity", "certainty": "onset certainty",
               "note": "note", "onset": "onset", "end": "end"}


def change_properties(ctx: EditContext, row: Row, **changes: Any) -> UpdateEpisode:
    names = " and ".join(FIELD_NAMES.get(k, k) for k in changes)
    return UpdateEpisode(ctx, int(row["id"]), {k: row[k] for k in changes}, dict(changes),
                         f"Change {names} of {row['kind']} episode")


class MarkReviewed(EpisodeCommand):
    """Mark or withdraw the case review; undo puts back the earlier reviewer and time.
    Each write checks the review version on screen (``review_version()``), so a
    colleague's newer review is never overwritten. The episode selection stays as it is."""

    def __init__(self, ctx: EditContext, reviewed: bool, previous: Row,
                 on_written: Callable[[Row], None], review_version: Callable[[], int],
                 stored_review: Callable[[], Row]) -> None:
        super().__init__(ctx, "Mark case reviewed" if reviewed else "Withdraw case review")
        self.reviewed, self.previous = reviewed, previous
        self.patient_id = ctx.patient_id
        self.on_written = on_written
        self.review_version = review_version
        self.stored_review = stored_review

    def _do(self) -> int | None:
        if self.step is not None:
            self._still(self.previous.get("reviewed_by"))
        written = db.mark_case_reviewed(self.ctx.engine, self.patient_id, self.ctx.actor(),
                                        self.reviewed, version=self.review_version(),
                                        step=self.step)
        self.written_by = written["reviewed_by"]
        self.on_written(written)
        return self.ctx.selected_id

    def _still(self, reviewed_by: str | None) -> None:
        """An undo or redo puts back only a review state this command left: a colleague's
        review (or withdrawal) shown since is theirs, never undone unseen."""
        if self.stored_review().get("reviewed_by") != reviewed_by:
            raise db.StaleReviewError("The review of this case was changed by someone else "
                                      f"since; your {self.step} was not applied")

    def rebased(self) -> MarkReviewed:
        return MarkReviewed(self.ctx, self.reviewed, self.stored_review(), self.on_written,
                            self.review_version, self.stored_review)

    def mine(self) -> str:
        return "mark the case reviewed" if self.reviewed else "withdraw the case review"

    def _undo(self) -> int | None:
        self._still(self.written_by)
        by, at = self.previous.get("reviewed_by"), self.previous.get("reviewed_at")
        self.on_written(db.mark_case_reviewed(
            self.ctx.engine, self.patient_id, by or self.ctx.actor(), bool(by),
            version=self.review_version(), at=at, actor=self.ctx.actor(), step=self.step))
        return self.ctx.selected_id

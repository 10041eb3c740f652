"""Accepting and rejecting a suggestion, and keeping a decision whose evidence changed,
as undoable commands. Each do and each undo calls
one function of db/suggestions.py, which writes the suggestion, the episode it becomes
and their audit rows in one transaction. They run through the episode controller (its
EditContext), so a refused or failed write is reported as an episode edit's is."""

from __future__ import annotations

from typing import Any

from db import suggestions as store
from gui.episodes.commands import EditContext, EpisodeCommand

Row = dict[str, Any]


class AcceptSuggestion(EpisodeCommand):
    """Accept: a reviewer episode with the suggestion's kind and edges (origin 'rule').
    Undo deletes that episode and reopens the suggestion; redo puts the same episode back
    under its id, so later edits of it in the history still apply."""

    def __init__(self, ctx: EditContext, row: Row) -> None:
        super().__init__(ctx, f"Accept suggested {row['kind']}")
        self.sid = int(row["id"])
        self.version = int(row["version"])
        self.episode_id: int | None = None
        self.deleted: Row | None = None

    def _do(self) -> int:
        s, episode = store.accept_suggestion(self.ctx.engine, self.sid, self.version,
                                             actor=self.ctx.actor(), step=self.step,
                                             restore=self.deleted)
        self.version, self.episode_id = int(s["version"]), int(episode["id"])
        return self.episode_id

    def _undo(self) -> None:
        assert self.episode_id is not None
        s, self.deleted = store.reopen_suggestion(
            self.ctx.engine, self.sid, self.version, actor=self.ctx.actor(),
            episode_version=self.ctx.version(self.episode_id), step=self.step)
        self.version = int(s["version"])


class RejectSuggestion(EpisodeCommand):
    """Reject with the reviewer's reason; undo reopens it."""

    def __init__(self, ctx: EditContext, row: Row, reason: str) -> None:
        super().__init__(ctx, f"Reject suggested {row['kind']}")
        self.sid = int(row["id"])
        self.version = int(row["version"])
        self.reason = reason

    def _do(self) -> int | None:
        s = store.reject_suggestion(self.ctx.engine, self.sid, self.version,
                                    actor=self.ctx.actor(), reason=self.reason, step=self.step)
        self.version = int(s["version"])
        return self.ctx.selected_id

    def _undo(self) -> int | None:
        s, _ = store.reopen_suggestion(self.ctx.engine, self.sid, self.version,
                                       actor=self.ctx.actor(), step=self.step)
        self.version = int(s["version"])
        return self.ctx.selected_id


class KeepDecision(EpisodeCommand):
    """The evidence of a decided suggestion changed: the reviewer keeps the decision and
    the mark goes; undo puts the mark back."""

    def __init__(self, ctx: EditContext, row: Row) -> None:
        super().__init__(ctx, f"Keep the decision on suggested {row['kind']}")
        self.sid = int(row["id"])
        self.version = int(row["version"])

    def _keep(self, keep: bool) -> int | None:
        s = store.keep_decision(self.ctx.engine, self.sid, self.version,
                                actor=self.ctx.actor(), keep=keep, step=self.step)
        self.version = int(s["version"])
        return self.ctx.selected_id

    def _do(self) -> int | None:
        return self._keep(True)

    def _undo(self) -> int | None:
        return self._keep(False)

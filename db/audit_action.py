"""An audit row's action when an undo or a redo wrote the change.

An undo or a redo writes an ordinary change (an update, a deletion, a restore); its audit
action says why, "undo:update", so the trail tells an undo from a new edit while a check
of the trail still finds the change it wrote (base_action). Kept apart from db.audit, which
needs SQLAlchemy: the History dialog's wording (data.audit_text) reads it too.
"""

from __future__ import annotations

STEPS = ("undo", "redo")


def stepped(action: str, step: str | None) -> str:
    """The audit action of a change written by an undo or a redo (step), else action."""
    if step is None:
        return action
    if step not in STEPS:
        raise ValueError(f"Unknown step {step!r}: one of {', '.join(STEPS)}")
    return f"{step}:{action}"


def split_action(action: str) -> tuple[str | None, str]:
    """(step or None, the change written): "undo:update" → ("undo", "update")."""
    step, _, base = action.rpartition(":")
    return (step or None), base


def base_action(action: str) -> str:
    """The change an audit action wrote, whether by an undo, a redo or directly."""
    return split_action(action)[1]

"""The crosshair readout: one line per visible series, as HTML for a QLabel."""

from __future__ import annotations

import html
from dataclasses import dataclass


@dataclass(frozen=True)
class ReadoutLine:
    label: str
    value: str
    unit: str
    when: str
    colour: str
    track: str

    def text(self) -> str:
        return f"{self.label} {self.value} {self.unit} ({self.when})".replace("  ", " ")


def readout_html(cursor: str, lines: list[ReadoutLine]) -> str:
    parts = [f"<b>{html.escape(cursor)}</b>"]
    # Diary items read as a list of symptoms present, not twelve yes/no entries.
    present = [ln.label for ln in lines if ln.track == "symptoms" and ln.value == "yes"]
    if any(ln.track == "symptoms" for ln in lines):
        parts.append("symptoms: " + (html.escape(", ".join(present)) if present else "none"))
    for ln in lines:
        if ln.track == "symptoms":
            continue
        parts.append(
            f"<span style='color:{ln.colour}'>■</span> {html.escape(ln.label)} "
            f"<b>{html.escape(ln.value)}</b> {html.escape(ln.unit)} "
            f"<span style='color:#777'>({html.escape(ln.when)})</span>"
        )
    return " &nbsp;·&nbsp; ".join(parts)

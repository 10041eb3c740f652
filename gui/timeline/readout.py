"""The crosshair readout: one item per visible series, as HTML for a fixed-height QLabel."""

from __future__ import annotations

import html
from dataclasses import dataclass

# Items break only between each other: a swatch never ends a line without its label.
SEPARATOR = " · "
LINES = 4  # the readout's fixed height in text lines: it never grows and squeezes tracks


@dataclass(frozen=True)
class ReadoutLine:
    label: str
    value: str
    unit: str
    when: str  # "" when the value is from the cursor's own day
    colour: str
    track: str

    def text(self) -> str:
        when = f" ({self.when})" if self.when else ""
        return f"{self.label} {self.value} {self.unit}{when}".replace("  ", " ")


def unbreakable(text: str) -> str:
    """HTML for text that never breaks across lines."""
    # A word joiner after "/" and "-": Qt's line breaker otherwise splits "pg/mL" and
    # "TNF-α" there.
    return html.escape(text).replace(" ", "&nbsp;").replace("/", "/\u2060") \
        .replace("-", "-\u2060")


def readout_html(cursor: str, lines: list[ReadoutLine]) -> str:
    parts = [f"<b>{unbreakable(cursor)}</b>"]
    # Diary items read as a list of symptoms present, not twelve yes/no entries.
    present = [ln.label for ln in lines if ln.track == "symptoms" and ln.value == "yes"]
    if any(ln.track == "symptoms" for ln in lines):
        parts.append(unbreakable("symptoms: " + (", ".join(present) if present else "none")))
    for ln in lines:
        if ln.track == "symptoms":
            continue
        when = f"&nbsp;<span style='color:#777'>({unbreakable(ln.when)})</span>" \
            if ln.when else ""
        unit = f"&nbsp;{unbreakable(ln.unit)}" if ln.unit else ""
        parts.append(
            f"<span style='color:{ln.colour}'>■</span>&nbsp;{unbreakable(ln.label)}"
            f"&nbsp;<b>{unbreakable(ln.value)}</b>{unit}{when}"
        )
    return SEPARATOR.join(parts)

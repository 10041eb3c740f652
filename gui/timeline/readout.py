"""The crosshair readout: one item per visible series, as HTML for a fixed-height QLabel."""

from __future__ import annotations

import html
import itertools
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
    # Diary items read as a list of symptoms present, not twelve yes/no entries; the
    # diary day they come from is given like any other value's.
    diary = [ln for ln in lines if ln.track == "symptoms"]
    if diary:
        present = [ln.label for ln in diary if ln.value == "yes"]
        parts.append(unbreakable("symptoms: " + (", ".join(present) if present else "none"))
                     + _when(diary[0].when))
    # Values measured on one day other than the cursor's (a blood draw's cytokines and
    # markers) carry that day once, in parentheses around them all: six "(21 Mar)" in a
    # row took a whole line of a four-line readout on a 1024 px screen.
    rest = [ln for ln in lines if ln.track != "symptoms"]
    for when, run in itertools.groupby(rest, key=lambda ln: ln.when):
        items = [_item(ln) for ln in run]
        if not when:
            parts += items
        elif len(items) == 1:
            parts.append(items[0] + _when(when))
        else:
            items[0] = f"<span style='color:#777'>({unbreakable(when)}:</span>&nbsp;{items[0]}"
            items[-1] += "<span style='color:#777'>)</span>"
            parts += items
    return SEPARATOR.join(parts)


def _when(when: str) -> str:
    return f"&nbsp;<span style='color:#777'>({unbreakable(when)})</span>" if when else ""


def _item(ln: ReadoutLine) -> str:
    unit = f"&nbsp;{unbreakable(ln.unit)}" if ln.unit else ""
    return (f"<span style='color:{ln.colour}'>■</span>&nbsp;{unbreakable(ln.label)}"
            f"&nbsp;<b>{unbreakable(ln.value)}</b>{unit}")

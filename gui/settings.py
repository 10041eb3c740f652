"""Every setting in one place: its key, default and meaning; UI state kept apart.

Backed by QSettings; tests point QSettings at a per-test .ini file (tests/conftest.py).
"""

from __future__ import annotations

import json
from typing import Any

from PySide6 import QtCore

ORGANISATION = "Flarescope"
APPLICATION = "Flarescope"


# key: (default, meaning)
OPTIONS: dict[str, tuple[Any, str]] = {
    "figures/near_normal_fold": (2.0, "IL-1β fold over controls counted as near-normal"),
    "dosing/usual_time": ("08:00", "Usual anakinra time (UTC) for dosing recorded as periods"),
}
UI_STATE = {
    "window/geometry": None,
    "window/state": None,
    "case/last": None,  # pseudonym of the last opened case
    "timeline/tracks": None,  # JSON [[key, visible], …] in display order
    "timeline/axis_mode": "calendar",
    "timeline/fold": False,
    "timeline/per_kg": False,
}


class Settings:
    def __init__(self, qsettings: QtCore.QSettings | None = None) -> None:
        self.q = qsettings or QtCore.QSettings(ORGANISATION, APPLICATION)

    def get(self, key: str) -> Any:
        default = OPTIONS[key][0] if key in OPTIONS else UI_STATE[key]
        value = self.q.value(key, default)
        if isinstance(default, bool) and isinstance(value, str):
            return value.lower() == "true"
        if isinstance(default, float) and value is not None:
            return float(value)
        return value

    def set(self, key: str, value: Any) -> None:
        if key not in OPTIONS and key not in UI_STATE:
            raise KeyError(key)
        self.q.setValue(key, value)

    @property
    def dose_time(self) -> float:
        """The usual dosing time as seconds after midnight; 08:00 if the stored text is bad."""
        from data.dose_context import DEFAULT_DOSE_TIME, parse_clock

        seconds = parse_clock(str(self.get("dosing/usual_time") or ""))
        return float(DEFAULT_DOSE_TIME) if seconds is None else seconds

    def track_config(self) -> tuple[list[str], set[str]] | None:
        raw = self.get("timeline/tracks")
        if not raw:
            return None
        try:
            pairs = json.loads(raw)
            return [k for k, _ in pairs], {k for k, v in pairs if not v}
        except (ValueError, TypeError):
            return None

    def set_track_config(self, pairs: list[tuple[str, bool]]) -> None:
        self.set("timeline/tracks", json.dumps([[k, bool(v)] for k, v in pairs]))

    def sync(self) -> None:
        self.q.sync()

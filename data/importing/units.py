"""Units as written in lab exports, converted to the unit each code is stored in.

An unknown unit is an error, never a guess: the converter only knows units it can
convert exactly. An empty unit means the stored unit of data/codes.py.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from data.codes import ANALYTES

# Metric prefixes that occur in clinical units, as factors.
_PREFIX = {"": 1.0, "d": 1e-1, "c": 1e-2, "m": 1e-3, "u": 1e-6, "n": 1e-9, "p": 1e-12}
_MASS_PER_VOLUME = re.compile(r"^([pnumcd]?)g/([umcd]?)l$")

# Spelling → (dimension, factor to the dimension's base, offset): base = x * factor + offset.
_NAMED: dict[str, tuple[str, float, float]] = {
    "cel": ("temperature", 1.0, 0.0),
    "°c": ("temperature", 1.0, 0.0),
    "c": ("temperature", 1.0, 0.0),
    "degc": ("temperature", 1.0, 0.0),
    "celsius": ("temperature", 1.0, 0.0),
    "[degf]": ("temperature", 5 / 9, -32 * 5 / 9),
    "°f": ("temperature", 5 / 9, -32 * 5 / 9),
    "degf": ("temperature", 5 / 9, -32 * 5 / 9),
    "fahrenheit": ("temperature", 5 / 9, -32 * 5 / 9),
    "kg": ("mass", 1.0, 0.0),
    "g": ("mass", 1e-3, 0.0),
    "lb": ("mass", 0.45359237, 0.0),
    "lbs": ("mass", 0.45359237, 0.0),
    "[lb_av]": ("mass", 0.45359237, 0.0),
    "mm/h": ("esr", 1.0, 0.0),
    "mm/hr": ("esr", 1.0, 0.0),
    "mm/1h": ("esr", 1.0, 0.0),
    "mm/1sth": ("esr", 1.0, 0.0),
    "mm/1ereh": ("esr", 1.0, 0.0),
    "1": ("count", 1.0, 0.0),
    "0/1": ("count", 1.0, 0.0),
    "yes/no": ("count", 1.0, 0.0),
    "oui/non": ("count", 1.0, 0.0),
    "y/n": ("count", 1.0, 0.0),
    "{score}": ("score", 1.0, 0.0),
    "score": ("score", 1.0, 0.0),
    "points": ("score", 1.0, 0.0),
}
_EXAMPLES = {
    "mass/volume": "pg/mL, ng/mL, ng/L, µg/mL, mg/L, mg/dL, g/L",
    "temperature": "Cel, °C, °F",
    "mass": "kg, g, lb",
    "esr": "mm/h",
    "count": "1, 0/1, yes/no",
    "score": "{score}, score, points",
}


def normalise_unit(text: str) -> str:
    """Case, spaces and the two micro signs (µ, μ) do not matter; mcg is µg."""
    t = unicodedata.normalize("NFC", text).strip().lower().replace(" ", "")
    t = t.replace("µ", "u").replace("μ", "u").replace("mcg", "ug").replace("℃", "°c")
    return t.replace("º", "°")  # ordinal sign typed for a degree sign


def _dimension(text: str) -> tuple[str, float, float] | None:
    t = normalise_unit(text)
    m = _MASS_PER_VOLUME.match(t)
    if m:
        return "mass/volume", _PREFIX[m.group(1)] / _PREFIX[m.group(2)], 0.0
    return _NAMED.get(t)


def is_unit(text: str) -> bool:
    return _dimension(text) is not None


@dataclass(frozen=True)
class Conversion:
    """stored = value * scale + offset."""

    scale: float = 1.0
    offset: float = 0.0

    @property
    def identity(self) -> bool:
        return self.scale == 1.0 and self.offset == 0.0

    def apply(self, values: np.ndarray) -> np.ndarray:
        if self.identity:
            return values
        return tidy(values * self.scale + self.offset)


def conversion(unit_text: str, code: str) -> Conversion | str:
    """How to bring values of ``code`` written in ``unit_text`` to the stored unit.

    Returns the reason as a string when the unit is unknown or does not fit the code.
    """
    stored = ANALYTES[code].unit
    if not unit_text.strip():
        return Conversion()
    target = _dimension(stored)
    source = _dimension(unit_text)
    assert target is not None, f"stored unit {stored!r} of {code} is not in the unit table"
    accepted = _EXAMPLES[target[0]]
    if source is None:
        return f"unknown unit for {code} (stored in {stored}; accepted: {accepted})"
    if source[0] != target[0]:
        return f"unit does not fit {code} (stored in {stored}; accepted: {accepted})"
    return Conversion(source[1] / target[1], (source[2] - target[2]) / target[1])


def tidy(values: np.ndarray) -> np.ndarray:
    """Round converted values to 12 significant digits.

    1.1 ng/mL × 1000 is 1100.0000000000002 in binary floating point; the reviewer
    typed 1.1 and expects 1100. Dividing an exact integer by a power of ten gives the
    closest double to the decimal, so this rounding adds no error of its own.
    """
    values = np.asarray(values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.floor(np.log10(np.abs(values)))
    magnitude = np.where(np.isfinite(magnitude), magnitude, 0)
    shift = np.power(10.0, 11 - magnitude)
    rounded = np.round(values * shift) / shift
    return np.where(np.isfinite(rounded), rounded, values)


# Doses: the stored unit of a period of constant daily dose, and the factor to reach it.
_DOSE_UNITS: dict[str, tuple[str, float]] = {
    "mg": ("mg", 1.0),
    "g": ("mg", 1000.0),
    "ug": ("mg", 1e-3),
    "mg/d": ("mg", 1.0),
    "mg/day": ("mg", 1.0),
    "mg/j": ("mg", 1.0),
    "mg/jour": ("mg", 1.0),
    "mg/24h": ("mg", 1.0),
    "g/d": ("mg", 1000.0),
    "g/j": ("mg", 1000.0),
    "mg/kg": ("mg/kg/d", 1.0),
    "mg/kg/d": ("mg/kg/d", 1.0),
    "mg/kg/day": ("mg/kg/d", 1.0),
    "mg/kg/j": ("mg/kg/d", 1.0),
    "mg/kg/jour": ("mg/kg/d", 1.0),
}
DOSE_UNITS_ACCEPTED = "mg, g, µg (per day), mg/kg/d"


def dose_conversion(unit_text: str) -> tuple[str, float] | None:
    """(stored unit, factor) for a daily dose written in ``unit_text``; empty means mg."""
    if not unit_text.strip():
        return "mg", 1.0
    return _DOSE_UNITS.get(normalise_unit(unit_text))

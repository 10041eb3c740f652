"""The diary as LifeLines-style strips: one row per AIDAI item, one column per day."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from data.alignment import DAY
from data.codes import AIDAI_ITEMS
from gui.palette import SYMPTOM_PRESENT
from gui.timeline.strips import SymptomStrips
from gui.timeline.tracks.base import Series, TimelineOptions, Track

SHORT = {
    "SX_FEVER": "Fever", "SX_OVERALL": "Overall", "SX_ABDO": "Abdominal", "SX_NAUSEA": "Nausea",
    "SX_DIARRHOEA": "Diarrhoea", "SX_HEADACHE": "Headache", "SX_CHEST": "Chest pain",
    "SX_LYMPH": "Lymph nodes", "SX_ARTHRO": "Arthr./myalgia", "SX_JOINT": "Joint swelling",
    "SX_EYE": "Eye", "SX_RASH": "Rash",
}


def diary_matrix(case) -> tuple[float, np.ndarray]:
    """(first day, matrix days × items): 1 present, 0 absent, NaN not recorded."""
    parts = [case.numbers(code) for code, _ in AIDAI_ITEMS]
    ts = [t for t, _ in parts if len(t)]
    if not ts:
        return 0.0, np.zeros((0, len(AIDAI_ITEMS)))
    first = min(int(t.min()) for t in ts) // DAY * DAY
    last = max(int(t.max()) for t in ts) // DAY * DAY
    n = (last - first) // DAY + 1
    m = np.full((n, len(AIDAI_ITEMS)), np.nan)
    for row, (t, value) in enumerate(parts):
        if len(t):
            m[(t // DAY * DAY - first) // DAY, row] = value
    return float(first), m


class SymptomsTrack(Track):
    key = "symptoms"
    title = "Symptoms (daily diary)"
    stretch = 5
    min_height = 132  # twelve rows of 11 px: a 9 pt label each

    @staticmethod
    def has_data(case) -> bool:
        return any(code in case.codes for code, _ in AIDAI_ITEMS)

    def draw(self, case, options: TimelineOptions) -> None:
        first, m = diary_matrix(case)
        n_items = len(AIDAI_ITEMS)
        self.plot.addItem(SymptomStrips(first, m, pg.mkColor(SYMPTOM_PRESENT),
                                        pg.mkColor(self.theme.symptom_absent)))
        self.plot.setYRange(0, n_items, padding=0)
        ticks = [(n_items - i - 0.5, SHORT[code]) for i, (code, _) in enumerate(AIDAI_ITEMS)]
        self.plot.getAxis("left").setTicks([ticks, []])
        days = first + np.arange(len(m)) * DAY + DAY / 2
        for i, (_code, label) in enumerate(AIDAI_ITEMS):
            present = m[:, i]
            ok = ~np.isnan(present)
            self.series.append(Series(label, "", days[ok], present[ok], SYMPTOM_PRESENT,
                                      value_names=("no", "yes"), daily=True))

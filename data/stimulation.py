"""Stimulation index: LPS-stimulated ÷ spontaneous secretion of the same cytokine by the
same patient's PBMC on the same day (issue 14, item 2).

How much more a patient's cells secrete when stimulated says something the absolute
values do not (NLRP12 cells secrete spontaneously, so their index can be low while both
values are high). Pairs are made within one UTC calendar day: each LPS-stimulated sample
with the spontaneous sample of that day nearest in time. Censored values give a bound
("<5" ÷ 50 is "<0.1") or, both censored, nothing that can be written: such a pair is
kept with a NaN index so a table can say why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.alignment import DAY
from data.case import Case
from data.codes import CYTOKINES, PBMC_LPS, PBMC_SPONTANEOUS

SPECIMEN = "stimulation index"  # what a derived row's specimen column says
UNIT = "ratio"
COLUMNS = ["t", "code", "value", "censor", "spont_t", "spont_value", "spont_censor",
           "lps_value", "lps_censor"]


def stimulation_index(case: Case, code: str) -> pd.DataFrame:
    """One row per LPS-stimulated sample of code with a spontaneous one on its day.

    ``t`` is the stimulated sample's time; ``value`` the index (NaN when both are
    censored); ``censor`` '<', '>' or '' as for any measurement.
    """
    # Imported here: data.summary's tables list these indices, and its package would be
    # half-initialised if this module were its first importer.
    from data.summary.censored import Measure, censor_sign, ratio_measure

    lps = case.series(code, PBMC_LPS)
    spont = case.series(code, PBMC_SPONTANEOUS)
    if lps.empty or spont.empty:
        return pd.DataFrame({c: [] for c in COLUMNS})
    left = pd.DataFrame({"t": lps["t"].to_numpy(dtype=float),
                         "lps_value": lps["value"].to_numpy(dtype=float),
                         "lps_censor": [censor_sign(c) for c in lps["censor"]]})
    right = pd.DataFrame({"spont_t": spont["t"].to_numpy(dtype=float),
                          "spont_value": spont["value"].to_numpy(dtype=float),
                          "spont_censor": [censor_sign(c) for c in spont["censor"]]})
    left["day"] = np.floor(left["t"] / DAY)
    right["day"] = np.floor(right["spont_t"] / DAY)
    right["t"] = right["spont_t"]
    pairs = pd.merge_asof(left.sort_values("t"), right.sort_values("t"), on="t", by="day",
                          direction="nearest").dropna(subset=["spont_t"])
    ratios = [ratio_measure(Measure(a, ca), Measure(b, cb)) for a, ca, b, cb in zip(
        pairs["lps_value"], pairs["lps_censor"], pairs["spont_value"], pairs["spont_censor"],
        strict=True)]
    pairs["value"] = [np.nan if r is None else r.value for r in ratios]
    pairs["censor"] = ["" if r is None else r.censor for r in ratios]
    pairs["code"] = code
    return pairs[COLUMNS].reset_index(drop=True)


def stimulation_indices(case: Case) -> pd.DataFrame:
    """Every cytokine's index, in time order (codes in their usual order on a tie)."""
    parts = [stimulation_index(case, a.code) for a in CYTOKINES]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c: [] for c in COLUMNS})
    return pd.concat(parts, ignore_index=True).sort_values("t", kind="stable",
                                                            ignore_index=True)

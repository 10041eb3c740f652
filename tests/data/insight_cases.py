"""Small cases written by hand for the clinical-insight tests (not the demo generator).

Day 0 is Monday 6 January 2020; rows are (day, hour, code, value, censor, specimen).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data.alignment import DAY
from data.case import Case
from data.codes import PBMC_SPONTANEOUS

DAY0 = int(dt.datetime(2020, 1, 6, tzinfo=dt.UTC).timestamp())
UNITS = {"WEIGHT": "kg", "CRP": "mg/L", "SAA": "mg/L"}


def at(day: float, hour: float = 0.0) -> float:
    return float(DAY0 + day * DAY + hour * 3600)


def make_case(obs: list[tuple], periods: list[tuple] = (), *, episodes: list[dict] = (),
              controls: list[dict] | None = None, given: list[tuple] = ()) -> Case:
    """obs: (day, hour, code, value[, censor[, specimen]]); periods: (first day, last day
    or None, dose[, unit]) of anakinra, both days inclusive; given: anakinra doses
    recorded one by one, (day, hour, dose[, unit])."""
    rows = []
    for o in obs:
        d, h, code, value = o[:4]
        censor = o[4] if len(o) > 4 else ""
        spec = o[5] if len(o) > 5 else PBMC_SPONTANEOUS
        rows.append(dict(t=int(at(d, h)), code=code, value=float(value), censor=censor or "",
                         unit=UNITS.get(code, "pg/mL"), specimen=spec, source="hand"))
    o = pd.DataFrame(rows, columns=["t", "code", "value", "censor", "unit", "specimen",
                                    "source"])
    o = o.sort_values(["code", "specimen", "t"]).reset_index(drop=True)
    for col in ("code", "censor", "unit", "specimen", "source"):
        o[col] = o[col].astype("category")
    start = pd.Timestamp(DAY0, unit="s")
    meds = pd.DataFrame([
        dict(id=i + 1, patient_id=1, drug="anakinra", atc="L04AC03", dose=float(p[2]),
             unit=p[3] if len(p) > 3 else "mg", route="subcutaneous",
             start=start + pd.Timedelta(days=p[0]),
             end=None if p[1] is None else start + pd.Timedelta(days=p[1]), source="hand")
        for i, p in enumerate(periods)],
        columns=["id", "patient_id", "drug", "atc", "dose", "unit", "route", "start", "end",
                 "source"])
    meds["start"] = pd.to_datetime(meds["start"])
    meds["end"] = pd.to_datetime(meds["end"])
    ep = pd.DataFrame(list(episodes), columns=["id", "kind", "onset", "end", "severity",
                                                "certainty", "note", "author", "created",
                                                "updated", "status"])
    ctl = pd.DataFrame(controls if controls is not None else [
        dict(code="IL1B", specimen=PBMC_SPONTANEOUS, mean=10.0),
        dict(code="TNFA", specimen=PBMC_SPONTANEOUS, mean=20.0)])
    p = dict(id=1, pseudonym="HAND-01", diagnosis="NLRP12AD", sex="F", onset_age=3.0)
    adm = pd.DataFrame([dict(t=int(at(g[0], g[1])), drug="anakinra", dose=float(g[2]),
                             unit=g[3] if len(g) > 3 else "mg", route="subcutaneous")
                        for g in given], columns=["t", "drug", "dose", "unit", "route"])
    return Case(p, o, meds, ep, ctl, administrations=adm)


def cytokine_cells(summary) -> dict[tuple[str, str], str]:
    """The PDF's cytokine table (a results grid) as {(row's first line, column's header
    with its lines joined by spaces): cell}: "2020-01-09", "IL-1β LPS ÷ spont."."""
    table = next(t for t in summary.tables if t.title == "Cytokine measurements")
    heads = [c.name.replace("\n", " ") for c in table.columns]
    return {(row[0].split("\n")[0], head): cell for row in table.rows
            for head, cell in zip(heads, row, strict=True)}

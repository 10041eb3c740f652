"""Measurements as markers (hollow when censored) with a tooltip and a clickable record."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyqtgraph as pg

from data.numbers import fmt_fold, fmt_number
from gui.palette import GLYPHS
from gui.timeline.tracks.base import Series, Track


def add_points(track: Track, rows: pd.DataFrame, y: np.ndarray, *, name: str, label: str,
               unit: str, colour: str, symbol: str, specimen: str = "",
               connect: bool = False, readout_label: str | None = None,
               fold: bool = False) -> Series:
    """Plot one series of measurements and return it for the readout.

    On a log track the items get log10(y) and only the axis labels are logarithmic:
    ScatterPlotItem has no log mode of its own, so PlotItem.setLogMode would leave the
    markers on a linear scale.
    """
    p = track.plot
    x = rows["t"].to_numpy(dtype=float)
    censor = np.array(texts(rows["censor"]), dtype=object)
    # Columns as Python lists first: iterating pandas columns cost ~10 ms per opening of
    # a ten-year case.
    records = [
        {"analyte": label, "t": t, "value": v, "censor": c, "unit": u,
         "specimen": s, "source": src, "shown": yy, "shown_unit": unit}
        for t, v, c, u, s, src, yy in zip(
            x.tolist(), rows["value"].to_numpy(dtype=float).tolist(), censor.tolist(),
            *(texts(rows[k]) for k in ("unit", "specimen", "source")),
            np.asarray(y, dtype=float).tolist(), strict=True)
    ]
    plotted = y
    shown = np.ones(len(x), dtype=bool)
    if track.log_y:
        shown = ~(y <= 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            plotted = np.where(shown, np.log10(np.where(shown, y, 1.0)), np.nan)
        if not shown.all():  # placed at the track's floor once every series is drawn
            track.non_positive.append((x[~shown], [r for r, k in zip(records, shown,
                                                                      strict=True) if not k],
                                       colour))
    pen = pg.mkPen(colour, width=1.3)
    if connect and len(x) > 1:
        # Width 1, not 1.2: a fractional width without antialiasing renders sloped lines as
        # alternating 1- and 2-pixel runs that read as dashes; antialiasing cost ~15 ms/frame.
        p.addItem(pg.PlotCurveItem(x, plotted, pen=pg.mkPen(colour, width=1), connect="finite"))
    # Two shared brushes: the symbol atlas renders one pixmap per distinct brush object.
    filled, hollow = pg.mkBrush(colour), pg.mkBrush(None)
    censored = censor[shown] != ""
    brushes = [hollow if c else filled for c in censored] if censored.any() else filled
    scatter = pg.ScatterPlotItem(
        x=x[shown], y=plotted[shown], data=[r for r, k in zip(records, shown, strict=True) if k],
        symbol=symbol, size=8, pen=pen,
        brush=brushes, name=name, hoverable=True, tip=tip, hoverSize=11,
    )
    scatter.sigClicked.connect(lambda _item, points, _ev: track.point_clicked(points))
    p.addItem(scatter)
    track.add_legend_entry(GLYPHS.get(symbol, "●"), colour, name)
    return Series(readout_label or label, unit, x, y, colour, censor=censor, records=records,
                  fmt=fmt_fold if fold else None)


def texts(column: pd.Series) -> list:
    """column.astype(str).tolist(), a categorical's from its few categories: pandas'
    astype of each text column of each series cost an opening ~4 ms."""
    values = column.array
    if not isinstance(values, pd.Categorical):
        return column.astype(str).tolist()
    names = [*map(str, values.categories), np.nan]  # code -1: missing, as pandas gives it
    return [names[c] for c in values.codes.tolist()]


def measured_text(record: dict) -> str:
    """A point's measured value as written in the PDF: '<5 pg/mL' for a censored one."""
    return f"{record['censor']}{fmt_number(record['value'])} {record['unit']}"


def shown_text(record: dict) -> str | None:
    """The value as plotted when that differs (fold over controls), keeping its '<'."""
    if record["shown_unit"] == record["unit"]:
        return None
    return f"{record['censor']}{fmt_fold(record['shown'])} {record['shown_unit']}"


def tip(x: float, y: float, data: dict) -> str:
    from gui.timeline.axis import format_time

    lines = [f"{data['analyte']}: {measured_text(data)}",
             format_time(data["t"], "calendar", None), data["specimen"]]
    shown = shown_text(data)
    if shown is not None:
        lines.insert(1, shown)
    if data.get("dose"):  # gui.timeline.dose_readout
        lines.append(str(data["dose"]))
    return "\n".join(lines)

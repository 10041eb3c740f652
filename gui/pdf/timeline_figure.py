"""The case timeline painted into a rectangle of a PDF page, by the screen's own widget.

The widget is sized so one of its pixels is one device unit of the page (1/96 inch):
its fonts print at their point size, and pyqtgraph's automatic downsampling keeps
about one point per printed pixel column, which is what keeps a 10-year case small.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from collections.abc import Iterator

from PySide6 import QtCore, QtGui, QtWidgets

from data.codes import MARKERS
from gui.palette import ANALYTE_COLOURS, flatten, phase_bands


def paint_timeline(painter: QtGui.QPainter, target: QtCore.QRectF, case: object,
                   relative: bool, *, opaque: bool = False) -> None:
    """Render the case's whole course into target (device units of the painter).

    opaque: blend every translucent colour onto the white page first, for PDF/A-1,
    which has no transparency (Qt would paint those colours at full strength).
    A legend row on top says what the shading and the hatching mean.
    """
    from gui.timeline.widget import TimelineWidget

    app = QtWidgets.QApplication.instance()
    before = set(app.topLevelWidgets()) if app else set()
    with _searchable_text():
        widget = TimelineWidget(theme="print")
        try:
            # Laid out without reaching a screen: layouts only settle on a shown widget.
            widget.setAttribute(QtCore.Qt.WidgetAttribute.WA_DontShowOnScreen, True)
            # No screen paint: only the layout has to settle, and painting the plots there
            # would cost as much as printing them.
            widget.setUpdatesEnabled(False)
            widget.set_case(case)
            widget.set_axis_mode("relative" if relative else "calendar")
            for_print(widget)
            page = QtGui.QColor(widget.theme.background)
            font = QtGui.QGuiApplication.font()  # without ligatures: "flare (episode)"
            font.setPointSize(widget.theme.font_pt)
            legend = legend_entries(widget, page)
            legend_h = paint_legend(None, target, legend, font) + LEGEND_GAP
            target = target.adjusted(0, legend_h, 0, 0)
            # At the page's own scale, never drawn larger and scaled down: that printed the
            # 8 pt of the print theme at 6.4 pt. Legends too long for the width wrap.
            width, height = round(target.width()), round(target.height())
            widget.resize(width, height)
            with _quiet_offscreen():
                widget.show()
            QtWidgets.QApplication.processEvents()
            # Only the plots are printed, not the readout under them: give the plots the
            # target's aspect, or the render keeps their aspect and leaves a blank band.
            extra = widget.height() - widget.view.viewport().height()
            if extra > 0:
                widget.resize(width, height + extra)
                QtWidgets.QApplication.processEvents()
            widget.fit()
            widget.setUpdatesEnabled(True)
            place_labels(widget)
            hatch_episodes(widget, page)
            # render_vector itself switches caching off and the diary strips are vectors.
            if opaque:
                flatten_alpha(widget.view.scene(), page)
            paint_legend(painter, target.adjusted(0, -legend_h, 0, 0), legend, font,
                         QtGui.QColor(widget.theme.foreground))
            widget.render_vector(painter, target, opaque=opaque)
        finally:
            # pyqtgraph gives each ViewBox parentless context menus: top-level widgets that
            # would outlive the timeline (and crash the interpreter at exit) unless deleted.
            leftovers = set(app.topLevelWidgets()) - before if app else set()
            dispose([widget, *leftovers])


# Normal ranges in print: a hatch in the analyte's colour, above the episode shading
# (z -20) and the phase shading (z -100), below the data (z 0). A pale fill in the
# analyte's colour matched the "on anakinra" shading (SAA is sky blue) and vanished
# under an episode. Each range hatches its own way: CRP's (< 5 mg/L) lies inside SAA's
# (< 10 mg/L), and one direction for both hid it.
NORMAL_RANGE_Z = -10
NORMAL_RANGE_HATCHES = (QtCore.Qt.BrushStyle.BDiagPattern, QtCore.Qt.BrushStyle.FDiagPattern,
                        QtCore.Qt.BrushStyle.HorPattern)


def for_print(widget) -> None:
    """What differs on paper: bands that must stay distinguishable without transparency."""
    from gui.timeline import shapes

    plot = widget.plot_for("markers") if "markers" in widget.tracks else None
    if plot is None:
        return
    bands = [item for item in plot.items if isinstance(item, shapes.HBand)]
    for i, item in enumerate(bands):
        colour = QtGui.QColor(item.brush.color())
        colour.setAlpha(255)
        item.brush = QtGui.QBrush(colour, NORMAL_RANGE_HATCHES[i % len(NORMAL_RANGE_HATCHES)])
        item.setZValue(NORMAL_RANGE_Z)
        item.update()


# Episodes in print: a cross-hatch in the episode's colour over every track, not a tint.
# A tint blended with the phase beneath: an ongoing relapse, running to the end of the
# case, turned "on anakinra" the same peach as "after stopping". Between the hatch's
# lines the phase shows; the normal ranges hatch in single directions, never crossed.
EPISODE_HATCH = QtCore.Qt.BrushStyle.DiagCrossPattern
EPISODE_HATCH_ALPHA = 100  # lines lighter than the data drawn over them


def episode_hatch(kind: str, page: QtGui.QColor) -> QtGui.QBrush:
    from gui.episodes.graphics import episode_colour

    colour = episode_colour(kind)
    colour.setAlpha(EPISODE_HATCH_ALPHA)
    return QtGui.QBrush(flatten(colour, page), EPISODE_HATCH)


def hatch_episodes(widget, page: QtGui.QColor) -> None:
    """Each episode's band over the tracks (not its bar on the episodes lane) drawn as a
    hatch instead: the band is hidden, a hatched band of the same span and depth added."""
    from gui.timeline import shapes

    for item in widget.episode_layer.items():
        view = item.getViewBox()
        if item.lane or view is None or not item.isVisible():
            continue
        e = item.episode
        band = shapes.VBand(e.onset, e.drawn_end, episode_hatch(e.kind, page))
        band.setZValue(item.zValue())
        view.addItem(band, ignoreBounds=True)
        band.viewRangeChanged()
        item.hide()


# -- the legend: what the shading means ------------------------------------------------------
LEGEND_SWATCH = QtCore.QSizeF(18, 10)  # px, as the page's device units
LEGEND_GAP = 4  # px between the legend and the tracks


@dataclasses.dataclass(frozen=True)
class LegendEntry:
    text: str
    brush: QtGui.QBrush | None = None  # None: words alone ("no anakinra recorded: …")


def legend_entries(widget, page: QtGui.QColor) -> list[LegendEntry]:
    """What the shading and hatching of the printed tracks mean, read from what is drawn:
    the therapy phases (none without anakinra, and then the legend says so), the episodes'
    hatch (hatch_episodes; each also names itself on its lane) and the normal ranges as
    for_print hatched them."""
    from gui.timeline import shapes

    case = widget.case
    out = [LegendEntry(ph.name, QtGui.QBrush(flatten(colour, page)))
           for ph, colour in phase_bands(case.phases())]
    if not out:
        out.append(LegendEntry("no anakinra recorded: no treatment phase is shaded"))
    kinds = dict.fromkeys(v.kind for v in widget.episode_layer.views)
    out += [LegendEntry(f"{kind} (episode)", episode_hatch(kind, page)) for kind in kinds]
    markers = widget.plot_for("markers")
    names = {QtGui.QColor(ANALYTE_COLOURS[a.code]).rgb(): a.label for a in MARKERS}
    for item in [] if markers is None else markers.items:
        if isinstance(item, shapes.HBand):
            name = names.get(item.brush.color().rgb(), "")
            out.append(LegendEntry(f"{name} normal range".strip(), QtGui.QBrush(item.brush)))
    return out


def paint_legend(painter: QtGui.QPainter | None, rect: QtCore.QRectF,
                 entries: list[LegendEntry], font: QtGui.QFont,
                 ink: QtGui.QColor | None = None) -> float:
    """Entries in a row from rect's top left, wrapping between entries; returns the height.
    With no painter only measures."""
    fm = QtGui.QFontMetricsF(font)
    line_h = max(fm.height(), LEGEND_SWATCH.height())
    x, y = rect.left(), rect.top()
    for entry in entries:
        swatch = LEGEND_SWATCH.width() + 4 if entry.brush is not None else 0.0
        w = swatch + fm.horizontalAdvance(entry.text)
        if x > rect.left() and x + w > rect.right():
            x, y = rect.left(), y + line_h + 2
        if painter is not None:
            if entry.brush is not None:
                box = QtCore.QRectF(QtCore.QPointF(x, y + (line_h - LEGEND_SWATCH.height()) / 2),
                                    LEGEND_SWATCH)
                painter.fillRect(box, QtGui.QColor("#FFFFFF"))
                painter.fillRect(box, entry.brush)
                painter.setPen(QtGui.QPen(QtGui.QColor("#8C8C8C"), 0.6))
                painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
                painter.drawRect(box)
            painter.setFont(font)
            painter.setPen(ink or QtGui.QColor("#000000"))
            painter.drawText(QtCore.QPointF(x + swatch, y + (line_h - fm.height()) / 2
                                            + fm.ascent()), entry.text)
        x += w + 14
    return y + line_h - rect.top()


# -- labels that fit or move -----------------------------------------------------------------
def place_labels(widget) -> None:
    """Every printed label whole and inside its plot, once the page scale is known.

    An episode whose label does not fit its bar gets it beside the bar, right or left of
    it, where no other bar is (on screen the bar shows what fits: its kind, or nothing);
    labels on one lane that would overlap are joined (a drug's dose steps read
    "colchicine 1 mg/d → 1.5 mg/d" from the first step), or, for phase names, which the
    legend also names, the earlier gives way; a label running past a plot's edge (a drug
    that starts near the end, a short last phase) is moved back inside.
    """
    import pyqtgraph as pg

    _episode_labels_beside(widget)
    treatment = widget.plot_for("treatment")
    for plot in widget.plots():
        view = plot.vb.sceneBoundingRect()
        px = plot.vb.viewPixelSize()[0]
        texts = [i for i in plot.items if isinstance(i, pg.TextItem) and i.isVisible()]
        for lane in _lanes(texts):
            _unclutter(lane, join=plot is treatment)
        for item in texts:
            # Above every bar: a label joined or moved now lies over a later drug period,
            # whose pale bar PDF/A makes opaque.
            item.setZValue(max(item.zValue(), LABEL_Z))
            if item.isVisible():
                r = item.sceneBoundingRect()
                shift = min(view.right() - 2 - r.right(), 0) or max(view.left() + 2 - r.left(), 0)
                if shift:
                    item.setPos(item.pos().x() + shift * px, item.pos().y())


def _lanes(texts: list) -> list[list]:
    """Text items by the row they sit on, each row left to right."""
    rows: dict[float, list] = {}
    for item in texts:
        rows.setdefault(round(item.pos().y(), 6), []).append(item)
    return [sorted(row, key=lambda i: i.pos().x()) for row in rows.values()]


LABEL_GAP = 6  # px kept between two labels on a lane
LABEL_Z = 10


def _unclutter(lane: list, *, join: bool) -> None:
    head = None
    for item in lane:
        if head is not None and head.sceneBoundingRect().right() + LABEL_GAP > \
                item.sceneBoundingRect().left():
            if join:  # same lane, same drug: "colchicine 1 mg/d" + "colchicine 1.5 mg/d"
                first, then = head.toPlainText(), item.toPlainText()
                shared = _shared_words(first, then)
                head.setPlainText(f"{first} → {then[len(shared):].strip() or then}")
                item.setVisible(False)
                continue
            head.setVisible(False)
        head = item


def _shared_words(a: str, b: str) -> str:
    """The leading words two labels share ("colchicine ")."""
    out = ""
    for wa, wb in zip(a.split(" "), b.split(" "), strict=False):
        if wa != wb:
            break
        out += wa + " "
    return out


EPISODE_LABEL_PAD = 9  # px the bar keeps around its label (graphics: 5 left, 4 right)


def _episode_labels_beside(widget) -> None:
    import pyqtgraph as pg

    from gui.episodes.graphics import EpisodeItem

    lane = widget.plot_for("episodes")
    if lane is None:
        return
    font = QtGui.QFont()
    font.setPointSize(widget.theme.font_pt)
    fm = QtGui.QFontMetricsF(font)
    px = lane.vb.viewPixelSize()[0]
    lo, hi = lane.vb.viewRange()[0]
    bars = sorted((i for i in lane.items if isinstance(i, EpisodeItem) and i.lane),
                  key=lambda i: i.episode.onset)
    taken = [(i.episode.onset, i.episode.drawn_end) for i in bars]
    gap = 3 * px
    for item in bars:
        e = item.episode
        width = (fm.horizontalAdvance(e.label) + 2) * px
        pad = (EPISODE_LABEL_PAD + (10 if e.end is None else 0)) * px
        if width + pad <= e.drawn_end - e.onset:
            continue  # fits inside, drawn by the bar itself
        right = (e.drawn_end + gap, e.drawn_end + gap + width)
        left = (e.onset - gap - width, e.onset - gap)
        free = [span for span in (right, left) if lo <= span[0] and span[1] <= hi
                and not any(a < span[1] and span[0] < b for a, b in taken)]
        x0, x1 = free[0] if free else right
        label = pg.TextItem(e.label, color=widget.theme.foreground, anchor=(0, 0.5))
        label.setFont(font)
        label.setPos(x0, 0.5)
        label.setZValue(6)
        lane.addItem(label)
        taken.append((x0, x1))
        item.episode = dataclasses.replace(e, label="")  # the bar keeps no half label
        item.update()


@contextlib.contextmanager
def _searchable_text() -> Iterator[None]:
    """Fonts made meanwhile (the timeline's axes, titles and labels all start from the
    application font) print without ligatures: "ﬂare" and "Inﬂammatory" as one glyph
    could not be found by searching the PDF for "flare" (gui.pdf.style does the same)."""
    app = QtGui.QGuiApplication.instance()
    previous = QtGui.QGuiApplication.font()
    plain = QtGui.QFont(previous)
    plain.setFeature(QtGui.QFont.Tag("liga"), 0)
    if app is not None:
        QtGui.QGuiApplication.setFont(plain)
    try:
        yield
    finally:
        if app is not None:
            QtGui.QGuiApplication.setFont(previous)


@contextlib.contextmanager
def _quiet_offscreen() -> Iterator[None]:
    """Drop the offscreen plugin's warning that a hidden window has no size hints.

    It is printed on every export from the command line and says nothing useful.
    """
    def handler(mode, context, message) -> None:
        if "propagateSizeHints" in message:
            return
        if previous is not None:
            previous(mode, context, message)
        else:
            sys.stderr.write(message + "\n")

    previous = QtCore.qInstallMessageHandler(handler)
    try:
        yield
    finally:
        QtCore.qInstallMessageHandler(previous)


def dispose(widgets: list[QtWidgets.QWidget]) -> None:
    """Close and delete now: a pyqtgraph widget alive at interpreter exit segfaults.

    deleteLater, not an immediate delete: some menus are children of others, and a
    deferred delete of an already deleted child is dropped instead of freed twice.
    """
    import shiboken6

    for w in widgets:
        if shiboken6.isValid(w):
            w.close()
            w.deleteLater()
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete.value)


_OPTS_KEYS = ("pen", "brush", "fillBrush", "symbolPen", "symbolBrush")


def flatten_alpha(scene: QtWidgets.QGraphicsScene, background: QtGui.QColor) -> None:
    """Replace translucent pens and brushes by the opaque colour they show on background.

    Covers where pyqtgraph items keep them: a pen/brush attribute (regions, bands), an
    opts dict (curves, fills), or the QAbstractGraphicsShapeItem accessors.
    """
    for item in scene.items():
        for name in ("pen", "brush"):
            value = getattr(item, name, None)
            if isinstance(value, QtGui.QPen | QtGui.QBrush):
                flat = _flat(value, background)
                if flat is not None:
                    setattr(item, name, flat)
        opts = getattr(item, "opts", None)
        if isinstance(opts, dict):
            for key in _OPTS_KEYS:
                value = opts.get(key)
                if isinstance(value, QtGui.QPen | QtGui.QBrush):
                    flat = _flat(value, background)
                    if flat is not None:
                        opts[key] = flat
        if isinstance(item, QtWidgets.QAbstractGraphicsShapeItem):
            flat_brush = _flat(item.brush(), background)
            if flat_brush is not None:
                item.setBrush(flat_brush)
            flat_pen = _flat(item.pen(), background)
            if flat_pen is not None:
                item.setPen(flat_pen)
        item.update()


def _flat(value: QtGui.QPen | QtGui.QBrush, background: QtGui.QColor):
    c = value.color()
    a = c.alphaF()
    if a >= 1.0 or (isinstance(value, QtGui.QBrush) and value.style() ==
                    QtCore.Qt.BrushStyle.NoBrush):
        return None
    if isinstance(value, QtGui.QPen) and value.style() == QtCore.Qt.PenStyle.NoPen:
        return None
    mixed = flatten(c, background)
    out = QtGui.QPen(value) if isinstance(value, QtGui.QPen) else QtGui.QBrush(value)
    out.setColor(mixed)
    return out

"""Pages of the case summary: laid out first (so the footer knows N), painted second.

Each page is a list of paint operations, closures over already measured text and
rectangles: the second pass only replays them, so "page n of N" costs nothing extra.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6 import QtCore, QtGui

from data.summary import KeyFigure, Summary, Table
from gui.pdf.style import MM, Style

Op = Callable[[QtGui.QPainter], None]
Align = QtCore.Qt.AlignmentFlag
WRAP = int(QtCore.Qt.TextFlag.TextWordWrap)
LEFT_TOP = int(Align.AlignLeft | Align.AlignTop)

GAP = 4 * MM  # between blocks
CELL_PAD_X = 1.4 * MM
# A grid too wide even with its free text wrapped narrow (the cytokine grid of ten value
# columns and the physician global's words) closes up its cells before any is cut.
TIGHT_PAD_X = 0.7 * MM
CELL_PAD_Y = 0.7 * MM
FOOTER_H = 8 * MM


@dataclass
class Flow:
    """A cursor running down the pages; breaks to a new page when a block won't fit."""

    width: float
    height: float
    style: Style
    pages: list[list[Op]] = field(default_factory=lambda: [[]])
    y: float = 0.0

    @property
    def bottom(self) -> float:
        return self.height - FOOTER_H

    def left(self) -> float:
        return self.bottom - self.y

    def new_page(self) -> None:
        self.pages.append([])
        self.y = 0.0

    def ensure(self, h: float) -> None:
        """Start a new page unless h fits; a block taller than a page starts at the top."""
        if self.y > 0 and self.y + h > self.bottom:
            self.new_page()

    def add(self, op: Op) -> None:
        self.pages[-1].append(op)

    # -- primitives ----------------------------------------------------------------------
    def text_height(self, font: QtGui.QFont, text: str, width: float) -> float:
        fm = self.style.fm(font)
        if "\n" not in text and fm.horizontalAdvance(text) <= width:
            return fm.height()
        r = fm.boundingRect(QtCore.QRectF(0, 0, width, 1e6), LEFT_TOP | WRAP, text)
        return r.height()

    def text(self, font: QtGui.QFont, text: str, x: float, y: float, width: float,
             colour: QtGui.QColor | None = None) -> float:
        """Wrapped text at (x, y); returns its height."""
        h = self.text_height(font, text, width)
        colour = colour or self.style.colours.text
        rect = QtCore.QRectF(x, y, width, h + 1)

        def op(p: QtGui.QPainter) -> None:
            p.setFont(font)
            p.setPen(colour)
            p.drawText(rect, LEFT_TOP | WRAP, text)

        self.add(op)
        return h

    def rule(self, y: float, colour: QtGui.QColor, width: float = 0.6,
             x0: float = 0.0, x1: float | None = None) -> None:
        x1 = self.width if x1 is None else x1

        def op(p: QtGui.QPainter) -> None:
            p.setPen(QtGui.QPen(colour, width))
            p.drawLine(QtCore.QPointF(x0, y), QtCore.QPointF(x1, y))

        self.add(op)

    def heading(self, title: str, keep_with: float = 0.0) -> None:
        s = self.style
        h = s.fm(s.h2).height()
        # The gap above the heading counts too: without it a heading and its table's
        # column titles were left alone at a page's foot, their rows on the next page.
        self.ensure((GAP if self.y > 0 else 0.0) + h + 1.5 * MM + keep_with)
        if self.y > 0:
            self.y += GAP
        self.text(s.h2, title, 0, self.y, self.width, s.colours.accent)
        self.y += h + 1.5 * MM


# -- header ------------------------------------------------------------------------------
def layout_header(flow: Flow, summary: Summary) -> None:
    s = flow.style
    title_h = flow.text(s.title, summary.title, 0, 0, flow.width)
    flow.y = title_h + 1 * MM
    flow.rule(flow.y, s.colours.accent, 1.2)
    flow.y += 3 * MM
    # Two columns of label/value pairs, filled row by row.
    col_w = (flow.width - 6 * MM) / 2
    label_w = 27 * MM
    pairs = summary.header
    for i in range(0, len(pairs), 2):
        row = pairs[i:i + 2]
        heights = [flow.text_height(s.body, v, col_w - label_w) for _, v in row]
        h = max(heights)
        for j, (k, v) in enumerate(row):
            x = j * (col_w + 6 * MM)
            # Label and value share a baseline, whatever their sizes.
            lift = s.fm(s.body).ascent() - s.fm(s.small).ascent()
            flow.text(s.small, k, x, flow.y + lift, label_w, s.colours.muted)
            flow.text(s.body_bold if k == "Case" else s.body, v, x + label_w, flow.y,
                      col_w - label_w)
        flow.y += h + 1.2 * MM


# -- key figures ---------------------------------------------------------------------------
def layout_figures(flow: Flow, figures: list[KeyFigure]) -> None:
    s = flow.style
    name_w = 42 * MM
    body_w = flow.width - name_w
    first = True
    for f in figures:
        definition = f.definition + (f" Threshold: {f.threshold}." if f.threshold else "")
        h_value = flow.text_height(s.body_bold, f.value, body_w)
        h_def = flow.text_height(s.small, definition, body_w)
        h = max(h_value + 0.5 * MM + h_def, flow.text_height(s.body, f.name, name_w))
        if first:
            flow.heading("Key figures", keep_with=h)
            first = False
        else:
            flow.ensure(h + 2 * MM)
        y = flow.y
        flow.text(s.body, f.name, 0, y, name_w - 2 * MM)
        flow.text(s.body_bold, f.value, name_w, y, body_w)
        flow.text(s.small, definition, name_w, y + h_value + 0.5 * MM, body_w, s.colours.muted)
        flow.y = y + h + 1 * MM
        flow.rule(flow.y, s.colours.zebra, 0.6)
        flow.y += 1 * MM


# -- tables --------------------------------------------------------------------------------
def column_widths(flow: Flow, table: Table, pad: float = CELL_PAD_X) -> list[float]:
    """Natural widths for short columns; free-text columns share what is left."""
    return _widths(flow, table, pad)[0]


def table_widths(flow: Flow, table: Table) -> tuple[list[float], float]:
    """(column widths, cell padding): the usual padding, or the tight one where with it
    the widest columns would have to be cut."""
    widths, cut = _widths(flow, table, CELL_PAD_X)
    if not cut:
        return widths, CELL_PAD_X
    return _widths(flow, table, TIGHT_PAD_X)[0], TIGHT_PAD_X


def _widths(flow: Flow, table: Table, pad: float) -> tuple[list[float], bool]:
    """The widths, and whether the widest columns give way to fit."""
    s = flow.style
    fm, fm_b = s.fm(s.cell), s.fm(s.cell_bold)
    natural = []
    for i, col in enumerate(table.columns):
        lines = {line for row in table.rows for line in row[i].split("\n")}
        widest = max((fm.horizontalAdvance(c) for c in lines), default=0.0)
        head = max(fm_b.horizontalAdvance(line) for line in col.name.split("\n"))
        # A hair of slack: text measured exactly as wide as its box may wrap when drawn.
        natural.append(max(widest, head) + 2 * pad + 1)
    wraps = [i for i, c in enumerate(table.columns) if c.wrap]
    fixed = sum(w for i, w in enumerate(natural) if i not in wraps)
    # Free text wraps in 45 mm; in a wide grid (the cytokine table's "Anakinra then"
    # beside ten values) in 30 mm, two or three lines beside two-line cells, or (eleven
    # values) in 20 mm, rather than every column squeezed and a date cut to "2008-12-0".
    for min_wrap in (45 * MM, 30 * MM, 20 * MM):
        if wraps and fixed + min_wrap * len(wraps) <= flow.width:
            rest = (flow.width - fixed) / len(wraps)
            return [rest if i in wraps else w for i, w in enumerate(natural)], False
    if sum(natural) <= flow.width:
        return natural, False
    # Too wide even so: the widest columns give way first, down to one shared cap, and
    # wrap; short ones (n, a mean, a date) keep their natural width. Shrinking every
    # column in proportion cut "n = 18" to "1" and a date to "2025-0".
    ordered = sorted(natural)
    used, cap = 0.0, ordered[-1]
    for k, w in enumerate(ordered):
        left = len(ordered) - k
        if used + w * left > flow.width:
            cap = (flow.width - used) / left
            break
        used += w
    return [min(w, cap) for w in natural], True


def layout_table(flow: Flow, table: Table) -> None:
    s = flow.style
    fm = s.fm(s.cell)
    line_h = fm.height()
    note_h = flow.text_height(s.small, table.note, flow.width) + 1 * MM if table.note else 0.0
    if not table.rows:
        flow.heading(table.title, keep_with=line_h)
        flow.text(s.cell, table.empty, 0, flow.y, flow.width, s.colours.muted)
        flow.y += line_h
        return
    widths, pad = table_widths(flow, table)
    xs = [sum(widths[:i]) for i in range(len(widths))]
    head_h = max(flow.text_height(s.cell_bold, c.name, w - 2 * pad)
                 for c, w in zip(table.columns, widths, strict=True)) + 2 * CELL_PAD_Y

    def row_height(row: tuple[str, ...]) -> float:
        h = line_h
        for text, w in zip(row, widths, strict=True):
            if "\n" in text or fm.horizontalAdvance(text) > w - 2 * pad:
                h = max(h, flow.text_height(s.cell, text, w - 2 * pad))
        return h + 2 * CELL_PAD_Y

    def header(continued: bool) -> None:
        if continued:
            flow.heading(f"{table.title} (continued)")
        else:
            first = sum(row_height(r) for r in table.rows[:2])  # never a row alone
            flow.heading(table.title, keep_with=note_h + head_h + first)
            if table.note:
                flow.text(s.small, table.note, 0, flow.y, flow.width, s.colours.muted)
                flow.y += note_h
        _table_header(flow, table, xs, widths, head_h, pad)
        flow.y += head_h

    header(False)
    for n, row in enumerate(table.rows):
        h = row_height(row)
        if flow.y + h > flow.bottom:
            flow.new_page()
            header(True)
        _table_row(flow, row, table, xs, widths, h, pad, zebra=n % 2 == 1)
        flow.y += h
    flow.rule(flow.y, s.colours.rule, 0.6)


def _table_header(flow: Flow, table: Table, xs: list[float], widths: list[float],
                  h: float, pad: float) -> None:
    s = flow.style
    y = flow.y
    for col, x, w in zip(table.columns, xs, widths, strict=True):
        flow.text(s.cell_bold, col.name, x + pad, y + CELL_PAD_Y, w - 2 * pad)
    flow.rule(y + h, s.colours.text, 0.8)


def _table_row(flow: Flow, row: tuple[str, ...], table: Table, xs: list[float],
               widths: list[float], h: float, pad: float, *, zebra: bool) -> None:
    s = flow.style
    fm = s.fm(s.cell)
    y = flow.y
    font, colour, zebra_colour = s.cell, s.colours.text, s.colours.zebra
    width = flow.width
    cells: list[tuple[QtCore.QRectF | QtCore.QPointF, str, int]] = []
    for text, col, x, w in zip(row, table.columns, xs, widths, strict=True):
        inner = w - 2 * pad
        advance = fm.horizontalAdvance(text)
        if "\n" in text or advance > inner:  # lines (a value over its fold) or wrapped
            side = Align.AlignRight if col.align == "right" else Align.AlignLeft
            cells.append((QtCore.QRectF(x + pad, y + CELL_PAD_Y, inner, h), text,
                          int(side | Align.AlignTop) | WRAP))
        else:
            dx = inner - advance if col.align == "right" else 0.0
            cells.append((QtCore.QPointF(x + pad + dx, y + CELL_PAD_Y + fm.ascent()),
                          text, 0))

    def op(p: QtGui.QPainter) -> None:
        if zebra:
            p.fillRect(QtCore.QRectF(0, y, width, h), zebra_colour)
        p.setFont(font)
        p.setPen(colour)
        for where, text, flags in cells:
            if isinstance(where, QtCore.QRectF):
                p.drawText(where, flags, text)
            else:
                p.drawText(where, text)

    flow.add(op)


# -- the whole document --------------------------------------------------------------------
FigureOp = Callable[[QtGui.QPainter, QtCore.QRectF], None]
FIRST_PAGE_TABLES = ("Episodes", "Dosing history", "Administrations recorded",
                     "Healthy-control references")


def layout_timeline(flow: Flow, summary: Summary, figure: FigureOp) -> None:
    """The timeline takes a page of its own: 7 tracks need the height a screen has."""
    s = flow.style
    flow.new_page()
    flow.heading("Timeline")
    flow.y += flow.text(s.small, summary.date_mode, 0, flow.y, flow.width, s.colours.muted)
    flow.y += 2 * MM
    rect = QtCore.QRectF(0, flow.y, flow.width, flow.bottom - flow.y - 2 * MM)
    flow.add(lambda p: figure(p, rect))
    flow.new_page()


def layout_document(summary: Summary, style: Style, width: float, height: float,
                    figure: FigureOp) -> list[list[Op]]:
    flow = Flow(width, height, style)
    layout_header(flow, summary)
    layout_figures(flow, summary.figures)
    # The short tables fill the first page; the long ones follow the timeline, and so does
    # a short one that would run over: its last rows alone made a near-empty page 2, the
    # timeline starting page 3.
    first = []
    for table in summary.tables:
        if table.title in FIRST_PAGE_TABLES and _fits(flow, table):
            layout_table(flow, table)
            first.append(table)
    layout_timeline(flow, summary, figure)
    # A short table put off comes first, still beside its neighbours (the recorded doses
    # right after the dosing periods).
    for table in sorted((t for t in summary.tables if t not in first),
                        key=lambda t: t.title not in FIRST_PAGE_TABLES):
        layout_table(flow, table)
    pages = [p for p in flow.pages if p]
    _add_footers(pages, summary, style, width, height)
    return pages


def _fits(flow: Flow, table: Table) -> bool:
    """The table ends on the page it would start on (laid out on a scratch flow)."""
    trial = Flow(flow.width, flow.height, flow.style, y=flow.y)
    layout_table(trial, table)
    return len(trial.pages) == 1 and len(flow.pages) == 1


def _add_footers(pages: list[list[Op]], summary: Summary, style: Style, width: float,
                 height: float) -> None:
    fm = style.fm(style.small)
    y = height - FOOTER_H + 3 * MM
    left = f"Flarescope case summary · {summary.pseudonym}" + (
        " · de-identified" if summary.deidentified else "")
    n = len(pages)
    for i, ops in enumerate(pages, start=1):
        right = f"page {i} of {n}"
        rx = width - fm.horizontalAdvance(right)

        def op(p: QtGui.QPainter, right: str = right, rx: float = rx) -> None:
            p.setPen(QtGui.QPen(style.colours.rule, 0.6))
            p.drawLine(QtCore.QPointF(0, y - 1.5 * MM), QtCore.QPointF(width, y - 1.5 * MM))
            p.setFont(style.small)
            p.setPen(style.colours.muted)
            p.drawText(QtCore.QPointF(0, y + fm.ascent()), left)
            p.drawText(QtCore.QPointF(rx, y + fm.ascent()), right)

        ops.append(op)

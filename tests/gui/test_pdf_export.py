"""The PDF case summary read back: text, vectors, pages, de-identification, atomic write."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from data.demo import COHORT
from data.summary import Column, KeyFigure, Summary, Table, build_summary, load_audit, load_case
from db.queries import list_cases
from gui.pdf import export_all, export_case_pdf
from gui.pdf.export import write_summary_pdf


def stub_figure(painter, rect) -> None:
    painter.drawRect(rect)
    painter.drawText(rect.center(), "STUB TIMELINE")


def _pid(engine, pseudonym: str) -> int:
    cases = list_cases(engine)
    return int(cases.loc[cases["pseudonym"] == pseudonym, "id"].iloc[0])


def _text(path: Path) -> list[str]:
    return [p.extract_text() for p in PdfReader(path).pages]


def _squash(s: str) -> str:
    return re.sub(r"\s+", " ", s)


def _bare(s: str) -> str:
    # pypdf breaks lines where Qt changes script (before "β") and reads some spaces as
    # tabs: compare text without whitespace.
    return re.sub(r"\s+", "", s)


@pytest.fixture
def demo_pdfs(qapp, demo_engine, tmp_path):
    """NLRP12-02 exported twice with the real timeline: plain and de-identified."""
    pid = _pid(demo_engine, "NLRP12-02")
    plain = export_case_pdf(demo_engine, tmp_path / "plain.pdf", patient_id=pid)
    deid = export_case_pdf(demo_engine, tmp_path / "deid.pdf", patient_id=pid, deidentify=True)
    case = load_case(demo_engine, pid)
    return case, load_audit(demo_engine, case), plain, deid


def test_header_episodes_and_every_cytokine_value_are_text(demo_pdfs):
    case, audit, plain, _ = demo_pdfs
    text = _squash(" ".join(_text(plain)))
    bare = _bare(text)
    demo = next(p for p in COHORT if p.pseudonym == "NLRP12-02")
    for s in ("Case summary NLRP12-02", demo.name, demo.birth_date.isoformat(),
              "NLRP12-associated autoinflammatory", "c.2072+3insT", "male", "5 years",
              "not reviewed", "2008-11-27 to 2011-03-03", "Baseline IL-1β", "day +272"):
        assert _bare(s) in bare, s
    summary = build_summary(case, audit=audit)
    tables = {t.title: t for t in summary.tables}
    for row in tables["Episodes"].rows:
        assert _bare("".join(row)) in bare, row
    cyto = tables["Cytokine measurements"].rows
    words = set(text.split())
    # Every value and fold of the grid, each on a line of its cell ("1554.9 ↑" over "130×").
    missing = [(r[0], line) for r in cyto for cell in r[1:-1] for line in cell.split("\n")
               if line and not set(line.replace(" / ", " ").split()) <= words]
    assert not missing
    assert re.search(r"page 1 of (\d+)", text)
    # A row per day: the table takes two pages (one row per value took three whole pages;
    # ten value columns and the physician global's words close up the cells' padding, and
    # "Anakinra then" keeps a line or two).
    pages = [i for i, page in enumerate(_text(plain)) if "Cytokinemeasurements" in _bare(page)]
    assert len(pages) == 2 and pages == list(range(pages[0], pages[0] + 2))


def _timeline_page(path) -> str:
    """The text of the page the timeline is painted on (the first pages' tables vary)."""
    pages = [_squash(p.extract_text()) for p in PdfReader(path).pages]
    return next(t for t in pages if "Activity (AIDAI)" in t)


def test_timeline_is_vector_with_text_axis_labels(demo_pdfs):
    _, _, plain, deid = demo_pdfs
    for path in (plain, deid):
        reader = PdfReader(path)
        assert all(len(p.images) == 0 for p in reader.pages), "raster image in the PDF"
        timeline = _timeline_page(path)
        assert "Timeline" in timeline and "Cytokines" in timeline and "Rash" in timeline
    assert "Date (UTC)" in _timeline_page(plain)
    rel = _timeline_page(deid)
    assert "Days from anakinra start" in rel and re.search(r"\b-?100\b", rel)


def test_deidentified_file_holds_no_identifier_or_calendar_date(demo_pdfs):
    case, _, _, deid = demo_pdfs
    demo = next(p for p in COHORT if p.pseudonym == "NLRP12-02")
    reader = PdfReader(deid)
    text = " ".join(_text(deid))
    meta = " ".join(str(v) for v in (reader.metadata or {}).values())
    raw = deid.read_bytes()
    assert "NLRP12-02" in text and "de-identified" in text
    for secret in (demo.name, "Marchand", demo.record_number, demo.birth_date.isoformat()):
        assert secret not in text and secret not in meta
        assert secret.encode() not in raw
    dates = {d.isoformat() for d in _case_dates(case)}
    found = set(re.findall(r"\d{4}-\d{2}-\d{2}", text + meta))
    assert not found & dates
    assert not re.search(r"(?<![\d.])(19|20)\d\d(?![\d.])", text), "a year in the text"
    # Qt stamps the creation time into the Info dictionary and the XMP packet.
    assert b"/CreationDate" not in raw and b"/ModDate" not in raw
    assert not re.search(rb"\d{4}-\d\d-\d\dT\d\d", raw)
    assert not re.search(rb"D:(19|20)\d{6}", raw)


def _case_dates(case):
    import datetime as dt

    ts = set(case.observations["t"].tolist()) | set(case.episodes["onset"].tolist())
    return {dt.datetime.fromtimestamp(int(t), dt.UTC).date() for t in ts}


def test_plain_export_keeps_its_creation_date(demo_pdfs):
    _, _, plain, _ = demo_pdfs
    assert b"/CreationDate (D:" in plain.read_bytes()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_every_page_renders(demo_pdfs, tmp_path):
    _, _, plain, _ = demo_pdfs
    n = len(PdfReader(plain).pages)
    subprocess.run(["pdftoppm", "-png", "-r", "20", str(plain), str(tmp_path / "pg")],
                   check=True, capture_output=True)
    assert len(list(tmp_path.glob("pg-*.png"))) == n >= 4


def test_no_widget_survives_an_export(qapp, demo_engine, tmp_path):
    before = set(qapp.topLevelWidgets())
    export_case_pdf(demo_engine, tmp_path / "a.pdf", patient_id=_pid(demo_engine, "CAPS-01"))
    assert set(qapp.topLevelWidgets()) <= before


# -- layout with a stub timeline --------------------------------------------------------------
def _long_summary(n_rows: int = 260) -> Summary:
    rows = [(f"day {i}", "IL-1β", f"{i}.5", "a note " * (1 + i % 25)) for i in range(n_rows)]
    table = Table("Long table", (Column("Date"), Column("Analyte"),
                                 Column("Value", "right"), Column("Note", wrap=True)), rows)
    fig = KeyFigure("A figure", "42 pg/mL", "How it was computed. " * 12, "fold ≤ 2")
    return Summary("LONG-01", "Case summary LONG-01", False, [("Case", "LONG-01")], [fig],
                   [table], "Times are calendar dates (UTC).")


def test_long_tables_continue_with_their_header_and_every_page_is_numbered(qapp, tmp_path):
    path = write_summary_pdf(_long_summary(), tmp_path / "long.pdf", paper="a4", pdf_a=False,
                             figure=stub_figure)
    pages = [_squash(p) for p in _text(path)]
    n = len(pages)
    assert n >= 6
    for i, page in enumerate(pages, start=1):
        assert f"page {i} of {n}" in page
    table_pages = [p for p in pages[2:]]
    assert all("Date" in p and "Analyte" in p and "Note" in p for p in table_pages)
    assert all("Long table (continued)" in p for p in table_pages[1:])
    found = re.findall(r"day (\d+) IL-1\s*β", " ".join(pages))
    assert [int(x) for x in found] == list(range(260))


def _text_positions(page) -> list[tuple[float, float, str]]:
    out: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            out.append((cm[4] + tm[4] * cm[0], cm[5] + tm[5] * cm[3], text))

    page.extract_text(visitor_text=visit)
    return out


@pytest.mark.parametrize("paper, size", [("a4", (595, 842)), ("letter", (612, 792))])
def test_paper_sizes_and_text_inside_the_margins(qapp, tmp_path, paper, size):
    path = write_summary_pdf(_long_summary(80), tmp_path / f"{paper}.pdf", paper=paper,
                             pdf_a=False, figure=stub_figure)
    for page in PdfReader(path).pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == size
        pos = _text_positions(page)
        assert pos
        for x, y, _ in pos:
            assert 30 < x < size[0] - 30 and 25 < y < size[1] - 30


def test_a_failed_export_leaves_no_file_and_keeps_the_old_one(qapp, tmp_path):
    target = tmp_path / "case.pdf"
    target.write_bytes(b"%PDF old")

    def broken(painter, rect):
        raise RuntimeError("crash while painting")

    with pytest.raises(RuntimeError):
        write_summary_pdf(_long_summary(10), target, paper="a4", pdf_a=False, figure=broken)
    assert target.read_bytes() == b"%PDF old"
    assert [p.name for p in tmp_path.iterdir()] == ["case.pdf"]


def test_pdf_a_mode_declares_itself(qapp, tmp_path):
    path = write_summary_pdf(_long_summary(10), tmp_path / "a.pdf", paper="a4", pdf_a=True,
                             figure=stub_figure)
    raw = path.read_bytes()
    assert b'pdfaid:part="1"' in raw and b'pdfaid:conformance="B"' in raw
    assert b"/OutputIntents" in raw


def test_export_all_writes_one_file_per_case_and_stops_on_cancel(qapp, demo_engine, tmp_path,
                                                                 monkeypatch):
    import gui.pdf.export as export

    def fast(source, path, **kw):
        return export.write_summary_pdf(
            build_summary(load_case(source, kw["patient_id"]), deidentify=kw["deidentify"]),
            path, paper=kw["paper"], pdf_a=False, figure=stub_figure)

    monkeypatch.setattr(export, "export_case_pdf", fast)
    seen = []
    written = export_all(demo_engine, tmp_path / "all", deidentify=True, paper="letter",
                         progress=lambda i, n, name: seen.append((i, n, name)))
    names = sorted(p.name for p in (tmp_path / "all").iterdir())
    assert names == sorted(f"{p.pseudonym} de-identified.pdf" for p in COHORT) == \
        sorted(w.name for w in written)
    assert seen[-1] == (4, 4, "")
    calls = []
    written = export_all(demo_engine, tmp_path / "cancel", deidentify=False, paper="a4",
                         progress=lambda i, n, name: calls.append(name),
                         cancelled=lambda: len(calls) >= 2)
    assert len(written) == 2
    assert sorted(p.name for p in (tmp_path / "cancel").iterdir()) == sorted(w.name for w in written)


# -- the GUI entry points -----------------------------------------------------------------
def _accept_with(monkeypatch, path: Path, *, deidentify: bool, paper: str = "a4"):
    from PySide6 import QtWidgets

    from gui.export_dialog import ExportDialog

    def fake_exec(self):
        self.path.setText(str(path))
        self.deidentify.setChecked(deidentify)
        self.paper.setCurrentIndex(self.paper.findData(paper))
        return QtWidgets.QDialog.DialogCode.Accepted

    monkeypatch.setattr(ExportDialog, "exec", fake_exec)


def test_export_current_case_from_the_dialog(qapp, demo_engine, tmp_path, monkeypatch):
    from gui.export_dialog import export_current_case

    case = load_case(demo_engine, _pid(demo_engine, "NLRP12-01"))
    _accept_with(monkeypatch, tmp_path / "summary", deidentify=True, paper="letter")
    path = export_current_case(None, demo_engine, case)
    assert path == tmp_path / "summary.pdf"
    reader = PdfReader(path)
    assert round(float(reader.pages[0].mediabox.width)) == 612
    text = " ".join(_text(path))
    assert "NLRP12-01" in text and "Camille" not in text and "2009-03-02" not in text


def test_export_current_case_names_the_reviewer_and_uses_the_threshold_setting(
        qapp, demo_engine, tmp_path, monkeypatch):
    import gui.export_dialog as dialog

    def stubbed(*args, **kw):
        return export_case_pdf(*args, **kw, figure=stub_figure)

    monkeypatch.setattr(dialog, "export_case_pdf", stubbed)
    case = load_case(demo_engine, _pid(demo_engine, "NLRP12-02"))
    _accept_with(monkeypatch, tmp_path / "summary.pdf", deidentify=False)
    path = dialog.export_current_case(None, demo_engine, case, reviewer="Dr Rev Iewer",
                                      near_normal_fold=3.5)
    text = _squash(" ".join(_text(path)))
    assert "Dr Rev Iewer" in text and "not assigned" not in text
    assert "fold ≤ 3.5" in text and "fold ≤ 2" not in text


def test_cancelled_dialog_writes_nothing(qapp, demo_engine, tmp_path, monkeypatch):
    from PySide6 import QtWidgets

    from gui.export_dialog import ExportDialog, export_current_case

    monkeypatch.setattr(ExportDialog, "exec", lambda self: QtWidgets.QDialog.DialogCode.Rejected)
    case = load_case(demo_engine, _pid(demo_engine, "NLRP12-01"))
    assert export_current_case(None, demo_engine, case) is None
    assert not list(tmp_path.rglob("*.pdf"))


def _stub_painting(monkeypatch, on_write=None):
    import gui.export_dialog as dialog

    def write(case, summary, path, **kw):
        out = write_summary_pdf(summary, path, paper=kw["paper"], pdf_a=False,
                                figure=stub_figure)
        if on_write is not None:
            on_write()
        return out

    monkeypatch.setattr(dialog, "write_case_pdf", write)


def test_export_all_cases_with_progress(qapp, demo_engine, tmp_path, monkeypatch,
                                       collections):
    import threading

    from gui.export_dialog import export_all_cases

    _accept_with(monkeypatch, tmp_path / "out", deidentify=False)
    _stub_painting(monkeypatch)
    assert export_all_cases(None, demo_engine) == 4
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        f"{p.pseudonym}.pdf" for p in COHORT)
    # No window's case loader to turn automatic collection off: a collection on the
    # thread that reads the cases would finalise Qt objects off their thread.
    assert set(collections) <= {threading.get_ident()}, "a collection ran on another thread"


def test_export_all_cases_passes_the_reviewer_and_the_threshold(qapp, demo_engine, tmp_path,
                                                                monkeypatch):
    import gui.export_dialog as dialog

    seen = []
    real = dialog.prepare_summary

    def spy(*args, **kw):
        case, summary = real(*args, **kw)
        seen.append(summary)
        return case, summary

    monkeypatch.setattr(dialog, "prepare_summary", spy)
    _accept_with(monkeypatch, tmp_path / "out", deidentify=False)
    _stub_painting(monkeypatch)
    assert dialog.export_all_cases(None, demo_engine, reviewer="Dr Rev Iewer",
                                   near_normal_fold=1.5) == 4
    assert len(seen) == 4
    for summary in seen:
        assert dict(summary.header)["Reviewer"] == "Dr Rev Iewer"
        near = next(f for f in summary.figures if f.name == "Days to near-normal IL-1β")
        assert near.threshold == "fold ≤ 1.5"


def test_cancel_stops_between_cases_and_leaves_whole_files(qapp, demo_engine, tmp_path,
                                                          monkeypatch):
    from PySide6 import QtWidgets

    from gui.export_dialog import export_all_cases

    def cancel():
        for w in QtWidgets.QApplication.topLevelWidgets():
            if isinstance(w, QtWidgets.QProgressDialog) and w.isVisible():
                w.cancel()

    _accept_with(monkeypatch, tmp_path / "out", deidentify=True)
    _stub_painting(monkeypatch, on_write=cancel)
    assert export_all_cases(None, demo_engine) == 1
    files = list((tmp_path / "out").iterdir())
    assert len(files) == 1 and files[0].suffix == ".pdf"
    assert len(PdfReader(files[0]).pages) >= 2


def _page_pixels(path: Path, page: int):
    import numpy as np

    out = subprocess.run(["pdftoppm", "-r", "40", "-f", str(page), "-l", str(page), str(path)],
                         capture_output=True, check=True).stdout
    header = out.split(b"\n", 3)  # P6, width height, 255, pixels
    w, h = map(int, header[1].split())
    return np.frombuffer(header[3], dtype=np.uint8).reshape(h, w, 3).astype(float)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("pseudonym", ["NLRP12-01", "NLRP12-02"])  # 02 has a relapse episode
def test_archival_timeline_looks_like_the_transparent_one(qapp, demo_engine, tmp_path, pseudonym):
    # PDF/A-1 forbids transparency and Qt paints translucent colours at full strength:
    # unflattened, the phase bands hide a third of the plot (mean difference ~26).
    import numpy as np

    pid = _pid(demo_engine, pseudonym)
    archival = export_case_pdf(demo_engine, tmp_path / "a.pdf", patient_id=pid, pdf_a=True)
    plain = export_case_pdf(demo_engine, tmp_path / "p.pdf", patient_id=pid, pdf_a=False)
    assert b'pdfaid:part="1"' in archival.read_bytes()
    assert b"pdfaid:part" not in plain.read_bytes()
    diff = np.abs(_page_pixels(archival, 2) - _page_pixels(plain, 2))
    assert diff.mean() < 4
    # Measured: 0.9–1.7 mean and 0.1 % of pixels off; an opaque episode band alone gave
    # 7.5 and 5.5 %.
    assert (diff.max(axis=2) > 60).mean() < 0.01


# -- the printed timeline shows what the screen shows (issue 11.7) ---------------------------
def test_nothing_a_reader_must_read_prints_under_8_pt(qapp, tmp_path):
    from PySide6 import QtGui

    from gui.pdf.style import Style

    style = Style(QtGui.QPdfWriter(str(tmp_path / "x.pdf")))
    fonts = {k: v for k, v in vars(style).items() if isinstance(v, QtGui.QFont)}
    assert min(f.pointSizeF() for f in fonts.values()) >= 8, fonts
    assert style.colours.muted.lightness() < 0x50  # grey, but dark enough at 8 pt


def test_printed_normal_range_is_hatched_above_episode_shading(qapp, demo_engine):
    from PySide6 import QtCore

    from gui.episodes.graphics import EpisodeItem
    from gui.pdf.timeline_figure import dispose, for_print
    from gui.timeline import shapes
    from gui.timeline.widget import TimelineWidget

    case = load_case(demo_engine, _pid(demo_engine, "NLRP12-02"))
    w = TimelineWidget(theme="print")
    try:
        w.set_case(case)
        w.resize(900, 1200)
        w.show()
        qapp.processEvents()
        for_print(w)
        plot = w.plot_for("markers")
        bands = [i for i in plot.items if isinstance(i, shapes.HBand)]
        episodes = [i for i in plot.items if isinstance(i, EpisodeItem)]
        assert bands and episodes
        for band in bands:
            assert band.zValue() > max(e.zValue() for e in episodes)  # not hidden by a relapse
            assert band.brush.style() != QtCore.Qt.BrushStyle.SolidPattern
            # Not a pale fill that reads as the "on anakinra" phase shading.
            assert band.brush.color().alpha() == 255
            assert band.brush.color().name().upper() != "#FFFFFF"
    finally:
        dispose([w])


def test_printed_episode_labels_are_not_cut(demo_pdfs):
    _case, _audit, plain, _ = demo_pdfs
    timeline = next(t for t in _text(plain) if "Timeline" in t)
    assert "relapse" in timeline
    assert "…" not in timeline  # "relapse · moder…" before


def test_the_dialog_shows_scrubbed_notes_before_they_are_included(qtbot, demo_engine,
                                                                 tmp_path, monkeypatch):
    from PySide6 import QtWidgets

    from db.episodes import create_episode
    from gui.export_dialog import ExportDialog, export_current_case

    pid = _pid(demo_engine, "NLRP12-02")
    case = load_case(demo_engine, pid)
    create_episode(demo_engine, pid, actor="Dr A", kind="flare", onset=int(case.day0),
                   note="Julien Demo-Marchand called on 12/03/2010, fever again")
    shown: list[str] = []

    def fake_exec(self):
        qtbot.addWidget(self)
        assert not self.notes_preview.isVisibleTo(self)  # nothing to include unless de-identified
        self.deidentify.setChecked(True)
        assert self.notes_preview.isVisibleTo(self) and self.include_notes.isVisibleTo(self)
        shown.append(self.notes_preview.toPlainText())
        self.include_notes.setChecked(True)
        self.path.setText(str(tmp_path / "notes.pdf"))
        return QtWidgets.QDialog.DialogCode.Accepted

    monkeypatch.setattr(ExportDialog, "exec", fake_exec)
    path = export_current_case(None, demo_engine, case)
    assert "[removed] called on [date removed], fever again" in shown[0]
    assert "Marchand" not in shown[0]
    text = _squash(" ".join(_text(path)))
    assert "fever again" in text and "Marchand" not in text


def test_a_wide_table_narrows_its_longest_columns_not_its_numbers(qapp):
    """Shrunk in proportion, a long lab name cut 'n = 18' to '1' and a date to '2025-0'."""
    from PySide6 import QtCore

    from data.summary.tables import Column, Table
    from gui.pdf.layout import Flow, column_widths
    from gui.pdf.style import Style
    from gui.pdf.writer import new_writer, paint_size

    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODeviceBase.OpenModeFlag.WriteOnly)
    writer = new_writer(buffer, paper="a4", title="t", pdf_a=False)
    width, height = paint_size(writer)
    flow = Flow(width, height, Style(writer))
    lab = "Laboratoire d'immunologie, Hôpital Necker-Enfants malades, Paris " * 2
    table = Table("T", (Column("Lab"), Column("n", "right"), Column("Date"),
                        Column("Assay", wrap=True)),
                  [(lab, "18", "2025-01-15", "Luminex xMAP Human Cytokine Panel " * 3)])
    widths = column_widths(flow, table)
    fm = flow.style.fm(flow.style.cell)
    assert sum(widths) <= width + 0.5
    assert widths[1] >= fm.horizontalAdvance("18") and widths[2] >= fm.horizontalAdvance("2025-01-15")
    del writer


def test_no_table_heading_is_left_without_its_rows_at_a_pages_foot(demo_pdfs):
    """The de-identified NLRP12-02 left "Dosing history" and its column titles alone at
    page 1's foot, its two rows on page 2 (a page of its own)."""
    _, _, plain, deid = demo_pdfs
    for path in (plain, deid):
        for page in _text(path):
            text = _squash(page)
            if "Dosing history" in text and "Dosing history (continued)" not in text:
                assert "anakinra" in text and "L04AC03" in text, text[-400:]
            assert "Dosing history (continued)" not in text, "its two rows were split"


def test_a_grid_too_wide_closes_up_its_cells_before_cutting_a_date(qapp, demo_engine):
    """NLRP12-01's grid: ten value columns, the physician global's words and "Anakinra
    then". With the usual cell padding its widest columns were cut to one shared width, a
    date to "2008-09-0"; closed up, every value has its width."""
    from PySide6 import QtCore

    from gui.pdf.layout import CELL_PAD_X, Flow, table_widths
    from gui.pdf.style import Style
    from gui.pdf.writer import new_writer, paint_size

    case = load_case(demo_engine, _pid(demo_engine, "NLRP12-01"))
    table = next(t for t in build_summary(case).tables if t.title == "Cytokine measurements")
    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODeviceBase.OpenModeFlag.WriteOnly)
    writer = new_writer(buffer, paper="a4", title="t", pdf_a=False)
    width, height = paint_size(writer)
    flow = Flow(width, height, Style(writer))
    widths, pad = table_widths(flow, table)
    fm = flow.style.fm(flow.style.cell)
    assert pad < CELL_PAD_X and sum(widths) <= width + 0.5
    assert any("moderate" in r[-3] for r in table.rows)  # the physician global's words
    for row in table.rows:
        for text, w in zip(row[:-1], widths, strict=False):  # all but "Anakinra then"
            assert all(fm.horizontalAdvance(line) <= w - 2 * pad for line in text.split("\n"))
    assert widths[-1] >= fm.horizontalAdvance("before anakinra")
    del writer

"""The printed timeline says what its shading means and keeps every label whole: a legend
drawn from the bands it draws (none without anakinra, and it says so), episode labels
beside a bar too short for them, drug and phase labels moved inside the plot, text
searchable (no "ﬂ" ligature)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from data.summary import load_case
from db.queries import list_cases
from gui.pdf import export_case_pdf
from tests.gui.test_pdf_print_size import hand_made_case

MARGIN_PT = 15 / 25.4 * 72  # writer.MARGINS_MM, left and right


def _pid(engine, pseudonym: str) -> int:
    cases = list_cases(engine)
    return int(cases.loc[cases["pseudonym"] == pseudonym, "id"].iloc[0])


def _timeline_text(path: Path) -> str:
    page = next(p for p in PdfReader(path).pages if "Timeline" in p.extract_text())
    return re.sub(r"\s+", " ", page.extract_text())


@pytest.fixture
def demo_pdf(qapp, demo_engine, tmp_path) -> Path:
    return export_case_pdf(demo_engine, tmp_path / "demo.pdf",
                           patient_id=_pid(demo_engine, "NLRP12-02"))


@pytest.fixture
def hand_pdf(qapp, engine, tmp_path) -> Path:
    return export_case_pdf(engine, tmp_path / "hand.pdf",
                           patient_id=hand_made_case(engine, tmp_path))


def test_the_legend_names_the_phases_and_ranges_drawn(demo_pdf):
    text = _timeline_text(demo_pdf)
    legend = text.split("Phase")[0]  # the row above the tracks
    for entry in ("before treatment", "on anakinra", "after stopping", "CRP normal range",
                  "SAA normal range"):
        assert entry in legend, (entry, legend)


def test_without_anakinra_the_legend_says_nothing_is_shaded(hand_pdf):
    text = _timeline_text(hand_pdf)
    assert "no anakinra recorded: no treatment phase is shaded" in text
    for phase in ("before treatment", "on anakinra", "after stopping", "Shaded:"):
        assert phase not in text


def test_legend_swatches_are_the_bands_drawn(qtbot, demo_engine):
    from PySide6 import QtGui

    from gui.palette import flatten
    from gui.pdf.timeline_figure import for_print, legend_entries
    from gui.timeline import shapes
    from gui.timeline.widget import TimelineWidget

    case = load_case(demo_engine, _pid(demo_engine, "NLRP12-02"))
    w = TimelineWidget(theme="print")
    qtbot.addWidget(w)
    w.set_case(case)
    for_print(w)
    white = QtGui.QColor("#FFFFFF")
    entries = legend_entries(w, white)
    phases = [i for i in w.plots()[0].items if isinstance(i, shapes.VBand)]
    assert [e.brush.color().name() for e in entries[:len(phases)]] == \
        [flatten(b.brush.color(), white).name() for b in phases]
    ranges = [i for i in w.plot_for("markers").items if isinstance(i, shapes.HBand)]
    styles = [e.brush.style() for e in entries[len(phases):]
              if not e.text.endswith("(episode)")]
    assert styles == [b.brush.style() for b in ranges]
    assert len(set(styles)) == len(ranges) == 2  # CRP's range inside SAA's stays visible


def test_episode_labels_fit_or_move_beside_the_bar(demo_pdf, hand_pdf):
    # Both bars are too short for their label: the demo printed "relapse" alone, the
    # hand-made flare (9 days) nothing at all.
    assert "relapse · moderate" in _timeline_text(demo_pdf)
    assert "flare · severe" in _timeline_text(hand_pdf)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_no_timeline_label_runs_past_the_plot(hand_pdf):
    bbox = subprocess.run(["pdftotext", "-f", "2", "-l", "2", "-bbox", str(hand_pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', bbox).group(1))
    words = re.findall(r'xMin="([\d.]+)"[^>]*xMax="([\d.]+)"[^>]*>([^<]*)<', bbox)
    assert any(w == "ibuprofen" for *_, w in words)  # starts two days before the end
    outside = [w for x0, x1, w in words if float(x1) > width - MARGIN_PT + 0.5]
    assert not outside


def test_printed_timeline_text_is_searchable(demo_pdf, hand_pdf):
    for path in (demo_pdf, hand_pdf):
        text = _timeline_text(path)
        assert "Inflammatory markers" in text
        assert not re.search("[\ufb00-\ufb06]", text)  # ﬀ ﬁ ﬂ …


def test_treatment_without_anakinra_says_so_instead_of_a_dose_axis(qtbot, engine, tmp_path):
    from tests.gui.test_timeline import _legend, _shown

    w = _shown(qtbot, load_case(engine, hand_made_case(engine, tmp_path)))
    assert "no anakinra recorded" in _legend(w, "treatment")
    axis = w.plot_for("treatment").getAxis("left")
    assert axis.labelText == ""
    assert axis._tickLevels == [[], []]


def test_labels_on_one_lane_are_joined_not_overlapped(hand_pdf):
    # A week of 0.5 mg/d: its label ran into the next period's.
    text = _timeline_text(hand_pdf)
    assert "colchicine 0.5 mg/d → 1 mg/d" in text
    assert "colchicine 1.5 mg/d" in text


EARLY_ANAKINRA = """drug,dose,unit,start,end,route
Kineret,100,mg/d,2023-01-12,2023-04-30,SC
"""


def test_a_phase_name_without_room_gives_way_to_the_next(qapp, engine, tmp_path):
    # Anakinra from the fourth day of the record: "before treatment" would run into
    # "on anakinra"; the legend above the tracks still names both.
    pid = hand_made_case(engine, tmp_path)
    dosing = tmp_path / "kineret.csv"
    dosing.write_text(EARLY_ANAKINRA, encoding="utf-8")
    from data.importing import import_file

    import_file(engine, dosing, patient="HOSP-11", actor="Dr Lab")
    text = _timeline_text(export_case_pdf(engine, tmp_path / "early.pdf", patient_id=pid))
    assert text.count("before treatment") == 1  # the legend's
    assert text.count("on anakinra") == 2  # the legend's and the lane's


SCORES = """patient,date,code,value,unit,specimen
HOSP-11,2023-01-09,PGA,3,{score},
HOSP-11,2023-02-13,PGA,1,{score},
HOSP-11,2023-06-20T11:00:00Z,PGA,2,{score},
"""


def test_the_printed_timeline_has_the_physician_global_the_window_shows(qapp, engine,
                                                                        tmp_path):
    # The window showed the PGA track; the PDF's timeline left it out.
    from data.importing import import_file

    pid = hand_made_case(engine, tmp_path)
    scores = tmp_path / "pga_hosp11.csv"
    scores.write_text(SCORES, encoding="utf-8")
    import_file(engine, scores)
    path = export_case_pdf(engine, tmp_path / "pga.pdf", patient_id=pid)
    text = _timeline_text(path)
    assert "Physician global" in text and "4 (severe)" in text


ONGOING_LAB = """patient,date,code,value,unit,specimen
H-40,2024-01-02T09:00,CRP,40,mg/L,serum
H-40,2024-03-01T09:00,CRP,4,mg/L,serum
H-40,2024-05-01T09:00,CRP,60,mg/L,serum
H-40,2024-06-01T09:00,CRP,70,mg/L,serum
H-40,2024-08-01T09:00,CRP,50,mg/L,serum
"""
ONGOING_DOSES = """patient,drug,dose,unit,start,end
H-40,anakinra,100,mg,2024-01-10,2024-06-30
"""


def test_an_ongoing_relapse_is_hatched_and_leaves_the_phase_beneath_visible(
        qapp, engine, tmp_path):
    # LYON-07: an ongoing relapse tinted the rest of the case the peach of "after
    # stopping", hiding where "on anakinra" ended. Printed as a hatch, the phase colour
    # shows between its lines, right of the relapse onset too.
    from PySide6 import QtGui

    from db.episodes import create_episode
    from gui.palette import PHASE_COLOURS, flatten
    from tests.gui.hand_files import import_texts, utc

    import_texts(engine, tmp_path, {"lab.csv": ONGOING_LAB, "doses.csv": ONGOING_DOSES})
    pid = _pid(engine, "H-40")
    create_episode(engine, pid, actor="dr", kind="relapse", onset=int(utc("2024-04-20")))
    path = export_case_pdf(engine, tmp_path / "ongoing.pdf", patient_id=pid)
    text = _timeline_text(path)
    assert "relapse (episode)" in text.split("Phase")[0]  # the legend names the hatch
    page = next(i for i, p in enumerate(PdfReader(path).pages, 1)
                if "Timeline" in p.extract_text())
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(page), "-l", str(page),
                    str(path), str(tmp_path / "tl")], check=True)
    image = QtGui.QImage(str(next(tmp_path.glob("tl*.png"))))
    white = QtGui.QColor("#FFFFFF")

    def colour_of(phase: str) -> QtGui.QColor:
        c = QtGui.QColor(PHASE_COLOURS[phase][0])
        c.setAlpha(PHASE_COLOURS[phase][1])
        return flatten(c, white)

    def columns(colour: QtGui.QColor) -> list[int]:
        want = (colour.red(), colour.green(), colour.blue())

        def near(x: int, y: int) -> bool:
            p = image.pixelColor(x, y)
            return all(abs(a - b) <= 3 for a, b in zip((p.red(), p.green(), p.blue()), want,
                                                       strict=True))
        return [x for x in range(image.width())
                if sum(near(x, y) for y in range(0, image.height(), 3)) > 20]

    on = columns(colour_of("on anakinra"))
    after = columns(colour_of("after stopping"))
    # Anakinra from 10 January to 30 June, the relapse from 20 April to the end: both
    # phases show under the relapse, "on anakinra" up to where "after stopping" begins
    # (blended, neither colour was left right of the onset).
    assert on and after, (on, after)
    assert 0 <= min(after) - max(on) <= 3, (max(on), min(after))

"""One rule for how a fold over controls is written, on screen and in the PDF
(data.numbers.fmt_fold): a reviewer saw 121.6× in one place and 94.45× in another."""

from __future__ import annotations

import re

import pytest

from data.case import Case
from data.codes import PBMC_SPONTANEOUS
from data.numbers import fmt_fold
from data.summary import build_summary, load_case
from db.queries import list_cases
from tests.data.insight_cases import cytokine_cells


def test_a_fold_has_three_significant_digits_at_most():
    assert fmt_fold(121.6) == "122"
    assert fmt_fold(94.45) == "94.5"  # half up, as by hand
    assert fmt_fold(1.024) == "1.02"
    assert fmt_fold(1.4) == "1.4"
    assert fmt_fold(0.456) == "0.46"
    assert fmt_fold(0.0423) == "0.042"  # never "0" for a value above zero
    assert fmt_fold(12345.6) == "12346"  # whole, never 1.23e+04
    assert fmt_fold(float("nan")) == "—"


def _significant(text: str) -> int:
    digits = re.sub(r"\D", "", text).lstrip("0")
    return len(digits.rstrip("0")) if "." not in text else len(digits)


@pytest.fixture
def nlrp12_02(demo_engine) -> Case:
    cases = list_cases(demo_engine)
    pid = int(cases.loc[cases["pseudonym"] == "NLRP12-02", "id"].iloc[0])
    return load_case(demo_engine, pid)


def test_every_fold_in_the_summary_follows_the_rule(nlrp12_02):
    summary = build_summary(nlrp12_02)
    figures = " ".join(f.value for f in summary.figures)
    in_figures = re.findall(r"([<>]?[\d.]+)× controls", figures)
    assert len(in_figures) >= 3  # baseline, best response, near-normal
    cells = cytokine_cells(summary)
    # Under each cytokine value, its fold: "1554.9 ↑\n130×".
    in_table = [fold.removesuffix("×") for cell in cells.values() if "\n" in cell
                for fold in cell.split("\n")[1].split(" / ") if fold.endswith("×")]
    assert len(in_table) > 100
    loose = [f for f in in_figures + in_table if _significant(f) > 3 and float(
        f.strip("<>")) < 1000]
    assert not loose, loose[:10]
    # The same measurement reads the same in the key figures and in the table.
    best = re.search(r"([\d.]+) pg/mL \(([\d.]+)× controls\)",
                     next(f.value for f in summary.figures if f.name == "Best response"))
    assert f"{best.group(1)}\n{best.group(2)}×" in cells.values()


def test_the_readout_writes_a_fold_as_the_pdf_does(qtbot, nlrp12_02):
    from tests.gui.test_timeline import _shown

    case = nlrp12_02
    w = _shown(qtbot, case)
    w.set_fold(True)
    cells = cytokine_cells(build_summary(case))
    folds = [cell.split("\n")[1].removesuffix("×") for (_, head), cell in cells.items()
             if head == "IL-1β spont. pg/mL" and cell]
    series = next(s for s in w.tracks["cytokines"].series if s.label == "IL-1β spont."
                  and s.records[0]["specimen"] == PBMC_SPONTANEOUS)
    for j in range(len(series.x)):
        line = next(ln for ln in w.readout_lines(float(series.x[j]))
                    if ln.label == "IL-1β spont.")
        assert line.unit == "× controls"
        assert line.value == folds[j], (j, line.value, folds[j])

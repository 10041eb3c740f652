"""The healthy-control references behind every fold and every normal-range band a summary
shows, and their set.

A reader can recompute each fold from this table, and find the same references again
later: sets are never changed once written (``flarescope controls list --all``).
"""

from __future__ import annotations

from data.case import Case
from data.codes import CYTOKINES, MARKERS
from data.controls import set_text, spread_text
from data.numbers import DASH, fmt_number, is_missing, shown, utc_date
from data.summary.figures import specimen_text
from data.summary.privacy import Privacy
from data.summary.tables import Column, Table

TITLE = "Healthy-control references"


def references_table(case: Case, privacy: Privacy) -> Table:
    deidentify = privacy.active
    cols = (Column("Analyte"), Column("Specimen"), Column("Lab"), Column("n", "right"),
            Column("Mean", "right"), Column("SD / range", "right"), Column("Unit"),
            Column("Assay, batch", wrap=True), Column("Date"), Column("Ref.", "right"))
    rows = []
    # The cytokines' folds, then the markers' normal ranges: the timeline shades CRP and
    # SAA up to a reference's upper limit of normal, and says whose here.
    for a, missing in [*((c, "no fold shown") for c in CYTOKINES),
                       *((mk, "no normal range shaded") for mk in MARKERS)]:
        for spec in case.specimens(a.code):
            m = case.control_match(a.code, spec)
            if m.ref is None:
                rows.append((a.label, specimen_text(spec), f"{m.reason}: {missing}",
                             *[""] * 7))
                continue
            r = m.ref
            # The controls' own date is no patient's, but a de-identified export holds
            # no calendar date at all.
            when = "withheld" if deidentify else shown(r.get("ref_date"))[:10]
            # Lab, assay and batch are free text a lab types: de-identified, the lab is
            # a neutral label and the rest is withheld (a planted name reached the PDF).
            assay = ", ".join(str(r[k]) for k in ("assay", "batch") if r.get(k)) or DASH
            rows.append((a.label, specimen_text(spec), privacy.lab(r.get("lab")),
                         DASH if is_missing(r.get("n")) else str(int(r["n"])),
                         DASH if is_missing(r.get("mean")) else fmt_number(float(r["mean"])),
                         spread_text(r), shown(r.get("unit")),
                         "withheld" if deidentify and assay != DASH else assay,
                         when, DASH if is_missing(r.get("id")) else f"#{int(r['id'])}"))
    s = case.reference_set
    made = ("" if deidentify or not s else
            f", made {utc_date(float(s['created_at']))} by {s['created_by']} ({s['action']})")
    return Table(TITLE, cols, rows, empty="no cytokine or marker measured",
                 note=f"Folds use {set_text(s, lab=privacy.lab)}{made}: the references in force when this "
                      "summary was made. Fold = value ÷ mean; the control band is mean ± 2 SD "
                      "(or the range); a marker's shaded normal range runs up to its upper limit "
                      "of normal (“normal < …”). References are never overwritten: `flarescope "
                      "controls list --all` shows every set.")

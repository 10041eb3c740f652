"""The content of a case summary: key figures with their definitions, and the tables.

Qt-free so that the PDF, the screen and the command line state the same numbers. One
module per part: censored values (``censored``), dates (``dates``), key figures
(``figures``), tables (``tables``), the audit trail (``audit``), de-identification
(``scrub``), what may be printed (``privacy``), the whole summary (``build``) and reading a case (``load``).
"""

from data.summary.audit import notes_table
from data.summary.build import (
    Summary,
    build_summary,
    deidentified_label,
    pseudonym_is_safe,
    scrubbed_notes,
)
from data.summary.censored import Measure, median_measure, median_range, ratio_measure
from data.summary.dates import DateFormat, date_format
from data.summary.figures import (
    BASELINE_DAYS,
    NEAR_NORMAL_FOLD,
    TNF_NEAREST_DAYS,
    KeyFigure,
    aidai_overview,
    baseline_il1b,
    best_response,
    days_to_near_normal,
    first_relapse_onset,
    key_figures,
    pick_specimen,
    tnfa_rise,
)
from data.summary.load import load_audit, load_case
from data.summary.privacy import Privacy
from data.summary.references import references_table
from data.summary.scrub import Scrubber, scrubber
from data.summary.tables import (
    Column,
    Table,
    aidai_table,
    cytokine_table,
    dosing_table,
    episodes_table,
)

__all__ = [
    "Privacy", "deidentified_label", "pseudonym_is_safe", "scrubbed_notes",
    "BASELINE_DAYS", "NEAR_NORMAL_FOLD", "TNF_NEAREST_DAYS", "Column", "DateFormat",
    "KeyFigure", "Measure", "Scrubber", "Summary", "Table", "aidai_overview", "aidai_table",
    "baseline_il1b", "best_response", "build_summary", "cytokine_table", "date_format",
    "days_to_near_normal", "dosing_table", "episodes_table", "first_relapse_onset",
    "key_figures", "load_audit", "load_case", "median_measure", "median_range",
    "notes_table", "pick_specimen", "ratio_measure", "references_table", "scrubber", "tnfa_rise",
]

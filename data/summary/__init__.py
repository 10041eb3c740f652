"""The content of a case summary: key figures with their definitions, and the tables.

Qt-free so that the PDF, the screen and the command line state the same numbers. One
module per part: censored values (``censored``), dates (``dates``), key figures
(``figures``), tables (``tables``), the audit trail (``audit``), de-identification
(``scrub``), what may be printed (``privacy``), the whole summary (``build``) and reading a case (``load``).
"""

import importlib

# Each part is imported when first asked for: the relapse criteria need the key figures
# and censored values, not the tables, the scrubber and the audit text (~70 ms a command).
_WHERE = {
    "notes_table": "audit",
    "Summary": "build",
    "build_summary": "build",
    "deidentified_label": "build",
    "pseudonym_is_safe": "build",
    "scrubbed_notes": "build",
    "Measure": "censored",
    "median_measure": "censored",
    "median_range": "censored",
    "ratio_measure": "censored",
    "DateFormat": "dates",
    "date_format": "dates",
    "BASELINE_DAYS": "figures",
    "KeyFigure": "figures",
    "NEAR_NORMAL_FOLD": "figures",
    "TNF_NEAREST_DAYS": "figures",
    "aidai_overview": "figures",
    "baseline_il1b": "figures",
    "best_response": "figures",
    "days_to_near_normal": "figures",
    "first_relapse_onset": "figures",
    "key_figures": "figures",
    "pick_specimen": "figures",
    "tnfa_rise": "figures",
    "load_audit": "load",
    "load_case": "load",
    "Privacy": "privacy",
    "references_table": "references",
    "Scrubber": "scrub",
    "scrubber": "scrub",
    "Column": "tables",
    "Table": "tables",
    "aidai_table": "tables",
    "cytokine_table": "tables",
    "dosing_table": "tables",
    "episodes_table": "tables",
}

__all__ = [
    "Privacy", "deidentified_label", "pseudonym_is_safe", "scrubbed_notes",
    "BASELINE_DAYS", "NEAR_NORMAL_FOLD", "TNF_NEAREST_DAYS", "Column", "DateFormat",
    "KeyFigure", "Measure", "Scrubber", "Summary", "Table", "aidai_overview", "aidai_table",
    "baseline_il1b", "best_response", "build_summary", "cytokine_table", "date_format",
    "days_to_near_normal", "dosing_table", "episodes_table", "first_relapse_onset",
    "key_figures", "load_audit", "load_case", "median_measure", "median_range",
    "notes_table", "pick_specimen", "ratio_measure", "references_table", "scrubber", "tnfa_rise",
]


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)

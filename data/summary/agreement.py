"""The summary's section on suggested episodes: how the relapses and flares the published
criteria suggest for the case agree with those the reviewer marked (matched, missed,
extra, onset difference in days), overall and per criterion. The report itself is
data.suggest_report.agreement_report, the one the command line prints and the
Suggestions dock sums up in a line."""

from __future__ import annotations

from data.case import Case
from data.relapse_criteria import BY_KEY, CRITERIA, CriteriaSettings, suggest
from data.suggest_agreement import MATCH_DAYS
from data.suggest_report import (
    PER_CRITERION_COLUMNS,
    agreement_report,
    per_criterion_rows,
    signed_days,
)
from data.summary.dates import DateFormat
from data.summary.privacy import Privacy
from data.summary.tables import Column, Table

TITLE = "Suggested episodes compared with the reviewer's"
PER_CRITERION = "Agreement per criterion"


def agreement_tables(case: Case, fmt: DateFormat, privacy: Privacy, *,
                     settings: CriteriaSettings | None = None,
                     within_days: int = MATCH_DAYS) -> list[Table]:
    s = settings or CriteriaSettings()
    report = agreement_report(case, suggest(case, s).suggestions, fmt, within_days)

    def kind(k: str) -> str:
        return privacy.vocab("kind", k)

    def names(keys: list[str]) -> str:
        return ", ".join(BY_KEY[k].name for k in keys)

    rows = [("matched", f"{kind(m['episode']['kind'])} {m['episode']['edges']}",
             f"{kind(m['kind'])} {m['suggestion']}", signed_days(m["onset_difference_days"]),
             names(m["criteria"])) for m in report["matched"]]
    rows += [("missed", f"{kind(e['kind'])} {e['edges']}", "none", "", "")
             for e in report["missed"]]
    rows += [("extra", "none", f"{kind(x['kind'])} {x['suggestion']}", "",
              names(x["criteria"])) for x in report["extra"]]
    counts = report["counts"]
    note = (f"The relapse criteria applied to this case ({', '.join(c.name for c in CRITERIA)}; "
            f"each stated in the program) against the relapses and flares the reviewer "
            f"marked: a suggestion matches one whose onset is within {within_days} days. "
            f"{counts['matched']} matched, {counts['missed']} missed, {counts['extra']} "
            "extra. Onset difference: the suggested onset against the reviewer's.")
    pairs = Table(TITLE, (Column("Result"), Column("Reviewer's episode", wrap=True),
                          Column("Suggested", wrap=True), Column("Onset difference", "right"),
                          Column("Criteria met", wrap=True)),
                  rows, empty="no relapse or flare marked and none suggested", note=note)
    name, role, *counts, onset = PER_CRITERION_COLUMNS
    per_table = Table(PER_CRITERION, (Column(name), Column(role, wrap=True),
                                      *(Column(c, "right") for c in counts),
                                      Column(onset, wrap=True)), per_criterion_rows(report),
                      note="Missed: a reviewer's relapse or flare no suggestion meeting the "
                           "criterion matches. The diary, SAA and cytokine criteria support "
                           "a suggestion and never set its edges, so they miss nothing (–); "
                           "a criterion that does not apply to the case says why. Onset "
                           "difference: of the suggestions meeting it that matched.")
    return [pairs, per_table]


"""The summary's section on suggested episodes: how the relapses and flares the published
criteria suggest for the case agree with those the reviewer marked (matched, missed,
extra, onset difference in days), overall and per criterion. The report itself is
data.suggest_report.agreement_report, the one the command line prints and the
Suggestions dock sums up in a line."""

from __future__ import annotations

from data.case import Case
from data.relapse_criteria import BY_KEY, CRITERIA, CriteriaSettings, suggest
from data.suggest_agreement import DOES_NOT_APPLY, MATCH_DAYS, SUPPORTS
from data.suggest_report import agreement_report, signed_days
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
    per = [(BY_KEY[key].name, _role(n),
            *(str(n[x]) if x in n else "–" for x in ("suggested", "matched", "missed", "extra")))
           for key, n in report["per_criterion"].items()]
    per_table = Table(PER_CRITERION, (Column("Criterion"), Column("Role", wrap=True),
                                      Column("Suggested", "right"), Column("Matched", "right"),
                                      Column("Missed", "right"), Column("Extra", "right")), per,
                      note="Missed: a reviewer's relapse or flare no suggestion meeting the "
                           "criterion matches. The diary, SAA and cytokine criteria support "
                           "a suggestion and never set its edges, so they miss nothing (–); "
                           "a criterion that does not apply to the case says why.")
    return [pairs, per_table]


def _role(n: dict) -> str:
    if n["role"] == DOES_NOT_APPLY:
        return f"does not apply: {n['why']}"
    return "supports only" if n["role"] == SUPPORTS else "sets episode edges"

"""Suggested episodes, shaded periods and the agreement with the reviewer as plain records:
what ``suggest [--json]`` prints and what the window and the PDF show."""

from __future__ import annotations

import statistics
from typing import Any

from data.alignment import DAY
from data.case import Case
from data.key_figure_samples import sample_record
from data.numbers import is_missing
from data.relapse_criteria import (
    BY_KEY,
    CRITERIA,
    CaseSuggestions,
    CriteriaSettings,
    Suggestion,
    not_applicable,
)
from data.suggest_agreement import (
    DOES_NOT_APPLY,
    MATCH_DAYS,
    SUPPORTS,
    Agreement,
    agreement,
    reviewer_episodes,
)
from data.summary.dates import DateFormat, date_format


def criteria_names(keys: tuple[str, ...] | list[str]) -> str:
    return ", ".join(BY_KEY[k].name for k in keys)


def edges_text(case: Case, onset: float, end: float | None, fmt: DateFormat) -> str:
    """"day +275 (2010-03-17) to day +301 (2010-04-12)"; "… to ongoing" without an end.
    An end is exclusive: the last day shown is the day before it."""
    first = _day(case, onset, fmt)
    # An episode frame holds an open end as NaN once another episode has one.
    last = "ongoing" if is_missing(end) else _day(case, float(end) - DAY, fmt)
    return f"{first} to {last}"


def _day(case: Case, t: float, fmt: DateFormat) -> str:
    label = case.anchor.label(t)
    return label if fmt.relative else f"{label} ({fmt.date(t)})"


def suggestion_record(case: Case, s: Suggestion, fmt: DateFormat) -> dict[str, Any]:
    return {
        "kind": s.kind, "onset": s.onset, "end": s.end,
        "onset_day": case.anchor.day(s.onset),
        "end_day": None if s.end is None else case.anchor.day(s.end - DAY),
        "onset_date": fmt.date(s.onset), "edges": edges_text(case, s.onset, s.end, fmt),
        "certainty": s.certainty, "criteria": list(s.criteria),
        "criteria_names": [BY_KEY[k].name for k in s.criteria],
        "summary": s.summary, "missing": list(s.missing), "fingerprint": s.fingerprint,
        "evidence": [{"text": e.text,
                      "samples": [sample_record(case, x, fmt) for x in e.samples
                                  if x.code != "AIDAI"],
                      "diary_days": [fmt.date(x.t) for x in e.samples if x.code == "AIDAI"]}
                     for e in s.evidence],
    }


def stored_form(s: Suggestion) -> dict[str, Any]:
    """A suggestion as db.suggestions stores it: evidence with the points to ring."""
    return {"kind": s.kind, "onset": s.onset, "end": s.end, "criteria": list(s.criteria),
            "certainty": s.certainty, "fingerprint": s.fingerprint,
            "evidence": [{"text": e.text,
                          "samples": [{"code": x.code, "specimen": x.specimen, "t": x.t}
                                      for x in e.samples]} for e in s.evidence]}


def counts_text(matched: int, missed: int, extra: int, within_days: int) -> str:
    return (f"agreement with the reviewer's relapses and flares (onsets within "
            f"{within_days} days): {matched} matched, {missed} missed, {extra} extra")


def agreement_line(report: dict[str, Any]) -> str:
    """The agreement (agreement_report) in one sentence, as the window shows it."""
    n = report["counts"]
    text = counts_text(n["matched"], n["missed"], n["extra"], report["within_days"])
    if report["matched"]:
        text += "; onset " + ", ".join(signed_days(m["onset_difference_days"])
                                       for m in report["matched"])
    return text[0].upper() + text[1:]


def agreement_report(case: Case, suggestions: list[Suggestion], fmt: DateFormat,
                     within_days: int = MATCH_DAYS) -> dict[str, Any]:
    """How the suggestions agree with the reviewer's relapses and flares: matched, missed
    and extra, the onset difference in days, overall and per criterion. The one report
    ``suggest`` prints, the Suggestions dock sums up in a line and the case PDF shows."""
    a = agreement(suggestions, reviewer_episodes(case.episodes), within_days=within_days,
                  not_applicable=not_applicable(case))
    return {"within_days": within_days,
            "counts": {"matched": len(a.matched), "missed": len(a.missed),
                       "extra": len(a.extra)},
            **_agreement_record(case, a, fmt)}


def _agreement_record(case: Case, a: Agreement, fmt: DateFormat) -> dict[str, Any]:
    def episode(e: dict) -> dict[str, Any]:
        return {"id": e.get("id"), "kind": e["kind"],
                "onset_day": case.anchor.day(float(e["onset"])),
                "edges": edges_text(case, float(e["onset"]), e.get("end"), fmt)}

    return {
        "matched": [{"episode": episode(p.episode),
                     "suggestion": edges_text(case, p.suggestion.onset, p.suggestion.end, fmt),
                     "kind": p.suggestion.kind, "onset_difference_days": p.onset_days,
                     "criteria": list(p.suggestion.criteria)} for p in a.matched],
        "missed": [episode(e) for e in a.missed],
        "extra": [{"suggestion": edges_text(case, s.onset, s.end, fmt), "kind": s.kind,
                   "criteria": list(s.criteria)} for s in a.extra],
        "per_criterion": a.per_criterion,
    }


def criteria_record(settings: CriteriaSettings) -> list[dict[str, str]]:
    return [{"key": c.key, "name": c.name, "statement": c.statement(settings),
             "citation": c.citation,
             "role": "sets episode edges" if c.sets_edges else "supports, never sets edges"}
            for c in CRITERIA]


def case_record(case: Case, result: CaseSuggestions, *, settings: CriteriaSettings,
                within_days: int = MATCH_DAYS, relative: bool = False) -> dict[str, Any]:
    """Everything ``suggest --json`` prints for one case."""
    fmt = date_format(case, relative=relative)
    return {
        "case": case.pseudonym,
        "day0": {"described": case.anchor.described,
                 "date": None if relative else fmt.date(case.anchor.t)},
        "suggestions": [suggestion_record(case, s, fmt) for s in result.suggestions],
        "periods": [{"criterion": p.criterion, "name": BY_KEY[p.criterion].name,
                     "text": p.text, "start_day": case.anchor.day(p.start),
                     "end_day": case.anchor.day(p.end - DAY)} for p in result.periods],
        "notes": list(result.notes),
        "agreement": agreement_report(case, result.suggestions, fmt, within_days),
    }


def text_lines(record: dict[str, Any]) -> list[str]:
    """One case's record for a reader."""
    day0 = record["day0"]
    lines = [f"Case {record['case']}: "
             + day0["described"] + (f" ({day0['date']})" if day0["date"] else "")]
    if not record["suggestions"]:
        lines.append("  no suggested episode")
    for s in record["suggestions"]:
        lines.append(f"  suggested {s['kind']} {s['edges']} — {s['certainty']}")
        lines.append(f"    criteria: {', '.join(s['criteria_names'])}")
        lines += [f"    evidence: {e['text']}" for e in s["evidence"]]
    for p in record["periods"]:
        lines.append(f"  {p['name']}: {p['text']}")
    lines += [f"  note: {n}" for n in record["notes"]]
    a = record["agreement"]
    lines.append("  " + counts_text(len(a["matched"]), len(a["missed"]), len(a["extra"]),
                                    a["within_days"]))
    for m in a["matched"]:
        lines.append(f"    matched: {m['episode']['kind']} {m['episode']['edges']} ~ suggested "
                     f"{m['kind']} {m['suggestion']} (onset {signed_days(m['onset_difference_days'])})")
    lines += [f"    missed: {e['kind']} {e['edges']}" for e in a["missed"]]
    lines += [f"    extra: suggested {x['kind']} {x['suggestion']}" for x in a["extra"]]
    for key, n in a["per_criterion"].items():
        if n["role"] == DOES_NOT_APPLY or n["suggested"] or n.get("missed"):
            lines.append(f"    {BY_KEY[key].name}: {criterion_counts_text(n)}")
    return lines


def criterion_counts_text(n: dict[str, Any]) -> str:
    """One criterion's agreement: counts for one that sets edges; the suggestions it
    supports for one that never sets them (it cannot miss an episode); why not for one
    that does not apply. The onset difference of its matched suggestions follows."""
    if n["role"] == DOES_NOT_APPLY:
        return f"does not apply ({n['why']})"
    if n["role"] == SUPPORTS:
        text = (f"supports {n['suggested']} suggestion{'s' if n['suggested'] != 1 else ''}"
                f", {n['matched']} of them matched (supports only: it never sets an "
                "episode, so it misses none)")
    else:
        text = (f"{n['suggested']} suggested, {n['matched']} matched, {n['missed']} missed, "
                f"{n['extra']} extra")
    if n["onset_days"]:
        text += f"; onset {onset_text(n['onset_days'])}"
    return text


def onset_text(days: list[int]) -> str:
    """The onset differences of a criterion's matched suggestions: "4 days later"; for
    several that differ, their median and range ("median 2 days later, 3 days earlier to 5 days
    later")."""
    if not days:
        return "–"
    if min(days) == max(days):
        return signed_days(days[0])
    middle = round(statistics.median(days))
    return (f"median {signed_days(middle)}, {signed_days(min(days))} to "
            f"{signed_days(max(days))}")


# The agreement per criterion as a table: the case PDF prints it, the Suggestions dock
# shows it; "–" where a count cannot be (a supporting criterion misses nothing).
PER_CRITERION_COLUMNS = ("Criterion", "Role", "Suggested", "Matched", "Missed", "Extra",
                         "Onset difference")


def per_criterion_rows(report: dict[str, Any]) -> list[tuple[str, ...]]:
    """One row per criterion of an ``agreement_report``, in PER_CRITERION_COLUMNS."""
    rows = []
    for key, n in report["per_criterion"].items():
        counts = (str(n[x]) if x in n else "–" for x in ("suggested", "matched", "missed",
                                                          "extra"))
        rows.append((BY_KEY[key].name, criterion_role(n), *counts,
                     onset_text(n.get("onset_days", []))))
    return rows


def criterion_role(n: dict[str, Any]) -> str:
    if n["role"] == DOES_NOT_APPLY:
        return f"does not apply: {n['why']}"
    return "supports only" if n["role"] == SUPPORTS else "sets episode edges"


def signed_days(n: int) -> str:
    """"same day", "4 days later", "1 day earlier": a suggested onset against the
    reviewer's."""
    if n == 0:
        return "same day"
    return f"{abs(n)} day{'s' if abs(n) != 1 else ''} {'later' if n > 0 else 'earlier'}"


def criteria_lines(settings: CriteriaSettings) -> list[str]:
    lines = ["Criteria:"]
    for c in criteria_record(settings):
        lines.append(f"  {c['name']} ({c['role']}): {c['statement']}. {c['citation']}.")
    return lines

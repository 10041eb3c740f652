"""How far the suggested episodes agree with the reviewer's: matched, missed and extra,
with the onset difference in days, overall and per criterion.

A suggestion matches a reviewer episode of kind relapse or flare whose onset lies within
``within_days`` of its own; each is used once, closest onsets first. The same matching
scores the demo cohort's known relapse onsets (benchmarks/bench_suggest.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from data.alignment import DAY
from data.relapse_criteria import CRITERIA, Suggestion

MATCH_DAYS = 14  # onsets this close (either way) are the same episode
COMPARED_KINDS = ("relapse", "flare")


@dataclass(frozen=True)
class Pair:
    suggestion: Suggestion
    episode: dict  # the reviewer's episode: onset, end, kind (and id when stored)

    @property
    def onset_days(self) -> int:
        """Suggested onset minus the reviewer's, in whole days (negative: earlier)."""
        return round((self.suggestion.onset - float(self.episode["onset"])) / DAY)


@dataclass
class Agreement:
    matched: list[Pair] = field(default_factory=list)
    missed: list[dict] = field(default_factory=list)
    extra: list[Suggestion] = field(default_factory=list)
    per_criterion: dict[str, dict[str, int | str]] = field(default_factory=dict)

    @property
    def onset_errors(self) -> list[int]:
        return [abs(p.onset_days) for p in self.matched]


def match(suggestions: list[Suggestion], episodes: list[dict], *,
          within_days: int = MATCH_DAYS) -> tuple[list[Pair], list[dict], list[Suggestion]]:
    """One-to-one, closest onsets first: (pairs, episodes unmatched, suggestions unmatched)."""
    candidates = sorted(
        ((abs(s.onset - float(e["onset"])), i, j) for i, s in enumerate(suggestions)
         for j, e in enumerate(episodes)
         if abs(s.onset - float(e["onset"])) <= within_days * DAY),
        key=lambda c: c[0])
    used_s: set[int] = set()
    used_e: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i in used_s or j in used_e:
            continue
        used_s.add(i)
        used_e.add(j)
        pairs.append(Pair(suggestions[i], episodes[j]))
    pairs.sort(key=lambda p: float(p.episode["onset"]))
    missed = [e for j, e in enumerate(episodes) if j not in used_e]
    extra = [s for i, s in enumerate(suggestions) if i not in used_s]
    return pairs, missed, extra


def reviewer_episodes(episodes) -> list[dict]:
    """The reviewer's relapses and flares from a case's episode frame: accepted ones only
    (a rejected suggestion is no episode)."""
    if episodes is None or len(episodes) == 0:
        return []
    rows = episodes.to_dict("records")
    return [r for r in rows if r.get("kind") in COMPARED_KINDS
            and (r.get("status") or "accepted") == "accepted"]


# A criterion's part in the agreement: only one that sets edges can miss an episode.
SETS_EDGES, SUPPORTS, DOES_NOT_APPLY = "sets edges", "supports", "does not apply"


def agreement(suggestions: list[Suggestion], episodes: list[dict], *,
              within_days: int = MATCH_DAYS,
              not_applicable: dict[str, str] | None = None) -> Agreement:
    """Overall and per criterion (with each matched onset's difference in days, signed).
    A supporting criterion (diary, SAA, cytokines) never
    places an episode, so it cannot miss one: it counts the suggestions it supports. One
    that cannot apply to the case (``not_applicable``: key -> why) says why, no counts
    (an untreated patient's cytokine signal read '3 missed')."""
    pairs, missed, extra = match(suggestions, episodes, within_days=within_days)
    out = Agreement(pairs, missed, extra)
    for c in CRITERIA:
        why = (not_applicable or {}).get(c.key)
        if why is not None:
            out.per_criterion[c.key] = {"role": DOES_NOT_APPLY, "why": why}
            continue
        meeting = [s for s in suggestions if c.key in s.criteria]
        p, m, x = match(meeting, episodes, within_days=within_days)
        n = {"role": SETS_EDGES if c.sets_edges else SUPPORTS, "suggested": len(meeting),
             "matched": len(p), "missed": len(m), "extra": len(x),
             "onset_days": [pair.onset_days for pair in p]}
        if not c.sets_edges:
            del n["missed"]
        out.per_criterion[c.key] = n
    return out

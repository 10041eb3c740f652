"""The rows of a drug file as they are checked, for dosing periods (data/importing/dosing.py)
and administrations (data/importing/administrations.py): the columns found, the patient of
each row, and the drug, dose and route every such file has. Each rule names the row,
column and value of every row it refuses, once."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from data.importing.context import Options, locate_fields, patient_column
from data.importing.errors import Problems
from data.importing.long_format import distinct
from data.importing.readers import Table
from data.importing.safe_text import text_problem
from data.importing.synonyms import key
from data.importing.units import tidy
from data.importing.values import parse_numbers
from data.numbers import fmt_number

ROUTES = {
    "sc": "subcutaneous", "subcutaneous": "subcutaneous", "souscutanee": "subcutaneous",
    "sq": "subcutaneous", "po": "oral", "oral": "oral", "orale": "oral", "peros": "oral",
    "os": "oral", "iv": "intravenous", "intravenous": "intravenous",
    "intraveineuse": "intravenous", "ivd": "intravenous", "im": "intramuscular",
    "intramuscular": "intramuscular", "intramusculaire": "intramuscular",
    "topical": "topical", "locale": "topical", "cutanee": "topical", "rectal": "rectal",
    "rectale": "rectal", "inhaled": "inhaled", "inhalee": "inhaled",
}
ROUTES_ACCEPTED = "subcutaneous (SC), oral (PO), intravenous (IV), intramuscular (IM), " \
    "topical, rectal, inhaled"


class DrugRows:
    """A drug file's columns and rows; ``bad`` marks the rows refused so far."""

    def __init__(self, table: Table, options: Options, problems: Problems, *,
                 allowed: set[str], needed: tuple[str, ...], kind: str) -> None:
        fields, others = locate_fields(table, allowed, problems, options.mapping_keys())
        listed = ", ".join(sorted(allowed, key=_COLUMN_ORDER.index))
        for i in others:
            problems.add(1, table.header[i], None, f"a column {kind} does not have ({listed}); "
                         "map it to '-' to leave it out")
        for field in needed:
            if field not in fields:
                problems.add(None, None, None, f"no {field} column")
        problems.raise_if_any()
        self.table, self.problems, self.fields = table, problems, fields
        self.rows = table.data.index.to_numpy()
        self.n = len(self.rows)
        self.col = {f: table.column(i) for f, i in fields.items()}
        self.name = {f: table.header[i] for f, i in fields.items()}
        self.patients = patient_column(table, fields, options, problems)
        self.bad = self.patients == ""

    def rule(self, mask: np.ndarray, field: str, reason: str | np.ndarray) -> None:
        """Refuse the rows of mask not refused yet, with reason, in field's column."""
        mask = mask & ~self.bad
        self.problems.add_rows(self.rows, self.name.get(field), self.col.get(field), reason,
                               mask)
        self.bad |= mask

    def drugs(self, name_of: Callable[[str], str]) -> np.ndarray:
        ids, drugs = distinct(self.col["drug"])
        drug = np.array([name_of(d) for d in drugs], dtype=object)[ids]
        self.rule(drug == "", "drug", "no drug")
        unsafe = np.array([text_problem(d.strip(" ")) or "" for d in drugs], dtype=object)[ids]
        self.rule(unsafe != "", "drug", unsafe)
        return drug

    def doses(self, conversion: Callable[[str], tuple[str, float] | None], accepted: str,
              limits: dict[str, float], what: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(dose in the stored unit, that unit, the file's unit where converted); a dose
        above limits[unit] is not a plausible ``what``."""
        numbers = parse_numbers(self.col["dose"], self.table.decimal_comma)
        self.rule(numbers.reason != "", "dose", numbers.reason)
        self.rule(numbers.missing, "dose", "no dose")
        self.rule((numbers.censor != None) | numbers.word | (numbers.value < 0),  # noqa: E711
                  "dose", "a dose is a number of 0 or more")
        unit = np.full(self.n, "mg", dtype=object)
        from_unit = np.full(self.n, None, dtype=object)  # the file's unit of a converted dose
        dose = numbers.value
        if "unit" in self.fields:
            uids, units = distinct(self.col["unit"])
            conv = [conversion(u) for u in units]
            self.rule(np.array([c is None for c in conv], dtype=bool)[uids], "unit",
                      f"unknown dose unit (accepted: {accepted})")
            unit = np.array([c[0] if c else "" for c in conv], dtype=object)[uids]
            factor = np.array([c[1] if c else 1.0 for c in conv])[uids]
            with np.errstate(over="ignore", invalid="ignore"):
                dose = np.where(factor != 1.0, tidy(dose * factor), dose)
            from_unit = np.where(factor != 1.0, np.asarray(units, dtype=object)[uids], None)
        limit = np.array([limits.get(u, 0.0) for u in unit], dtype=float)
        self.rule(~(dose <= limit) & ~np.isnan(dose), "dose",
                  np.array([f"not a plausible {what} (at most {fmt_number(limits.get(u, 0.0))} "
                            f"{u} once converted)" for u in unit], dtype=object))
        return dose, unit, from_unit

    def routes(self) -> np.ndarray:
        route = np.full(self.n, None, dtype=object)
        if "route" in self.fields:
            rids, routes = distinct(self.col["route"])
            known = [ROUTES.get(key(r)) if r else None for r in routes]
            self.rule(np.array([bool(r) and k is None for r, k in zip(routes, known, strict=True)],
                               dtype=bool)[rids],
                      "route", f"unknown route (accepted: {ROUTES_ACCEPTED})")
            route = np.array(known, dtype=object)[rids]
        return route


# How a refusal lists a file's columns: in the order the documentation gives them.
_COLUMN_ORDER = ["patient", "date", "time", "drug", "dose", "unit", "start", "end", "route",
                 "comment"]

"""Patient details as a reviewer reads and writes them: sex, birth year, diagnosis, genotype.

Plain rules with no database: what a value may be (``check_*``), how a stored value is
shown (``sex_text``, ``header_parts``). A patient created by a lab import has none of
these fields; every view shows that through ``data.numbers.shown``.
"""

from __future__ import annotations

from data.numbers import is_missing, shown

SEX_TEXT = {"F": "female", "M": "male", "X": "unknown or other"}


def sex_text(sex: object) -> str:
    """'female', 'male', 'unknown or other', or the dash when not recorded."""
    return SEX_TEXT.get(shown(sex, ""), shown(sex))


NO_DIAGNOSIS = "no diagnosis recorded"


def header_parts(patient: dict) -> list[tuple[str, str]]:
    """(field, text) for the one-line case header: the diagnosis (or that there is none),
    then the genotype, sex and birth year that are recorded.

    Never an identifying field (name, birth date, record number): those stay in the
    identity table and the PDF's non-de-identified header.
    """
    parts = [("diagnosis", shown(patient.get("diagnosis"), NO_DIAGNOSIS))]
    if not is_missing(patient.get("genotype")):
        parts.append(("genotype", str(patient["genotype"])))
    about = []
    if not is_missing(patient.get("sex")):
        about.append(sex_text(patient["sex"]))
    if not is_missing(patient.get("birth_year")):
        about.append(f"born {int(patient['birth_year'])}")
    if about:
        parts.append(("person", ", ".join(about)))
    return parts

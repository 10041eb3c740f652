"""Patient details as a reviewer reads and writes them: sex, birth year, diagnosis, genotype,
the identifying fields kept apart (name, birth date, record number), body weight.

Plain rules with no database: what a value may be (``clean_*``, each raising
PatientValueError with a one-line reason), whether a pseudonym gives the patient away
(``identifying_parts``), how a stored value is shown (``sex_text``, ``header_parts``).
A patient created by a lab import has none of these fields; every view shows that
through ``data.numbers.shown``. ``save_details`` checks a change and writes it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from typing import Any

from sqlalchemy import Engine

from data.numbers import is_missing, shown

SEX_TEXT = {"F": "female", "M": "male", "X": "unknown or other"}
# What files and typists write for each stored letter (compared case-insensitively).
_SEX_WORDS = {
    "F": ("f", "female", "femme", "féminin", "feminin", "w", "woman", "girl"),
    "M": ("m", "male", "homme", "masculin", "man", "boy", "h"),
    "X": ("x", "u", "unknown", "other", "inconnu", "autre", "?", "unk"),
}
SEX_ACCEPTED = "F, M or X (unknown/other)"
FIRST_BIRTH_YEAR = 1900
MAX_ONSET_AGE = 120
# Column widths in db/models.py: a longer text would be cut by PostgreSQL.
MAX_LENGTH = {"pseudonym": 64, "diagnosis": 120, "genotype": 200, "name": 200,
              "record_number": 64}
DETAILS = ("diagnosis", "sex", "birth_year", "onset_age", "genotype")
IDENTITY = ("name", "birth_date", "record_number")
EDITABLE = ("pseudonym", *DETAILS, *IDENTITY, "weights")
# Audit values a de-identified export names without printing: earlier identities and
# pseudonyms (also in the lists an import records), and the file a change came from.
IDENTIFYING_KEYS = ("pseudonym", *IDENTITY, "file", "patients_created", "patients_updated")
NO_DIAGNOSIS = "no diagnosis recorded"


class PatientValueError(ValueError):
    """A value a patient field cannot hold; the message is one line for the user."""


# -- values ----------------------------------------------------------------------------
def clean_text(field: str, value: object) -> str | None:
    """Stripped text, None when empty; too long for its column is an error."""
    if is_missing(value):
        return None
    # Here, not at the top: data.importing's package imports pandas, and the case
    # header imports this module before the window's first paint.
    from data.importing.safe_text import printable, text_problem

    text = " ".join(str(value).split())  # tabs and line breaks become spaces
    reason = text_problem(text)
    if reason:  # a terminal escape, a direction override or a formula, echoed by every view
        raise PatientValueError(f"{field} {reason}: {printable(text)}")
    limit = MAX_LENGTH.get(field)
    if limit and len(text) > limit:
        raise PatientValueError(f"{field} is longer than {limit} characters")
    return text


def clean_sex(value: object) -> str | None:
    if is_missing(value):
        return None
    word = str(value).strip().casefold()
    for letter, words in _SEX_WORDS.items():
        if word in words:
            return letter
    raise PatientValueError(f"unknown sex {str(value).strip()!r}: write {SEX_ACCEPTED}")


def _number_in(value: object, *, what: str, write: str, lo: float, hi: float,
               whole: bool = False) -> float | None:
    """A typed number within [lo, hi]: '3,5' as written in French, refused in one line."""
    if is_missing(value):
        return None
    from data.importing.values import parse_number

    text = str(value).strip()
    try:
        number = parse_number(text)
    except ValueError:
        raise PatientValueError(f"{what} {text!r} is not {write}") from None
    if (whole and not number.is_integer()) or not lo <= number <= hi:
        raise PatientValueError(f"implausible {what} {text} (accepted {lo:g}–{hi:g}"
                                f"{'' if whole else ' years'})")
    return number


def clean_birth_year(value: object, *, today: dt.date | None = None) -> int | None:
    last = (today or dt.date.today()).year
    number = _number_in(value, what="birth year", write="a year (write e.g. 1990)",
                        lo=FIRST_BIRTH_YEAR, hi=last, whole=True)
    return None if number is None else int(number)


def clean_onset_age(value: object) -> float | None:
    """Years, as the clinic writes it: '4', '0.5' (six months), '3,5'."""
    number = _number_in(value, what="age at onset",
                        write="a number of years (write e.g. 4 or 0.5)", lo=0, hi=MAX_ONSET_AGE)
    return None if number is None else float(number)


def age_text(years: object) -> str:
    """'4 years', '1 year', '0.5 years'; a dash when not recorded."""
    from data.numbers import DASH, fmt_number

    if is_missing(years):
        return DASH
    return f"{fmt_number(float(years))} year{'' if float(years) == 1 else 's'}"


def clean_date(value: object, *, what: str = "date",
               today: dt.date | None = None) -> dt.date | None:
    """A past date written as in measurement files (ISO or day-first)."""
    moment = clean_moment(value, what=what, today=today)
    return None if moment is None else moment.date()


def clean_moment(value: object, *, what: str = "date",
                 today: dt.date | None = None) -> dt.datetime | None:
    """A past date, with the time of day written after it if any (UTC, as in measurement
    files: a weighing at 20:00 is not the one at 08:00)."""
    if is_missing(value):
        return None
    if isinstance(value, dt.datetime):
        moment = value.replace(tzinfo=None)
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    else:
        import pandas as pd

        from data.importing.dates import parse_dates

        parsed = parse_dates(pd.Series([str(value).strip()]))
        if parsed.bad[0]:
            raise PatientValueError(f"{what} {str(value).strip()!r}: {parsed.reason[0]}")
        moment = dt.datetime.fromtimestamp(int(parsed.t[0]), dt.UTC).replace(tzinfo=None)
    _check_past(moment.date(), what=what, today=today)
    return moment


def _check_past(day: dt.date, *, what: str, today: dt.date | None) -> None:
    if day > (today or dt.date.today()):
        raise PatientValueError(f"implausible {what} {day.isoformat()} (in the future)")
    if day.year < FIRST_BIRTH_YEAR:
        raise PatientValueError(f"implausible {what} {day.isoformat()} (before "
                                f"{FIRST_BIRTH_YEAR})")


def clean_weight(value: object) -> float | None:
    """Body weight in kg, within WEIGHT's plausible range (``data.codes.PLAUSIBLE``, the one
    a measurement file is checked against)."""
    from data.codes import PLAUSIBLE, is_plausible
    from data.importing.values import parse_number
    from data.numbers import fmt_number

    if is_missing(value):
        return None
    if isinstance(value, bool):  # a spreadsheet's TRUE is not 1 kg
        raise PatientValueError(f"weight {value}: a yes/no answer, not a weight in kg")
    text = str(value).strip()
    try:
        kg = parse_number(text, what="weight")
    except ValueError as exc:
        raise PatientValueError(f"{exc} (kg)") from None
    if not is_plausible("WEIGHT", kg):
        low, high = PLAUSIBLE["WEIGHT"]
        raise PatientValueError(f"implausible weight {text.replace(',', '.')} kg (accepted {fmt_number(low)}–"
                                f"{fmt_number(high)} kg)")
    return kg


def weight_key_of(when: object, *, today: dt.date | None = None) -> str:
    """The weight key (db.patients.weight_key) of a date as typed: '2026-02-03', or
    '2026-02-03T20:00' when a time is written (kept, never dropped)."""
    from db.patients import weight_key

    moment = clean_moment(when, what="weight date", today=today)
    return weight_key(calendar.timegm(moment.timetuple()))


def clean_weights(changes: object, *, today: dt.date | None = None) -> dict[str, float | None]:
    """A weight history change as stored: {key: kg} adds or corrects the weighing of that
    date (and time, when written), {key: None} removes it. Dates and weights as typed are
    accepted; ``resolved_weights`` then finds the stored weighing a bare date means."""
    if not isinstance(changes, dict):
        raise PatientValueError("weights: expected dates with their weights")
    out: dict[str, float | None] = {}
    for when, kg in changes.items():
        if is_missing(when):
            raise PatientValueError("a weight needs its date")
        day = weight_key_of(when, today=today)
        if day in out:
            raise PatientValueError(f"two changes of the weight on {day}")
        if kg is None:
            out[day] = None
        else:
            weight = clean_weight(kg)
            if weight is None:
                raise PatientValueError(f"no weight given for {day}")
            out[day] = weight
    return out


def weight_text(kg: float) -> str:
    """A stored weight as the weight table shows it: every digit kept (61.5, 22.5, 20), so
    reading it back gives the same number and an untouched row is no change."""
    return repr(float(kg)).removesuffix(".0")


def weight_edits(stored: dict[str, float], rows: list[tuple[object, object]], *,
                 today: dt.date | None = None) -> dict[str, float | None]:
    """What a weight table changes against ``stored`` ({ISO date: kg}): added or corrected
    weights by date, None for a removed one; {} when nothing changed.

    ``rows`` are (date, kg) as typed, in table order; every bad row is named at once
    ("weight row 2: …") and nothing is returned then.
    """
    typed: dict[str, float] = {}
    first: dict[str, int] = {}
    errors = []
    for n, (when, kg) in enumerate(rows, 1):
        try:
            if is_missing(when):
                raise PatientValueError("a weight needs its date")
            day = weight_key_of(when, today=today)
            weight = clean_weight(kg)
            if weight is None:
                raise PatientValueError(f"no weight for {day}: type it in kg or remove the row")
        except PatientValueError as exc:
            errors.append(f"weight row {n}: {exc}")
            continue
        # Two weighings of one day each carry their time; a bare date beside another row
        # of that day is a second weight for the date.
        clash = day if day in first else next(
            (k for k in first if k[:10] == day[:10] and ("T" not in k or "T" not in day)), None)
        if clash is not None:
            errors.append(f"weight row {n}: a second weight on {day[:10]} (row {first[clash]}); "
                          "one weight per date (give each weighing of a day its time, "
                          "e.g. 08:00)")
            continue
        first[day], typed[day] = n, weight
    if errors:
        raise PatientValueError("; ".join(errors))
    return {day: typed.get(day) for day in sorted(stored.keys() | typed.keys())
            if stored.get(day) != typed.get(day)}


def clean(field: str, value: object) -> Any:
    """The stored form of one editable field; raises PatientValueError."""
    if field == "sex":
        return clean_sex(value)
    if field == "birth_year":
        return clean_birth_year(value)
    if field == "birth_date":
        return clean_date(value, what="birth date")
    if field == "onset_age":
        return clean_onset_age(value)
    if field == "pseudonym":
        return clean_pseudonym(value)
    if field == "weights":
        return clean_weights(value)
    if field not in EDITABLE:
        raise PatientValueError(f"{field} is not a patient detail")
    return clean_text(field, value)


def clean_pseudonym(value: object) -> str | None:
    """Normalised as a measurement import does it (NFKC, one kind of dash), so the same
    case is found whichever file named it; refused as the importer refuses it (control
    characters, a leading '=', more than 64 characters)."""
    from data.importing.safe_text import normal_pseudonym, pseudonym_problem

    if is_missing(value):
        return None
    text = normal_pseudonym(str(value))
    reason = pseudonym_problem(text)
    if reason:
        raise PatientValueError(reason)
    return text


def check_consistent(values: dict[str, Any]) -> None:
    """Rules across fields: a pseudonym is required, a birth date agrees with the year."""
    if "pseudonym" in values and not values["pseudonym"]:
        raise PatientValueError("a case needs a pseudonym")
    born, year = values.get("birth_date"), values.get("birth_year")
    if born is not None and year is not None and born.year != year:
        raise PatientValueError(f"birth date {born.isoformat()} is not in birth year {year}")


def with_birth_year(current: dict[str, Any], cleaned: dict[str, Any]) -> dict[str, Any]:
    """``cleaned`` with the birth year a new birth date gives, when neither the change nor
    the stored row has one (a stored year is kept, and checked against the date)."""
    born = cleaned.get("birth_date")
    if born is not None and cleaned.get("birth_year") is None \
            and current.get("birth_year") is None:
        return {**cleaned, "birth_year": born.year}
    return cleaned


def birth_problems(values: dict[str, Any], *, changed: set[str], first_record: float | None,
                   new_weights: list[str], today: dt.date | None = None
                   ) -> list[tuple[str, str, str]]:
    """(field, value, reason) for dates a patient cannot have: a weighing before birth, a birth
    after the case's first record, an onset after today. One rule for `patients set`, the
    dialog and a patient file; the birth is checked against the record, and the onset
    against today, only when what they rest on changes."""
    born, year = values.get("birth_date"), values.get("birth_year")
    if born is None and year is None:
        return []
    earliest = born or dt.date(int(year), 1, 1)
    birth = f"born {born.isoformat()}" if born is not None else f"born {year}"
    out = [("weight_date", key, f"weight date {key} is before the patient's birth ({birth})")
           for key in new_weights if key[:10] < earliest.isoformat()]
    if first_record is not None and changed & {"birth_date", "birth_year"}:
        first = dt.datetime.fromtimestamp(int(first_record), dt.UTC).date()
        if born is not None and born > first:
            out.append(("birth_date", born.isoformat(), f"birth date {born.isoformat()} is "
                         f"after the case's first record ({first.isoformat()})"))
        elif born is None and int(year) > first.year:
            out.append(("birth_year", str(year), f"birth year {year} is after the case's "
                         f"first record ({first.isoformat()})"))
    onset = values.get("onset_age")
    if not is_missing(onset) and changed & {"onset_age", "birth_date", "birth_year"}:
        # Born on 1 January at the earliest (a year only): an onset later than today even
        # then cannot have happened yet.
        onset_day = earliest + dt.timedelta(days=365.25 * float(onset))
        if onset_day > (today or dt.date.today()):
            out.append(("onset_age", f"{float(onset):g}",
                        f"age at onset {age_text(onset)} with {birth} puts the onset in "
                        f"{onset_day.year}, after today"))
    return out


# -- a pseudonym that gives the patient away ---------------------------------------------
_MONTH_WORDS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june"
    "|july|august|september|october|november|december|janv|fevr|fev|mars|avr|avril|mai|juin"
    "|juil|juillet|aout|septembre|octobre|novembre|decembre|janvier|fevrier")
_DAY, _MONTH = r"(?:0?[1-9]|[12]\d|3[01])", r"(?:0?[1-9]|1[0-2])"
_DAY2, _MONTH2 = r"(?:0[1-9]|[12]\d|3[01])", r"(?:0[1-9]|1[0-2])"
_YEAR = r"(?:19|20)\d\d"
_DATE_LIKE = re.compile(
    rf"(?<!\d)(?:{_YEAR}(?P<s1>[-/._ ]){_MONTH}(?P=s1){_DAY}"  # 1975-11-02
    rf"|{_DAY}(?P<s2>[-/._ ]){_MONTH}(?P=s2)(?:{_YEAR}|\d\d)"  # 02/11/1975, 02.11.75
    rf"|{_YEAR}{_MONTH2}{_DAY2}|{_DAY2}{_MONTH2}{_YEAR}"  # 19751102, 02111975
    rf"|{_DAY2}{_MONTH2}\d\d|\d\d{_MONTH2}{_DAY2})(?!\d)"  # 021175, 751102
    rf"|(?<![a-z])(?:{_MONTH_WORDS})[-/._ ]?(?:\d{{1,2}}[-/._ ,]+)?(?:{_YEAR}|\d\d)(?!\d)"
    rf"|(?<!\d){_DAY}[-/._ ]?(?:{_MONTH_WORDS})(?![a-z])",  # 2nov, 02-nov-75
)


def _folded(text: str) -> str:
    """Lower case without accents, for comparing a pseudonym with a name."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def identifying_parts(pseudonym: str, *, name: object = None, record_number: object = None,
                      birth_date: object = None) -> list[str]:
    """Why the pseudonym is not a pseudonym: the parts of it that identify the patient.

    A name part counts when it stands as a word of the pseudonym, or anywhere in it
    once four letters or longer ("DUPONTJ"); the record number when its letters and
    digits (or a run of four or more of its digits) appear; any date-like string, the
    birth date included, in the usual numeric forms and with month names.
    """
    p = _folded(pseudonym)
    words = set(re.findall(r"[^\W_]+", p))
    found = []
    if not is_missing(name):
        for part in re.findall(r"[^\W\d_]+", _folded(str(name))):
            if len(part) >= 2 and (part in words or (len(part) >= 4 and part in p)):
                found.append(f"the name part {part!r}")
    if not is_missing(record_number):
        record = re.sub(r"[\W_]", "", _folded(str(record_number)))
        flat = re.sub(r"[\W_]", "", p)
        digits = re.findall(r"\d{4,}", record)
        if (len(record) >= 3 and record in flat) or any(d in re.sub(r"\D", "", p)
                                                        for d in digits):
            found.append("the record number")
    date = _DATE_LIKE.search(p)
    if date:
        found.append(f"a date ({date.group(0)!r})")
    elif not is_missing(birth_date):
        born = birth_date if isinstance(birth_date, dt.date) else None
        if born is not None and any(f in re.sub(r"\D", "", p) for f in
                                    (born.strftime("%Y%m%d"), born.strftime("%d%m%Y"),
                                     born.strftime("%d%m%y"), born.strftime("%y%m%d"))):
            found.append("the birth date")
    return found


def pseudonym_refusal(pseudonym: str, **identity: object) -> str | None:
    """The one-line reason to refuse this pseudonym, or None when it is fine."""
    parts = identifying_parts(pseudonym, **identity)
    if not parts:
        return None
    return (f"pseudonym {pseudonym!r} contains {' and '.join(parts)}: a pseudonym must not "
            "identify the patient; choose a code such as a study number")


# -- display ---------------------------------------------------------------------------
def sex_text(sex: object) -> str:
    """'female', 'male', 'unknown or other', or the dash when not recorded."""
    return SEX_TEXT.get(shown(sex, ""), shown(sex))


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


# -- writing ---------------------------------------------------------------------------
def save_details(engine: Engine, patient_id: int, version: int, *, actor: str,
                 step: str | None = None, **changes: object) -> dict[str, Any]:
    """Check the changed fields and write them with their audit row; returns the new row.

    Raises PatientValueError for a bad value or an identifying pseudonym, and
    db.patients.StalePatientError when someone else saved first.
    """
    from db.patients import get_patient, update_patient

    cleaned, errors = {}, []
    for field, value in changes.items():
        try:
            cleaned[field] = clean(field, value)
        except PatientValueError as exc:
            errors.append(str(exc))
    if errors:
        raise PatientValueError("; ".join(errors))
    current = get_patient(engine, patient_id)
    if "weights" in cleaned:
        cleaned["weights"] = _weight_changes(current, cleaned["weights"])
    cleaned = with_birth_year(current, cleaned)
    merged = {**current, **cleaned}
    check_consistent(merged)
    new_weights = [k for k, kg in (cleaned.get("weights") or {}).items() if kg is not None]
    if new_weights or cleaned.keys() & {"birth_date", "birth_year", "onset_age"}:
        from db.patients import first_records

        problems = birth_problems(merged, changed=set(cleaned), new_weights=new_weights,
                                  first_record=first_records(engine, [patient_id]).get(
                                      patient_id))
        if problems:
            raise PatientValueError("; ".join(reason for _, _, reason in problems))
    # An unrelated edit of a case flagged earlier goes through; a change to the
    # pseudonym or the identity must not leave (or make) the pseudonym identifying.
    if set(cleaned) & {"pseudonym", *IDENTITY}:
        refusal = pseudonym_refusal(merged["pseudonym"], name=merged.get("name"),
                                    record_number=merged.get("record_number"),
                                    birth_date=merged.get("birth_date"))
        if refusal:
            raise PatientValueError(refusal)
    return update_patient(engine, patient_id, version, actor=actor, step=step, **cleaned)


def resolved_weights(stored: dict[str, float], weights: dict[str, float | None]
                     ) -> dict[str, float | None]:
    """``weights`` with a bare date that means a stored weighing of that day at another
    time keyed as that weighing (a correction keeps its time). A bare date of a day that
    holds several weighings is refused with them named: one of them is meant, not both."""
    out: dict[str, float | None] = {}
    for key, kg in weights.items():
        same_day = [k for k in stored if k != key and k[:10] == key and "T" in k]
        if key in stored or not same_day or any(k in weights for k in same_day):
            out[key] = kg  # an exact key, a new day, or the change names the day's rows
        elif len(same_day) == 1:
            out[same_day[0]] = kg
        else:
            from data.numbers import fmt_number

            listed = ", ".join(f"{k[11:]} {fmt_number(stored[k])} kg" for k in same_day)
            raise PatientValueError(
                f"{key} holds {len(same_day)} weighings ({listed}): name the one to "
                f"{'remove' if kg is None else 'correct'} by its time, e.g. {same_day[0]}")
    return out


def _weight_changes(current: dict[str, Any], weights: dict[str, float | None]
                    ) -> dict[str, float | None]:
    """The weights that change what is stored; removing a weight never recorded is refused."""
    stored = current.get("weights") or {}
    weights = resolved_weights(stored, weights)
    absent = [day for day, kg in weights.items() if kg is None and day not in stored]
    if absent:
        raise PatientValueError(f"no weight recorded on {', '.join(absent)} to remove "
                                f"(recorded: {', '.join(stored) or 'none'})")
    return {day: kg for day, kg in weights.items() if stored.get(day) != kg}


def replaced(row: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The stored values a change replaces, to put back on undo: for weights only the
    dates it touches (None where a weight was added, so undo removes it)."""
    out = {k: row.get(k) for k in changes if k != "weights"}
    if "weights" in changes:
        stored = row.get("weights") or {}
        try:
            keys = resolved_weights(stored, clean_weights(changes["weights"]))
        except PatientValueError:  # refused again, with its reason, when the change is saved
            keys = clean_weights(changes["weights"])
        out["weights"] = {day: stored.get(day) for day in keys}
    return out


def flagged(patient: dict) -> str | None:
    """Why a stored case's pseudonym identifies its patient (cases from before the check)."""
    return pseudonym_refusal(str(patient["pseudonym"]), name=patient.get("name"),
                             record_number=patient.get("record_number"),
                             birth_date=patient.get("birth_date"))


def details_lines(patient: dict, *, identifying: bool = False) -> list[tuple[str, str]]:
    """(label, text) rows describing a patient, for `patients show` and `patients set`.

    Identifying fields are printed only when asked for; otherwise only that they exist.
    """
    from data.numbers import fmt_number

    p = patient
    lines = [("pseudonym", str(p["pseudonym"])), ("diagnosis", shown(p.get("diagnosis"))),
             ("sex", sex_text(p.get("sex"))), ("birth year", shown(p.get("birth_year"))),
             ("age at onset", age_text(p.get("onset_age"))),
             ("genotype", shown(p.get("genotype")))]
    labels = {"name": "name", "birth_date": "birth date", "record_number": "record number"}
    recorded = [f for f in IDENTITY if not is_missing(p.get(f))]
    if identifying:
        lines += [(labels[f], shown(p.get(f))) for f in IDENTITY]
    elif recorded:
        lines.append(("identifying", f"{', '.join(labels[f] for f in recorded)} recorded "
                                     "(--identifying shows them)"))
    weights = p.get("weights") or {}
    if weights:
        day, kg = list(weights.items())[-1]
        lines.append(("weights", f"{len(weights)} recorded, latest {fmt_number(kg)} kg on "
                                 f"{day}"))
        lines += [("weight", f"{day}  {fmt_number(kg)} kg") for day, kg in weights.items()]
    else:
        lines.append(("weights", "none recorded (mg/kg doses cannot be converted)"))
    lines.append(("version", str(p.get("version", 1))))
    reason = flagged(p)
    if reason:
        lines.append(("flagged", reason))
    return lines

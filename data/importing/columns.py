"""The structural columns of a file (patient, date, code, value, drug…), English or French,
and the shape they reveal: long, wide or dosing."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from data.importing.errors import Problems
from data.importing.readers import Table
from data.importing.synonyms import key

FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "patient": ("patient", "patientid", "pseudonym", "pseudonyme", "subject", "subjectid",
                "patientcode", "codepatient", "idpatient", "identifiant", "sujet", "case",
                # 'N° patient', 'Numéro de patient', 'Patient no.': a study number
                "npatient", "nopatient", "numeropatient", "numerodepatient", "patientno",
                "patientnumber", "patientnr", "nsujet", "numerosujet", "subjectno",
                "subjectnumber"),
    "date": ("date", "datetime", "timestamp", "sampledate", "samplingdate", "collectiondate",
             "dateofsampling", "datedeprelevement", "dateprelevement", "datedeprelevements",
             "datedelanalyse", "jour", "day", "dateheure", "dateetheure", "visitdate",
             "dateofvisit", "datedevisite", "datedeconsultation", "datedumesure",
             "datedemesure", "datetimeutc"),
    "time": ("time", "heure", "hour", "timeofsampling", "heuredeprelevement",
             "heureprelevement"),
    "code": ("code", "analyte", "test", "parameter", "item", "variable", "parametre",
             "analyse", "examen", "symptom", "symptome", "marker", "marqueur"),
    "value": ("value", "result", "valeur", "resultat", "resultvalue", "measurement",
              "mesure"),
    "unit": ("unit", "units", "unite", "unites"),
    "specimen": ("specimen", "context", "specimencontext", "sample", "sampletype",
                 "echantillon", "typedeprelevement", "typedechantillon", "prelevement",
                 "stimulation", "condition"),
    "censor": ("censor", "comparator", "qualifier", "censure"),
    "drug": ("drug", "medication", "medicine", "treatment", "molecule", "medicament",
             "traitement", "dci", "substance"),
    "dose": ("dose", "dailydose", "doseday", "doseperday", "dosage", "posologie",
             "dosejournaliere", "dosequotidienne"),
    "start": ("start", "startdate", "from", "begin", "debut", "datededebut", "datedebut"),
    "end": ("end", "enddate", "to", "stop", "stopdate", "fin", "datedefin", "datefin"),
    "route": ("route", "voie", "voiedadministration", "routeofadministration"),
    "comment": ("comment", "comments", "note", "notes", "remark", "remarks", "commentaire",
                "commentaires", "remarque", "remarques"),
}
_FIELD_OF = {name: field for field, names in FIELD_NAMES.items() for name in names}

# The columns each shape needs and may have; anything else in a long or dosing file is
# an error rather than silently dropped (a 'flag' column might hold the '<' of a value).
LONG_FIELDS = {"patient", "date", "time", "code", "value", "unit", "specimen", "censor",
               "comment"}
DOSING_FIELDS = {"patient", "drug", "dose", "unit", "start", "end", "route", "comment"}
ADMINISTRATION_FIELDS = {"patient", "date", "time", "drug", "dose", "unit", "route", "comment"}
WIDE_FIELDS = {"patient", "date", "time", "specimen", "comment"}


def field_of(header: str) -> str | None:
    return _FIELD_OF.get(key(header))


def shape_of(header: list[str]) -> str:
    """'administrations' with a drug and a date column (each dose given), 'dosing' with a
    drug column (periods from a start), 'long' with a code or value column, else 'wide'.

    One of the pair is enough: a long file missing its code column should be told so,
    not read as a wide file whose 'value' column nobody recognises."""
    fields = {field_of(h) for h in header}
    if "drug" in fields:
        return "administrations" if "date" in fields and "start" not in fields else "dosing"
    if fields & {"code", "value"}:
        return "long"
    return "wide"


# -- files of fixed columns (control references, patients) -------------------------------
def fixed_columns(table: Table, problems: Problems, field_of: Mapping[str, str], *,
                  normalise: Callable[[str], str], unknown: str) -> dict[str, int]:
    """field → column index. An unknown header (``unknown`` says which are known) and a
    field given twice are problems on row 1, named by their header."""
    columns: dict[str, int] = {}
    for i, name in enumerate(table.header):
        field = field_of.get(normalise(name))
        if field is None:
            problems.add(1, name, None, unknown)
        elif field in columns:
            problems.add(1, name, None, f'duplicated column: column '
                         f'"{table.header[columns[field]]}" is also the {field}')
        else:
            columns[field] = i
    return columns

"""Names people write for our codes and specimens, and the parsing of a column header.

Names are compared after ``key()``: case, accents, spaces and punctuation do not matter,
Greek letters and their spelled-out names are the same (IL-1β = IL-1 beta = IL1B).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.codes import (
    AIDAI_ITEMS,
    ANALYTES,
    CYTOKINES,
    DEVICE,
    DIARY,
    PBMC_LPS,
    PBMC_SPONTANEOUS,
    SERUM,
    SPECIMEN_LABELS,
)
from data.importing.units import is_unit

IGNORE = "-"  # a mapping target: the user chose to leave this column out

# Latin-1 has no β: exports from French and German systems often write IL-1ß.
_GREEK = {"β": "b", "ß": "b", "α": "a", "γ": "g", "κ": "k"}
_SPELLED = {"beta": "b", "alpha": "a", "gamma": "g"}


def key(name: str) -> str:
    """The comparable form of a name: 'IL-1 β (pg/mL)' and 'il1b pg ml' differ only in unit."""
    text = unicodedata.normalize("NFC", str(name)).lower()
    for greek, latin in _GREEK.items():
        text = text.replace(greek, latin)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    # Letters of every script count: dropping non-Latin ones would read 'анти-IL-6'
    # (anti-IL-6, another analyte) as IL-6.
    tokens = re.split(r"[\W_]+", text)
    return "".join(_SPELLED.get(t, t) for t in tokens if t)


_CODE_NAMES: dict[str, tuple[str, ...]] = {
    "IL1B": ("il1b", "interleukin1b", "interleukine1b"),
    "IL1RA": ("il1ra", "il1receptorantagonist", "interleukin1receptorantagonist",
              "il1rantagonist"),
    "IL6": ("il6", "interleukin6", "interleukine6"),
    "TNFA": ("tnfa", "tnf", "tumornecrosisfactora", "tumournecrosisfactora"),
    "CRP": ("crp", "creactiveprotein", "proteinecreactive", "hscrp", "crpus",
            "crpultrasensible"),
    "SAA": ("saa", "serumamyloida", "serumamyloidaprotein", "amyloideaserique",
            "proteinesaa"),
    "ESR": ("esr", "erythrocytesedimentationrate", "sedrate", "vs", "vs1h",
            "vitessedesedimentation"),
    "TEMP": ("temp", "temperature", "bodytemperature", "temperaturecorporelle"),
    "WEIGHT": ("weight", "bodyweight", "poids"),
    "PGA": ("pga", "physicianglobalassessment", "physiciansglobalassessment",
            "physicianglobal", "mdglobal", "evaluationglobaledumedecin",
            "appreciationglobaledumedecin", "egm"),
    "SX_FEVER": ("fever", "fievre"),
    "SX_OVERALL": ("overall", "overallsymptoms", "generalsymptoms", "symptomesgeneraux",
                   "etatgeneral"),
    "SX_ABDO": ("abdominalpain", "abdo", "douleurabdominale", "douleursabdominales"),
    "SX_NAUSEA": ("nausea", "vomiting", "nauseavomiting", "nausees", "vomissements",
                  "nauseesvomissements"),
    "SX_DIARRHOEA": ("diarrhoea", "diarrhea", "diarrhee"),
    "SX_HEADACHE": ("headache", "headaches", "cephalee", "cephalees", "mauxdetete"),
    "SX_CHEST": ("chestpain", "douleurthoracique", "douleursthoraciques"),
    "SX_LYMPH": ("painfullymphnodes", "lymphnodes", "lymphadenopathy", "adenopathies",
                 "adenopathiesdouloureuses"),
    "SX_ARTHRO": ("arthralgiamyalgia", "arthralgia", "myalgia", "arthralgies", "myalgies",
                  "arthralgiesmyalgies"),
    "SX_JOINT": ("jointswelling", "arthritis", "arthrite", "gonflementarticulaire",
                 "tumefactionarticulaire"),
    "SX_EYE": ("eye", "eyes", "eyemanifestations", "atteinteoculaire", "yeux",
               "conjunctivitis", "conjonctivite"),
    "SX_RASH": ("rash", "skinrash", "urticaria", "eruption", "eruptioncutanee", "urticaire"),
}


def _code_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for code, analyte in ANALYTES.items():
        table[key(code)] = code
        table[key(analyte.label)] = code
        if analyte.loinc:
            table[key(analyte.loinc)] = code
    for code, label in AIDAI_ITEMS:
        table[key(label)] = code
    for code, names in _CODE_NAMES.items():
        table.update(dict.fromkeys(names, code))
    return table


CODES: dict[str, str] = _code_table()

_SPECIMEN_NAMES: dict[str, tuple[str, ...]] = {
    PBMC_SPONTANEOUS: ("pbmcspont", "pbmcspontaneous", "spontaneous", "spont", "spontane",
                       "pbmcspontane", "unstimulated", "pbmcunstimulated", "nonstimule",
                       "pbmcnonstimulees", "basal", "basale"),
    PBMC_LPS: ("pbmclps", "lps", "lpsstimulated", "pbmclpsstimulated", "stimulelps",
               "pbmcstimuleeslps", "lpsstimule", "stimulated"),
    SERUM: ("serum",),
    DIARY: ("diary", "journal", "agenda", "carnet"),
    DEVICE: ("device", "homedevice", "appareil"),
    "": ("", "unspecified", "none", "na"),
}


def _specimen_table() -> dict[str, str]:
    table = {key(label): code for code, label in SPECIMEN_LABELS.items()}
    for code, names in _SPECIMEN_NAMES.items():
        table.update(dict.fromkeys(names, code))
    return table


SPECIMENS: dict[str, str] = _specimen_table()

# Where a file says nothing about the specimen: diary items come from the diary and
# acute-phase proteins are measured in serum; everything else stays unspecified rather
# than guessed (a cytokine may come from PBMC supernatant or serum).
DEFAULT_SPECIMEN: dict[str, str] = {code: DIARY for code, _ in AIDAI_ITEMS}
DEFAULT_SPECIMEN.update(CRP=SERUM, SAA=SERUM)
# Codes whose specimen, when the file names none, is chosen at import (--specimen, the
# wizard's specimen step): a cytokine may come from PBMC supernatant or serum.
CHOSEN_AT_IMPORT = frozenset(a.code for a in CYTOKINES)
UNSPECIFIED = "unspecified"  # how an explicit choice of no specimen is written


def import_specimen(text: str) -> str | None:
    """A specimen as given at import ('serum', 'pbmc_spont', 'unspecified'…) to its
    code ('' for unspecified); None when it is not one."""
    code = specimen_for(text)
    return code if code in (PBMC_SPONTANEOUS, PBMC_LPS, SERUM, "") and text.strip() else None


def default_specimens(codes: np.ndarray) -> np.ndarray:
    """The default specimen of each code in an array (looked up once per distinct code)."""
    inverse, uniques = pd.factorize(codes)
    return np.array([DEFAULT_SPECIMEN.get(c, "") for c in uniques], dtype=object)[inverse]


def code_for(name: str, mapping: dict[str, str] | None = None) -> str | None:
    """The code a name stands for: the user's mapping first, then the built-in table."""
    k = key(name)
    if mapping and k in mapping:
        return mapping[k]
    return CODES.get(k)


def specimen_for(name: str) -> str | None:
    k = key(name)
    if not k and name.strip() not in ("", "-", "—"):
        return None  # punctuation such as '%' names no specimen
    return SPECIMENS.get(k)


@dataclass(frozen=True)
class Header:
    """What a measurement column's header says: a name, and maybe a unit and a specimen."""

    text: str  # as written in the file
    name: str  # without unit or specimen
    unit: str  # "" when none is written
    specimen: str | None  # None when none is written
    code: str | None  # None when the name is not recognised
    bad_unit: str | None = None  # a bracketed unit that is not one we know


_BRACKETED = re.compile(r"^(?P<rest>.*?)\s*[(\[](?P<inner>[^()\[\]]*)[)\]]\s*$")
# A threshold written into a name, 'Fever ≥ 38 °C' or 'Fièvre (> 38,5°C)': its unit is
# the threshold's, not the column's.
_THRESHOLD = r"(?:[<>≤≥]=?)\s*\d+(?:[.,]\d+)?\s*(?:[^\s\d()\[\]][^\s()\[\]]*)?"
_IS_THRESHOLD = re.compile(rf"^{_THRESHOLD}$")
_ENDS_WITH_THRESHOLD = re.compile(rf"^(?P<rest>.*?\S)\s*(?P<threshold>{_THRESHOLD})\s*$")


def parse_header(text: str, mapping: dict[str, str] | None = None) -> Header:
    """Split 'IL-1β LPS (ng/mL)', 'CRP (mg/dL)' or 'IL1B pg/ml' into code, unit, specimen.

    A threshold in a name ('Fever ≥ 38 °C', the AIDAI item) only fits a yes/no diary item; on an analyte it makes a column of answers
    to 'was it above?', not of values, so such a column is not recognised.
    """
    text = text.strip()
    rest, unit, specimen, bad_unit, threshold = text, "", None, None, None
    # Bracketed groups at the end hold units or specimens: 'IL-1β (LPS) (pg/mL)'.
    while (m := _BRACKETED.match(rest)) and m.group("rest"):
        inner = m.group("inner").strip()
        if not unit and is_unit(inner):
            unit = inner
        elif specimen is None and specimen_for(inner) is not None and inner:
            specimen = specimen_for(inner)
        elif threshold is None and _IS_THRESHOLD.match(inner):
            threshold = inner
        elif not unit and bad_unit is None:
            bad_unit = inner
        else:
            break
        rest = m.group("rest")
    code = code_for(rest, mapping)
    if code is None and threshold is None and (m := _ENDS_WITH_THRESHOLD.match(rest)):
        rest, threshold = m.group("rest"), m.group("threshold")
        code = code_for(rest, mapping)
    parts = re.split(r"[\s,;]+", rest)
    if code is None:
        # An unbracketed unit after the name: 'IL1B pg/ml', 'CRP, mg/L'.
        if not unit and len(parts) > 1 and is_unit(parts[-1]):
            unit, parts = parts[-1], parts[:-1]
            rest = " ".join(parts)
        code = code_for(rest, mapping)
    if code is None and specimen is None:
        # A specimen written after the name: 'IL-1β spontané', 'IL1B PBMC LPS'.
        for n in (1, 2, 3):
            if len(parts) > n and specimen_for(" ".join(parts[-n:])) is not None:
                found = code_for(" ".join(parts[:-n]), mapping)
                if found is not None:
                    code, specimen = found, specimen_for(" ".join(parts[-n:]))
                    rest = " ".join(parts[:-n])
                    break
    if threshold is not None and code in ANALYTES and ANALYTES[code].unit != "1":
        return Header(text, text, "", None, None)
    if bad_unit is not None and code is None:
        # '(xyz)' after an unknown name is part of the name, not a unit.
        rest, bad_unit = text, None
        code = code_for(rest, mapping)
    return Header(text, rest, unit, specimen, code, bad_unit)


def mapping_key(column: str) -> str:
    """The key a user's mapping is remembered under: the header without its unit."""
    return key(parse_header(column).name)

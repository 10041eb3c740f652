"""The codes Flarescope knows: analytes, diary items, specimens, with units and labels.

Codes are our own short names; LOINC/ATC mappings sit beside them for future FHIR exchange.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Analyte:
    code: str
    label: str
    unit: str  # UCUM, the unit values are stored in
    loinc: str | None = None
    # What a reader must know to read a value (DOMAIN.md), said wherever it is listed.
    caveat: str = ""
    # The usual upper limit of normal (DOMAIN.md), in ``unit``: flags a value when the lab
    # sent no reference, rather than leaving CRP 48 mg/L unflagged.
    usual_upper: float | None = None


CYTOKINES: tuple[Analyte, ...] = (
    Analyte("IL1B", "IL-1β", "pg/mL"),
    Analyte("IL1RA", "IL-1Ra", "pg/mL",
            caveat="anakinra is recombinant IL-1Ra: on treatment most immunoassays measure "
                   "the drug too, so a raised IL-1Ra may be the drug rather than the cells' "
                   "secretion"),
    Analyte("IL6", "IL-6", "pg/mL", "26881-3"),
    Analyte("TNFA", "TNF-α", "pg/mL"),
)
MARKERS: tuple[Analyte, ...] = (
    Analyte("CRP", "CRP", "mg/L", "1988-5", usual_upper=5.0),
    Analyte("SAA", "SAA", "mg/L", usual_upper=10.0),
    Analyte("ESR", "ESR", "mm/h", "30341-2"),
)
VITALS: tuple[Analyte, ...] = (
    Analyte("TEMP", "Body temperature", "Cel", "8310-5"),
    Analyte("WEIGHT", "Body weight", "kg", "29463-7"),
)
# Physician global assessment at a visit, on the 5-point scale the canakinumab and
# CLUSTER trials used: their relapse and flare criteria need it (data/relapse_criteria.py).
PGA = "PGA"
PGA_LEVELS: tuple[str, ...] = ("absent", "minimal", "mild", "moderate", "severe")
SCORES: tuple[Analyte, ...] = (Analyte(PGA, "Physician global", "{score}"),)

# AIDAI daily diary (Piram et al. 2011): 12 yes/no items, summed over a month.
AIDAI_ITEMS: tuple[tuple[str, str], ...] = (
    ("SX_FEVER", "Fever ≥ 38 °C"),
    ("SX_OVERALL", "Overall symptoms"),
    ("SX_ABDO", "Abdominal pain"),
    ("SX_NAUSEA", "Nausea/vomiting"),
    ("SX_DIARRHOEA", "Diarrhoea"),
    ("SX_HEADACHE", "Headache"),
    ("SX_CHEST", "Chest pain"),
    ("SX_LYMPH", "Painful lymph nodes"),
    ("SX_ARTHRO", "Arthralgia/myalgia"),
    ("SX_JOINT", "Joint swelling"),
    ("SX_EYE", "Eye manifestations"),
    ("SX_RASH", "Skin rash"),
)
AIDAI_CODES: tuple[str, ...] = tuple(code for code, _ in AIDAI_ITEMS)
AIDAI_ACTIVE_THRESHOLD = 9  # monthly score ≥ 9: active disease (sens. 89 %, spec. 92 %)
FEVER_CELSIUS = 38.0

ANALYTES: dict[str, Analyte] = {a.code: a for a in (*CYTOKINES, *MARKERS, *VITALS, *SCORES)}
ANALYTES.update({code: Analyte(code, label, "1") for code, label in AIDAI_ITEMS})

# Plausible values in the stored unit, both ends included: a value outside is a wrong unit
# or a typo. The one definition for every path that takes a value (measurement and patient
# file imports, Patient details, `patients set`).
PLAUSIBLE: dict[str, tuple[float, float]] = {
    "TEMP": (30.0, 45.0), "WEIGHT": (0.3, 500.0), "ESR": (0.0, 200.0)}


def is_plausible(code: str, value: float) -> bool:
    low, high = PLAUSIBLE[code]
    return low <= value <= high


def is_pga(value: float) -> bool:
    """A physician global is one of the scale's whole steps, 0 (absent) to 4 (severe)."""
    return float(value).is_integer() and 0 <= value < len(PGA_LEVELS)


def pga_text(value: float) -> str:
    """"2 (mild)": the score with its word, as a reader of the criteria expects it."""
    return f"{int(value)} ({PGA_LEVELS[int(value)]})" if is_pga(value) else str(value)

# Specimen / context of a measurement.
PBMC_SPONTANEOUS = "pbmc-spont"
PBMC_LPS = "pbmc-lps"
SERUM = "serum"
DIARY = "diary"
DEVICE = "device"
SPECIMEN_LABELS = {
    PBMC_SPONTANEOUS: "PBMC, spontaneous",
    PBMC_LPS: "PBMC, LPS-stimulated",
    SERUM: "serum",
    DIARY: "diary",
    DEVICE: "home device",
    "": "unspecified",
}


def with_specimen(title: str, specimen: str | None) -> str:
    """A panel's title naming what was measured in: 'IL-1β fold, PBMC, LPS-stimulated'."""
    if specimen is None:
        return title
    where = SPECIMEN_LABELS.get(specimen, specimen)
    return f"{title}, {where}" if where else title

ANAKINRA = "anakinra"
DRUG_ATC = {
    ANAKINRA: "L04AC03",
    "colchicine": "M04AC01",
    "prednisone": "H02AB07",
    "ibuprofen": "M01AE01",
    "canakinumab": "L04AC08",
    "etanercept": "L04AB01",
}

# Episode kinds, severities and onset certainties live with the episode table
# (db/episodes.py): the database checks them.


def label(code: str) -> str:
    a = ANALYTES.get(code)
    return a.label if a else code


def unit(code: str) -> str:
    a = ANALYTES.get(code)
    return a.unit if a else ""

"""One diagnosis under the names hospitals write it: "CAPS", "CAPS (MWS)", "Muckle-Wells
syndrome" and "cryopyrin-associated periodic syndrome" are one disease, and "all of a
diagnosis" (the cohort view) means all of them.

Muckle-Wells syndrome, familial cold autoinflammatory syndrome (FCAS, type 1) and NOMID/
CINCA are the three phenotypes of CAPS (NLRP3); FCAS2 is NLRP12-associated disease, not
CAPS. A text names a disease when, compared without case, accents, punctuation or spacing,
it is one of its names, or its part before a comma or parenthesis is ("TRAPS, confirmed",
"CAPS (MWS)"), or the part in parenthesis is ("FCAS2 (NLRP12)" is read by its first part).
A text that names none of them ("suspected CAPS", "Schnitzler syndrome") is a diagnosis of
its own, as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Diagnosis:
    name: str  # shown: "Cryopyrin-associated periodic syndrome (CAPS)"
    names: tuple[str, ...]  # what hospitals write for it


KNOWN: tuple[Diagnosis, ...] = (
    Diagnosis("Cryopyrin-associated periodic syndrome (CAPS)", (
        "CAPS", "cryopyrin-associated periodic syndrome", "cryopyrin-associated periodic "
        "syndromes", "cryopyrin-associated autoinflammatory syndrome", "cryopyrinopathy",
        "NLRP3-associated autoinflammatory disease", "NLRP3-AID", "NLRP3",
        "Muckle-Wells syndrome", "Muckle-Wells", "MWS",
        "familial cold autoinflammatory syndrome", "familial cold autoinflammatory "
        "syndrome 1", "familial cold urticaria", "FCAS", "FCAS1",
        "neonatal-onset multisystem inflammatory disease", "NOMID", "CINCA",
        "chronic infantile neurological cutaneous and articular syndrome", "NOMID/CINCA")),
    Diagnosis("NLRP12-associated autoinflammatory disorder (NLRP12AD)", (
        "NLRP12-associated autoinflammatory disorder", "NLRP12-associated "
        "autoinflammatory disease", "NLRP12-associated periodic fever syndrome", "NLRP12AD",
        "NLRP12-AID", "NLRP12", "FCAS2", "familial cold autoinflammatory syndrome 2",
        "familial cold autoinflammatory syndrome type 2")),
    Diagnosis("TNF receptor-associated periodic syndrome (TRAPS)", (
        "TRAPS", "TNF receptor-associated periodic syndrome", "tumour necrosis factor "
        "receptor-associated periodic syndrome", "tumor necrosis factor receptor-associated "
        "periodic syndrome", "TNFRSF1A-associated periodic syndrome",
        "familial Hibernian fever")),
    Diagnosis("Mevalonate kinase deficiency (MKD, HIDS)", (
        "MKD", "mevalonate kinase deficiency", "HIDS", "hyper-IgD syndrome",
        "hyperimmunoglobulin D syndrome", "hyper IgD syndrome", "mevalonic aciduria")),
    Diagnosis("Familial Mediterranean fever (FMF)", (
        "FMF", "familial Mediterranean fever", "colchicine-resistant FMF",
        "colchicine-resistant familial Mediterranean fever", "crFMF")),
)


def _folded(text: str) -> str:
    """Lower case, no accents, punctuation as spaces, one space between words."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.casefold())
                    if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


# The disease's own name is one of its names too.
_BY_NAME = {_folded(n): d for d in KNOWN for n in (*d.names, d.name)}


def _parts(text: str) -> list[str]:
    """The whole text, its part before a comma or parenthesis, then the parenthesis'."""
    head = re.split(r"[,;(\[]", text, maxsplit=1)[0]
    inside = re.findall(r"\(([^)]*)\)", text)
    return [text, head, *inside]


def canonical(diagnosis: object) -> str | None:
    """The diagnosis as shown and grouped: a known disease's name, or the text as written
    (stripped); None when nothing is recorded."""
    if diagnosis is None or not isinstance(diagnosis, str) or not diagnosis.strip():
        return None
    for part in _parts(diagnosis):
        known = _BY_NAME.get(_folded(part))
        if known is not None:
            return known.name
    return diagnosis.strip()


def _key(diagnosis: object) -> str | None:
    name = canonical(diagnosis)
    return None if name is None else _folded(name)


def same_diagnosis(recorded: Iterable[tuple[int, object]], diagnosis: object
                   ) -> tuple[list[int], list[str]]:
    """Of (patient id, recorded diagnosis) pairs, the ids whose diagnosis is the same as
    diagnosis, and the texts they were recorded under (each once, in the order met)."""
    wanted = _key(diagnosis)
    ids: list[int] = []
    texts: list[str] = []
    if wanted is None:
        return ids, texts
    for pid, text in recorded:
        if _key(text) == wanted:
            ids.append(int(pid))
            if text.strip() not in texts:
                texts.append(text.strip())
    return ids, texts

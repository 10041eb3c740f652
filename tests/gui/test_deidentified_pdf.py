"""A de-identified PDF of a case whose name, birth date and record number are planted in
every free-text and file-name field holds none of them: page text, metadata, XMP."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from db.engine import open_database
from db.episodes import create_episode, mark_case_reviewed, update_episode
from db.models import Episode, Patient
from db.patients import get_patient, update_patient
from db.writes import insert_patient
from gui.pdf import export_case_pdf
from main import main
from tests.backend import target

NAME, BORN, RECORD = "Jean Dupont", "1975-11-02", "MRN-100587"
PSEUDONYM = f"DUPONT Jean {BORN}"
PLANTED = f"{NAME} {RECORD} {BORN}"
# Every form a reader could recognise them by.
SECRETS = ("dupont", "jean", "1975", "100587", "11-02", "02/11", "02.11", "11/02")
# The notes keep dates written as clinicians write them.
NOTE = (f"Seen by Dr Martin for {NAME} ({RECORD}): fever since 20090112, again 09-01-12, "
        "better 3/12, relapse Jan-09; born 02/11/1975.")

LAB = """date,code,value,unit,specimen
2009-01-05T09:00:00Z,IL-1β,152.5,pg/mL,PBMC spontaneous
2009-01-05T09:00:00Z,CRP,40,mg/L,serum
2009-01-12T08:00:00Z,IL-1β,149,pg/mL,PBMC spontaneous
2009-02-10T09:00:00Z,IL-1β,12,pg/mL,PBMC spontaneous
2009-02-10T09:00:00Z,CRP,4,mg/L,serum
2009-05-10T09:00:00Z,CRP,45,mg/L,serum
"""
DOSING = f"""Drug,Dose,Unit,Start,End,Route
Kineret,100,mg/d,2009-01-12,2009-06-30,SC
{PLANTED},1,mg,2009-01-01,2009-03-01,oral
"""


@pytest.fixture
def planted(tmp_path, monkeypatch):
    """The case as a hospital's files and a careless reviewer would leave it."""
    db = str(tmp_path / "planted.db")
    engine = open_database(db)
    with engine.begin() as conn:
        pid = insert_patient(conn, pseudonym="HOSP-7", name=NAME, birth_date=dt.date.fromisoformat(BORN),
                             record_number=RECORD, diagnosis="NLRP12AD", sex="M")
    monkeypatch.setenv("LOGNAME", f"dupont_jean_{RECORD}")  # the import's actor
    monkeypatch.setenv("USER", f"dupont_jean_{RECORD}")
    for name, text in ((f"Dupont_Jean_{RECORD}_{BORN}_lab.csv", LAB),
                       (f"{NAME} {RECORD} dosing.csv", DOSING)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assert main(["--db", db, "import", "--patient", "HOSP-7", str(path)]) == 0
    refs = tmp_path / f"controls {NAME} {RECORD}.csv"
    refs.write_text("analyte,specimen,unit,n,mean,SD,assay,batch,lab,date\n"
                    f"IL1B,PBMC spontaneous,pg/mL,12,9.5,4,ELISA {NAME},{RECORD} {BORN},"
                    f"Labo {NAME} 02/11/1975,2009-01-01\n", encoding="utf-8")
    assert main(["--db", db, "controls", "import", str(refs)]) == 0
    # Identifying fields changed later: their audit rows hold them.
    row = get_patient(engine, pid)
    update_patient(engine, pid, row["version"], actor=f"Dupont {RECORD}",
                   record_number=RECORD + "0", birth_year=1975)
    actor = f"Dupont Jean {RECORD}"
    onset = 1_241_136_000  # 2009-05-01
    ep = create_episode(engine, pid, actor=actor, kind="relapse", onset=onset,
                        end=onset + 10 * 86_400, severity="moderate", note=NOTE)
    update_episode(engine, ep["id"], ep["version"], actor=actor, note=NOTE + " Still on it.")
    # A status written by an older version, unchecked (the database now refuses it:
    # then it cannot reach the PDF either).
    with contextlib.suppress(IntegrityError), engine.begin() as conn:
        conn.execute(update(Episode).where(Episode.id == ep["id"]).values(status=PLANTED))
    mark_case_reviewed(engine, pid, actor, True, version=0)
    with engine.begin() as conn:  # named before pseudonyms were checked at import
        conn.execute(update(Patient).where(Patient.id == pid).values(pseudonym=PSEUDONYM))
    yield engine, pid
    engine.dispose()


def _everything(path: Path) -> str:
    reader = PdfReader(path)
    parts = [page.extract_text() for page in reader.pages]
    parts += [f"{k} {v}" for k, v in (reader.metadata or {}).items()]
    xmp = reader.xmp_metadata
    if xmp is not None:
        # Qt names the document by random UUIDs, whose hex groups can read as a date
        # ("…-1988-44…") one run in a few hundred: they hold no patient data.
        xml = xmp.stream.get_data().decode("utf-8", "replace")
        parts.append(re.sub(r"uuid:[0-9a-fA-F-]{36}", "uuid:…", xml))
    return "\n".join(parts)


@pytest.mark.parametrize("include_notes", [False, True])
def test_the_deidentified_pdf_holds_no_planted_identifier(qapp, planted, tmp_path,
                                                          include_notes):
    engine, pid = planted
    warnings: list[str] = []
    path = export_case_pdf(engine, tmp_path / "deid.pdf", patient_id=pid, deidentify=True,
                           include_notes=include_notes, warn=warnings.append)
    text = _everything(path)
    low = text.lower()
    for secret in SECRETS:
        assert secret not in low, (secret, _around(low, secret))
    assert not re.search(r"\b(19|20)\d\d-\d\d", text)
    assert not re.search(r"\b2009\b", text)
    assert not re.search(r"\d\d:\d\d", text)  # no review time to set against day 0
    # What replaced them is there, and the export said why it renamed the case.
    pages = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(path).pages))
    assert f"case {pid}" in pages and "reviewer A" in pages and "file 1" in pages
    assert "other drug" in pages and "anakinra" in pages
    assert "reference set 1 (lab 1)" in pages  # the folds still name their set
    assert warnings and "pseudonym" in warnings[0]
    assert ("Dr Martin" in pages) == include_notes  # notes only when chosen, then scrubbed


def test_the_plain_pdf_still_names_everything(qapp, planted, tmp_path):
    engine, pid = planted
    path = export_case_pdf(engine, tmp_path / "plain.pdf", patient_id=pid)
    pages = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(path).pages))
    assert PSEUDONYM in pages and NAME in pages and RECORD in pages


def _around(text: str, needle: str) -> str:
    i = text.find(needle)
    return text[max(0, i - 80): i + 80]


def test_the_command_line_includes_notes_only_when_asked_and_warns(planted, tmp_path, capsys):
    engine, pid = planted
    db = target(engine)
    for flags, has_note in (([], False), (["--include-notes"], True)):
        out = tmp_path / f"cli{len(flags)}.pdf"
        assert main(["--db", db, "export", PSEUDONYM, "-o", str(out), "--deidentify",
                     *flags]) == 0
        err = capsys.readouterr().err
        assert "pseudonym" in err and f"case {pid}" in err  # told, in one line
        text = _everything(out)
        assert ("Dr Martin" in re.sub(r"\s+", " ", text)) == has_note
        assert not any(secret in text.lower() for secret in SECRETS)


def test_export_all_deidentified_names_no_file_after_an_identifying_pseudonym(qapp, planted,
                                                                            tmp_path):
    engine, pid = planted
    folder = tmp_path / "all"
    db = target(engine)
    assert main(["--db", db, "export", "--all", "--deidentify", "-o", str(folder)]) == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"case {pid} de-identified.pdf"]
    assert not any(s in n.lower() for n in names for s in SECRETS)

"""Cases written by hand for the relapse criteria, as a hospital's files would give them,
with the relapses a reviewer labelled by reading them (not by running the criteria).

HOSP-01 (TRAPS on anakinra from 2024-01-10): active before treatment; a response at the
first visit on anakinra; fevers from 28 April 2024 (the reviewer's relapse onset), seen on
2 May (CRP 62, SAA 180, physician global 2) and 30 May (CRP 38, PGA 2), settled by 27
June; a visit on 12 September with CRP 45 mg/L and no physician global recorded, quiet
again by 10 October. SAA 14 mg/L on 6 March, between attacks.

HOSP-02 (no anakinra): diary only, an active month: no visit, so no suggestion.
"""

from __future__ import annotations

import datetime as dt

from data.importing import import_file

VISITS = """patient,date,code,value,unit,specimen
HOSP-01,2023-12-20T10:00,CRP,85,mg/L,serum
HOSP-01,2023-12-20T10:00,SAA,240,mg/L,serum
HOSP-01,2023-12-20T10:00,PGA,3,{score},
HOSP-01,2024-02-07T10:00,CRP,4,mg/L,serum
HOSP-01,2024-02-07T10:00,SAA,6,mg/L,serum
HOSP-01,2024-02-07T10:00,PGA,1,{score},
HOSP-01,2024-03-06T10:00,CRP,3,mg/L,serum
HOSP-01,2024-03-06T10:00,SAA,14,mg/L,serum
HOSP-01,2024-03-06T10:00,PGA,0,{score},
HOSP-01,2024-05-02T10:00,CRP,62,mg/L,serum
HOSP-01,2024-05-02T10:00,SAA,180,mg/L,serum
HOSP-01,2024-05-02T10:00,PGA,2,{score},
HOSP-01,2024-05-30T10:00,CRP,38,mg/L,serum
HOSP-01,2024-05-30T10:00,PGA,2,{score},
HOSP-01,2024-06-27T10:00,CRP,5,mg/L,serum
HOSP-01,2024-06-27T10:00,PGA,1,{score},
HOSP-01,2024-09-12T10:00,CRP,45,mg/L,serum
HOSP-01,2024-10-10T10:00,CRP,3,mg/L,serum
HOSP-01,2024-10-10T10:00,PGA,0,{score},
"""
DOSING = """drug,dose,unit,start,end,route
anakinra,100,mg,2024-01-10,,subcutaneous
"""
DIARY_HEADER = "date;fever;overall symptoms;rash;arthralgia\n"

# What the reviewer labelled, reading the files above.
HOSP_01_RELAPSE_ONSET = dt.date(2024, 4, 28)


def diary_text(days: dict[dt.date, str]) -> str:
    return DIARY_HEADER + "".join(f"{d:%d/%m/%Y};{v}\n" for d, v in days.items())


def write_cases(engine, folder) -> None:
    """Import HOSP-01 and HOSP-02 as files, the way a reviewer would."""
    visits = folder / "visits.csv"
    visits.write_text(VISITS, encoding="utf-8")
    import_file(engine, visits)
    dosing = folder / "dosing.csv"
    dosing.write_text(DOSING, encoding="utf-8")
    import_file(engine, dosing, patient="HOSP-01")
    # HOSP-01's diary: the April–May fevers, a quiet spring before.
    days = {dt.date(2024, 4, 1) + dt.timedelta(n): "0;0;0;0" for n in range(60)}
    for n in range(28, 33):
        days[dt.date(2024, 4, 1) + dt.timedelta(n - 1)] = "1;1;1;0"
    diary = folder / "diary1.csv"
    diary.write_text(diary_text(days), encoding="utf-8")
    import_file(engine, diary, patient="HOSP-01")
    # HOSP-02: a month of daily symptoms and nothing else.
    days = {dt.date(2024, 1, 1) + dt.timedelta(n): ("1;1;0;1" if n % 3 == 0 else "0;0;0;0")
            for n in range(31)}
    diary = folder / "diary2.csv"
    diary.write_text(diary_text(days), encoding="utf-8")
    import_file(engine, diary, patient="HOSP-02")


def epoch(d: dt.date) -> int:
    return int(dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC).timestamp())

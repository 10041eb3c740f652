"""Two cases written by hand for the clinician review of the suggestions.

HOSP-03 (on anakinra from 2024-01-10): a response on 7 February; a relapse from 2 May
(CRP 62, SAA 180, PGA 2; TNF-α 45 pg/mL on 25 April, 4.5 times its 10 pg/mL at the best
IL-1β response; fevers in the diary 28 April-2 May and again 8-12 June), settled on 13
June; then a flare on 20 June (CRP 40, PGA 2) with no symptom in the diary and no
cytokine measured after April, settled on 4 July. The flare's evidence is its own: none
of the relapse's fevers, its active diary month or its TNF-α rise.

HOSP-04 (never on anakinra, TRAPS): seen in an attack on 5 March 2024 (CRP 55, SAA 120,
PGA 3, fevers in the diary 2-6 March), quiet on 2 April (CRP 3, PGA 0), in an attack
again on 14 May (CRP 48, PGA 2), quiet on 11 June. Both attacks are flares by CLUSTER
and CAPS; the cytokine signal cannot apply (it is measured from the best response on
anakinra) and says so.
"""

from __future__ import annotations

import datetime as dt

from tests.data.relapse_cases import diary_text

VISITS = """patient,date,code,value,unit,specimen
HOSP-03,2023-12-20T10:00,CRP,85,mg/L,serum
HOSP-03,2023-12-20T10:00,PGA,3,{score},
HOSP-03,2024-02-07T10:00,CRP,4,mg/L,serum
HOSP-03,2024-02-07T10:00,PGA,1,{score},
HOSP-03,2024-02-07T10:00,IL1B,10,pg/mL,pbmc-spont
HOSP-03,2024-02-07T10:00,TNFA,10,pg/mL,pbmc-spont
HOSP-03,2024-04-25T10:00,IL1B,40,pg/mL,pbmc-spont
HOSP-03,2024-04-25T10:00,TNFA,45,pg/mL,pbmc-spont
HOSP-03,2024-05-02T10:00,CRP,62,mg/L,serum
HOSP-03,2024-05-02T10:00,SAA,180,mg/L,serum
HOSP-03,2024-05-02T10:00,PGA,2,{score},
HOSP-03,2024-05-30T10:00,CRP,38,mg/L,serum
HOSP-03,2024-05-30T10:00,PGA,2,{score},
HOSP-03,2024-06-13T10:00,CRP,5,mg/L,serum
HOSP-03,2024-06-13T10:00,PGA,1,{score},
HOSP-03,2024-06-20T10:00,CRP,40,mg/L,serum
HOSP-03,2024-06-20T10:00,PGA,2,{score},
HOSP-03,2024-07-04T10:00,CRP,4,mg/L,serum
HOSP-03,2024-07-04T10:00,PGA,0,{score},
HOSP-04,2024-03-05T10:00,CRP,55,mg/L,serum
HOSP-04,2024-03-05T10:00,SAA,120,mg/L,serum
HOSP-04,2024-03-05T10:00,PGA,3,{score},
HOSP-04,2024-04-02T10:00,CRP,3,mg/L,serum
HOSP-04,2024-04-02T10:00,PGA,0,{score},
HOSP-04,2024-05-14T10:00,CRP,48,mg/L,serum
HOSP-04,2024-05-14T10:00,PGA,2,{score},
HOSP-04,2024-06-11T10:00,CRP,4,mg/L,serum
HOSP-04,2024-06-11T10:00,PGA,0,{score},
"""
DOSING = """drug,dose,unit,start,end,route
anakinra,100,mg,2024-01-10,,subcutaneous
"""


def _diary(first: dt.date, days: int, fevers: list[tuple[dt.date, dt.date]]) -> str:
    """Quiet days from first, with fever, overall symptoms and rash on the fevers' days."""
    rows = {first + dt.timedelta(n): "0;0;0;0" for n in range(days)}
    for a, b in fevers:
        for n in range((b - a).days + 1):
            rows[a + dt.timedelta(n)] = "1;1;1;0"
    return diary_text(dict(sorted(rows.items())))


def write_review_cases(engine, folder) -> None:
    """Import HOSP-03 and HOSP-04 as files, the way a reviewer would."""
    from data.importing import import_file

    visits = folder / "review_visits.csv"
    visits.write_text(VISITS, encoding="utf-8")
    import_file(engine, visits)
    dosing = folder / "review_dosing.csv"
    dosing.write_text(DOSING, encoding="utf-8")
    import_file(engine, dosing, patient="HOSP-03")
    for name, text in (
            ("HOSP-03", _diary(dt.date(2024, 4, 1), 110,
                               [(dt.date(2024, 4, 28), dt.date(2024, 5, 2)),
                                (dt.date(2024, 6, 8), dt.date(2024, 6, 12))])),
            ("HOSP-04", _diary(dt.date(2024, 2, 1), 140,
                               [(dt.date(2024, 3, 2), dt.date(2024, 3, 6))]))):
        diary = folder / f"review_diary_{name}.csv"
        diary.write_text(text, encoding="utf-8")
        import_file(engine, diary, patient=name)

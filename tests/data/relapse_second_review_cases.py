"""A case written by hand for the second clinician review of the suggestions.

HOSP-05 (TRAPS on anakinra from 2024-01-10 to 2024-07-31, again from 2024-09-01): a
response on 7 February (CRP 4, IL-1β and TNF-α 10 pg/mL, the best response). A flare on
2 April (CRP 50, PGA 2; TNF-α 50 pg/mL, ×5, on 26 March), settled on 16 April. A relapse
seen on 28 May (CRP 60, SAA 100, PGA 2; TNF-α 45 pg/mL, ×4.5, on 21 May), the reviewer's
onset; a week before, on 21 May, a physician global of 2 with no CRP or SAA drawn. Still
active on 11 June (CRP 40, PGA 2), settled on 25 June. A flare on 13 August (CRP 70, PGA
3) during the interruption of anakinra from 1 August, settled on 27 August; quiet on 8
October, back on anakinra.
"""

from __future__ import annotations

VISITS = """patient,date,code,value,unit,specimen
HOSP-05,2023-12-20T10:00,CRP,85,mg/L,serum
HOSP-05,2023-12-20T10:00,PGA,3,{score},
HOSP-05,2024-02-07T10:00,CRP,4,mg/L,serum
HOSP-05,2024-02-07T10:00,PGA,1,{score},
HOSP-05,2024-02-07T10:00,IL1B,10,pg/mL,pbmc-spont
HOSP-05,2024-02-07T10:00,TNFA,10,pg/mL,pbmc-spont
HOSP-05,2024-03-26T10:00,IL1B,30,pg/mL,pbmc-spont
HOSP-05,2024-03-26T10:00,TNFA,50,pg/mL,pbmc-spont
HOSP-05,2024-04-02T10:00,CRP,50,mg/L,serum
HOSP-05,2024-04-02T10:00,PGA,2,{score},
HOSP-05,2024-04-16T10:00,CRP,4,mg/L,serum
HOSP-05,2024-04-16T10:00,PGA,0,{score},
HOSP-05,2024-05-21T10:00,PGA,2,{score},
HOSP-05,2024-05-21T10:00,IL1B,35,pg/mL,pbmc-spont
HOSP-05,2024-05-21T10:00,TNFA,45,pg/mL,pbmc-spont
HOSP-05,2024-05-28T10:00,CRP,60,mg/L,serum
HOSP-05,2024-05-28T10:00,SAA,100,mg/L,serum
HOSP-05,2024-05-28T10:00,PGA,2,{score},
HOSP-05,2024-06-11T10:00,CRP,40,mg/L,serum
HOSP-05,2024-06-11T10:00,PGA,2,{score},
HOSP-05,2024-06-25T10:00,CRP,5,mg/L,serum
HOSP-05,2024-06-25T10:00,PGA,1,{score},
HOSP-05,2024-08-13T10:00,CRP,70,mg/L,serum
HOSP-05,2024-08-13T10:00,PGA,3,{score},
HOSP-05,2024-08-27T10:00,CRP,5,mg/L,serum
HOSP-05,2024-08-27T10:00,PGA,0,{score},
HOSP-05,2024-10-08T10:00,CRP,3,mg/L,serum
HOSP-05,2024-10-08T10:00,PGA,0,{score},
"""
DOSING = """drug,dose,unit,start,end,route
anakinra,100,mg,2024-01-10,2024-07-31,subcutaneous
anakinra,100,mg,2024-09-01,,subcutaneous
"""


def write_second_review_case(engine, folder) -> None:
    """Import HOSP-05 as files, the way a reviewer would."""
    from data.importing import import_file

    visits = folder / "second_review_visits.csv"
    visits.write_text(VISITS, encoding="utf-8")
    import_file(engine, visits)
    dosing = folder / "second_review_dosing.csv"
    dosing.write_text(DOSING, encoding="utf-8")
    import_file(engine, dosing, patient="HOSP-05")

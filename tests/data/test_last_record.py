"""A case's last record, the case list's Last column (the window's list and `cases` LAST),
by the same rule as its first (data.first_record): the latest measurement or diary answer
(weighings left out), a dosing period's last day (an ongoing one's start) or dose given,
of any drug."""

from __future__ import annotations

from data.case_list import case_list_rows
from data.first_record import last_record
from main import main
from tests.backend import target
from tests.gui.hand_files import import_texts, utc

LAB = """patient,date,code,value,unit,specimen
END-01,2024-03-10T09:00,CRP,40,mg/L,serum
OPEN-01,2024-02-01T09:00,CRP,40,mg/L,serum
OPEN-02,2024-05-01T09:00,CRP,40,mg/L,serum
GIV-01,2024-01-10T09:00,CRP,40,mg/L,serum
WEI-01,2024-01-10T09:00,CRP,40,mg/L,serum
WEI-01,2024-09-01T09:00,WEIGHT,30,kg,
"""
# END-01: colchicine ended on 30 April, after its last CRP (10 March).
# OPEN-01: anakinra from 15 January, still going: its CRP of 1 February is later.
# OPEN-02: anakinra from 1 June, still going, after its last CRP (1 May): its start.
DOSES = """patient,drug,dose,unit,start,end
END-01,colchicine,1,mg,2024-01-01,2024-04-30
OPEN-01,anakinra,100,mg,2024-01-15,
OPEN-02,anakinra,100,mg,2024-06-01,
"""
# GIV-01: two drugs given dose by dose; the last dose is the first drug's by name. OPEN-01
# had one dose of prednisone recorded after its CRP.
GIVEN = """patient,date,time,drug,dose,unit,route
GIV-01,2024-07-01,08:00,anakinra,100,mg,SC
GIV-01,2024-06-30,08:00,anakinra,100,mg,SC
GIV-01,2024-03-01,21:00,prednisone,5,mg,PO
OPEN-01,2024-02-20,08:00,prednisone,5,mg,PO
"""


def test_the_last_record_is_the_latest_of_measurement_period_and_dose_given():
    assert last_record(utc("2024-03-10"), utc("2024-04-30"), None) == utc("2024-04-30")
    assert last_record(utc("2024-03-10"), None, utc("2024-03-11T08:00")) == \
        utc("2024-03-11T08:00")
    assert last_record(None, float("nan"), None) is None


def test_the_case_list_s_last_column_counts_periods_and_doses_given(engine, tmp_path,
                                                                      capsys):
    import_texts(engine, tmp_path, {"lab.csv": LAB, "doses.csv": DOSES, "given.csv": GIVEN})
    last = {r.pseudonym: r.last for r in case_list_rows(engine)}
    assert last == {
        "END-01": "2024-04-30",  # the period's end, after the last CRP
        "GIV-01": "2024-07-01",  # the last dose given, of any drug
        "OPEN-01": "2024-02-20",  # the dose given after the CRP after the ongoing start
        "OPEN-02": "2024-06-01",  # an ongoing period counts up to its start
        "WEI-01": "2024-01-10",  # a weighing is no clinical record
    }
    capsys.readouterr()
    assert main(["--db", target(engine), "cases"]) == 0
    # PSEUDONYM, DIAGNOSIS (none: a dash), FIRST, LAST, …
    lines = {x.split()[0]: x.split() for x in capsys.readouterr().out.splitlines()[1:]}
    assert lines["END-01"][2:4] == ["2024-01-01", "2024-04-30"]
    assert lines["OPEN-02"][2:4] == ["2024-05-01", "2024-06-01"]

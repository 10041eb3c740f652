"""The diary summed per day by the database for many cases (db.criteria_reads) gives what
the case read whole gives (data.case.Case.activity_score), on diaries written by hand with
the shapes that take the slower path: a gap, two answers on one day, an empty answer, a
day before 1970, answers at different times of day."""

from __future__ import annotations

import numpy as np
import pytest

from data.case import Case
from data.codes import AIDAI_CODES
from db import dense
from db.criteria_reads import code_extents, diary_days
from db.queries import load_case
from db.writes import insert_observations, insert_patient

DAY = 86_400
T0 = 1_700_000_000 - 1_700_000_000 % DAY  # a midnight in November 2023
FEVER, RASH, HEADACHE = AIDAI_CODES[0], AIDAI_CODES[1], AIDAI_CODES[2]


def _answers(pid, code, days, values, hour=20):
    return [(pid, T0 + d * DAY + hour * 3600, code, v, None, "1", "diary", "hand")
            for d, v in zip(days, values, strict=True)]


def _write(engine):
    with engine.begin() as conn:
        whole = insert_patient(conn, pseudonym="WHOLE")
        broken = insert_patient(conn, pseudonym="BROKEN")
        rows = _answers(whole, FEVER, range(40), [1.0 if d % 7 == 0 else 0.0 for d in range(40)])
        # One answer a day without a gap, one of them empty: read by its answers not 0.
        rows += _answers(whole, RASH, range(5, 30), [0.0] * 23 + [None, 1.0])
        # A gap (days 10-11), two answers on day 3, an empty answer on day 5, a day
        # before 1970 and answers at another time of day.
        rows += _answers(broken, FEVER, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13],
                         [1.0, 0, 0, 1.0, 0, None, 1.0, 0, 0, 0, 1.0, 0])
        rows += _answers(broken, FEVER, [3], [1.0], hour=8)
        rows += _answers(broken, HEADACHE, [2, 3, 4], [1.0, 1.0, 0], hour=6)
        rows += [(broken, -3 * DAY + 7200, HEADACHE, 1.0, None, "1", "diary", "hand")]
        rows += [(whole, T0 + 2 * DAY, "CRP", 45.0, None, "mg/L", "serum", "hand")]
        insert_observations(conn, rows)
    return whole, broken


def test_the_daily_sums_equal_the_whole_case_s(engine):
    _sums_equal_the_whole_case_s(engine, _write(engine))


@pytest.mark.sqlite_only
def test_items_stored_packed_are_summed_from_their_chunks(engine, monkeypatch):
    # Every series packed, the hand-written shapes included (gap, two answers a day,
    # an empty answer, before 1970): the sums come from the chunks and are the same.
    monkeypatch.setattr(dense, "DENSE_ROWS", 1)
    ids = _write(engine)
    read, chunks_of = [], dense.chunks_of

    def spy(conn, series_ids):
        found = chunks_of(conn, series_ids)
        read.extend(found)
        return found

    monkeypatch.setattr(dense, "chunks_of", spy)
    _sums_equal_the_whole_case_s(engine, ids)
    assert len(read) == 4  # every diary series of both cases, none read as rows


def _sums_equal_the_whole_case_s(engine, ids):
    summed = diary_days(engine, ids, list(AIDAI_CODES))
    for pid in ids:
        whole = Case.from_frames(load_case(engine, pid)).activity_score
        whole = whole[whole["score"].notna()]
        mine = summed[summed["patient_id"] == pid]
        assert mine["t"].tolist() == whole["t"].astype(np.int64).tolist()
        assert mine["score"].tolist() == whole["score"].tolist()
        assert mine["answers"].tolist() == whole["items"].tolist()
    broken = summed[summed["patient_id"] == ids[1]].set_index("t")
    assert broken.loc[-3 * DAY, "score"] == 1.0  # 02:00 on 29 December 1969 is that day
    assert broken.loc[T0 + 3 * DAY, "score"] == 3.0  # two fevers and a headache
    assert broken.loc[T0 + 5 * DAY, "answers"] == 0  # the empty answer: a day, no answer
    assert T0 + 10 * DAY not in broken.index
    whole = summed[summed["patient_id"] == ids[0]].set_index("t")
    assert whole.loc[T0 + 28 * DAY, "answers"] == 1  # the fever; the rash's answer empty


def test_no_diary_no_days(engine):
    with engine.begin() as conn:
        pid = insert_patient(conn, pseudonym="NONE")
    assert diary_days(engine, [pid], list(AIDAI_CODES)).empty


def test_each_code_s_first_and_last_time(engine):
    whole, _ = _write(engine)
    ext = code_extents(engine, [whole]).set_index("code")
    assert ext.loc[FEVER, "first"] == T0 + 20 * 3600
    assert ext.loc[FEVER, "last"] == T0 + 39 * DAY + 20 * 3600
    assert ext.loc["CRP", "first"] == ext.loc["CRP", "last"] == T0 + 2 * DAY

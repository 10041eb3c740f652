"""Measurements a reviewer types in the window rather than imports: the physician global
assessment (PGA) given at a visit. Each write and its audit row in one transaction; the
audit row names the code and the time and holds the value before and after (None:
nothing), so the trail shows what an undo puts back.

On a department server a reviewer login may add a measurement, and replace or remove
(an undo included) only a value it typed in itself under TYPED_SOURCE (a13_guards: the
server notes who typed each one; every other measurement is the import's). Anyone
else's is refused with the server's one-line reason.
"""

from __future__ import annotations

from sqlalchemy import Engine, delete, select, update

from db.audit import audited_transaction, record
from db.audit_action import stepped
from db.models import Observation, Series
from db.patients import weight_key
from db.writes import insert_observations, source_ids

ENTITY = "measurement"
# No file's name holds a '/': an import never writes a value under this source, so a
# value imported is never taken for one a reviewer typed in (a15_guards).
TYPED_SOURCE = "typed in Flarescope/"

_O, _S = Observation.__table__, Series.__table__


def set_typed_value(engine: Engine, patient_id: int, *, code: str, unit: str, t: int,
                    value: float | None, actor: str, step: str | None = None) -> float | None:
    """Set (``value``) or remove (None) the case's ``code`` measurement at time ``t``;
    returns the value it replaced (None: there was none)."""
    t = int(t)
    with audited_transaction(engine) as conn:
        series = select(_S.c.id).where(_S.c.patient_id == patient_id, _S.c.code == code)
        that_one = (_O.c.series_id.in_(series), _O.c.t == t)
        old = conn.execute(select(_O.c.value).where(*that_one)).first()
        before = None if old is None else old[0]
        if value is None:
            conn.execute(delete(Observation).where(*that_one))
        elif old is not None:
            source = source_ids(conn, {TYPED_SOURCE})[TYPED_SOURCE]
            conn.execute(update(Observation).where(*that_one).values(
                value=float(value), censor=0, source_id=source))
        else:
            insert_observations(conn, [(patient_id, t, code, float(value), None, unit, "",
                                        TYPED_SOURCE)])
        action = "remove" if value is None else "record"
        # "PGA 2024-05-02T12:00": the history reads "PGA 2024-05-02T12:00: 3 → 1".
        key = f"{code} {weight_key(t)}"
        record(conn, actor=actor, entity=ENTITY, entity_id=patient_id, patient_id=patient_id,
               action=stepped(action, step),
               before={key: before}, after={key: value})
    return before

"""The audit trail names the login, and a review never overwrites a
colleague's newer one."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import AuditEvent
from db.queries import patient_row
from gui.import_wizard import ImportWizard
from tests.backend import target
from tests.gui.conftest import not_shown_yet, open_case
from tests.gui.test_import_wizard import choose_file, confirm, press_import


def _actors(engine, entity: str) -> list[str]:
    t = AuditEvent.__table__
    with engine.connect() as conn:
        return list(conn.execute(select(t.c.actor).where(t.c.entity == entity)
                                 .order_by(t.c.id)).scalars())


def test_file_import_records_the_login(qtbot, make_window, reviewer, demo_engine, tmp_path,
                                       monkeypatch):
    window = make_window()
    path = tmp_path / "lab.csv"
    path.write_text("patient,date,code,value,unit\nNLRP12-01,2026-01-05,CRP,3,mg/L\n",
                    encoding="utf-8")

    def drive(wizard):  # what the reviewer does in the modal wizard
        wizard.show()
        choose_file(qtbot, wizard, path)
        wizard.next()
        wizard.next()
        confirm(qtbot, wizard)
        with qtbot.waitSignal(wizard.accepted, timeout=10_000):
            press_import(wizard)
        return 1

    monkeypatch.setattr(ImportWizard, "exec", drive)
    window.actions["import"].trigger()
    assert _actors(demo_engine, "import") == [reviewer]


@pytest.fixture
def colleague(demo_engine):
    """A second program on the same database file."""
    from db.engine import open_database

    other = open_database(target(demo_engine))
    yield other
    other.dispose()


@pytest.fixture
def window_on_a_case(qtbot, make_window, reviewer):
    window = make_window()
    open_case(qtbot, window, "NLRP12-01")
    return window


def test_marking_reviewed_over_a_colleagues_newer_review_is_refused(window_on_a_case,
                                                                   demo_engine, colleague):
    from db.episodes import mark_case_reviewed

    window, pid = window_on_a_case, window_on_a_case.case.id
    not_shown_yet(window)
    # Meanwhile a colleague marks the same case reviewed from their own machine.
    mark_case_reviewed(colleague, pid, "Dr Colleague", True, version=0)

    window.actions["mark_reviewed"].trigger()
    p = patient_row(demo_engine, pid)
    assert (p["reviewed_by"], p["review_version"]) == ("Dr Colleague", 1)
    message = window.statusBar().currentMessage()
    assert "changed meanwhile" in message and "Dr Colleague" in message
    assert "The stored review is shown" in message
    assert window.case.patient["reviewed_by"] == "Dr Colleague"  # shown as stored
    assert _actors(demo_engine, "patient") == ["Dr Colleague"]


def test_undoing_a_review_a_colleague_has_since_withdrawn_is_refused(window_on_a_case,
                                                                    demo_engine, colleague,
                                                                    reviewer):
    from db.episodes import mark_case_reviewed

    window, pid = window_on_a_case, window_on_a_case.case.id
    window.actions["mark_reviewed"].trigger()
    assert patient_row(demo_engine, pid)["reviewed_by"] == reviewer
    not_shown_yet(window)
    mark_case_reviewed(colleague, pid, "Dr Colleague", False, version=1)
    mark_case_reviewed(colleague, pid, "Dr Colleague", True, version=2)

    window.undo_stack.undo()
    p = patient_row(demo_engine, pid)
    assert (p["reviewed_by"], p["review_version"]) == ("Dr Colleague", 3)
    assert "changed meanwhile" in window.statusBar().currentMessage()

"""A table held by another login's LOCK TABLE … ACCESS EXCLUSIVE: opening a case in the
window fails after lock_timeout with one line naming who holds it, instead of hanging
(second attacker review, item 5)."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets
from PySide6.QtTest import QTest
from sqlalchemy import text

from db.roles import REVIEWER

pytestmark = pytest.mark.pg_only


def test_opening_a_case_while_a_login_locks_a_table_says_who_in_one_line(
        qtbot, window, server_login, monkeypatch):
    shown = []
    monkeypatch.setattr(QtWidgets.QMessageBox, "warning",
                        lambda _parent, title, message: shown.append((title, message)))
    holder = server_login(window.engine, REVIEWER, "dr_holds")
    window.loader.wait()  # the first case, read before the lock
    proxy = window.browser.proxy
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data() == "NLRP12-01")
    with holder.connect() as conn:
        conn.execute(text("LOCK TABLE episode IN ACCESS EXCLUSIVE MODE"))
        QTest.mouseClick(window.browser.table.viewport(), QtCore.Qt.MouseButton.LeftButton,
                         pos=window.browser.table.visualRect(proxy.index(row, 0)).center())
        qtbot.waitUntil(lambda: bool(shown), timeout=30_000)
        conn.rollback()
    assert shown == [("Cannot open the case",
                      "the server is busy: a table is locked by dr_holds (episode); nothing "
                      "was read or changed, try again (whoever looks after the server can end "
                      "that session)")]

"""The start-up floor: a bare PySide6 window with a QTableView of the case list's rows,
read with plain sqlite3. Started by bench_startup.py exactly as it starts Flarescope;
writes ``case_list WALL CPU`` to $FLARESCOPE_BENCH_READY once the rows are painted
(gui/first_paint.py).
"""

from __future__ import annotations

import os
import sqlite3
import sys

from PySide6 import QtGui, QtWidgets

ROWS_SQL = """
SELECT p.pseudonym, p.diagnosis, MIN(o.t), MAX(o.t),
       (SELECT COUNT(*) FROM episode e WHERE e.patient_id = p.id), p.reviewed_by
FROM patient p LEFT JOIN series s ON s.patient_id = p.id
LEFT JOIN observation o ON o.series_id = s.id
GROUP BY p.id ORDER BY p.pseudonym
"""


def main() -> int:
    app = QtWidgets.QApplication(sys.argv[:1])
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from gui.first_paint import ENV_VAR, after_next_paint

    con = sqlite3.connect(os.environ["FLARESCOPE_DB"])
    rows = con.execute(ROWS_SQL).fetchall()
    con.close()
    model = QtGui.QStandardItemModel(len(rows), 6)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            model.setItem(r, c, QtGui.QStandardItem(str(value)))
    window = QtWidgets.QMainWindow()
    table = QtWidgets.QTableView()
    table.setModel(model)
    window.setCentralWidget(table)
    window.resize(1440, 900)
    path = os.environ[ENV_VAR]

    def write() -> None:
        import time

        with open(path, "a", encoding="utf-8") as f:
            f.write(f"case_list {time.time():.6f} {time.process_time():.6f}\n")

    after_next_paint(table.viewport(), lambda: model.rowCount() > 0, write)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())

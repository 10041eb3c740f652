"""File → Import…: the import wizard, then the case list and open case refreshed."""

from __future__ import annotations

from gui.access import changes_data


def install(window) -> None:
    action = window.actions["import"]
    action.setEnabled(True)
    changes_data(window.access, action)
    action.triggered.connect(lambda: run_import(window))


def run_import(window) -> None:
    from gui import import_wizard

    if import_wizard.open_import_wizard(window, window.engine, actor=window.access.login):
        window.refresh_case_list()
        window.reload_case()
        window.statusBar().showMessage("Import finished", 5000)

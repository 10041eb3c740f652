"""File → Import…: the import wizard, then the case list and open case refreshed."""

from __future__ import annotations


def install(window) -> None:
    action = window.actions["import"]
    action.setEnabled(True)
    action.triggered.connect(lambda: run_import(window))


def run_import(window) -> None:
    from gui import import_wizard

    # The audit trail names the reviewer set in Preferences, as for episodes.
    if import_wizard.open_import_wizard(window, window.engine, actor=window.settings.reviewer):
        window.refresh_case_list()
        window.reload_case()
        window.statusBar().showMessage("Import finished", 5000)

"""File → Export PDF… (Ctrl+E) and Export all cases…."""

from __future__ import annotations


def install(window) -> None:
    one, every = window.actions["export_pdf"], window.actions["export_all"]
    every.setEnabled(True)
    window.caseOpened.connect(lambda _case: one.setEnabled(True))
    one.triggered.connect(lambda: export_open_case(window))
    every.triggered.connect(lambda: export_every_case(window))


def export_open_case(window) -> None:
    from gui import export_dialog

    if window.case is None:
        return
    path = export_dialog.export_current_case(window, window.engine, window.case,
                                             **_summary_options(window))
    if path is not None:
        window.statusBar().showMessage(f"Exported {path}", 8000)


def export_every_case(window) -> None:
    from gui import export_dialog

    n = export_dialog.export_all_cases(window, window.engine, **_summary_options(window))
    if n:
        window.statusBar().showMessage(f"Exported {n} case summaries", 8000)


def _summary_options(window) -> dict:
    return {"reviewer": window.access.login,
            "near_normal_fold": float(window.settings.get("figures/near_normal_fold")),
            "dose_time": window.settings.dose_time}

"""View → Cohort view (Ctrl+Shift+C): the cases selected in the case list (Ctrl+click or
Shift+click several), or with one selected, every case of its diagnosis.

The main window calls install(window).
"""

from __future__ import annotations

from PySide6 import QtGui

from gui.cohort.window import CohortWindow

MONTHS_SHOWN = 6  # the case opens on the clicked day, half a year in view


class CohortFeature:
    """``window.cohort``: the action, the window, and opening a case from a line."""

    def __init__(self, window) -> None:
        self.window = window
        self.view: CohortWindow | None = None
        self._go_to: float | None = None
        self.action = QtGui.QAction("&Cohort view…", window)
        self.action.setShortcut("Ctrl+Shift+C")
        self.action.setToolTip("The cases selected in the list (or all of the open case's "
                               "diagnosis) aligned at anakinra start")
        self.action.triggered.connect(self.open)
        window.menu("&View").addAction(self.action)
        window.addAction(self.action)
        window.caseOpened.connect(self._case_opened)

    def chosen_cases(self) -> tuple[list[int], str]:
        """The patient ids to show and how they were chosen, in words."""
        browser = self.window.browser
        ids = browser.selected_ids()
        if len(ids) >= 2:
            return ids, f"{len(ids)} cases selected"
        case = self.window.case
        diagnosis = None if case is None else case.patient.get("diagnosis")
        from data.diagnoses import canonical, same_diagnosis

        name = canonical(diagnosis)
        if name:
            from db.cohort import recorded_diagnoses

            same, texts = same_diagnosis(recorded_diagnoses(self.window.engine), diagnosis)
            # The texts taken in are named: the reviewer sees what "every case" grouped.
            named = [t for t in texts if t != name]
            return same, f"every case of {name}" + (
                f" — recorded as {', '.join(named)}" if named else "")
        return ids, "the case selected"

    def open(self) -> None:
        """Show the chosen cases: the measured series first, the AIDAI panel once the
        first frame is on screen (summing fifty ten-year diaries takes about a second)."""
        from data.cohort import build_cohort, read_cases
        from gui.first_paint import after_next_paint

        ids, described = self.chosen_cases()
        if self.view is None:
            self.view = CohortWindow(self.window)
            self.view.caseChosen.connect(self.open_case_at)
            self.view.exportRequested.connect(self.export)
        cases = read_cases(self.window.engine, ids)
        cohort = build_cohort(cases, diary_pending=True)
        self.described = described
        self.view.show_cohort(cohort, described)
        self.view.show()
        self.view.raise_()
        if cohort.members:  # else no diary to sum, and no panel painted to wait for
            viewport = self.view.stack.view.viewport()
            after_next_paint(viewport, lambda: True, lambda: self.fill_diary(cohort, cases))

    def fill_diary(self, cohort, cases) -> None:
        from data.cohort import read_diary_blocks, with_diary

        if self.view is None or self.view.cohort is not cohort:
            return  # another cohort was opened meanwhile
        blocks = read_diary_blocks(self.window.engine, cases)
        self.view.update_panels(with_diary(cohort, cases, blocks))

    def open_case_at(self, patient_id: int, t: float) -> None:
        """Open the case and, once it is loaded, show that day on its timeline."""
        self._go_to = t
        if self.window.case is not None and self.window.case.id == patient_id:
            self._case_opened(self.window.case)
        else:
            self.window.browser.select_id(patient_id)
        self.window.activateWindow()

    def _case_opened(self, _case) -> None:
        if self._go_to is None:
            return
        from gui.timeline import navigation

        t, self._go_to = self._go_to, None
        timeline = self.window.timeline
        timeline.set_x_range(*navigation.months_around(t, MONTHS_SHOWN))
        timeline.set_cursor(t)

    def export(self) -> None:
        from gui.export_dialog import save_pdf_as

        path = save_pdf_as(self.view, "Export the cohort view", "cohort.pdf")
        if path is not None:
            self.write_pdf(str(path))

    def write_pdf(self, path: str) -> None:
        from gui.cohort.window import AXIS
        from gui.pdf.aligned_page import write_aligned_pdf
        from gui.timeline.tracks.aligned import MAX_COLOURED, member_colour_name

        cohort = self.view.cohort
        n = len(cohort.members)
        # A few patients are told apart by colour, as in the window's list; a crowd is grey.
        items = [m.pseudonym if n > MAX_COLOURED else
                 f"{m.pseudonym} ({member_colour_name(i, n)})"
                 for i, m in enumerate(cohort.members)] + [
            f"{p}: not alignable ({why})" for p, why in cohort.not_alignable]
        # No case aligned: the page says so where the panels would be empty axes.
        nothing = cohort.nothing_aligned()
        # A failed write raises ExportError: the window's error reporter says it in one line.
        write_aligned_pdf(path, title=f"Cohort · {self.described}",
                          about=[nothing] if nothing else [cohort.definition], items=items,
                          panels=() if nothing else cohort.panels, axis_label=AXIS, band=True)


def install(window) -> CohortFeature:
    feature = CohortFeature(window)
    window.cohort = feature
    return feature

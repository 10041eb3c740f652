"""Adds Case → Control references… to the main window (installed by name, see INSTALLERS).

The dialog module (pandas, the unit tables) is imported when the action is first used,
not while the window is being built.
"""

from __future__ import annotations

from gui.access import changes_data
from gui.actions import ActionSpec

SPEC = ActionSpec("control_references", "Control &references…", "",
                  "The lab's healthy-control references that fold over controls uses: import, "
                  "view, add, edit, retire")


def install(window) -> None:
    action = window.actions.add(window, SPEC)
    window.menu("&Case").addAction(action)
    action.triggered.connect(lambda: open_controls_dialog(window))


def open_controls_dialog(window):
    """Non-modal, one at a time; the open case reloads after every change."""
    from gui.controls_dialog import ControlsDialog

    dialog = getattr(window, "controls_dialog", None)
    if dialog is None:
        dialog = ControlsDialog(window.engine, window.access.login, window)
        dialog.changed.connect(lambda _set_id: window.reload_case())
        changes_data(window.access, dialog.add_button, dialog.edit_button,
                     dialog.retire_button, dialog.import_button)
        window.controls_dialog = dialog
    dialog.reload()
    dialog.show()
    dialog.raise_()
    return dialog

"""Everything Qt: main window, case browser, timeline and tracks, dialogs, PDF renderer."""

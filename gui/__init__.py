"""Everything Qt: main window, case browser, timeline and tracks, dialogs, PDF renderer."""

from gui.import_hook import stop_source_caching

# Before any module of ours imports Qt, so every module imported later is spared.
stop_source_caching()

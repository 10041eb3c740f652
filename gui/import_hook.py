"""PySide6's import hook, made to stop keeping the source of every later module.

Importing PySide6 replaces ``__import__`` with shiboken's ``__feature_import__``, which
asks of each newly imported module whether its source mentions PySide6 (for the opt-in
``from __feature__ import snake_case``) through ``inspect.getsource``. That puts the
whole text of every module imported afterwards (pandas, SQLAlchemy, pyqtgraph: ~900
files) in ``linecache`` for the life of the process: 53 MB of the window's memory,
measured with benchmarks/bench_memory.py (PySide6 6.11.3). The same question is
answered here by reading the source without keeping it.
"""

from __future__ import annotations

import logging
from types import ModuleType

log = logging.getLogger(__name__)


def mentions_pyside(module: ModuleType) -> bool:
    """What shiboken asks of an imported module: does its source mention PySide6?"""
    loader = getattr(getattr(module, "__spec__", None), "loader", None)
    try:
        source = loader.get_source(module.__name__)
    except Exception:  # no loader, no source (an extension module), unreadable file
        return False
    return source is not None and "PySide6" in source


def stop_source_caching() -> None:
    from PySide6 import QtCore  # noqa: F401  (installs the hook and its feature module)

    try:
        from shibokensupport import feature
    except ImportError:  # a PySide6 without the hook: nothing to mend
        return
    if hasattr(feature, "_mod_uses_pyside"):
        feature._mod_uses_pyside = mentions_pyside
    else:
        log.debug("shibokensupport.feature has no _mod_uses_pyside: left as it is")

"""Python's cycle collector runs on the GUI thread only while a window loads cases
(gui/collector.py): a collection on the loader's thread finalised Qt objects the GUI thread
had let go of, off their thread (an occasional crash while a case opened)."""

import gc
import threading

import pytest

from tests.gui.conftest import click_case


@pytest.fixture
def collections():
    """The thread of every collection Python runs, with thresholds low enough that
    reading a case (on the loader's thread) passes them many times over."""
    threads: list[int] = []

    def record(phase, _info):
        if phase == "start":
            threads.append(threading.get_ident())

    threshold = gc.get_threshold()
    gc.set_threshold(50, 2, 2)
    gc.callbacks.append(record)
    yield threads
    gc.callbacks.remove(record)
    gc.set_threshold(*threshold)


def test_cases_opened_one_after_another_collect_on_the_gui_thread_only(
        qtbot, window, collections):
    for pseudonym in ("NLRP12-01", "NLRP12-02", "CAPS-01", "TRAPS-01", "NLRP12-02"):
        click_case(qtbot, window, pseudonym)
    qtbot.wait(1200)  # the collector's timer runs at least twice
    gui = threading.get_ident()
    assert collections, "nothing was ever collected"
    assert set(collections) == {gui}, "a collection ran on another thread"


def test_closing_the_window_gives_back_automatic_collection(qtbot, window):
    click_case(qtbot, window, "NLRP12-02")
    assert not gc.isenabled()
    window.close()
    assert gc.isenabled()


def test_the_programs_window_leaves_start_up_out_of_later_collections(
        qtbot, demo_engine, settings, reviewer, monkeypatch):
    """gui/app.py's window freezes what exists when the first case comes (a full
    collection scanned ~140,000 long-lived objects, ~75 ms on the GUI thread); that
    case's plot items, made after, are still collected once another case replaces them."""
    import weakref

    import pyqtgraph as pg

    from gui import collector
    from gui.main_window import MainWindow

    monkeypatch.setattr(collector, "_frozen", False)
    frozen_before = gc.get_freeze_count()
    try:
        w = MainWindow(demo_engine, settings, freeze_startup=True)
        qtbot.addWidget(w)
        w.show()
        click_case(qtbot, w, "NLRP12-02")
        assert gc.get_freeze_count() > frozen_before + 10_000
        scatters = [weakref.ref(item) for item in w.timeline.plot_for("cytokines").items
                    if isinstance(item, pg.ScatterPlotItem)]
        assert scatters
        click_case(qtbot, w, "CAPS-01")
        gc.collect()
        assert all(ref() is None for ref in scatters)
        w.loader.close()
        w.close()
    finally:
        gc.unfreeze()
        if frozen_before:
            gc.freeze()

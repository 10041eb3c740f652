"""Python's cycle collector runs on the GUI thread only while a window loads cases
(gui/collector.py): a collection on the loader's thread finalised Qt objects the GUI thread
had let go of, off their thread (an occasional crash while a case opened)."""

import gc
import threading

from tests.gui.conftest import click_case


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


def test_a_window_closed_while_its_case_is_still_being_read_keeps_collection_off_that_thread(
        qtbot, window, demo_engine, monkeypatch):
    """A server slow to answer holds the loader's thread in connect past the closing
    window's wait: automatic collection stays off until that thread is done (it gave it
    back at once, and a collection there finalised the window's Qt objects off their
    thread), and the closed window neither shows that case nor reads another."""
    from sqlalchemy import event

    from gui import case_loader

    click_case(qtbot, window, "NLRP12-01")
    connecting, answer = threading.Event(), threading.Event()

    def slow_server(*_args):
        if threading.current_thread() is not threading.main_thread():
            connecting.set()
            answer.wait(5)

    demo_engine.dispose()  # the next read connects anew
    event.listen(demo_engine, "do_connect", slow_server)
    monkeypatch.setattr(case_loader, "CLOSE_WAIT_MS", 100, raising=False)
    try:
        assert window.browser.select_pseudonym("NLRP12-02")
        assert connecting.wait(10)
        window.close()
        assert not gc.isenabled(), "collection is back while the loader still connects"
        answer.set()
        qtbot.waitUntil(gc.isenabled, timeout=10_000)
    finally:
        answer.set()
        event.remove(demo_engine, "do_connect", slow_server)
    qtbot.wait(50)  # what the read sent is delivered by now
    assert window.case is None  # NLRP12-01 let go, NLRP12-02 never shown
    window.loader.load(window.browser.current_id())
    assert window.loader.wait(0), "a closed window started another read"


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

"""The episode list, the properties panel, the readout and the axis say the same "day N"
as the PDF for a case never on anakinra (days from its first record)."""

from __future__ import annotations

from PySide6 import QtCore

from data.alignment import DAY
from data.episode_edit import Span
from gui.timeline.axis import CALENDAR, RELATIVE
from tests.data.test_alignment import no_anakinra_db, utc
from tests.gui.conftest import open_case
from tests.gui.test_timeline import readout_text


def test_a_case_without_anakinra_has_one_day_n_in_every_view(qtbot, make_window, tmp_path):
    engine, _pid = no_anakinra_db(tmp_path)
    try:
        window = make_window(engine)
        case = open_case(qtbot, window, "NOANA-01")
        panel = window.episode_feature.list_panel
        assert panel.model.rowCount() == 1
        headers = [panel.proxy.headerData(i, QtCore.Qt.Orientation.Horizontal)
                   for i in range(panel.proxy.columnCount())]
        assert panel.proxy.index(0, headers.index("Day")).data() == "+10"  # was "—"
        qtbot.mouseClick(panel.table.viewport(), QtCore.Qt.MouseButton.LeftButton,
                         pos=panel.table.visualRect(panel.proxy.index(0, 0)).center())
        length = window.episode_feature.properties.length.text()
        assert "onset on day +10 from the first record" in length
        timeline = window.timeline
        timeline.set_axis_mode(RELATIVE)
        axis = timeline.plots()[-1].getAxis("bottom")
        assert axis.labelText == "Days from the first record"
        assert axis.tickStrings([case.anchor.t + 10 * DAY], 1, DAY) == ["10"]
        # The readout: the sample at 16:00 on 12 March is on day +11, not "+11.2".
        timeline.set_cursor(utc(2021, 3, 12, 16))
        assert "day +11" in readout_text(timeline)
        assert "day +11." not in readout_text(timeline)
        span = Span(utc(2021, 3, 11), utc(2021, 3, 14))
        assert timeline.episode_layer.describe(span).startswith("day +10 → day +12")
        timeline.set_axis_mode(CALENDAR)
        assert timeline.episode_layer.describe(span).endswith("· day +10")
    finally:
        window.close()
        engine.dispose()

"""The case timeline: stacked pyqtgraph tracks sharing one time axis."""

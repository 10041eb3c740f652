"""Annotating episodes: graphics, undo commands, the controller, the list and properties docks.

Nothing is imported here so that the timeline can use the graphics without the rest;
the main window installs the feature through gui.episodes.install.
"""

"""Suggested episodes: the relapse criteria's candidates on the timeline and in a dock,
accepted into reviewer episodes or rejected with a reason, undoably."""

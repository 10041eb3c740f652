"""The episode overlay of the open case (issue 14, item 5)."""

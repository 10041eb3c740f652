"""The Key figures dock: the case's key figures beside the timeline (issue 14, item 4)."""

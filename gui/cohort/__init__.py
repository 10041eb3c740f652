"""The cohort view: several cases aligned at anakinra start (issue 14, item 6)."""

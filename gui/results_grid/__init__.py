"""The Results grid dock: every measurement by date and analyte (issue 14, item 3)."""

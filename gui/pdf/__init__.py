"""The PDF case summary: vector timeline, key figures and tables, paginated."""

from gui.pdf.export import ExportError, export_all, export_case_pdf

__all__ = ["ExportError", "export_all", "export_case_pdf"]

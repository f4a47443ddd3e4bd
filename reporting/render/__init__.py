"""Two renderings of one ``reporting.document.Document``: ``render_pdf`` (WeasyPrint, French
formats, charts as inline SVG) and ``render_xlsx`` (openpyxl, typed cells, the listings)."""

from reporting.render.pdf import render_pdf
from reporting.render.xlsx import render_xlsx

__all__ = ["render_pdf", "render_xlsx"]

"""The PDF of a report: ``templates/pdf/report.html`` (print-only, on the one PDF base template of
the project, with its vendored DejaVu font and its "page N / M" footer) rendered by WeasyPrint.

Values are formatted here, by kind, before the template sees them: the template only lays out
strings, so the PDF shows exactly what ``formats.format_value`` gives, which the tests compare
with the XLSX cells. Listings are never printed (they are the XLSX's job); the cover names them.
Charts are numbered through the whole document, "Figure N — title" under each.
"""

from __future__ import annotations

from itertools import count

from django.conf import settings
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from chantiers.pdf import font_dir
from chantiers.pdf import render_pdf as print_document
from reporting.document import Chart, Document, KeyFigures, Table
from reporting.render.charts import chart_svg
from reporting.render.formats import format_value, is_numeric

# Columns from which a table is set smaller to fit the A4 portrait width; a table of ten money
# columns or more still overflows, and is better split by its builder.
WIDE_TABLE, WIDER_TABLE = 7, 10
SHORT_TABLE = 20  # rows up to which a table is kept on one page


def render_pdf(document: Document) -> bytes:
    """In the active language's formats; with none active (a command decorated with
    ``no_translations``), in the site's language rather than Django's bare "1234.56"."""
    with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
        return print_document("pdf/report.html", report_context(document))


def report_context(document: Document) -> dict:
    generated_at = timezone.localtime(document.generated_at or timezone.now())
    figures = count(1)  # one numbering of the charts, across the sections
    return {
        "document": document,
        "organization": {"name": document.organization_name},  # the base template's header
        "generated_at": generated_at,
        "fonts": font_dir(),
        "sections": [
            {
                "title": section.title,
                "anchor": f"section-{number}",
                "new_page": section.new_page,
                "blocks": [
                    _block(block, f"chart-{number}-{index}", figures)
                    for index, block in enumerate(section.blocks, start=1)
                ],
            }
            for number, section in enumerate(document.sections, start=1)
        ],
        "listings": document.listings,
    }


def _block(block, prefix: str, figures) -> dict:
    if isinstance(block, KeyFigures):
        return {
            "type": "figures",
            "items": [
                {
                    "label": f.label,
                    "value": format_value(f.value, f.kind),
                    "note": f.note,
                    "text": f.kind == "text",
                }
                for f in block.items
            ],
        }
    if isinstance(block, Table):
        return table_cells(block)
    if isinstance(block, Chart):
        # Our own SVG (matplotlib's output, labels escaped by it), hence safe to inline.
        return {
            "type": "chart",
            "figure": _("Figure %(n)s") % {"n": next(figures)},
            "title": block.title,
            "note": block.note,
            "svg": mark_safe(chart_svg(block, prefix=prefix)),
        }
    return {"type": "text", "text": block.text}


def _css_class(kind: str) -> str:
    if is_numeric(kind):
        return "num"
    return "date" if kind == "date" else ""


def table_cells(table: Table) -> dict:
    """A table as the strings the PDF prints, cell by cell."""

    def cells(values):
        return [
            {"text": format_value(value, column.kind), "css": _css_class(column.kind)}
            for value, column in zip(values, table.columns, strict=True)
        ]

    return {
        "type": "table",
        "title": table.title,
        "columns": [{"label": c.label, "numeric": is_numeric(c.kind)} for c in table.columns],
        "rows": [cells(row) for row in table.rows],
        "footer": cells(table.footer) if table.footer else None,
        "note": table.note,
        "wide": len(table.columns) >= WIDE_TABLE,
        "wider": len(table.columns) >= WIDER_TABLE,
        "keep": len(table.rows) <= SHORT_TABLE,
    }

"""The spreadsheet beside the PDF: the same ``Document``, with typed cells.

Sheets: "Paramètres" (what the PDF's cover says), one per section (its key figures as label /
value rows, its tables, the data of its charts), then one per listing (the rows behind the
figures, which the PDF does not print). Numbers stay numbers and dates stay dates, with a number
format per kind (``formats.XLSX_FORMATS``), so a funder can sum a column without retyping it.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from accounts.text import printable
from reporting.document import Chart, Column, Document, KeyFigures, Table, Text
from reporting.render.formats import (
    XLSX_DATETIME,
    XLSX_FORMATS,
    as_decimal,
    format_value,
    is_numeric,
)

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
SUBTITLE = Font(bold=True, size=11)
SHEET_NAME_MAX = 31
FORBIDDEN_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
WIDTH_MIN, WIDTH_MAX = 8, 60
HEADER_WIDTH = 26


def render_xlsx(document: Document) -> bytes:
    with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
        workbook = _workbook(document)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _workbook(document: Document) -> Workbook:
    workbook = Workbook()
    names: set[str] = set()
    workbook.active.title = _sheet_name(_("Paramètres"), names)
    _parameters(_Sheet(workbook.active), document)
    for section in document.sections:
        _section(_Sheet(workbook.create_sheet(_sheet_name(section.title, names))), section)
    for listing in document.listings:
        _listing(_Sheet(workbook.create_sheet(_sheet_name(listing.title, names))), listing)
    return workbook


class _Sheet:
    """A worksheet written top to bottom: the next free row and the widest text per column are
    kept here (openpyxl's ``max_row`` scans every cell: asking it per row of a 10 000-row
    listing would take minutes)."""

    def __init__(self, worksheet):
        self.worksheet = worksheet
        self.row = 0  # the last row written
        self.widths: dict[int, int] = {}

    def line(self, *cells: tuple[object, str], font: Font | None = None) -> list:
        """The next row, one (value, kind) per cell from column A."""
        self.row += 1
        written = []
        for col, (value, kind) in enumerate(cells, start=1):
            cell = _write(self.worksheet.cell(self.row, col), value, kind)
            if font is not None and value is not None:
                cell.font = font
            written.append(cell)
            width = len(format_value(value, kind)) if value is not None else 0
            self.widths[col] = max(self.widths.get(col, 0), width + 2)
        return written

    def title(self, text: str, font: Font) -> None:
        # Titles run over the next cells: they do not widen column A.
        self.row += 1
        self.worksheet.cell(self.row, 1, _text(text)).font = font

    def skip(self) -> None:
        self.row += 1

    def set_widths(self) -> None:
        for col, width in self.widths.items():
            self.worksheet.column_dimensions[get_column_letter(col)].width = min(
                max(width, WIDTH_MIN), WIDTH_MAX
            )


def _parameters(sheet: _Sheet, document: Document) -> None:
    generated_at = timezone.localtime(document.generated_at or timezone.now())
    sheet.title(document.title, TITLE)
    rows = [
        (_("Organisation"), document.organization_name),
        (_("Rapport"), document.title),
        (_("Période"), document.period_label),
        *document.parameters,
        # Excel has no time zones: the Brussels wall-clock time, as on the PDF's cover.
        (_("Généré le"), generated_at.replace(tzinfo=None, microsecond=0)),
    ]
    for label, value in rows:
        sheet.line((label, "text"), (value, "text"))[0].font = BOLD
    sheet.widths = {1: 24, 2: 60}
    sheet.set_widths()


def _section(sheet: _Sheet, section) -> None:
    sheet.title(section.title, TITLE)
    for block in section.blocks:
        sheet.skip()  # an empty row between two blocks
        if isinstance(block, KeyFigures):
            for figure in block.items:
                sheet.line(
                    (figure.label, "text"),
                    (figure.value, figure.kind),
                    (figure.note or None, "text"),
                )
        elif isinstance(block, Table):
            _table(sheet, block)
        elif isinstance(block, Chart):
            _table(sheet, chart_table(block))
        elif isinstance(block, Text):
            sheet.title(block.text, Font())
    sheet.set_widths()


def chart_table(chart: Chart) -> Table:
    """The figures behind a chart, as a table: categories down, one column per series."""
    return Table(
        title=chart.title,
        columns=[
            Column(""),
            *(Column(name, _chart_kind(chart, values)) for name, values in chart.series),
        ],
        rows=[
            [category, *(values[i] for _name, values in chart.series)]
            for i, category in enumerate(chart.categories)
        ],
        note=chart.note,
    )


def _chart_kind(chart: Chart, values) -> str:
    if chart.percent:
        return "percent"
    whole = all(v is None or as_decimal(v) == as_decimal(v).to_integral_value() for v in values)
    return "int" if whole else "decimal"


def _table(sheet: _Sheet, table: Table) -> int:
    """Title, bold header, rows, bold footer, note; returns the header's row number."""
    if table.title:
        sheet.title(table.title, SUBTITLE)
    widths = dict(sheet.widths)
    header = sheet.line(*((c.label, "text") for c in table.columns), font=BOLD)
    header_row = sheet.row
    # A long column label wraps rather than widens its column.
    sheet.widths = {
        col: max(widths.get(col, 0), min(w, HEADER_WIDTH)) for col, w in sheet.widths.items()
    }
    for cell, column in zip(header, table.columns, strict=True):
        cell.alignment = Alignment(
            horizontal="right" if is_numeric(column.kind) else "left", wrap_text=True
        )
    for values in table.rows:
        sheet.line(*zip(values, (c.kind for c in table.columns), strict=True))
    if table.footer and table.rows:  # as the PDF: no total line under a table with no rows
        sheet.line(*zip(table.footer, (c.kind for c in table.columns), strict=True), font=BOLD)
    if table.note:
        sheet.title(table.note, Font(italic=True))
    return header_row


def _listing(sheet: _Sheet, listing: Table) -> None:
    header = _table(sheet, listing)
    worksheet = sheet.worksheet
    worksheet.freeze_panes = worksheet.cell(header + 1, 1)  # the header stays in view
    if listing.rows:
        last_column = get_column_letter(len(listing.columns))
        worksheet.auto_filter.ref = f"A{header}:{last_column}{header + len(listing.rows)}"
    sheet.set_widths()


def _write(cell, value, kind: str):
    """A typed cell: numbers as numbers, dates as dates, None empty, text as text (never a
    formula: a name starting with "=" stays a name)."""
    if value is None or value == "":
        return cell
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, datetime):
        cell.value = (
            timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        )
        cell.number_format = XLSX_DATETIME
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = XLSX_FORMATS["date"]
    elif isinstance(value, int | float) or hasattr(value, "as_tuple"):  # int, float, Decimal
        cell.value = value
        cell.number_format = XLSX_FORMATS.get(kind, XLSX_FORMATS["decimal"])
        cell.alignment = Alignment(horizontal="right")
    else:
        cell.value = _text(value)
        cell.data_type = "s"
    return cell


def _text(value) -> str:
    # openpyxl refuses control characters (a pasted note may hold one): drop them.
    return printable(value)


def _sheet_name(title: str, taken: set[str]) -> str:
    """At most 31 characters, none of []:*?/\\, unique in the workbook (case-insensitive,
    as Excel compares them), never empty."""
    base = FORBIDDEN_IN_SHEET_NAME.sub("-", _text(title)).strip().strip("'") or _("Feuille")
    name = base[:SHEET_NAME_MAX]
    number = 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        number += 1
    taken.add(name.lower())
    return name

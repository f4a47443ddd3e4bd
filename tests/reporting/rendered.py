"""Reading a rendered report back, for the tests that check what it prints: a PDF's text with
ordinary spaces, a table's rows in its XLSX sheet, a listing's sheet, and a cell compared with a
Document's value; and a figure of the director's dashboard, which shows the reports' figures."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting.document import Table
from reporting.render.pdf import render_pdf
from reporting.render.xlsx import render_xlsx


def _plain(text: str) -> str:
    """One line of text with ordinary spaces: the PDF keeps "1 234,56 €" on one line with
    no-break spaces, which a test compares as spaces; a hyphenated word the PDF wrapped after
    its hyphen ("rendez-" / "vous") is read whole."""
    text = text.replace("-\n", "-")
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


def _pdf_text(document) -> str:
    pdf = render_pdf(document)
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _listing_rows(document, title: str) -> tuple[list, list[list]]:
    """A listing's sheet read back: its header (the row starting with "N°") and every row
    under it, down to the note (a row with its first cell only)."""
    sheet = load_workbook(io.BytesIO(render_xlsx(document)))[title]
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == "N°")
    body = []
    for row in rows[start + 1 :]:
        if all(cell is None for cell in row[1:]):
            break
        body.append(list(row))
    return list(rows[start]), body


def _dashboard(client, user):
    client.force_login(user)
    page = client.get(reverse("dashboard:home"))
    assert page.status_code == 200
    return page


def _card(page, testid: str) -> str | None:
    """The figure of a dashboard's card, as shown, with ordinary spaces."""
    found = re.search(rf'data-testid="{testid}">([^<]*)<', page.text)
    return _plain(found.group(1)) if found else None


def _xlsx_table(sheet, table: Table) -> tuple[list[list[object]], list[object] | None]:
    """The rows under the table's header in its section's sheet, read back as typed values."""
    labels = tuple(c.label for c in table.columns)
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[: len(labels)] == labels) + 1
    body = [list(row[: len(labels)]) for row in rows[start : start + len(table.rows)]]
    footer = list(rows[start + len(table.rows)][: len(labels)]) if table.footer else None
    return body, footer


def _same(cell, value) -> bool:
    if value is None:
        return cell is None
    if isinstance(value, date):
        return cell == datetime(value.year, value.month, value.day)
    if isinstance(value, Decimal):
        return Decimal(str(cell)) == value
    return cell == value


def _as_document_value(cell, kind: str):
    if isinstance(cell, datetime) and kind == "date":
        return cell.date()
    if isinstance(cell, float):
        return Decimal(str(cell))
    return cell

"""What a report is, independent of its format.

A report builder (``reporting/reports/<kind>.py``) reads its figures from ``reporting.indicators``
and returns a ``Document``; the PDF and the XLSX are two renderings of that one document, so the
two files cannot disagree. Values stay raw Python (``int``, ``Decimal``, ``date``, ``str``,
``None``); the renderers format them by the column's or the figure's ``kind`` (French formats in the
PDF, typed cells in the XLSX).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# How a value is shown. "percent" values are fractions (Decimal("0.325") → "32,5 %"); None is "—".
KINDS = ("int", "decimal", "money", "hours", "percent", "date", "text")


@dataclass
class KeyFigure:
    label: str
    value: object
    kind: str = "int"
    note: str = ""  # e.g. "sur 120 sorties" or "objectif : 400"


@dataclass
class KeyFigures:
    items: list[KeyFigure]


@dataclass
class Column:
    label: str
    kind: str = "text"


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list[object]]
    footer: list[object] | None = None  # a totals row, same length as columns
    note: str = ""


@dataclass
class Chart:
    """A bar chart (categories × series) or a line chart (a trend); drawn as inline SVG."""

    title: str
    categories: list[str]
    series: list[tuple[str, list[float | int]]]
    style: str = "bar"  # "bar", "hbar" or "line"
    percent: bool = False  # values are fractions, axis in %
    note: str = ""  # printed after the title in the caption under the chart (and in the XLSX)


@dataclass
class Text:
    text: str


Block = KeyFigures | Table | Chart | Text


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)
    new_page: bool = False  # the PDF starts it on a page of its own (the definitions)


@dataclass
class Document:
    kind: str  # ReportRun.Kind value
    title: str
    organization_name: str
    period_label: str  # "Année 2025", "du 01/01/2026 au 30/06/2026"
    parameters: list[tuple[str, str]]  # shown on the cover: (label, value)
    sections: list[Section]
    # Long listings that belong in the spreadsheet only ("the rows behind every figure").
    listings: list[Table] = field(default_factory=list)
    generated_at: datetime | None = None  # set by the renderer's caller

    def tables(self):
        for section in self.sections:
            for block in section.blocks:
                if isinstance(block, Table):
                    yield section, block

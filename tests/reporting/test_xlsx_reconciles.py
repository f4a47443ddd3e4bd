"""The spreadsheet beside a report "lists the rows behind every figure" (DESIGN §5): on the demo
data, every report kind is rendered and read back with openpyxl as a funder would read it —
tables found by their title cell, their bold header, their rows and their bold "Total" line,
key figures by their label — and every total line is the sum of its rows, every figure the count
or the sum of the rows of the listing behind it (issue 18, item 8).

The demo data is seeded once for the module (it takes a while), every report built and read
back there, and the transaction rolled back: the tests then only read the spreadsheets.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Organization
from chantiers.models import Enrolment
from config.celery import app as celery_app
from participants.models import (
    EMPLOYMENT_OUTCOMES,
    POSITIVE_OUTCOMES,
    TRAINING_OUTCOMES,
    ExitOutcome,
    Gender,
)
from reporting.render import render_xlsx
from reporting.reports import build
from workshops.models import Module

OPERATOR = "ml-bruxelles-midi"

# The tests read spreadsheets only, but the module's fixture seeds the test database: marked,
# so that pytest-django sets that database up even when this file runs alone.
pytestmark = pytest.mark.django_db


def _asks(year: int) -> dict[str, tuple[str, dict]]:
    """The reports checked, by test id: (kind, parameters)."""
    this_year = {"start": f"{year}-01-01", "end": f"{year}-12-31"}
    return {
        "activity-this-year": ("activity", {"year": year}),
        "activity-last-year": ("activity", {"year": year - 1}),
        "subsidy-isp": ("subsidy", {"programme": "isp", **this_year}),
        "subsidy-mokolab": ("subsidy", {"programme": "mokolab", **this_year}),
        "impact-mokolab-last-year": ("impact", {"programme": "mokolab", "year": year - 1}),
        "impact-wayez-peinture": ("impact", {"chantier": "wayez-peinture"}),
        "chantier_summary-wayez-peinture": ("chantier_summary", {"chantier": "wayez-peinture"}),
        "chantier_summary-potager-albert": ("chantier_summary", {"chantier": "potager-albert"}),
        "chantier_summary-buda-renovation": ("chantier_summary", {"chantier": "buda-renovation"}),
    }


REPORTS = list(_asks(2000))  # the ids: the year does not change them


def _of_kind(kind: str) -> list[str]:
    return [name for name in REPORTS if name.startswith(f"{kind}-")]


# --- Reading a spreadsheet back ---------------------------------------------------------------

# The section that only explains the others: text, no figure.
TEXT_ONLY = {"Période et paramètres", "Définitions des chiffres"}


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _dec(value):
    """A numeric cell as a Decimal (floats through their shortest repr: 1537.5, not binary)."""
    return Decimal(str(value)) if _number(value) else value


def _day(value):
    return value.date() if isinstance(value, datetime) else value


def _rate(numerator, denominator):
    """A ratio as the reports round it: to 0.1 % (three decimals of a fraction), half up."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(
        Decimal("0.001"), rounding=ROUND_HALF_UP
    )


def _show(value) -> str:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, Counter | dict):
        return repr(dict(sorted(value.items(), key=lambda item: str(item[0]))))
    return repr(value)


def _empty(row) -> bool:
    return all(cell.value in (None, "") for cell in row)


def _bold(row) -> bool:
    return any(cell.value is not None and cell.font.b for cell in row)


def _italic(row) -> bool:
    return row[0].value is not None and bool(row[0].font.i)


def _padded(row, width: int) -> list:
    values = [cell.value for cell in row[:width]]
    return values + [None] * (width - len(values))


def _lone_bold_title(row) -> bool:
    filled = [cell for cell in row if cell.value not in (None, "")]
    return len(filled) == 1 and filled[0].column == 1 and bool(filled[0].font.b)


@dataclass
class SheetTable:
    """A table as the spreadsheet shows it."""

    sheet: str
    title: str
    header: list
    rows: list[list]
    footer: list | None
    note: str
    percent: list[bool]  # per column: cells formatted as a percentage

    @property
    def is_chart(self) -> bool:
        # A chart's figures come as a table whose first header cell is empty.
        return self.header[0] is None

    def index(self, label: str) -> int:
        assert label in self.header, f"table «{self.title}» has no column «{label}»: {self.header}"
        return self.header.index(label)

    def values(self, label: str, rows=None) -> list:
        i = self.index(label)
        return [row[i] for row in (self.rows if rows is None else rows)]

    def total(self, label: str):
        assert self.footer is not None, f"table «{self.title}» has no total line"
        return _dec(self.footer[self.index(label)])

    def sum(self, label: str, rows=None) -> Decimal:
        return sum((_dec(v) for v in self.values(label, rows) if _number(v)), Decimal(0))

    def where(self, label: str, test) -> list[list]:
        i = self.index(label)
        return [row for row in self.rows if test(row[i])]

    def counts(self, label: str, rows=None) -> Counter:
        """Rows per value of a column (a funder's pivot table)."""
        return Counter(v for v in self.values(label, rows))

    def distinct(self, label: str, rows=None) -> int:
        return len(set(self.values(label, rows)))

    def distinct_per(self, label: str, counted: str, rows=None) -> Counter:
        """Distinct values of ``counted`` per value of ``label`` (persons per situation)."""
        i, j = self.index(label), self.index(counted)
        lines = self.rows if rows is None else rows
        return Counter(key for key, _value in {(row[i], row[j]) for row in lines})

    def pairs(self, first: str, second: str, rows=None) -> Counter:
        """Rows per pair of values of two columns (a funder's two-way pivot table)."""
        return Counter(zip(self.values(first, rows), self.values(second, rows), strict=True))

    def line(self, first: str) -> list:
        """The row whose first cell is ``first``."""
        found = [row for row in self.rows if row[0] == first]
        assert len(found) == 1, f"table «{self.title}»: {len(found)} rows «{first}»"
        return found[0]

    def by_label(self, count_label: str) -> Counter:
        """The table's own counts: first column → ``count_label`` column, zeros left out."""
        i = self.index(count_label)
        return Counter({row[0]: row[i] for row in self.rows if row[i]})


def _read_sheet(worksheet) -> tuple[list[SheetTable], list[tuple[str, object, object]]]:
    """Tables (a bold title alone on its row, then a bold header, rows, a bold total line, an
    italic note) and, outside them, the key figures (label, value, note)."""
    rows = [list(row) for row in worksheet.iter_rows()]
    tables, figures = [], []
    i = 0
    while i < len(rows):
        row = rows[i]
        following = rows[i + 1] if i + 1 < len(rows) else None
        if _lone_bold_title(row) and following and not _empty(following) and _bold(following):
            header = [cell.value for cell in following]
            while header and header[-1] is None:
                header.pop()
            width = len(header)
            j, body, cells = i + 2, [], []
            while j < len(rows) and not (_empty(rows[j]) or _bold(rows[j]) or _italic(rows[j])):
                cells.append(rows[j][:width])
                body.append(_padded(rows[j], width))
                j += 1
            footer = None
            if body and j < len(rows) and _bold(rows[j]):
                cells.append(rows[j][:width])
                footer = _padded(rows[j], width)
                j += 1
            note = ""
            if j < len(rows) and _italic(rows[j]):
                note = str(rows[j][0].value)
                j += 1
            percent = [
                any(
                    col < len(line) and _number(line[col].value) and "%" in line[col].number_format
                    for line in cells
                )
                for col in range(width)
            ]
            tables.append(
                SheetTable(worksheet.title, row[0].value, header, body, footer, note, percent)
            )
            i = j
            continue
        if not _empty(row) and not _bold(row) and isinstance(row[0].value, str):
            values = [cell.value for cell in row] + [None, None]
            figures.append((row[0].value, values[1], values[2]))
        i += 1
    return tables, figures


@dataclass
class Book:
    """A report's spreadsheet, read back."""

    name: str  # "activity {'year': 2026}": what every message starts with
    parameters: dict[str, object]
    tables: list[SheetTable] = field(default_factory=list)
    figures: dict[str, list[tuple[str, object, object]]] = field(default_factory=dict)

    @classmethod
    def read(cls, name: str, content: bytes) -> Book:
        workbook = load_workbook(io.BytesIO(content))
        first, *sections = workbook.worksheets
        parameters = {}
        for label, value, *_rest in first.iter_rows(min_row=2, values_only=True):
            parameters.setdefault(label, value)
        book = cls(name, parameters)
        for worksheet in sections:
            tables, figures = _read_sheet(worksheet)
            book.tables += tables
            for label, value, note in figures:
                book.figures.setdefault(label, []).append((worksheet.title, value, note))
        return book

    def table(self, title: str) -> SheetTable:
        found = [t for t in self.tables if t.title == title and not t.is_chart]
        assert len(found) == 1, f"{self.name}: {len(found)} tables titled «{title}»"
        return found[0]

    def has_table(self, title: str) -> bool:
        return any(t.title == title and not t.is_chart for t in self.tables)

    def figure(self, label: str):
        """A key figure's value; a figure shown twice (two sections) must say the same."""
        shown = self.figures.get(label)
        assert shown, f"{self.name}: no key figure «{label}»"
        values = {_dec(value) for _sheet, value, _note in shown}
        assert len(values) == 1, f"{self.name}: key figure «{label}» differs between {shown}"
        return _dec(shown[0][1])

    def figure_note(self, label: str) -> str:
        self.figure(label)
        return self.figures[label][0][2] or ""

    def period(self) -> tuple[date, date]:
        """The period on the "Paramètres" sheet: "du 01/01/2026 au 31/12/2026"."""
        days = re.findall(r"(\d{2})/(\d{2})/(\d{4})", str(self.parameters["Période"]))
        assert len(days) == 2, f"{self.name}: no period in {self.parameters['Période']!r}"
        (d1, m1, y1), (d2, m2, y2) = days
        return date(int(y1), int(m1), int(d1)), date(int(y2), int(m2), int(d2))


class Checks:
    """Every mismatch of a report, each naming the report, the table and the figure; the test
    fails once at the end with all of them."""

    def __init__(self, book: Book):
        self.book = book
        self.problems: list[str] = []

    def equal(self, where: str, figure: str, shown, expected, source: str) -> None:
        shown, expected = _dec(shown), _dec(expected)
        if isinstance(shown, Counter) or isinstance(expected, Counter):
            shown, expected = Counter(shown), Counter(expected)
            same = +shown == +expected  # zero counts left out on both sides
        else:
            same = shown == expected
        if not same:
            self.problems.append(
                f"{self.book.name}: «{where}», {figure}: the report shows {_show(shown)}, "
                f"{source} gives {_show(expected)}"
            )

    def at_most(self, where: str, figure: str, shown, bound, source: str) -> None:
        if not _dec(shown) <= _dec(bound):
            self.problems.append(
                f"{self.book.name}: «{where}», {figure}: the report shows {_show(shown)}, more "
                f"than {source} ({_show(bound)})"
            )

    def true(self, where: str, figure: str, condition: bool, what: str) -> None:
        if not condition:
            self.problems.append(f"{self.book.name}: «{where}», {figure}: {what}")

    def verify(self) -> None:
        assert not self.problems, "\n".join(self.problems)


# --- Every total line adds up ------------------------------------------------------------------

# A percentage column → its numerator and denominator columns; None as denominator: the table's
# total of the numerator column (a share of the whole).
RATIOS = {
    "Part": ("Personnes", None),
    "Part des sorties": ("Personnes", None),
    "Part levée": ("Levés", "Identifiés"),
    "Taux de sorties positives": ("Sorties positives", "Personnes accompagnées"),
}

# Totals that count distinct persons, not the sum of the rows (a person in two rows counts once):
# (table, column) → what the table's note says of it.
DISTINCT_PERSONS = {
    ("Chantiers de l'année", "Participant·es"): "Le total compte chaque personne une fois.",
    (
        "Heures et défraiements par chantier du programme",
        "Participant·es",
    ): "Participant·es du total : personnes distinctes.",
    (
        "Sorties de l'année par situation à la sortie",
        "Personnes",
    ): "une personne qui quitte deux programmes dans l'année compte deux sorties et une personne",
}


def _check_ratio(checks: Checks, table: SheetTable, col: int) -> bool:
    """A percentage column against the columns it divides; False when the table does not show
    them (a rate of marks, of enrolments: the counts are not in the table)."""
    label = table.header[col]
    numerator, denominator = RATIOS.get(label, (None, None))
    if numerator not in table.header or (denominator and denominator not in table.header):
        return False
    lines = [*table.rows, *([table.footer] if table.footer else [])]
    for line in lines:
        top = _dec(line[table.index(numerator)])
        if denominator:
            bottom = _dec(line[table.index(denominator)])
        elif table.footer:
            bottom = table.total(numerator)
        else:
            return False
        if top is None or bottom is None:
            continue
        checks.equal(
            table.title,
            f"{label} of «{line[0] if line[0] is not None else line[1]}»",
            line[col],
            _rate(top, bottom),
            f"{numerator} / {denominator or 'its total'}",
        )
    return True


def _check_table(checks: Checks, table: SheetTable, notes: list[str]) -> None:
    for col, label in enumerate(table.header):
        if table.percent[col]:
            if not _check_ratio(checks, table, col):
                notes.append(f"{checks.book.name}: «{table.title}», {label}: rate not checked")
            continue
        if table.footer is None or not _number(table.footer[col]):
            continue
        column_sum = table.sum(label)
        distinct = DISTINCT_PERSONS.get((table.title, label))
        if distinct:
            checks.true(
                table.title,
                f"total of {label}",
                distinct in table.note,
                f"counts distinct persons, but the note does not say so: {table.note!r}",
            )
            checks.at_most(
                table.title, f"total of {label}", table.total(label), column_sum, "its rows"
            )
            notes.append(
                f"{checks.book.name}: «{table.title}», total of {label} (distinct persons) "
                f"{_show(table.total(label))} ≤ sum of the rows {_show(column_sum)}"
            )
        else:
            checks.equal(
                table.title, f"total of {label}", table.total(label), column_sum, "its rows"
            )
    # A "Total" column (persons by gender, referrals by status): the sum of the counts before it.
    if "Total" in table.header[1:]:
        last = table.index("Total")
        parts = [c for c in range(1, last) if not table.percent[c]]
        for line in [*table.rows, *([table.footer] if table.footer else [])]:
            cells = [line[c] for c in parts]
            if len(cells) >= 2 and all(_number(v) for v in [*cells, line[last]]):
                checks.equal(
                    table.title,
                    f"Total of «{line[0]}»",
                    line[last],
                    sum(_dec(v) for v in cells),
                    f"the sum of {[table.header[c] for c in parts]}",
                )


# --- The demo data, every report, read back --------------------------------------------------


@pytest.fixture(scope="module")
def books(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[str, Book]:
    settings = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),  # the demo's documents
    )
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    read = {}
    try:
        with django_db_blocker.unblock(), settings, transaction.atomic():
            assert not Organization.objects.exists(), "the demo needs an empty test database"
            call_command("seed_demo", verbosity=0, stdout=io.StringIO())
            operator = Organization.objects.get(slug=OPERATOR)
            for name, (kind, parameters) in _asks(timezone.localdate().year).items():
                document = build(kind, organization=operator, parameters=parameters)
                read[name] = Book.read(f"{kind} {parameters}", render_xlsx(document))
            transaction.set_rollback(True)
    finally:
        celery_app.conf.task_always_eager = eager
    return read


@pytest.mark.parametrize("report", REPORTS)
def test_every_total_line_is_the_sum_of_its_rows(books, report):
    """Each numeric column's total is the sum of its rows; a percentage is the ratio of the
    columns it divides; a total of distinct persons (said in the note) is at most the sum."""
    book = books[report]
    checks, notes = Checks(book), []
    for table in book.tables:
        if not table.is_chart and table.title not in TEXT_ONLY:
            _check_table(checks, table, notes)
    if notes:  # what was not checked, or only bounded: shown with -s
        print("\n".join(notes))
    checks.verify()


# --- Activity ---------------------------------------------------------------------------------

# Table of the profile → the column of the listing "Personnes accompagnées" it counts.
ACTIVITY_BREAKDOWNS = {
    "Genre": "Genre",
    "Âge au 31 décembre": "Âge au 31 décembre",
    "Niveau de diplôme": "Niveau de diplôme",
    "Durée de recherche d'emploi à l'entrée en parcours": "Durée de recherche d'emploi",
    "Commune": "Commune",
    "Source de revenus": "Source de revenus",
}


@pytest.mark.parametrize("report", _of_kind("activity"))
def test_the_activity_figures_are_the_counts_of_its_listings(books, report):
    book = books[report]
    checks = Checks(book)
    persons = book.table("Personnes accompagnées")
    exits = book.table("Sorties")
    source = "the rows of the listing «Personnes accompagnées»"
    n = len(persons.rows)
    checks.equal(
        persons.title, "one row per person", persons.distinct("Identifiant"), n, "its rows"
    )
    checks.equal("Chiffres clés", "Personnes accompagnées", book.figure(persons.title), n, source)
    new = len(persons.where("Nouvelle personne", lambda v: v == "oui"))
    checks.equal(
        "Chiffres clés",
        "dont nouvelles personnes",
        book.figure("dont nouvelles personnes"),
        new,
        f"«Nouvelle personne» = oui in {source}",
    )
    positive = len(persons.where("Sortie positive", lambda v: v == "oui"))
    checks.equal(
        "Chiffres clés",
        "Sorties positives (emploi ou formation)",
        book.figure("Sorties positives (emploi ou formation)"),
        positive,
        f"«Sortie positive» = oui in {source}",
    )
    exited = len(persons.where("Date de sortie", lambda v: v is not None))
    checks.equal(
        "Chiffres clés",
        "Personnes sorties",
        book.figure("Personnes sorties"),
        exited,
        f"the rows with a «Date de sortie» in {source}",
    )
    checks.equal(
        "Chiffres clés",
        "Personnes sorties",
        book.figure("Personnes sorties"),
        exits.distinct("Identifiant"),
        "the persons of the listing «Sorties»",
    )
    checks.equal(
        "Chiffres clés",
        "Sorties positives (emploi ou formation)",
        book.figure("Sorties positives (emploi ou formation)"),
        exits.distinct("Identifiant", exits.where("Positive", lambda v: v == "oui")),
        "the persons of the listing «Sorties» whose exit is positive",
    )
    checks.equal(
        "Chiffres clés",
        "Taux de sorties positives",
        book.figure("Taux de sorties positives"),
        _rate(positive, n),
        f"positive exits / persons in {source}",
    )
    checks.equal(
        "Chiffres clés",
        "Sorties positives parmi les sorties",
        book.figure("Sorties positives parmi les sorties"),
        _rate(positive, exited),
        f"positive exits / exits in {source}",
    )
    target = re.sub(r"\D", "", book.figure_note("Personnes accompagnées"))
    checks.equal(
        "Chiffres clés",
        "Atteinte de l'objectif annuel",
        book.figure("Atteinte de l'objectif annuel"),
        _rate(n, int(target)) if target else None,
        f"{source} / the target in the figure's note",
    )

    for title, column in ACTIVITY_BREAKDOWNS.items():
        table = book.table(title)
        checks.equal(
            title,
            "persons per category",
            table.by_label("Personnes"),
            persons.counts(column),
            f"{source} per «{column}»",
        )
        checks.equal(title, "total of Personnes", table.total("Personnes"), n, source)

    by_outcome = book.table("Sorties de l'année par situation à la sortie")
    checks.equal(
        by_outcome.title,
        "exits per situation",
        by_outcome.by_label("Sorties"),
        exits.counts("Situation à la sortie"),
        "the rows of the listing «Sorties» per situation",
    )
    checks.equal(
        by_outcome.title,
        "persons per situation",
        by_outcome.by_label("Personnes"),
        exits.distinct_per("Situation à la sortie", "Identifiant"),
        "the persons of the listing «Sorties» per situation",
    )
    checks.equal(
        by_outcome.title,
        "total of Sorties",
        by_outcome.total("Sorties"),
        len(exits.rows),
        "the rows of the listing «Sorties»",
    )
    checks.equal(
        by_outcome.title,
        "total of Personnes",
        by_outcome.total("Personnes"),
        exits.distinct("Identifiant"),
        "the persons of the listing «Sorties»",
    )
    by_group = book.table("Sorties par groupe")
    checks.equal(
        by_group.title,
        "exits per group",
        by_group.by_label("Sorties"),
        exits.counts("Groupe"),
        "the rows of the listing «Sorties» per group",
    )

    trend = book.table("Personnes accompagnées et sorties positives par année")
    year = trend.line(str(book.parameters["Année"]))
    for label in ("Personnes accompagnées", "Sorties positives", "Taux de sorties positives"):
        figure = (
            "Sorties positives (emploi ou formation)" if label == "Sorties positives" else label
        )
        checks.equal(
            trend.title,
            f"{label} of the report's year",
            year[trend.index(label)],
            book.figure(figure),
            f"the key figure «{figure}»",
        )

    chantiers = book.table("Chantiers de l'année")
    checks.equal(
        "Chantiers",
        "Chantiers de l'année",
        book.figure("Chantiers de l'année"),
        len(chantiers.rows),
        "the rows of the table «Chantiers de l'année»",
    )
    for figure, column in (
        ("Participant·es aux chantiers", "Participant·es"),
        ("Heures prestées", "Heures prestées"),
    ):
        checks.equal(
            "Chantiers",
            figure,
            book.figure(figure),
            chantiers.total(column),
            f"the total of «{column}» in the table «Chantiers de l'année»",
        )
    matchings = book.table("Mises en relation proposées dans l'année, par résultat")
    checks.equal(
        "Relations avec les employeurs",
        "Mises en relation proposées",
        book.figure("Mises en relation proposées"),
        matchings.total("Mises en relation"),
        f"the total of the table «{matchings.title}»",
    )
    checks.verify()


def test_the_activity_trend_repeats_last_years_report(books):
    """The five-year trend of this year's report says what last year's report said."""
    this, last = books["activity-this-year"], books["activity-last-year"]
    checks = Checks(this)
    trend = this.table("Personnes accompagnées et sorties positives par année")
    year = trend.line(str(last.parameters["Année"]))
    for label, figure in (
        ("Personnes accompagnées", "Personnes accompagnées"),
        ("Sorties positives", "Sorties positives (emploi ou formation)"),
        ("Taux de sorties positives", "Taux de sorties positives"),
    ):
        checks.equal(
            trend.title,
            f"{label} of last year",
            year[trend.index(label)],
            last.figure(figure),
            f"the key figure «{figure}» of {last.name}",
        )
    checks.verify()


@pytest.mark.parametrize("report", _of_kind("activity"))
def test_the_activity_money_needs_referrals_and_employers_are_the_rows_of_their_listings(
    books, report
):
    """The indemnities paid, the needs, the referrals and the employer figures (DESIGN §5) are
    the sums and counts of the listings behind them, and those list nothing else."""
    book = books[report]
    checks = Checks(book)
    year = int(book.parameters["Année"])

    def in_year(value) -> bool:
        return value is not None and _day(value).year == year

    def only_the_year(listing: SheetTable, *dates: str) -> None:
        outside = [
            row for row in listing.rows if not any(in_year(row[listing.index(d)]) for d in dates)
        ]
        checks.true(
            listing.title,
            "rows",
            not outside,
            f"{len(outside)} rows with no {' or '.join(f'«{d}»' for d in dates)} in {year}",
        )

    statements = book.table("Défraiements payés")
    only_the_year(statements, "Mois")
    checks.equal(
        "Chiffres clés",
        "Défraiements payés",
        book.figure("Défraiements payés"),
        statements.sum("Montant"),
        f"the sum of «Montant» in the listing «{statements.title}»",
    )

    needs = book.table("Besoins")
    only_the_year(needs, "Identifié le", "Levé le")
    source = f"the rows of the listing «{needs.title}»"
    if book.has_table("Besoins identifiés et levés dans l'année"):
        table = book.table("Besoins identifiés et levés dans l'année")
        for column, date_column in (("Identifiés", "Identifié le"), ("Levés", "Levé le")):
            checks.equal(
                table.title,
                f"«{column}» per need",
                table.by_label(column),
                needs.counts("Besoin", needs.where(date_column, in_year)),
                f"{source} with «{date_column}» in {year}, per «Besoin»",
            )
    else:  # "Aucun besoin identifié ni levé"
        checks.equal("Besoins d'accompagnement", "needs", 0, len(needs.rows), source)

    referrals = book.table("Orientations")
    only_the_year(referrals, "Envoyée le")
    source = f"the rows of the listing «{referrals.title}» per «Type de partenaire» and «État»"
    listed = referrals.pairs("Type de partenaire", "État")
    if book.has_table("Orientations envoyées dans l'année"):
        table = book.table("Orientations envoyées dans l'année")
        statuses = table.header[1 : table.index("Total")]
        shown = Counter(
            {
                (row[0], status): row[table.index(status)]
                for row in table.rows
                for status in statuses
            }
        )
        checks.equal(table.title, "referrals per partner kind and status", shown, listed, source)
    else:  # "Aucune orientation envoyée"
        checks.equal("Orientations vers les partenaires", "referrals", Counter(), listed, source)

    matchings = book.table("Mises en relation")
    contacts = book.table("Contacts de prospection")
    only_the_year(matchings, "Proposée le", "Engagé·e le")
    only_the_year(contacts, "Date")
    proposed = matchings.where("Proposée le", in_year)
    hired = matchings.where("Engagé·e le", in_year)
    in_matchings = f"the rows of the listing «{matchings.title}»"
    in_contacts = f"the listing «{contacts.title}»"
    expected = {
        "Employeurs contactés": (contacts.distinct("Employeur"), f"the employers of {in_contacts}"),
        "Contacts de prospection": (len(contacts.rows), f"the rows of {in_contacts}"),
        "Mises en relation proposées": (len(proposed), f"{in_matchings} proposed in {year}"),
        "Engagements": (len(hired), f"{in_matchings} with «Engagé·e le» in {year}"),
    }
    employers = "Relations avec les employeurs"
    for figure, (count, source) in expected.items():
        # No contact, matching nor hire: the section says so in a sentence, without figures.
        shown = book.figure(figure) if figure in book.figures else 0
        checks.equal(employers, figure, shown, count, source)
    if book.has_table("Mises en relation proposées dans l'année, par résultat"):
        table = book.table("Mises en relation proposées dans l'année, par résultat")
        checks.equal(
            table.title,
            "matchings per outcome",
            table.by_label("Mises en relation"),
            matchings.counts("Résultat", proposed),
            f"{in_matchings} proposed in {year}, per «Résultat»",
        )
    checks.verify()


# The appointments' key figures → the «Issue» of the listing rows they count.
APPOINTMENT_ISSUES = {
    "Rendez-vous tenus": "Tenu",
    "Absences sans prévenir": "Absence sans prévenir",
    "Rendez-vous annulés": "Annulé",
    "Rendez-vous à compléter": "À compléter",
    "Rendez-vous à venir": "À venir",
}


@pytest.mark.parametrize("report", _of_kind("activity"))
def test_the_activity_appointments_are_the_rows_of_their_listing(books, report):
    """« Rendez-vous individuels » (issue 20) counts the rows of the listing « Rendez-vous »
    by issue, the persons met and the hours are those of its held rows, and it lists the
    appointments of the year only (Brussels time)."""
    book = books[report]
    checks = Checks(book)
    year = int(book.parameters["Année"])
    section = "Rendez-vous individuels"
    listing = book.table("Rendez-vous")
    source = f"the rows of the listing «{listing.title}»"
    outside = [r for r in listing.rows if _day(r[listing.index("Date et heure")]).year != year]
    checks.true(listing.title, "rows", not outside, f"{len(outside)} rows outside {year}")

    def shown(figure: str):
        # No appointment in the year: the section says so in a sentence, without figures.
        return book.figure(figure) if figure in book.figures else 0

    issues = listing.counts("Issue")
    others = set(issues) - set(APPOINTMENT_ISSUES.values())
    checks.true(listing.title, "«Issue»", not others, f"rows no figure counts: {others}")
    for figure, issue in APPOINTMENT_ISSUES.items():
        checks.equal(
            section, figure, shown(figure), issues[issue], f"{source} whose «Issue» is {issue}"
        )
    held = listing.where("Issue", lambda v: v == "Tenu")
    checks.equal(
        section,
        "Personnes rencontrées",
        shown("Personnes rencontrées"),
        listing.distinct("Identifiant", held),
        f"the persons of {source} whose «Issue» is Tenu",
    )
    minutes = listing.sum("Durée (minutes)", held)
    checks.equal(
        section,
        "Heures des rendez-vous tenus",
        shown("Heures des rendez-vous tenus"),
        (minutes / 60).quantize(Decimal("0.01"), ROUND_HALF_UP),
        f"the «Durée (minutes)» of {source} whose «Issue» is Tenu, in hours",
    )
    if "Taux d'absence" in book.figures:
        missed = issues["Absence sans prévenir"]
        checks.equal(
            section,
            "Taux d'absence",
            book.figure("Taux d'absence"),
            _rate(missed, len(held) + missed),
            f"no-shows / (held + no-shows) in {source}",
        )
    if book.has_table("Rendez-vous tenus par forme"):
        table = book.table("Rendez-vous tenus par forme")
        checks.equal(
            table.title,
            "held per mode",
            table.by_label("Rendez-vous tenus"),
            listing.counts("Forme", held),
            f"{source} whose «Issue» is Tenu, per «Forme»",
        )
    checks.verify()


@pytest.mark.parametrize("report", _of_kind("activity"))
def test_the_activity_modules_and_epn_are_the_rows_of_their_listings(books, report):
    """« Modules collectifs » and « Espace public numérique (EPN) » (issue 20) count the rows
    of the listings « Présences aux modules » and « Visites libres de l'EPN »: the sessions held
    are the distinct sessions of both, the persons and hours those of the presences, the EPN's
    visits its presences plus its drop-in visitors; both list the year's sessions only."""
    book = books[report]
    checks = Checks(book)
    year = int(book.parameters["Année"])
    presences = book.table("Présences aux modules")
    visits = book.table("Visites libres de l'EPN")
    for table in (presences, visits):
        outside = [r for r in table.rows if _day(r[table.index("Date")]).year != year]
        checks.true(table.title, "rows", not outside, f"{len(outside)} rows outside {year}")
    in_presences = f"the rows of the listing «{presences.title}»"
    in_visits = f"the rows of the listing «{visits.title}»"

    def shown(figure: str):
        # Nothing in the year: the section says so in a sentence, without figures.
        return book.figure(figure) if figure in book.figures else 0

    epn = str(Module.Kind.EPN.label)
    at_epn = presences.where("Type de module", lambda v: v == epn)
    visitors = visits.sum("Personnes")
    sessions = set(presences.values("Séance (N°)")) | set(visits.values("Séance (N°)"))
    epn_sessions = set(presences.values("Séance (N°)", at_epn)) | set(visits.values("Séance (N°)"))
    expected = {
        ("Modules collectifs", "Séances de modules tenues"): (
            len(sessions),
            f"the distinct sessions of {in_presences} and {in_visits}",
        ),
        ("Modules collectifs", "Participant·es aux modules"): (
            presences.distinct("Identifiant"),
            f"the persons of {in_presences}",
        ),
        ("Modules collectifs", "Heures de participation aux modules"): (
            presences.sum("Heures"),
            f"the «Heures» of {in_presences}",
        ),
        ("Espace public numérique (EPN)", "Séances EPN tenues"): (
            len(epn_sessions),
            f"the distinct EPN sessions of {in_presences} and {in_visits}",
        ),
        ("Espace public numérique (EPN)", "Visiteur·euses libres"): (
            visitors,
            f"the «Personnes» of {in_visits}",
        ),
        ("Espace public numérique (EPN)", "Passages à l'EPN"): (
            len(at_epn) + visitors,
            f"the EPN rows of {in_presences} plus the «Personnes» of {in_visits}",
        ),
        ("Espace public numérique (EPN)", "Personnes accueillies à l'EPN"): (
            presences.distinct("Identifiant", at_epn) + visitors,
            f"the persons of the EPN rows of {in_presences} plus the «Personnes» of {in_visits}",
        ),
    }
    for (section, figure), (count, source) in expected.items():
        checks.equal(section, figure, shown(figure), count, source)
    checks.verify()


# The trainings' key figures → the «Issue» of the listing rows they count.
TRAINING_ISSUES = {
    "Formations terminées": "Terminée dans l'année",
    "Formations abandonnées": "Abandonnée dans l'année",
    "Formations toujours en cours": "Toujours en cours",
    "Formations finies après l'année": "Finie après l'année",
}


@pytest.mark.parametrize("report", _of_kind("activity"))
def test_the_activity_trainings_and_certifications_are_the_rows_of_their_listings(books, report):
    """« Formations et certifications » (issue 20) counts the rows of the listings
    « Formations » (by issue, persons, hours of those ended in the year) and « Certifications »
    (rows, persons, by type), and those list the year's only."""
    book = books[report]
    checks = Checks(book)
    year = int(book.parameters["Année"])
    section = "Formations et certifications"
    trainings = book.table("Formations")
    certifications = book.table("Certifications")
    in_trainings = f"the rows of the listing «{trainings.title}»"
    in_certifications = f"the rows of the listing «{certifications.title}»"
    outside = [
        row
        for row in trainings.rows
        if _day(row[trainings.index("Début")]).year > year
        or (
            row[trainings.index("Fin")] is not None
            and _day(row[trainings.index("Fin")]).year < year
        )
    ]
    checks.true(trainings.title, "rows", not outside, f"{len(outside)} rows not followed in {year}")
    outside = [
        r for r in certifications.rows if _day(r[certifications.index("Obtenue le")]).year != year
    ]
    checks.true(certifications.title, "rows", not outside, f"{len(outside)} rows outside {year}")

    def shown(figure: str):
        # Nothing in the year: the section says so in a sentence, without figures.
        return book.figure(figure) if figure in book.figures else 0

    issues = trainings.counts("Issue")
    others = set(issues) - set(TRAINING_ISSUES.values())
    checks.true(trainings.title, "«Issue»", not others, f"rows no figure counts: {others}")
    for figure, issue in TRAINING_ISSUES.items():
        checks.equal(
            section,
            figure,
            shown(figure),
            issues[issue],
            f"{in_trainings} whose «Issue» is {issue}",
        )
    ended = trainings.where(
        "Issue", lambda v: v in ("Terminée dans l'année", "Abandonnée dans l'année")
    )
    ongoing = trainings.where("Issue", lambda v: v == "Toujours en cours")
    expected = {
        "Formations suivies": (len(trainings.rows), in_trainings),
        "Personnes en formation": (
            trainings.distinct("Identifiant"),
            f"the persons of {in_trainings}",
        ),
        "Heures de formation": (
            trainings.sum("Heures suivies", ended),
            f"the «Heures suivies» of {in_trainings} ended in the year",
        ),
        "Heures des formations en cours": (
            trainings.sum("Heures suivies", ongoing),
            f"the «Heures suivies» of {in_trainings} still ongoing",
        ),
        "Certifications obtenues": (len(certifications.rows), in_certifications),
        "Personnes certifiées": (
            certifications.distinct("Identifiant"),
            f"the persons of {in_certifications}",
        ),
    }
    for figure, (count, source) in expected.items():
        checks.equal(section, figure, shown(figure), count, source)
    if book.has_table("Certifications obtenues par type"):
        table = book.table("Certifications obtenues par type")
        checks.equal(
            table.title,
            "certifications per type",
            table.by_label("Certifications"),
            certifications.counts("Type"),
            f"{in_certifications} per «Type»",
        )
    if book.has_table("Formations suivies par organisme"):
        table = book.table("Formations suivies par organisme")
        partners = Counter(
            partner or "Autre organisme" for partner in trainings.values("Partenaire qui la donne")
        )
        checks.equal(
            table.title,
            "trainings per provider",
            table.by_label("Formations suivies"),
            partners,
            f"{in_trainings} per «Partenaire qui la donne»",
        )
    checks.verify()


# --- Subsidy ----------------------------------------------------------------------------------


def _outcome_labels(codes) -> set[str]:
    return {str(ExitOutcome(code).label) for code in codes}


def _esf_genders() -> dict[str, str]:
    """A listing's «Genre» → the ESF+ tables' column."""
    return {str(Gender.F.label): "Femmes", str(Gender.M.label): "Hommes", str(Gender.X.label): "X"}


@pytest.mark.parametrize("report", _of_kind("subsidy"))
def test_the_subsidy_hours_and_participants_are_those_of_its_listing(books, report):
    book = books[report]
    checks = Checks(book)
    listing = book.table("Participant·es du programme pendant la période")
    hours_column = "Heures prestées sur les chantiers du programme"
    hours = listing.sum(hours_column)
    source = f"the sum of «{hours_column}» in the listing «{listing.title}»"
    if book.has_table("Heures et défraiements par chantier du programme"):
        chantiers = book.table("Heures et défraiements par chantier du programme")
        counted = "Heures prestées (parcours du programme)"
        outside = "Heures hors parcours du programme (non comptées)"
        checks.equal(
            chantiers.title, f"total of {counted}", chantiers.total(counted), hours, source
        )
        reconciliation = book.table("Rapprochement des heures")
        lines = [_dec(row[reconciliation.index("Total")]) for row in reconciliation.rows]
        checks.equal(reconciliation.title, "number of lines", len(lines), 3, "its definition")
        if len(lines) == 3:
            every, minus, counted_hours = lines
            checks.equal(
                reconciliation.title, "last line", counted_hours, every - minus, "first − second"
            )
            checks.equal(reconciliation.title, "last line", counted_hours, hours, source)
            checks.equal(
                reconciliation.title,
                "second line",
                minus,
                chantiers.total(outside),
                f"the total of «{outside}» in the table «{chantiers.title}»",
            )
            checks.equal(
                reconciliation.title,
                "first line",
                every,
                chantiers.total(counted) + chantiers.total(outside),
                f"the totals of «{counted}» and «{outside}» in the table «{chantiers.title}»",
            )
    else:  # no chantier of the programme: nobody worked on one
        checks.equal(
            "Chantiers du programme", "hours (no chantier in the period)", hours, 0, source
        )

    start, end = book.period()

    def in_period(value) -> bool:
        return value is not None and start <= _day(value) <= end

    entered = listing.where("Entrée", in_period)
    left = listing.where("Sortie", in_period)
    genders = _esf_genders()
    situation = listing.index("Situation à la sortie")
    employed = [r for r in left if r[situation] in _outcome_labels(EMPLOYMENT_OUTCOMES)]
    trained = [r for r in left if r[situation] in _outcome_labels(TRAINING_OUTCOMES)]
    for title, label, rows, which in (
        (
            "Situation le jour de l'entrée dans le programme",
            "Participant·es entré·es dans la période",
            entered,
            "an «Entrée» in the period",
        ),
        (
            "Situation à la sortie du programme",
            "Participant·es sorti·es dans la période",
            left,
            "a «Sortie» in the period",
        ),
        (
            "Situation à la sortie du programme",
            "Exerçant un emploi à la sortie",
            employed,
            "a «Sortie» in the period to employment",
        ),
        (
            "Situation à la sortie du programme",
            "Suivant un enseignement ou une formation à la sortie",
            trained,
            "a «Sortie» in the period to training",
        ),
    ):
        table = book.table(title)
        line = table.line(label)
        persons = f"the persons of the listing «{listing.title}» with {which}"
        checks.equal(
            title,
            f"Total of «{label}»",
            line[table.index("Total")],
            listing.distinct("Personne", rows),
            persons,
        )
        # ESF+ cells count distinct persons, each of one gender: the rows per «Genre».
        checks.equal(
            title,
            f"«{label}» per gender",
            Counter({column: line[table.index(column)] for column in genders.values()}),
            Counter(
                {
                    genders.get(gender, gender): n
                    for gender, n in listing.distinct_per("Genre", "Personne", rows).items()
                }
            ),
            f"{persons}, per «Genre»",
        )
    checks.verify()


# --- Impact -----------------------------------------------------------------------------------

# Share table → the column of the listing "Personnes de la cohorte" it counts.
IMPACT_SHARES = {
    "Genre": "Genre",
    "Âge à l'entrée": "Âge à l'entrée",
    "Niveau de diplôme": "Niveau de diplôme",
    "Durée de recherche d'emploi à l'entrée": "Recherche d'emploi à l'entrée",
    "Source de revenus à l'entrée": "Source de revenus à l'entrée",
    "Personnes selon leur taux de présence": "Assiduité",
}


def _regularity(present: int, recorded: int) -> str:
    if not recorded:
        return "aucune présence enregistrée"
    if present * 100 < recorded * 50:
        return "moins de 50 %"
    if present * 100 < recorded * 80:
        return "50 à 79 %"
    return "au moins 80 %"


@pytest.mark.parametrize("report", _of_kind("impact"))
def test_the_impact_figures_are_the_counts_of_the_cohort_listing(books, report):
    book = books[report]
    checks = Checks(book)
    listing = book.table("Personnes de la cohorte")
    source = f"the rows of the listing «{listing.title}»"
    n = len(listing.rows)
    checks.equal(
        "Profil à l'entrée", "Personnes de la cohorte", book.figure(listing.title), n, source
    )
    for title, column in IMPACT_SHARES.items():
        table = book.table(title)
        checks.equal(
            title,
            "persons per category",
            table.by_label("Personnes"),
            listing.counts(column),
            f"{source} per «{column}»",
        )
        checks.equal(title, "total of Personnes", table.total("Personnes"), n, source)
    bands = Counter(
        _regularity(present, recorded)
        for recorded, present in zip(
            listing.values("Présences enregistrées"), listing.values("dont présent·e"), strict=True
        )
    )
    checks.equal(
        listing.title,
        "«Assiduité» of each person",
        listing.counts("Assiduité"),
        bands,
        "«dont présent·e» / «Présences enregistrées» of each row",
    )

    exited = listing.where("Dernière sortie", lambda v: v is not None)
    positive = [r for r in exited if r[listing.index("Situation à la sortie")] in _positive()]
    _check_exits(checks, listing, exited, positive, source)
    _check_standing(checks, listing, listing.rows, source)
    checks.verify()


def _positive() -> set[str]:
    return _outcome_labels(POSITIVE_OUTCOMES)


def _check_exits(checks: Checks, listing: SheetTable, exited, positive, source: str) -> None:
    """The exits of a cohort or of a chantier's group (``common.outcomes_blocks``) against the
    listing's rows with a last exit."""
    book = checks.book
    where = (
        "Sorties"
        if book.has_table("Où en sont les personnes de la cohorte")
        else ("Sorties des parcours des personnes du groupe")
    )
    checks.equal(
        where,
        "Personnes sorties",
        book.figure("Personnes sorties"),
        len(exited),
        f"{source} with a «Dernière sortie»",
    )
    checks.equal(
        where,
        "Sorties positives (emploi ou formation)",
        book.figure("Sorties positives (emploi ou formation)"),
        len(positive),
        f"{source} whose last exit is to employment or training",
    )
    checks.equal(
        where,
        "Taux de sorties positives",
        book.figure("Taux de sorties positives"),
        _rate(len(positive), len(exited)),
        f"positive exits / exits in {source}",
    )
    table = book.table("Situation à la sortie")
    checks.equal(
        table.title,
        "persons per situation",
        table.by_label("Personnes"),
        listing.counts("Situation à la sortie", exited),
        f"{source} with a «Dernière sortie», per situation",
    )
    if table.rows:
        checks.equal(
            table.title,
            "total of Personnes",
            table.total("Personnes"),
            len(exited),
            f"{source} with a «Dernière sortie»",
        )
    standing = next(t for t in book.tables if t.title.startswith("Où en sont les personnes"))
    checks.equal(
        standing.title,
        "«Encore en parcours»",
        standing.line("Encore en parcours")[standing.index("Personnes")],
        book.figure("Toujours en parcours"),
        "the key figure «Toujours en parcours»",
    )


def _check_standing(checks: Checks, listing: SheetTable, rows, source: str) -> None:
    """Where the persons of a cohort or of a chantier's group stand (``common.outcomes_blocks``)
    against the «Parcours aujourd'hui» of the listing's ``rows``."""
    book = checks.book
    standing = next(t for t in book.tables if t.title.startswith("Où en sont les personnes"))
    checks.equal(
        standing.title,
        "persons per situation",
        standing.by_label("Personnes"),
        listing.counts("Parcours aujourd'hui", rows),
        f"«Parcours aujourd'hui» of {source}",
    )
    still_open = "Encore en parcours"
    checks.equal(
        "Sorties"
        if book.has_table("Où en sont les personnes de la cohorte")
        else "Sorties des parcours des personnes du groupe",
        "Toujours en parcours",
        book.figure("Toujours en parcours"),
        listing.counts("Parcours aujourd'hui", rows)[still_open],
        f"{source} whose «Parcours aujourd'hui» is «{still_open}»",
    )


# --- Chantier summary -------------------------------------------------------------------------


def _status(code: str) -> str:
    return str(Enrolment.Status(code).label)


@pytest.mark.parametrize("report", _of_kind("chantier_summary"))
def test_the_chantier_summary_figures_are_the_sums_of_its_listing(books, report):
    book = books[report]
    checks = Checks(book)
    listing = book.table("Personnes inscrites et candidatures")
    source = f"the listing «{listing.title}»"
    candidate = _status(Enrolment.Status.CANDIDATE)
    group = listing.where("Inscription", lambda v: v != candidate)
    checks.equal(
        "Le groupe",
        "Personnes inscrites",
        book.figure("Personnes inscrites"),
        len(group),
        f"the rows of {source} whose «Inscription» is not «{candidate}»",
    )
    checks.equal(
        "Le groupe",
        "Candidat·es non retenu·es ou en attente",
        book.figure("Candidat·es non retenu·es ou en attente"),
        len(listing.rows) - len(group),
        f"the rows of {source} whose «Inscription» is «{candidate}»",
    )
    by_status = book.table("Inscriptions par état")
    checks.equal(
        by_status.title,
        "enrolments per status",
        by_status.by_label("Personnes"),
        listing.counts("Inscription"),
        f"the rows of {source} per «Inscription»",
    )
    checks.equal(
        by_status.title,
        "total of Personnes",
        by_status.total("Personnes"),
        len(listing.rows),
        f"the rows of {source}",
    )

    for figure, column in (
        ("Heures prestées", "Heures prestées"),
        ("Défraiements", "Défraiements"),
    ):
        checks.equal(
            "L'activité",
            figure,
            book.figure(figure),
            listing.sum(column),
            f"«{column}» of {source}",
        )
    present, recorded = listing.sum("dont présent·e"), listing.sum("Présences enregistrées")
    checks.equal(
        "L'activité",
        "Taux de présence",
        book.figure("Taux de présence"),
        _rate(present, recorded),
        f"«dont présent·e» / «Présences enregistrées» of {source}",
    )
    start, end = book.period()
    ended = {_status(Enrolment.Status.COMPLETED): 0, _status(Enrolment.Status.WITHDRAWN): 0}
    chantier_end = _day(book.figure("Fin"))
    for row in listing.rows:
        status = row[listing.index("Inscription")]
        left = _day(row[listing.index("Sortie du chantier")]) or chantier_end
        if status in ended and left is not None and start <= left <= end:
            ended[status] += 1
    completed = ended[_status(Enrolment.Status.COMPLETED)]
    checks.equal(
        "L'activité",
        "Taux d'achèvement",
        book.figure("Taux d'achèvement"),
        _rate(completed, sum(ended.values())),
        f"completed / (completed + withdrawn) enrolments of {source} that ended in the period",
    )

    _check_standing(checks, listing, group, f"the enrolled rows of {source}")
    standing = book.table("Où en sont les personnes du groupe")
    checks.equal(
        standing.title,
        "total of Personnes",
        standing.total("Personnes"),
        book.figure("Personnes inscrites"),
        "the key figure «Personnes inscrites»",
    )
    # No exit outcome per person here: a coordinator may ask for this report, and an outcome
    # (health reasons) is not theirs to read. The chantier's impact report lists them, and its
    # exits are checked against its listing above.
    checks.verify()

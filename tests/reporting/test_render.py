"""The PDF and the XLSX of a report, rendered from one hand-built ``Document`` that holds every
kind of block: French formats in the PDF, typed cells in the XLSX, and the two agreeing."""

from __future__ import annotations

import gc
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import matplotlib
import pytest
from matplotlib.figure import Figure
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting.document import (
    Chart,
    Column,
    Document,
    KeyFigure,
    KeyFigures,
    Section,
    Table,
    Text,
)
from reporting.render import render_pdf, render_xlsx
from reporting.render.charts import chart_svg
from reporting.render.formats import format_value
from reporting.render.xlsx import _sheet_name
from tests.reporting.rendered import _as_document_value, _pdf_text, _plain, _same, _xlsx_table

BRUSSELS = ZoneInfo("Europe/Brussels")
FIRST_SESSION = date(2025, 1, 6)
CHANTIERS = ["Peinture des halls", "Jardin partagé", "Rénovation des caves"]


def _session_rows() -> list[list[object]]:
    """60 sessions, one every weekday from Monday 06/01/2025: 8, 9 or 10 participants in turn,
    3,5 hours each, 12,50 € each, attendance 0,8 / 0,9 / 1."""
    rows = []
    for i in range(60):
        people = 8 + i % 3
        rows.append(
            [
                FIRST_SESSION + timedelta(days=i),
                CHANTIERS[i % 3],
                people,
                Decimal("3.5") * people,
                Decimal("12.50") * people,
                Decimal("0.8") + Decimal("0.1") * (i % 3),
            ]
        )
    return rows


# The footer of the sessions table, by hand: 20 sessions each of 8, 9 and 10 participants.
# participants 20 × (8 + 9 + 10) = 540; hours 540 × 3,5 = 1 890,0;
# indemnities 540 × 12,50 = 6 750,00
SESSIONS_FOOTER = ["Total", None, 540, Decimal("1890.0"), Decimal("6750.00"), Decimal("0.9")]


def sample_document() -> Document:
    figures = KeyFigures(
        [
            KeyFigure("Personnes accompagnées", 1412, "int", "objectif : 1 400"),
            KeyFigure("Taux de sorties positives", Decimal("0.325"), "percent", "sur 120 sorties"),
            KeyFigure("Indemnités versées", Decimal("1234.56"), "money"),
            KeyFigure("Budget du programme", Decimal("1234567.8"), "money"),
            KeyFigure("Heures prestées", Decimal("1234.5"), "hours"),
            KeyFigure("Dernière sortie", date(2025, 12, 31), "date"),
            KeyFigure("Emploi à +12 mois", None, "percent", "suivi manquant"),
        ]
    )
    trend = Table(
        "Tendance sur cinq ans",
        [
            Column("Année", "text"),
            Column("Accompagnés", "int"),
            Column("Sorties positives", "int"),
            Column("Taux", "percent"),
        ],
        [
            ["2021", 310, 90, Decimal("0.290")],
            ["2022", 355, 101, Decimal("0.285")],
            ["2023", 390, 120, Decimal("0.308")],
            ["2024", 401, 127, Decimal("0.317")],
            ["2025", 412, 134, Decimal("0.325")],
        ],
        note="Taux = sorties positives / personnes accompagnées.",
    )
    sessions = Table(
        "Séances tenues",
        [
            Column("Date de la séance", "date"),
            Column("Chantier", "text"),
            Column("Participants", "int"),
            Column("Heures", "hours"),
            Column("Indemnités", "money"),
            Column("Taux de présence", "percent"),
        ],
        _session_rows(),
        footer=SESSIONS_FOOTER,
    )
    return Document(
        kind="activity",
        title="Rapport d'activités 2025",
        organization_name="Mission Locale de Test",
        period_label="Année 2025",
        parameters=[("Année", "2025"), ("Programme", "Tous les programmes")],
        sections=[
            Section(
                "Chiffres clés",
                [
                    figures,
                    Chart(
                        "Personnes accompagnées par genre",
                        ["Femmes", "Hommes", "Non binaire"],
                        [("2025", [650, 748, 14])],
                    ),
                    Text("Les chiffres portent sur les parcours ouverts un jour de l'année."),
                ],
            ),
            Section(
                "Évolution",
                [
                    trend,
                    Chart(
                        "Taux de sorties positives",
                        ["2021", "2022", "2023", "2024", "2025"],
                        [("Taux", [0.29, 0.285, 0.308, 0.317, 0.325])],
                        style="line",
                        percent=True,
                    ),
                ],
            ),
            Section(
                "Chantiers / séances",
                [
                    sessions,
                    Chart(
                        "Heures par chantier",
                        ["Peinture des halls", "Jardin partagé", "Rénovation des caves"],
                        [("Heures prévues", [700, 650, 600]), ("Heures prestées", [560, 630, 700])],
                        style="hbar",
                    ),
                ],
            ),
        ],
        listings=[
            Table(
                "Participants",
                [
                    Column("Identifiant", "text"),
                    Column("Nom", "text"),
                    Column("Entrée", "date"),
                    Column("Sortie", "date"),
                    Column("Heures", "hours"),
                ],
                [
                    [
                        f"P-{n:04d}",
                        f"Zorglub {n:04d}" if n > 1 else '=HYPERLINK("x")',
                        date(2025, 1, 1) + timedelta(days=n),
                        None if n % 2 else date(2025, 12, 31),
                        Decimal("7.5") * n,
                    ]
                    for n in range(1, 251)
                ],
            )
        ],
        generated_at=datetime(2026, 1, 15, 9, 30, tzinfo=BRUSSELS),
    )


@pytest.fixture(scope="module")
def document() -> Document:
    return sample_document()


@pytest.fixture(scope="module")
def pdf(document) -> bytes:
    return render_pdf(document)


@pytest.fixture(scope="module")
def pages(pdf) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def text(pages) -> str:
    return _plain(" ".join(pages))


@pytest.fixture(scope="module")
def workbook(document):
    return load_workbook(io.BytesIO(render_xlsx(document)))


# The PDF


def test_the_pdf_is_a_pdf(pdf):
    assert pdf.startswith(b"%PDF")


def test_its_cover_shows_the_organization_title_period_parameters_and_generation_time(pages):
    cover = _plain(pages[0])
    assert "Mission Locale de Test" in cover
    assert "Rapport d'activités 2025" in cover
    assert "Année 2025" in cover
    assert "Programme Tous les programmes" in cover
    assert "Généré le 15/01/2026 à 09:30" in cover


def test_the_generation_time_is_brussels_time_whatever_the_zone_of_the_value(document):
    # 08:30 UTC on 15 January is 09:30 in Brussels (UTC+1 in winter).
    from dataclasses import replace
    from datetime import UTC

    utc = replace(document, sections=[], listings=[])
    utc.generated_at = datetime(2026, 1, 15, 8, 30, tzinfo=UTC)
    cover = _plain(PdfReader(io.BytesIO(render_pdf(utc))).pages[0].extract_text())
    assert "Généré le 15/01/2026 à 09:30" in cover


def test_every_page_after_the_cover_has_the_running_header(pages):
    assert "Rapport d'activités 2025" in _plain(pages[0])  # the cover's title, not a header
    for page in pages[1:]:
        assert "Mission Locale de Test Rapport d'activités 2025" in _plain(page)


def test_it_numbers_the_pages_page_n_of_m(pages):
    last = len(pages)
    assert last >= 4  # cover, key figures, and the 60 sessions over two pages at least
    assert f"page 1 / {last}" in _plain(pages[0])
    assert f"page {last} / {last}" in _plain(pages[-1])


def test_it_prints_the_figures_in_french_formats(text):
    assert "1 412" in text
    assert "1 234,56 €" in text
    assert "1 234 567,80 €" in text  # Decimal("1234567.8"): two places for money
    assert "32,5 %" in text  # Decimal("0.325") × 100
    assert "1 234,5 h" in text
    assert "31/12/2025" in text
    assert "— Emploi à +12 mois suivi manquant" in text  # None reads "—"


def test_the_long_table_repeats_its_header_on_each_page_it_spans(pages):
    header = "Date de la séance Chantier Participants Heures Indemnités Taux de présence"
    with_header = [i for i, page in enumerate(pages) if header in _plain(page)]
    assert len(with_header) >= 2
    # The first and the last session are on different pages, each under a header.
    first, last = "06/01/2025 Peinture des halls", "06/03/2025 Rénovation des caves"
    assert next(i for i, p in enumerate(pages) if first in _plain(p)) == with_header[0]
    assert next(i for i, p in enumerate(pages) if last in _plain(p)) == with_header[-1]


def test_it_prints_the_footer_row_of_a_table(text):
    # 540 participants, 1 890,0 h, 6 750,00 €, 90,0 % (SESSIONS_FOOTER, worked out above)
    assert "Total — 540 1 890,0 h 6 750,00 € 90,0 %" in text


def test_the_chart_labels_are_text_in_the_pdf(text):
    assert "Heures prévues Heures prestées" in text  # the legend of the horizontal bars
    assert "Non binaire" in text  # a category of the bar chart, only there
    assert "748" in text  # a value label on a bar
    assert "31,7 %" in text  # a point label of the line chart, with a decimal comma
    assert "24 %" in text  # a tick of the percent axis


def test_the_charts_are_numbered_through_the_document_their_title_in_the_caption(text):
    captions = [
        "Figure 1 — Personnes accompagnées par genre",
        "Figure 2 — Taux de sorties positives",  # in the second section: not "Figure 1" again
        "Figure 3 — Heures par chantier",
    ]
    at = [text.index(caption) for caption in captions]
    assert at == sorted(at)
    # The title is printed once, in the caption: no longer a heading above the chart.
    assert text.count("Personnes accompagnées par genre") == 1


def test_each_caption_is_under_its_chart_on_the_same_page(document):
    """From WeasyPrint's boxes: the PDF's text puts a page's drawings after its other text."""
    from django.template.loader import render_to_string
    from weasyprint import HTML
    from weasyprint.formatting_structure.boxes import BlockBox

    from reporting.render.pdf import report_context

    html = render_to_string("pdf/report.html", report_context(document))
    boxes = [
        (number, box)
        for number, page in enumerate(HTML(string=html).render().pages)
        for box in page._page_box.descendants()
    ]
    charts = [(n, b) for n, b in boxes if (getattr(b, "element_tag", None) or "").endswith("}svg")]
    captions = [
        (n, b) for n, b in boxes if isinstance(b, BlockBox) and b.element_tag == "figcaption"
    ]
    assert len(charts) == len(captions) == 3
    for (chart_page, chart), (caption_page, caption) in zip(charts, captions, strict=True):
        assert caption_page == chart_page
        assert caption.position_y >= chart.position_y + chart.margin_height()


def test_a_chart_note_follows_its_title_in_the_caption_and_under_its_xlsx_table():
    chart = Chart(
        "Heures par chantier",
        ["Jardin partagé"],
        [("Heures", [12])],
        note="Heures relevées sur les feuilles de présence",
    )
    caption = "Figure 1 — Heures par chantier. Heures relevées sur les feuilles de présence"
    assert caption in _plain(_pdf_text(_one_section(chart)))
    sheet = load_workbook(io.BytesIO(render_xlsx(_one_section(chart))))["Tables"]
    rows = [row[0] for row in sheet.iter_rows(values_only=True) if row[0]]
    assert rows[-3:] == ["Heures par chantier", "Jardin partagé", chart.note]


def test_it_does_not_print_the_listings_but_says_the_xlsx_holds_them(text):
    assert "Zorglub" not in text
    assert "P-0001" not in text
    assert "fichier XLSX fourni avec ce PDF" in text
    assert "« Participants » (250 lignes)" in text


def test_the_contents_on_the_cover_give_each_section_its_page(pages):
    session_page = next(
        i + 1
        for i, page in enumerate(pages)
        if "Chantiers / séances Séances tenues" in _plain(page)
    )
    assert f"Chantiers / séances {session_page}" in _plain(pages[0])


def test_it_escapes_a_title_for_the_running_header_and_the_page():
    hostile = Document(
        kind="activity",
        title='Bilan "halls" </style><b>gras</b>',
        organization_name="Mission Locale d'Ixelles",
        period_label="Année 2025",
        parameters=[],
        sections=[Section("Une section", [Text("Un texte.")])],
    )
    pages = [_plain(p.extract_text()) for p in PdfReader(io.BytesIO(render_pdf(hostile))).pages]
    assert 'Mission Locale d\'Ixelles Bilan "halls" </style><b>gras</b>' in pages[1]
    assert "&#x27;" not in " ".join(pages)


def _one_section(*blocks) -> Document:
    return Document(
        kind="activity",
        title="Test",
        organization_name="ML",
        period_label="Année 2025",
        parameters=[],
        sections=[Section("Tables", list(blocks))],
    )


def test_an_empty_table_says_so():
    empty = Table("Vide", [Column("Commune"), Column("Nombre", "int")], [])
    page = PdfReader(io.BytesIO(render_pdf(_one_section(empty)))).pages[1].extract_text()
    assert "Vide Commune Nombre Aucune donnée pour cette période." in _plain(page)


def _right_edges(document: Document, tags: tuple[str, ...]) -> tuple[float, list[float]]:
    """The laid-out second page (WeasyPrint's boxes, before the PDF): its content's right edge,
    and the right edge of every box of these HTML elements (and of the lines of text directly
    inside them)."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from reporting.render.pdf import report_context

    html = render_to_string("pdf/report.html", report_context(document))
    page = HTML(string=html).render().pages[1]._page_box

    boxes = [b for b in page.descendants() if getattr(b, "element_tag", None) in tags]
    edges = [b.position_x + b.margin_width() for b in boxes]
    return page.margin_width() - page.margin_right, edges


@pytest.mark.parametrize("money_columns", [5, 8, 9])
def test_a_wide_table_fits_the_width_of_the_page(money_columns):
    columns = [Column("Commune")] + [
        Column(f"Colonne n° {n}", "money") for n in range(money_columns)
    ]
    row = ["Saint-Josse-ten-Noode"] + [Decimal("98765.43")] * money_columns
    right_edge, edges = _right_edges(_one_section(Table("Large", columns, [row])), ("td", "th"))
    assert edges
    assert max(edges) <= right_edge


def test_a_long_name_as_a_key_figure_stays_in_its_box():
    figures = KeyFigures(
        [
            KeyFigure("Programme", "MoKoLab — chantiers participatifs de quartier", "text"),
            KeyFigure("Partenaire", "Le Foyer du Midi (SISP) – Société immobilière", "text"),
            KeyFigure("Indemnités", Decimal("1234567.8"), "money"),
        ]
    )
    right_edge, edges = _right_edges(_one_section(figures), ("div",))
    assert edges
    assert max(edges) <= right_edge


def test_with_no_language_active_it_still_writes_french():
    from django.utils import translation

    with translation.override(None):  # as in a command decorated with no_translations
        document = _one_section(KeyFigures([KeyFigure("Budget", Decimal("1234.56"), "money")]))
        page = PdfReader(io.BytesIO(render_pdf(document))).pages[1].extract_text()
    assert "1 234,56 € Budget" in _plain(page)


def test_rendering_issues_no_database_query(db, document, django_assert_num_queries):
    with django_assert_num_queries(0):
        render_pdf(document)
        render_xlsx(document)


# The charts


def test_a_chart_is_an_inline_svg_whose_text_stays_text():
    svg = chart_svg(
        Chart("Taux", ["2024", "2025"], [("Taux", [Decimal("0.25"), 0.325])], percent=True),
        prefix="c7",
    )
    assert svg.startswith("<svg")  # no XML prolog nor doctype: it goes inside the HTML
    assert "<text" in svg and ">32,5\xa0%</text>" in svg
    assert ">25,0\xa0%</text>" in svg
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids and all(i.startswith("c7-") for i in ids)
    assert 'style="fill' not in svg  # presentation attributes: WeasyPrint logs no warning


# Categories as the reports name them: education levels, gender, age bands.
EDUCATION = [
    "Au plus secondaire inférieur (CITE 0–2)",
    "Secondaire supérieur (CITE 3–4)",
    "Supérieur (CITE 5–8)",
]
EIGHT_LABELS = [
    *EDUCATION,
    "X (non binaire ou non précisé)",
    "moins de 18 ans",
    "18 à 24 ans",
    "55 ans et plus",
    "Niveau non renseigné",
]


def _labels(svg: str) -> dict[str, tuple[str, float]]:
    """Each line of text of a chart's SVG: its anchor and its angle (matplotlib writes
    ``rotate(-0 …)`` on a level text)."""
    labels = {}
    for attributes, line in re.findall(r"<text([^>]*)>([^<]*)</text>", svg):
        anchor = re.search(r'text-anchor="(\w+)"', attributes)
        angle = re.search(r"rotate\((-?[\d.]+)", attributes)
        labels[line] = (anchor.group(1) if anchor else "", float(angle.group(1)) if angle else 0)
    return labels


@pytest.mark.parametrize("categories", [EDUCATION, EIGHT_LABELS], ids=["three", "eight"])
def test_no_label_of_a_bar_chart_is_rotated_however_long_or_many(categories):
    values = list(range(10, 10 + len(categories)))
    chart = Chart("Personnes", categories, [("Personnes", values)])
    labels = _labels(chart_svg(chart))
    assert "12" in labels  # a value on a bar: the text of the chart was read
    assert [line for line, (_anchor, angle) in labels.items() if angle] == []


def test_three_long_labels_wrap_under_their_bars_and_eight_turn_the_bars_horizontal():
    three = _labels(chart_svg(Chart("Diplôme", EDUCATION, [("Personnes", [1, 2, 3])])))
    # 4,5 cm under each bar: the longest label on two lines, a short one centred under its bar.
    assert "Au plus secondaire inférieur (CITE 0–2)" not in three
    assert "Au plus secondaire inférieur" in three and "(CITE 0–2)" in three
    assert three["Supérieur (CITE 5–8)"] == ("middle", 0)

    eight = Chart("Profil", EIGHT_LABELS, [("Personnes", list(range(8)))])
    labels = _labels(chart_svg(eight))
    # 1,5 cm under each bar would take four lines: the bars are horizontal, the labels level on
    # their left, and the chart's style stays as its builder set it.
    assert labels["X (non binaire ou non précisé)"] == ("end", 0)
    assert labels["Secondaire supérieur (CITE 3–4)"] == ("end", 0)
    assert eight.style == "bar"


def test_the_text_of_a_chart_is_printed_at_7_points_or_more():
    svg = chart_svg(
        Chart("Heures", EIGHT_LABELS[3:7], [("Prévues", [700, 650, 600, 1]), ("Prestées", [1] * 4)])
    )
    sizes = [float(size) for size in re.findall(r"font-size: ([\d.]+)px", svg)]
    assert sizes and min(sizes) >= 7  # px of the SVG's viewBox are its pt: 1 to 1 on the page


def test_drawing_a_chart_leaves_matplotlib_settings_as_they_were():
    before = matplotlib.rcParams.copy()
    chart_svg(Chart("Heures", ["A"], [("Heures", [1])], style="hbar"))
    assert matplotlib.rcParams == before
    assert matplotlib.get_backend().lower() == "agg"


def test_a_chart_leaves_no_figure_behind():
    def figures() -> int:
        gc.collect()
        # type(), not isinstance(): isinstance would evaluate the lazy objects lying around.
        return sum(type(o) is Figure for o in gc.get_objects())

    before = figures()
    for _ in range(5):
        chart_svg(Chart("Heures", ["A", "B"], [("Heures", [1, 2])]))
    assert figures() == before


def test_a_label_with_dollars_and_markup_is_drawn_as_written():
    svg = chart_svg(Chart("x", ["Achat $5 et $6 <caves> & co"], [("Série", [1])]))
    assert "Achat $5 et $6 &lt;caves&gt; &amp; co" in svg


# French formats


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (Decimal("1234.56"), "money", "1 234,56 €"),
        (Decimal("1234567.8"), "money", "1 234 567,80 €"),
        (Decimal("0.005"), "money", "0,01 €"),  # half up, not the banker's 0,00
        (Decimal("1234.5"), "hours", "1 234,5 h"),
        (Decimal("0.325"), "percent", "32,5 %"),
        (Decimal("0.3245"), "percent", "32,5 %"),  # 32,45 → 32,5 (half up)
        (1, "percent", "100,0 %"),
        (1412, "int", "1 412"),
        (Decimal("34.5"), "decimal", "34,5"),
        (date(2025, 12, 31), "date", "31/12/2025"),
        (None, "money", "—"),
        (None, "text", "—"),
        ("Jardin", "text", "Jardin"),
    ],
)
def test_it_formats_a_value_by_its_kind(value, kind, expected):
    assert _plain(format_value(value, kind)) == expected


def test_a_rate_is_rounded_once_so_6_out_of_11_reads_54_5_percent():
    from reporting.indicators.common import rate
    from reporting.render.formats import NBSP, format_value

    # 6 / 11 = 0.545454… = 54.5454… %, which rounds to 54,5 %; rounded first to 0.5455 then to
    # one place of a percent it reads 54,6 %.
    assert format_value(rate(6, 11), "percent") == f"54,5{NBSP}%"


def test_the_thousands_separator_is_a_no_break_space_so_a_figure_never_splits():
    assert format_value(Decimal("1234.56"), "money") == "1\xa0234,56\xa0€"


# The XLSX


def test_the_workbook_has_the_parameters_a_sheet_per_section_and_a_sheet_per_listing(workbook):
    assert workbook.sheetnames == [
        "Paramètres",
        "Chiffres clés",
        "Évolution",
        "Chantiers - séances",  # "/" is forbidden in a sheet name
        "Participants",
    ]


def test_the_parameters_sheet_says_what_the_cover_says(workbook):
    rows = {r[0]: r[1] for r in workbook["Paramètres"].iter_rows(min_row=2, values_only=True)}
    assert rows["Organisation"] == "Mission Locale de Test"
    assert rows["Rapport"] == "Rapport d'activités 2025"
    assert rows["Période"] == "Année 2025"
    assert rows["Programme"] == "Tous les programmes"
    assert rows["Généré le"] == datetime(2026, 1, 15, 9, 30)  # Brussels wall-clock time


def test_key_figures_are_typed_cells_with_number_formats(workbook):
    sheet = workbook["Chiffres clés"]
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2) if row[0].value}
    assert cells["Personnes accompagnées"].value == 1412
    assert cells["Personnes accompagnées"].number_format == "#,##0"
    assert Decimal(str(cells["Indemnités versées"].value)) == Decimal("1234.56")
    assert cells["Indemnités versées"].number_format == '#,##0.00 "€"'
    assert Decimal(str(cells["Budget du programme"].value)) == Decimal("1234567.8")
    assert Decimal(str(cells["Taux de sorties positives"].value)) == Decimal("0.325")
    assert cells["Taux de sorties positives"].number_format == "0.0%"
    assert Decimal(str(cells["Heures prestées"].value)) == Decimal("1234.5")
    assert cells["Heures prestées"].number_format == "#,##0.0"
    assert cells["Dernière sortie"].value == datetime(2025, 12, 31)
    assert cells["Dernière sortie"].number_format == "dd/mm/yyyy"
    assert cells["Emploi à +12 mois"].value is None
    assert cells["Emploi à +12 mois"].data_type == "n"  # empty, not the text "—"


def test_the_section_sheet_holds_the_figures_behind_its_chart(workbook):
    rows = list(workbook["Chiffres clés"].iter_rows(values_only=True))
    start = rows.index(("Personnes accompagnées par genre", None, None))
    assert rows[start + 1][:2] == (None, "2025")
    assert [r[:2] for r in rows[start + 2 : start + 5]] == [
        ("Femmes", 650),
        ("Hommes", 748),
        ("Non binaire", 14),
    ]


def test_a_listing_has_every_row_a_frozen_bold_header_and_a_filter(workbook):
    sheet = workbook["Participants"]
    assert sheet.cell(1, 1).value == "Participants"
    assert [c.value for c in sheet[2]] == ["Identifiant", "Nom", "Entrée", "Sortie", "Heures"]
    assert all(c.font.b for c in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:E252"  # the header and 250 rows
    assert sheet.max_row == 252
    last = [c.value for c in sheet[252]]
    # Participant 250: entered 01/01/2025 + 250 days = 08/09/2025, still there, 7,5 × 250 h
    assert last == ["P-0250", "Zorglub 0250", datetime(2025, 9, 8), datetime(2025, 12, 31), 1875]
    assert sheet.cell(3, 4).value is None  # participant 1 has not left: an empty cell


def test_a_text_that_looks_like_a_formula_stays_text(workbook):
    cell = workbook["Participants"].cell(3, 2)
    assert cell.value == '=HYPERLINK("x")'
    assert cell.data_type == "s"


def test_sheet_names_are_short_unique_and_without_forbidden_characters():
    taken: set[str] = set()
    long = "Indicateurs ESF+ des participants par genre et par programme"
    names = [_sheet_name(t, taken) for t in [long, long, "Sorties [2025]: a/b?", "", "Feuille"]]
    assert names == [
        "Indicateurs ESF+ des participan",
        "Indicateurs ESF+ des partic (2)",
        "Sorties -2025-- a-b-",
        "Feuille",
        "Feuille (2)",
    ]
    assert all(len(n) <= 31 for n in names)


# The two files agree


def test_every_table_is_in_both_files_with_the_same_values(document, workbook, text):
    checked = 0
    for section, table in document.tables():
        sheet = workbook[_sheet_name(section.title, set())]
        body, footer = _xlsx_table(sheet, table)
        pairs = list(zip(body, table.rows, strict=True))
        if table.footer:
            pairs.append((footer, table.footer))
        for xlsx_row, row in pairs:
            assert all(_same(c, v) for c, v in zip(xlsx_row, row, strict=True)), (xlsx_row, row)
            # The XLSX cells, formatted as the PDF formats them, are a line of the PDF.
            line = " ".join(
                format_value(_as_document_value(cell, column.kind), column.kind)
                for cell, column in zip(xlsx_row, table.columns, strict=True)
            )
            assert _plain(line) in text
            checked += 1
    assert checked == 5 + 60 + 1  # the trend, the sessions and their total


def test_control_characters_in_stored_text_leave_both_files_readable():
    """A name stored before the text rule (accounts/text.py), or written by hand, may hold a
    control character: openpyxl refuses them, XML cannot hold U+FFFE. Both files still come."""
    stored = "Du\x00pont\x07\x1b\ufffe"
    document = Document(
        kind="activity",
        title="Rapport\x0b 2025",
        organization_name="Mission\x07 Locale",
        period_label="Année 2025",
        parameters=[("Programme", "Mo\x1bKo")],
        sections=[Section("Notes\x07", [Text(f"Note de {stored}")])],
        listings=[
            Table(f"Liste {stored}", [Column("Nom", "text")], [[stored], ["Ligne\nsuivante"]])
        ],
        generated_at=datetime(2026, 1, 15, 9, 30, tzinfo=BRUSSELS),
    )
    book = load_workbook(io.BytesIO(render_xlsx(document)))
    values = [c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "Dupont" in values and "Ligne\nsuivante" in values
    assert not any(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe]", str(v)) for v in values)
    assert render_pdf(document).startswith(b"%PDF")

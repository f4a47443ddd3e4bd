"""A ``Chart`` drawn by matplotlib as an SVG string to inline in the PDF's HTML.

Text stays text (``svg.fonttype = none``): the labels are searchable and extractable from the PDF,
and drawn with the PDF's own vendored DejaVu Sans. Each call builds its own ``Figure`` (no pyplot
state machine, nothing shared between two reports rendered by the same worker) inside an
``rc_context``, so the worker's global matplotlib settings are never changed.

No label is ever rotated (issue 18): a long category label wraps on up to three lines under its
bar, and when the labels or the values would still not fit side by side the bars are drawn
horizontal, their labels level on the left.
"""

from __future__ import annotations

import io
import re
import textwrap

import matplotlib

matplotlib.use("Agg")  # before anything imports pyplot: a worker has no display

from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import text_to_path
from matplotlib.ticker import FuncFormatter, MaxNLocator

from reporting.document import Chart
from reporting.render.formats import NBSP, as_decimal, format_value

CM = 1 / 2.54
WIDTH = 16 * CM  # the text column of an A4 page with 16 mm margins is 17.8 cm
HEIGHT = 7 * CM
HBAR_ROW = 0.55 * CM  # horizontal bars: the height grows with the categories
# Printed sizes (the SVG is inlined at its own size): nothing on an A4 page under 7 pt.
TEXT_SIZE = 7.5  # ticks, category labels, legend
VALUE_SIZE = 7  # the value printed on each bar or point
LINE = 1.3 * TEXT_SIZE / 72  # inches: a line of a wrapped category label
# Fitting labels under vertical bars: the plot's width once the value axis has taken its ticks on
# the left (and matplotlib its margins), and the space kept between two labels or two values.
PLOT_WIDTH = WIDTH - 1.8 * CM
LABEL_GAP = 0.25 * CM
MAX_LINES = 3  # lines of a category label under its bar; more, and the bars turn horizontal
HBAR_LABEL = 32  # characters on a line of a category label beside a horizontal bar
COLOURS = ["#2f5d8a", "#e0893a", "#5a9b5a", "#b0413e", "#7b6aa6", "#8c8c8c"]
STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "chantiers-parcours",  # stable ids: the same chart gives the same SVG
    "text.parse_math": False,  # "$" in a chantier's name is a dollar, not TeX
    "font.family": "DejaVu Sans",
    "font.size": TEXT_SIZE,
    "axes.edgecolor": "#777777",
    "axes.linewidth": 0.6,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "legend.fontsize": TEXT_SIZE,
    "legend.frameon": False,
}
_PROLOG = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_ID = re.compile(r'(\bid="|url\(#|href="#)([^")]+)')
_STYLE = re.compile(r'style="([^"]*)"')
# SVG-only properties: inlined in HTML, WeasyPrint's CSS parser warns about each of them in a
# style attribute (hundreds of log lines per report); as presentation attributes they are silent.
_SVG_PROPERTIES = frozenset(
    {
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-opacity",
        "stroke-width",
        "text-anchor",
        "clip-path",
    }
)


def chart_svg(chart: Chart, *, prefix: str = "chart") -> str:
    """The SVG element alone (no XML prolog or doctype), its ids prefixed with ``prefix`` so two
    charts inlined in one HTML page do not share an id."""
    with matplotlib.rc_context(STYLE):
        figure = _draw(chart)
        buffer = io.StringIO()
        FigureCanvasSVG(figure)
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    figure.clear()  # nothing of the figure survives the call (a worker renders many reports)
    svg = _METADATA.sub("", _PROLOG.sub("", buffer.getvalue(), count=1), count=1)
    svg = _STYLE.sub(_presentation_attributes, svg)
    return _ID.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)


def _presentation_attributes(match: re.Match) -> str:
    attributes, kept = [], []
    for declaration in match.group(1).split(";"):
        name, _colon, value = (part.strip() for part in declaration.partition(":"))
        if not name:
            continue
        if name in _SVG_PROPERTIES:
            attributes.append(f'{name}="{value}"')
        else:
            kept.append(f"{name}: {value}")
    if kept:
        attributes.append(f'style="{"; ".join(kept)}"')
    return " ".join(attributes)


def _draw(chart: Chart) -> Figure:
    style, categories = _layout(chart)
    height = HEIGHT
    if style == "hbar":
        # Room for each category's bars (a second series adds half a row) and for the lines of
        # its label, within a page.
        bars = HBAR_ROW * (1 + 0.5 * (len(chart.series) - 1))
        lines = max((c.count("\n") + 1 for c in categories), default=1)
        row = max(bars, LINE * lines + 0.15 * CM)
        height = min(max(4 * CM, 2 * CM + row * len(categories)), 22 * CM)
    figure = Figure(figsize=(WIDTH, height), layout="constrained")
    axes = figure.add_subplot()
    label = _formatter(chart)
    if style == "line":
        _line(axes, chart, categories, label)
    else:
        _bars(axes, chart, categories, label, horizontal=style == "hbar")
    value_axis = axes.xaxis if style == "hbar" else axes.yaxis
    value_axis.set_major_formatter(FuncFormatter(lambda v, _pos: _tick(v, chart.percent)))
    value_axis.set_major_locator(MaxNLocator(nbins=5, integer=not chart.percent))
    if all(_float(v) == 0 for _name, values in chart.series for v in values):
        # Nothing but zeros: an axis from 0 to 1 (100 %), not matplotlib's "-0,06 … 0,06".
        (axes.set_xlim if style == "hbar" else axes.set_ylim)(0, 1)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if len(chart.series) > 1:
        figure.legend(loc="outside upper center", ncols=min(len(chart.series), 4))
    return figure


def _layout(chart: Chart) -> tuple[str, list[str]]:
    """The style drawn ("bar", "hbar" or "line") and the category labels as drawn, wrapped.

    Under vertical bars each category has its share of the plot's width; its label wraps to
    that width at spaces ("18-25" stays whole). Bars whose label would need more than
    ``MAX_LINES`` lines or has a word wider than its share, or whose values would run into
    each other, are drawn horizontal instead. A line chart keeps its style (its categories are
    years), its labels wrapped the same way.
    """
    categories = [str(c) for c in chart.categories]
    if chart.style != "hbar":
        share = PLOT_WIDTH / max(len(categories), 1)
        room = share - LABEL_GAP
        wrapped = [_fit(c, room) for c in categories]
        labels_fit = all(
            len(lines) <= MAX_LINES and max(_width(line, TEXT_SIZE) for line in lines) <= room
            for lines in wrapped
        )
        # The values side by side over a category's bars, each centred on its bar.
        label = _formatter(chart)
        values = [_width(label(v), VALUE_SIZE) for _name, vs in chart.series for v in vs]
        bar = 0.8 * share / max(len(chart.series), 1)
        values_fit = max(values, default=0) + LABEL_GAP <= bar
        if chart.style == "line" or (labels_fit and values_fit):
            return chart.style, ["\n".join(lines) for lines in wrapped]
    return "hbar", ["\n".join(_wrap(c, HBAR_LABEL)) for c in categories]


def _fit(label: str, room: float) -> list[str]:
    """The label wrapped at spaces on lines no wider than ``room`` inches, if its words allow:
    textwrap counts characters, so the count is lowered until the drawn lines fit."""
    chars = max(int(room / (0.5 * TEXT_SIZE / 72)), 1)  # 0.5 em: a narrow average character
    lines = _wrap(label, chars)
    while chars > 1 and max(_width(line, TEXT_SIZE) for line in lines) > room:
        chars -= 1
        lines = _wrap(label, chars)
    return lines


def _wrap(label: str, chars: int) -> list[str]:
    return textwrap.wrap(label, chars, break_long_words=False, break_on_hyphens=False) or [""]


def _width(text: str, size: float) -> float:
    """Inches: the width of this text drawn in the charts' font at this size in points."""
    font = FontProperties(family=STYLE["font.family"], size=size)
    width, _height, _descent = text_to_path.get_text_width_height_descent(text, font, ismath=False)
    return width / 72


def _bars(axes, chart: Chart, categories, label, *, horizontal: bool) -> None:
    count = max(len(chart.series), 1)
    width = 0.8 / count
    positions = range(len(categories))
    for index, (name, values) in enumerate(chart.series):
        offsets = [p - 0.4 + width * (index + 0.5) for p in positions]
        numbers = [_float(v) for v in values]
        colour = COLOURS[index % len(COLOURS)]
        if horizontal:
            bars = axes.barh(offsets, numbers, height=width, label=name, color=colour)
        else:
            bars = axes.bar(offsets, numbers, width=width, label=name, color=colour)
        axes.bar_label(bars, labels=[label(v) for v in values], padding=2, fontsize=VALUE_SIZE)
    if horizontal:
        axes.set_yticks(list(positions), categories)
        axes.invert_yaxis()  # the first category on top, as in the table beside it
        axes.margins(x=0.12)  # room for the value labels at the end of the longest bar
    else:
        axes.set_xticks(list(positions), categories)
        axes.margins(y=0.15)


def _line(axes, chart: Chart, categories, label) -> None:
    positions = list(range(len(categories)))
    for index, (name, values) in enumerate(chart.series):
        colour = COLOURS[index % len(COLOURS)]
        points = [
            (p, _float(v), v) for p, v in zip(positions, values, strict=True) if v is not None
        ]
        axes.plot(
            [p for p, _y, _v in points],
            [y for _p, y, _v in points],
            marker="o",
            markersize=3,
            linewidth=1.2,
            label=name,
            color=colour,
        )
        for p, y, v in points:
            axes.annotate(
                label(v),
                (p, y),
                textcoords="offset points",
                xytext=(0, 5),
                ha="center",
                fontsize=VALUE_SIZE,
                color=colour,
            )
    axes.set_xticks(positions, categories)
    axes.margins(x=0.05, y=0.2)
    if all(v is None or v >= 0 for _name, values in chart.series for v in values):
        axes.set_ylim(bottom=0)  # a trend read from zero, not magnified


def _formatter(chart: Chart):
    kind = "percent" if chart.percent else "decimal"
    return lambda value: "" if value is None else format_value(value, kind)


def _tick(value: float, percent: bool) -> str:
    # Ticks are floats chosen by matplotlib: 0.25 → "25 %", 2.5 → "2,5", 1000 → "1 000".
    number = as_decimal(round(value, 6))
    if percent:
        return format_value(number.normalize(), "percent").replace(",0" + NBSP, NBSP)
    return format_value(number.normalize() if number % 1 else int(number), "decimal")


def _float(value) -> float:
    return 0.0 if value is None else float(value)

"""Shared look of every chart: the colour scheme (Okabe-Ito, colour-blind safe, by default), fonts, number
separators, empty-state figures.

The user's colour scheme and number format (dashapp/preferences.py) reach every figure through one place: a
context variable holding the `Look` of this request, set per request by the server (as warehouse/scope.py sets the
account scope; report threads copy the context, reports/pdf.py) and read by styled(), which every builder calls
last. Builders keep naming the default (Okabe-Ito) colours; styled() maps each of them, wherever the figure holds
it (traces, markers, lines, fills, annotations), to the scheme's colour, so no builder knows about schemes."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

# Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
# Fixed colours for labels that mean the same thing on every tab.
LABEL_COLOURS = {
    "Positive": "#009E73", "Neutral": "#999999", "Negative": "#D55E00",
    "High": "#D55E00", "Medium": "#E69F00", "Low": "#0072B2",
    "Critical": "#CC79A7",
    "interaction": "#0072B2", "review": "#E69F00", "ticket": "#D55E00",
}
ORDER = {
    "churn_risk": ["High", "Medium", "Low"],
    "upsell_opportunity": ["High", "Medium", "Low"],
    "overall_sentiment": ["Positive", "Neutral", "Negative"],
    "priority_level": ["Critical", "High", "Medium", "Low"],
    "value_segment": ["High Value", "Medium Value", "Low Value"],
}


@dataclass(frozen=True)
class Scheme:
    id: str
    label: str
    # a default colour (upper-case hex) -> this scheme's colour for it; a colour not named keeps its own (the
    # greys of "no data", black, the light tints)
    colours: dict[str, str] = field(default_factory=dict)

    def colour(self, colour: str) -> str:
        return self.colours.get(colour.upper(), colour)


# Each scheme maps the same seven hues, so a meaning keeps its role in every scheme: blue (Low, interactions),
# orange (Medium, reviews), green (Positive), vermillion (Negative, High risk), purple (Critical), sky, yellow.
SCHEMES: dict[str, Scheme] = {scheme.id: scheme for scheme in (
    Scheme("okabe-ito", "Colour-blind safe (default)"),
    # Tableau 10 "classic" (also D3's and Plotly's category10): familiar, but red and green are not told apart
    # by everyone
    Scheme("classic", "Classic (Tableau 10)", {
        "#0072B2": "#1F77B4", "#E69F00": "#FF7F0E", "#009E73": "#2CA02C", "#D55E00": "#D62728",
        "#CC79A7": "#9467BD", "#56B4E9": "#17BECF", "#F0E442": "#BCBD22"}),
    # Darker, saturated colours, each at least 4.5:1 against the white background (WCAG's contrast for text),
    # for projectors and low vision; the light greys darkened the same way
    Scheme("high-contrast", "High contrast", {
        "#0072B2": "#004488", "#E69F00": "#A85400", "#009E73": "#00734D", "#D55E00": "#B3261E",
        "#CC79A7": "#8B2D7A", "#56B4E9": "#0077BB", "#F0E442": "#7A6A00",
        "#999999": "#6E6E6E", "#BBBBBB": "#858585", "#777777": "#555555"}),
)}
DEFAULT_SCHEME = "okabe-ito"


@dataclass(frozen=True)
class NumberFormat:
    id: str
    label: str
    decimal: str
    group: str


# The group separator of "1 234,5" is a no-break space: a number never breaks over two lines.
NUMBER_FORMATS: dict[str, NumberFormat] = {fmt.id: fmt for fmt in (
    NumberFormat("comma-dot", "1,234.5 (default)", ".", ","),
    NumberFormat("space-comma", "1\u00a0234,5", ",", "\u00a0"),
    NumberFormat("dot-comma", "1.234,5", ",", "."),
)}
DEFAULT_NUMBER_FORMAT = "comma-dot"


@dataclass(frozen=True)
class Look:
    """A user's chart colour scheme and number format (ids of SCHEMES and NUMBER_FORMATS)."""
    scheme: str = DEFAULT_SCHEME
    number_format: str = DEFAULT_NUMBER_FORMAT


DEFAULT_LOOK = Look()
_look: ContextVar[Look] = ContextVar("customer_insight_look", default=DEFAULT_LOOK)


def current_look() -> Look:
    return _look.get()


def set_look(look: Look) -> Token:
    return _look.set(look)


def reset_look(token: Token) -> None:
    _look.reset(token)


@contextmanager
def using_look(look: Look) -> Iterator[None]:
    """Figures and KPI texts made in this block use `look` (a job run for a user, a test)."""
    token = _look.set(look)
    try:
        yield
    finally:
        _look.reset(token)


def current_scheme() -> Scheme:
    return SCHEMES.get(_look.get().scheme, SCHEMES[DEFAULT_SCHEME])


def current_number_format() -> NumberFormat:
    return NUMBER_FORMATS.get(_look.get().number_format, NUMBER_FORMATS[DEFAULT_NUMBER_FORMAT])


def is_missing(value: object) -> bool:
    """None, pandas' NA / NaT, or a float NaN (numpy floats included): a value the query did not have. One test
    for every card, table and export, since a DataFrame cell can hold any of them."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def percent_text(fraction: float) -> str:
    """A share as every KPI card writes it: one decimal and a space before the sign ("12.0 %")."""
    return f"{fraction * 100:.1f} %"


# A number as the tabs write it in the default format: "1,234", "1,234.5", "0.25", "12" (not a part of a longer
# run of digits and separators, so dates, ids and "2, 3" lists are left alone)
_NUMBER = re.compile(r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d]|[.,]\d)")


def localize_numbers(text: str) -> str:
    """`text` with its numbers written in the current number format. The tabs format KPI numbers in the default
    one ("1,234.5"); the KPI cards' texts pass here once, on screen and in PDFs (dashapp/components.py)."""
    fmt = current_number_format()
    if fmt.id == DEFAULT_NUMBER_FORMAT or not isinstance(text, str):
        return text
    table = str.maketrans({",": fmt.group, ".": fmt.decimal})
    return _NUMBER.sub(lambda match: match.group().translate(table), text)


FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
# Every figure starts from this template: Plotly gives a new figure the default template without validating it
# again, while naming it in update_layout made Plotly copy and validate the whole template for every figure (~40 ms
# each: half of a report's figure-building time, and of every dashboard figure's).
TEMPLATE = "plotly_white"
pio.templates.default = TEMPLATE


def styled(figure: go.Figure, height: int = 320) -> go.Figure:
    """The shared layout, the current colour scheme (every default colour the figure holds mapped to the
    scheme's) and the current number format (Plotly's separators for the numbers it formats: axes, ticks, hover
    values; localize_numbers for the texts a builder wrote itself: bar labels, tick texts, titles, annotations)."""
    scheme, fmt = current_scheme(), current_number_format()
    figure.update_layout(
        height=height, margin={"l": 48, "r": 16, "t": 16, "b": 40},
        font={"family": FONT, "size": 13}, colorway=[scheme.colour(c) for c in PALETTE],
        legend={"orientation": "h", "y": -0.2}, hoverlabel={"font_family": FONT},
        separators=fmt.decimal + fmt.group,
    )
    if scheme.colours:
        recolour(figure, scheme)
    if fmt.id != DEFAULT_NUMBER_FORMAT:
        _rewrite(figure, localize_numbers, only=_TEXT_KEYS)
    return figure


def recolour(figure: go.Figure, scheme: Scheme) -> None:
    """Map every colour of `figure` that `scheme` names to the scheme's colour, in place."""
    _rewrite(figure, lambda text: _colour(text, scheme))


# the properties holding texts a builder wrote (not its templates: Plotly formats those with `separators`)
_TEXT_KEYS = frozenset({"text", "hovertext", "ticktext"})
_UNCHANGED = object()
_RGB = re.compile(r"rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(,\s*[\d.]+\s*)?\)")


def _rewrite(figure: go.Figure, change: Callable[[str], str], only: frozenset[str] | None = None) -> None:
    """Apply `change` to every text of `figure`'s traces and layout (only to the values of the keys `only` names,
    when given), in place."""
    for trace in figure.data:
        changed = _changed_keys(trace.to_plotly_json(), change, only)
        if changed:
            trace.update(changed, overwrite=True)
    layout = {k: v for k, v in figure.layout.to_plotly_json().items() if k not in ("template", "colorway")}
    changed = _changed_keys(layout, change, only)
    if changed:
        figure.update_layout(changed, overwrite=True)


def _changed_keys(props: dict, change: Callable[[str], str], only: frozenset[str] | None) -> dict:
    """The top-level keys of a trace's or layout's properties whose value holds a text to change, each with its
    whole new value (so that an update with overwrite replaces exactly those)."""
    changed = {}
    for key, value in props.items():
        new = _mapped(value, change, only, key)
        if new is not _UNCHANGED:
            changed[key] = new
    return changed


def _mapped(value: object, change: Callable[[str], str], only: frozenset[str] | None, key: str) -> object:
    """`value` with its texts changed, or _UNCHANGED when none changes. `key` is the property the value is under."""
    if isinstance(value, str):
        if only is not None and key not in only:
            return _UNCHANGED
        new = change(value)
        return _UNCHANGED if new == value else new
    if isinstance(value, dict):
        items = {k: _mapped(v, change, only, k) for k, v in value.items()}
        if all(v is _UNCHANGED for v in items.values()):
            return _UNCHANGED
        return {k: value[k] if v is _UNCHANGED else v for k, v in items.items()}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "OU":  # numbers: no texts in them
            return _UNCHANGED
        value = value.tolist()
    if isinstance(value, list | tuple):
        items = [_mapped(v, change, only, key) for v in value]
        if all(v is _UNCHANGED for v in items):
            return _UNCHANGED
        return [old if new is _UNCHANGED else new for old, new in zip(value, items, strict=True)]
    return _UNCHANGED


def _colour(text: str, scheme: Scheme) -> str:
    if text.startswith("#"):
        return scheme.colour(text)
    match = _RGB.fullmatch(text)
    if match is None:
        return text
    hex_colour = "#{:02X}{:02X}{:02X}".format(*(int(part) for part in match.groups()[:3]))
    new = scheme.colour(hex_colour)
    if new == hex_colour:
        return text
    red, green, blue = (int(new[i:i + 2], 16) for i in (1, 3, 5))
    alpha = match.group(4)
    return f"rgba({red},{green},{blue}{alpha.replace(' ', '')})" if alpha else f"rgb({red},{green},{blue})"


def empty_figure(message: str = "No data for these filters. Widen the date range or clear a filter.",
                 height: int = 320) -> go.Figure:
    """A figure with a message instead of an empty axis."""
    figure = go.Figure()
    figure.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                          font={"size": 14, "color": "#6c757d"})
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return styled(figure, height)

"""Retention figures: pure functions from the retention/* query results to Plotly figures and sentences.

`cells` is a result of retention/cohort_retention (one row per cohort and month since sign-up, with
cell_status measured / in_progress / no_data); `curve` one of retention/retention_curve (the average curve
weighted by cohort size, with change_pp, is_drop_off and is_largest_fall). Every number drawn comes from those
two queries; this module only lays them out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from config.rules import load_rules
from dashapp.figures.common import PALETTE, empty_figure, styled

NO_COHORTS = ("No customers signed up in the months of this date range for these filters.<br>"
              "Widen the date range or clear a filter.")
NO_MEASURED_MONTH = ("None of the cohorts in view has a complete month of activity data yet.<br>"
                     "Widen the date range to include older sign-up months.")
# Light to dark blue: a single-hue sequential scale reads the same with every colour-vision deficiency.
HEATMAP_SCALE = [[0.0, "#f7fbff"], [0.25, "#c6dbef"], [0.5, "#6baed6"], [0.75, "#2171b5"], [1.0, "#08306b"]]
AVERAGE_COLOUR = "#000000"
DROP_OFF_COLOUR = "#D55E00"  # Okabe-Ito vermillion: the palette's warning colour
IN_PROGRESS_MARK = "*"
# Cell text by grid width: the whole "NN % (count)" while it fits on one line, then on two lines, then the
# percentage alone (the hover always has everything).
ONE_LINE_MAX_MONTHS = 13
TWO_LINE_MAX_MONTHS = 24
# Cohort lines take the palette's colours except black (the average), vermillion (drop-offs) and yellow (too
# pale on white); with more cohorts than that, one legend entry stands for all of them.
COHORT_COLOURS = [c for c in PALETTE if c not in (AVERAGE_COLOUR, DROP_OFF_COLOUR, "#F0E442")]
LEGEND_MAX_COHORTS = len(COHORT_COLOURS)


def drop_off_rules() -> tuple[float, int]:
    """([retention] drop_off_min_pp, drop_off_min_customers) from config/rules.toml."""
    rules = load_rules()["retention"]
    return rules["drop_off_min_pp"], rules["drop_off_min_customers"]


def cohort_label(month: object) -> str:
    return f"{pd.Timestamp(month):%b %Y}"


def cell_text(pct: float, active: int, status: str, months: int) -> str:
    """The text of one heatmap cell: "42 % (1,234)", shorter on wide grids; '*' marks the month in progress."""
    mark = IN_PROGRESS_MARK if status == "in_progress" else ""
    if months <= ONE_LINE_MAX_MONTHS:
        return f"{pct:.0f} % ({active:,}){mark}"
    if months <= TWO_LINE_MAX_MONTHS:
        return f"{pct:.0f} %{mark}<br>({active:,})"
    return f"{pct:.0f}{mark}"


def cohort_heatmap(cells: pd.DataFrame, drop_off_months: Iterable[int] = ()) -> go.Figure:
    """Cohorts (rows, oldest on top) by months since sign-up (columns): % of the cohort active, with counts.

    Months before the activity data starts are left blank; the month in progress is marked with '*';
    drop_off_months (from retention_curve.is_drop_off) are marked ▼ on the month axis."""
    if cells.empty:
        return empty_figure(NO_COHORTS)
    shown = cells[cells["cell_status"] != "no_data"]
    if shown.empty:
        return empty_figure(NO_MEASURED_MONTH)
    months = list(range(int(cells["months_since_signup"].max()) + 1))
    cohorts = sorted(cells["cohort_month"].unique())
    sizes = cells.groupby("cohort_month")["cohort_size"].first()
    rows = {cohort: i for i, cohort in enumerate(cohorts)}
    z: list[list[float | None]] = [[None] * len(months) for _ in cohorts]
    text = [[""] * len(months) for _ in cohorts]
    hover = [[""] * len(months) for _ in cohorts]
    for cell in shown.itertuples(index=False):
        i, k = rows[cell.cohort_month], int(cell.months_since_signup)
        pct, active = float(cell.retention_pct), int(cell.active_customers)
        z[i][k] = pct
        text[i][k] = cell_text(pct, active, cell.cell_status, len(months))
        note = "<br><i>month in progress: the rate can still rise</i>" if cell.cell_status == "in_progress" else ""
        hover[i][k] = (f"<b>{cohort_label(cell.cohort_month)} cohort</b> · month {k} "
                       f"({cohort_label(cell.activity_month)})<br>{active:,} of {int(cell.cohort_size):,} "
                       f"customers active: {pct:.1f} %{note}")
    dropped = set(drop_off_months)
    # the colours span the values shown, in steps of 10 %: cells of 84 % and 95 % must not look alike
    low, high = _tens_below(shown["retention_pct"].min()), min(100, _tens_below(shown["retention_pct"].max()) + 10)
    figure = go.Figure(go.Heatmap(
        z=z, x=months, y=[f"{cohort_label(c)} · {int(sizes[c]):,}" for c in cohorts],
        text=text, texttemplate="%{text}", textfont={"size": 11 if len(months) <= TWO_LINE_MAX_MONTHS else 10},
        customdata=hover, hovertemplate="%{customdata}<extra></extra>", hoverongaps=False,
        colorscale=HEATMAP_SCALE, zmin=low, zmax=high, xgap=1, ygap=1,
        colorbar={"title": {"text": "% active", "side": "right"}, "ticksuffix": " %", "thickness": 12,
                  "len": min(1.0, 300 / _heatmap_height(len(cohorts), len(months)) + 0.2)},
    ))
    figure.update_xaxes(
        title="months since sign-up (▼ drop-off)" if dropped else "months since sign-up", side="top",
        tickmode="array", tickvals=months, ticktext=[f"{k}▼" if k in dropped else str(k) for k in months],
        showgrid=False, zeroline=False,
    )
    figure.update_yaxes(title=None, autorange="reversed", type="category", showgrid=False)
    styled(figure, height=_heatmap_height(len(cohorts), len(months)))
    figure.update_layout(margin={"l": 8, "r": 8, "t": 56, "b": 8}, plot_bgcolor="#ffffff")
    figure.update_yaxes(automargin=True)
    return figure


def _tens_below(value: float) -> int:
    return int(math.floor(float(value) / 10) * 10)


def _heatmap_height(cohorts: int, months: int) -> int:
    row = 34 if ONE_LINE_MAX_MONTHS < months <= TWO_LINE_MAX_MONTHS else 24
    return max(220, 80 + row * cohorts)


def cohort_colours(count: int) -> list[str]:
    """One colour per cohort, oldest first: the palette while it lasts, else light to dark along a
    colour-blind-safe sequential scale (Cividis)."""
    if count <= LEGEND_MAX_COHORTS:
        return COHORT_COLOURS[:count]
    return sample_colorscale("Cividis", [0.85 - 0.7 * i / (count - 1) for i in range(count)])


def retention_curves(cells: pd.DataFrame, curve: pd.DataFrame) -> go.Figure:
    """One thin line per cohort (% active by month since sign-up, measured months only), the bold average curve
    weighted by cohort size, and its drop-offs marked (retention/retention_curve)."""
    if cells.empty:
        return empty_figure(NO_COHORTS)
    if curve.empty:
        return empty_figure(NO_MEASURED_MONTH)
    measured = cells[cells["cell_status"] == "measured"]
    cohorts = sorted(measured["cohort_month"].unique())
    colours = cohort_colours(len(cohorts))
    own_legend = len(cohorts) <= LEGEND_MAX_COHORTS
    figure = go.Figure()
    for index, (cohort, colour) in enumerate(zip(cohorts, colours, strict=True)):
        data = measured[measured["cohort_month"] == cohort]
        label = cohort_label(cohort)
        figure.add_trace(go.Scatter(
            x=data["months_since_signup"], y=data["retention_pct"], mode="lines+markers" if len(data) == 1 else "lines",
            name=f"{label} cohort" if own_legend else "cohorts (light: oldest, dark: newest)",
            legendgroup=None if own_legend else "cohorts", showlegend=own_legend or index == 0,
            line={"width": 1.5, "color": colour}, opacity=0.75, marker={"size": 5},
            customdata=data[["active_customers", "cohort_size"]].to_numpy(),
            hovertemplate=f"<b>{label} cohort</b> · month %{{x}}<br>%{{y:.1f}} % active "
                          "(%{customdata[0]:,} of %{customdata[1]:,})<extra></extra>",
        ))
    figure.add_trace(go.Scatter(
        x=curve["months_since_signup"], y=curve["retention_pct"], mode="lines+markers",
        name="average, weighted by cohort size", line={"width": 4, "color": AVERAGE_COLOUR}, marker={"size": 7},
        customdata=curve[["active_customers", "customers", "cohorts"]].to_numpy(),
        hovertemplate="<b>Average</b> · month %{x}<br>%{y:.1f} % active (%{customdata[0]:,} of %{customdata[1]:,} "
                      "customers in %{customdata[2]:,} cohorts)<extra></extra>",
    ))
    _mark_falls(figure, curve)
    last = max(int(measured["months_since_signup"].max()), int(curve["months_since_signup"].max()))
    figure.update_xaxes(title="months since sign-up (0 = the sign-up month)", range=[-0.4, last + 0.4],
                        dtick=_dtick(curve), zeroline=False)
    # the axis starts at the 10 % step below the lowest point (0 % when that is under 10 %), not always at 0:
    # falls of a few points must stay visible when every cohort keeps most of its customers
    lowest = min(measured["retention_pct"].min(), curve["retention_pct"].min())
    figure.update_yaxes(title="% of the cohort active", range=[max(0, _tens_below(lowest - 5)), 102], ticksuffix=" %")
    styled(figure, height=420)
    figure.update_layout(legend={"orientation": "h", "y": -0.18, "x": 0}, margin={"t": 24, "b": 72},
                         hovermode="closest")
    return figure


def _mark_falls(figure: go.Figure, curve: pd.DataFrame) -> None:
    """Drop-offs: filled vermillion triangles on the average curve with the fall written next to them. The
    largest fall, when it is not a drop-off, gets an open marker: it is named under the chart."""
    drops = curve[curve["is_drop_off"]]
    if not drops.empty:
        figure.add_trace(go.Scatter(
            x=drops["months_since_signup"], y=drops["retention_pct"], mode="markers+text", name="drop-off",
            marker={"symbol": "triangle-down", "size": 16, "color": DROP_OFF_COLOUR,
                    "line": {"color": "#ffffff", "width": 1.5}},
            text=[f"{v:+.1f} pp".replace("-", "−") for v in drops["change_pp"]], textposition="bottom center",
            textfont={"color": DROP_OFF_COLOUR, "size": 13},
            customdata=drops["months_since_signup"] - 1,
            hovertemplate="<b>Drop-off</b> from month %{customdata} to %{x}: %{text}<extra></extra>",
        ))
    largest = curve[curve["is_largest_fall"] & ~curve["is_drop_off"]]
    if not largest.empty:
        figure.add_trace(go.Scatter(
            x=largest["months_since_signup"], y=largest["retention_pct"], mode="markers", name="largest fall",
            marker={"symbol": "circle-open", "size": 16, "color": DROP_OFF_COLOUR, "line": {"width": 2.5}},
            customdata=largest["change_pp"],
            hovertemplate="<b>Largest fall</b> (below the drop-off threshold): %{customdata:.1f} pp<extra></extra>",
        ))


def _dtick(curve: pd.DataFrame) -> int:
    last = int(curve["months_since_signup"].max())
    return 1 if last <= 15 else 3 if last <= 40 else 6


def _step(month: int) -> str:
    return f"month {month - 1} → {month}"


def _pp(value: float) -> str:
    return f"{value:+.1f} pp".replace("-", "−")


def drop_off_summary(curve: pd.DataFrame) -> str:
    """The drop-offs in words, for under the curve chart (from retention_curve's columns)."""
    if curve.empty:
        return ""
    min_pp, min_customers = drop_off_rules()
    drops = curve[curve["is_drop_off"]]
    judged = curve[(curve["step_customers"] >= min_customers) & curve["change_pp"].notna()]
    too_small = bool(((curve["step_customers"] > 0) & (curve["step_customers"] < min_customers)).any())
    largest = curve[curve["is_largest_fall"]]
    rule = f"a fall of {min_pp:g} percentage points (pp) or more from one month to the next, over the same cohorts"
    if not drops.empty:
        parts = [f"{_step(int(r.months_since_signup))}: {_pp(r.change_pp)} over {int(r.step_customers):,} customers"
                 for r in drops.itertuples(index=False)]
        text = f"{'Drop-off' if len(parts) == 1 else f'{len(parts)} drop-offs'} ({rule}): " + "; ".join(parts) + "."
        if len(parts) > 1 and not largest.empty:
            text += f" The largest is {_step(int(largest['months_since_signup'].iloc[0]))}."
    elif not judged.empty:
        text = f"No drop-off ({rule})."
        if largest.empty:
            text += " Retention does not fall from one month to the next for these cohorts."
        else:
            row = largest.iloc[0]
            text += f" The largest fall is {_step(int(row['months_since_signup']))}: {_pp(row['change_pp'])}."
    elif too_small:
        return (f"Too few customers to judge drop-offs: no step from one month to the next is measured over the "
                f"{min_customers:,} customers it takes. Widen the date range or clear a filter.")
    else:
        return "Drop-offs need cohorts with at least two complete months."
    if too_small:
        text += f" Steps measured over fewer than {min_customers:,} customers are not judged."
    return text

"""Usage tab figures and tables: pure functions from the sql/queries/usage results (and insight.team_profiles) to
Plotly figures and Bootstrap tables. Nothing is computed here beyond formatting; every number is in the frame."""

from __future__ import annotations

import math

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import html

from dashapp.figures.common import PALETTE, empty_figure, is_missing, styled

NO_USAGE = "No product usage for these filters.<br>Widen the date range or clear a filter."
# Okabe-Ito first, then Paul Tol's muted colours for features beyond eight: a feature keeps one colour on every chart.
FEATURE_COLOURS = [*PALETTE[:7], "#999999", "#882255", "#44AA99", "#332288", "#DDCC77", "#117733", "#AA4499"]
STATUS = {  # last-activity status (usage/last_activity_distribution): text, colour
    "active": ("used in the last 30 days", "#009E73"),
    "quiet": ("last used 30 days to 6 months ago", "#E69F00"),
    "inactive": ("inactive for over 6 months", "#D55E00"),
}


def feature_text(feature: object) -> str:
    return str(feature).replace("_", " ")


def feature_colours(features: list[str]) -> dict[str, str]:
    """One colour per feature, by the features' order (most used first, from usage/feature_list)."""
    return {f: FEATURE_COLOURS[i % len(FEATURE_COLOURS)] for i, f in enumerate(features)}


def team_label(customer_id: object, name: object, width: int = 30) -> str:
    """A team's name (cut to `width`) or, without one, its id."""
    text = str(name) if isinstance(name, str) and name.strip() else str(customer_id)
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _team_labels(frame: pd.DataFrame) -> list[str]:
    """Bar labels: the team's name (short), made unique with the id where two names would read the same."""
    labels = [team_label(i, n, 24) for i, n in zip(frame["customer_id"], frame["customer_name"], strict=True)]
    repeated = {label for label in labels if labels.count(label) > 1}
    return [f"{label} ({i})" if label in repeated else label for label, i in zip(labels, frame["customer_id"],
                                                                                  strict=True)]


def _pct(value: object, digits: int = 0) -> str:
    return "–" if is_missing(value) else f"{value:.{digits}%}"


# ---------------------------------------------------------------- check-up


def last_activity(frame: pd.DataFrame) -> go.Figure:
    """Stacked bars: teams per month of their last usage, coloured by status as of the newest data
    (usage/last_activity_distribution); teams that never used the product are counted in the title."""
    never = int(frame.loc[frame["activity_status"] == "never", "teams"].sum())
    data = frame[frame["activity_status"] != "never"]
    if data.empty:
        return empty_figure(f"None of the {never:,} teams in view has used the product." if never else NO_USAGE)
    figure = go.Figure()
    for status, (text, colour) in STATUS.items():
        rows = data[data["activity_status"] == status]
        if rows.empty:
            continue
        figure.add_trace(go.Bar(x=rows["last_activity_month"], y=rows["teams"], name=text, marker_color=colour,
                                hovertemplate="last used in %{x|%b %Y}: %{y:,} teams<br>" + text + "<extra></extra>"))
    # Most teams were last active in the newest month; a log scale keeps the older months' few teams visible.
    figure.update_layout(barmode="stack", bargap=0.1)
    figure.update_xaxes(title=None, tickformat="%b %Y")
    figure.update_yaxes(title="teams (log scale)", type="log")
    figure = styled(figure, height=340)
    figure.update_layout(legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0}, margin={"t": 56})
    if never:
        figure.add_annotation(text=f"+ {never:,} team{'s' if never != 1 else ''} never used the product",
                              xref="paper", yref="paper", x=0, y=-0.16, showarrow=False, xanchor="left",
                              font={"size": 12, "color": "#6c757d"})
    return figure


def onboarded_table(frame: pd.DataFrame) -> object:
    """The recently onboarded teams (usage/recently_onboarded) as a table."""
    if frame.empty:
        return html.P("No teams for these filters. Clear a filter.", className="text-muted small")
    header = html.Thead(html.Tr([html.Th(t, scope="col", className=c) for t, c in (
        ("Team", ""), ("Onboarded", ""), ("Members", "text-end"), ("Active (30 d)", "text-end"),
        ("Last used", ""))]))
    rows = []
    for row in frame.to_dict("records"):
        last = row["last_activity_date"]
        rows.append(html.Tr([
            html.Td([html.Div(team_label(row["customer_id"], row["customer_name"])),
                     html.Div(row["customer_id"], className="text-muted small text-nowrap")]),
            html.Td(f"{row['onboarded_date']:%Y-%m-%d}" if not pd.isna(row["onboarded_date"]) else "–",
                    className="text-nowrap"),
            html.Td(f"{int(row['team_size']):,}", className="text-end"),
            html.Td(f"{int(row['active_users_30d']):,}", className="text-end"),
            html.Td(f"{last:%Y-%m-%d}" if not pd.isna(last) else "never",
                    className="text-nowrap" if not pd.isna(last) else "text-muted fst-italic"),
        ]))
    return dbc.Table([header, html.Tbody(rows)], size="sm", hover=True, responsive=True, className="mb-0 small")


def most_active_teams(frame: pd.DataFrame) -> go.Figure:
    """Horizontal bars: the teams with the most events in the last 30 days (usage/most_active_teams)."""
    if frame.empty:
        return empty_figure("No team in view used the product in the last 30 days of the data.")
    labels = _team_labels(frame)
    details = [f"{i}<br>{u:,} active users, {s:,} super users, team of {t:,}" for i, u, s, t in zip(
        frame["customer_id"], frame["active_users_30d"], frame["super_users_30d"], frame["team_size"], strict=True)]
    figure = go.Figure(go.Bar(
        y=labels, x=frame["events_30d"], orientation="h", marker_color=PALETTE[0], customdata=details,
        text=[f"{e:,}" for e in frame["events_30d"]], textposition="auto",
        hovertemplate="%{y}<br>%{x:,} events in the last 30 days<br>%{customdata}<extra></extra>"))
    figure.update_yaxes(autorange="reversed", title=None, automargin=True)
    figure.update_xaxes(title="usage events in the last 30 days")
    return styled(figure, height=max(260, 60 + 28 * len(frame)))


# ---------------------------------------------------------------- features


def feature_volume(frame: pd.DataFrame, colours: dict[str, str]) -> go.Figure:
    """Horizontal bars: each feature's events over the date range with its share (usage/feature_volume)."""
    if frame.empty:
        return empty_figure(NO_USAGE)
    totals = frame.drop_duplicates("feature_name").sort_values("feature_rank")
    figure = go.Figure(go.Bar(
        y=[feature_text(f) for f in totals["feature_name"]], x=totals["feature_events"], orientation="h",
        marker_color=[colours.get(f, "#999999") for f in totals["feature_name"]],
        text=[f"{e:,} ({s:.0%})" for e, s in zip(totals["feature_events"], totals["feature_share"], strict=True)],
        textposition="auto", hovertemplate="%{y}: %{x:,} events<extra></extra>"))
    figure.update_yaxes(autorange="reversed", title=None)
    figure.update_xaxes(title="usage events in the date range")
    return styled(figure, height=max(260, 60 + 30 * len(totals)))


def feature_trend(frame: pd.DataFrame, grain: str, colours: dict[str, str]) -> go.Figure:
    """Lines: events per feature per week or month (usage/feature_volume)."""
    if frame.empty:
        return empty_figure(NO_USAGE)
    period_format = "%b %Y" if grain == "month" else "week of %d %b %Y"
    figure = go.Figure()
    for _rank, rows in frame.groupby("feature_rank", sort=True):  # the query's order: most used first
        name = rows["feature_name"].iloc[0]
        figure.add_trace(go.Scatter(
            x=rows["period"], y=rows["events"], mode="lines+markers" if len(rows) < 30 else "lines",
            name=feature_text(name), line={"color": colours.get(name, "#999999"), "width": 2},
            hovertemplate=f"{feature_text(name)}<br>%{{x|{period_format}}}: %{{y:,}} events<extra></extra>"))
    figure.update_yaxes(title=f"events per {grain}", rangemode="tozero")
    figure.update_xaxes(title=None)
    return styled(figure, height=360)


def feature_top_teams(frame: pd.DataFrame, feature: str | None) -> go.Figure:
    """Horizontal bars: the teams using one feature most in the date range (usage/feature_top_teams)."""
    if not feature:
        return empty_figure("Choose a feature.")
    if frame.empty:
        return empty_figure(f"No team in view used {feature_text(feature)} in the date range.")
    labels = _team_labels(frame)
    details = [f"{i}<br>{u:,} users on {d:,} days; {s:.0%} of the team's events" for i, u, d, s in zip(
        frame["customer_id"], frame["users"], frame["active_days"], frame["team_share"], strict=True)]
    figure = go.Figure(go.Bar(
        y=labels, x=frame["events"], orientation="h", marker_color=PALETTE[0], customdata=details,
        text=[f"{e:,}" for e in frame["events"]], textposition="auto",
        hovertemplate="%{y}<br>%{x:,} events of " + feature_text(feature) + "<br>%{customdata}<extra></extra>"))
    figure.update_yaxes(autorange="reversed", title=None, automargin=True)
    figure.update_xaxes(title="events in the date range")
    return styled(figure, height=max(260, 60 + 28 * len(frame)))


def adoption(frame: pd.DataFrame) -> go.Figure:
    """Grouped horizontal bars: share of the active teams and of the active users using each feature
    (usage/feature_adoption), highest team adoption first."""
    if frame.empty or int(frame["active_teams"].max()) == 0:
        return empty_figure(NO_USAGE)
    data = frame.sort_values(["team_adoption", "feature_name"], ascending=[False, True])
    names = [feature_text(f) for f in data["feature_name"]]
    figure = go.Figure()
    for column, count, total, text, colour in (
            ("team_adoption", "teams_using", "active_teams", "teams", PALETTE[0]),
            ("user_adoption", "users_using", "active_users", "users", PALETTE[1])):
        figure.add_trace(go.Bar(
            y=names, x=data[column], orientation="h", name=f"% of active {text}", marker_color=colour,
            text=[_pct(v) for v in data[column]], textposition="outside", cliponaxis=False,
            customdata=[f"{c:,} of {t:,} active {text}" for c, t in zip(data[count], data[total], strict=True)],
            hovertemplate="%{y}: %{x:.1%}<br>%{customdata}<extra></extra>"))
    figure.update_layout(barmode="group", bargap=0.25)
    figure.update_yaxes(autorange="reversed", title=None)
    figure.update_xaxes(title="share using the feature in the date range", tickformat=".0%", range=[0, 1.12])
    return styled(figure, height=max(300, 80 + 44 * len(data)))


def stickiness(frame: pd.DataFrame) -> go.Figure:
    """Horizontal bars: DAU/MAU per feature, the all-features value as a dashed line (usage/stickiness)."""
    overall = frame[frame["is_overall"]]
    data = frame[~frame["is_overall"] & frame["stickiness"].notna()]
    if data.empty or overall.empty or pd.isna(overall["stickiness"].iloc[0]):
        return empty_figure("No active users in the last 30 days of the date range.<br>Move the range's end date.")
    details = [f"{d:,.1f} daily / {m:,} monthly active users" for d, m in zip(data["dau"], data["mau"], strict=True)]
    figure = go.Figure(go.Bar(
        y=[feature_text(f) for f in data["feature_name"]], x=data["stickiness"], orientation="h",
        marker_color=PALETTE[2], text=[_pct(v, 1) for v in data["stickiness"]], textposition="auto",
        customdata=details, hovertemplate="%{y}: DAU/MAU %{x:.1%}<br>%{customdata}<extra></extra>"))
    value = float(overall["stickiness"].iloc[0])
    figure.add_vline(x=value, line_dash="dash", line_color="#000000",
                     annotation_text=f"all features {value:.1%}", annotation_position="top right")
    row = overall.iloc[0]
    figure.update_yaxes(autorange="reversed", title=None)
    figure.update_xaxes(title="DAU / MAU", tickformat=".0%", rangemode="tozero")
    figure = styled(figure, height=max(280, 80 + 30 * len(data)))
    # the window in a small title: as an axis title it was cut off in a half-width card
    figure.update_layout(margin={"t": 40}, title={
        "text": f"{int(row['window_days'])} days to {row['window_last_day']:%d %b %Y}", "x": 0.01, "y": 0.98,
        "font": {"size": 12, "color": "#6c757d"}})
    return figure


def correlation(frame: pd.DataFrame, level: str) -> go.Figure:
    """Heatmap: phi correlation of using feature a with using feature b over the active teams or users
    (usage/feature_correlation); the hover gives the share of a's users who also used b."""
    data = frame[frame["level"] == level]
    if data.empty or int(data["entities"].max()) == 0:
        return empty_figure(NO_USAGE)
    order = list(dict.fromkeys(data["feature_a"]))
    phi = data.pivot(index="feature_a", columns="feature_b", values="phi").reindex(index=order, columns=order)
    share = data.pivot(index="feature_a", columns="feature_b", values="share_of_a_using_b").reindex(
        index=order, columns=order)
    names = [feature_text(f) for f in order]
    # The diagonal (a feature with itself, always 1) is left blank so that it does not set the colour scale's eye.
    z = [[None if pd.isna(v) or i == j else float(v) for j, v in enumerate(row)]
         for i, row in enumerate(phi.to_numpy())]
    # A symmetric scale around 0 (white), as wide as the largest value in view (at least ±0.2), so that weak but
    # real differences stay visible; the colour bar shows the range.
    largest = max([abs(v) for row in z for v in row if v is not None] or [0.0])
    limit = max(0.2, math.ceil(largest * 10) / 10)
    hover = [[f"{_pct(s)} of the {level} using {a} also used {b}" for b, s in zip(names, row, strict=True)]
             for a, row in zip(names, share.to_numpy(), strict=True)]
    figure = go.Figure(go.Heatmap(
        z=z, x=names, y=names, zmin=-limit, zmax=limit, colorscale=[[0, "#0072B2"], [0.5, "#FFFFFF"], [1, "#D55E00"]],
        text=[["" if v is None else f"{v:.2f}" for v in row] for row in z], texttemplate="%{text}",
        textfont={"size": 11},
        customdata=hover, xgap=1, ygap=1, colorbar={"title": "phi", "thickness": 12},
        hovertemplate="%{y} × %{x}: phi %{z:.2f}<br>%{customdata}<extra></extra>"))
    figure.update_yaxes(autorange="reversed", title=None)
    figure.update_xaxes(title=None, tickangle=-35)
    figure = styled(figure, height=max(340, 120 + 34 * len(order)))
    figure.update_layout(margin={"l": 120, "b": 100})
    return figure


def funnel(frame: pd.DataFrame, dropped: int = 0) -> go.Figure:
    """Funnel: users reaching each step of the chosen feature order (usage/funnel); `dropped` picks beyond the
    maximum number of steps are named in the title."""
    if frame.empty:
        return empty_figure("Choose at least two features, in the order to follow.")
    if int(frame["users"].iloc[0]) == 0:
        return empty_figure(f"No user in view used {feature_text(frame['feature_name'].iloc[0])} in the date range.")
    labels = [f"{s}. {feature_text(f)}" for s, f in zip(frame["step"], frame["feature_name"], strict=True)]
    details = []
    for row in frame.to_dict("records"):
        days = row["median_days_from_previous"]
        after = "" if pd.isna(days) else f"<br>median {days:,.0f} days after the previous step"
        previous = "" if pd.isna(row["share_of_previous"]) else f", {row['share_of_previous']:.1%} of the previous"
        details.append(f"{row['teams']:,} teams{after}<br>{_pct(row['share_of_first'], 1)} of step 1{previous}")
    figure = go.Figure(go.Funnel(
        y=labels, x=frame["users"], marker={"color": PALETTE[0]}, customdata=details,
        texttemplate="%{x:,} users (%{percentInitial:.0%})", textposition="inside",
        hovertemplate="%{y}: %{x:,} users<br>%{customdata}<extra></extra>", connector={"fillcolor": "#E8EEF5"}))
    figure = styled(figure, height=max(260, 80 + 56 * len(frame)))
    figure.update_layout(margin={"l": 160})
    if dropped > 0:
        figure.update_layout(title={"text": f"Only the first {len(frame)} steps are counted ({dropped} more picked).",
                                    "font": {"size": 12, "color": "#6c757d"}, "x": 0.01}, margin={"t": 32})
    return figure


# ---------------------------------------------------------------- team usage profiles


def profile_mix(profiles: pd.DataFrame, features: list[str], colours: dict[str, str]) -> go.Figure:
    """Stacked horizontal bars: the mean share of each feature in each profile's teams (insight.team_profiles);
    "No recent use" has no mix and is left out."""
    data = profiles[profiles[features].notna().any(axis=1)] if features else profiles.iloc[0:0]
    if data.empty:
        return empty_figure("No team in view used the product in the profiles' window.")
    labels = [f"{p} ({t:,} teams)" for p, t in zip(data["profile"], data["teams"], strict=True)]
    figure = go.Figure()
    for feature in features:
        values = data[feature].fillna(0.0)
        figure.add_trace(go.Bar(
            y=labels, x=values, orientation="h", name=feature_text(feature), marker_color=colours.get(feature),
            text=[f"{v:.0%}" if v >= 0.08 else "" for v in values], textposition="inside", insidetextanchor="middle",
            hovertemplate="%{y}<br>" + feature_text(feature) + ": %{x:.1%} of events<extra></extra>"))
    figure.update_layout(barmode="stack", bargap=0.25, legend={"orientation": "h", "y": -0.12, "traceorder": "normal"})
    figure.update_yaxes(autorange="reversed", title=None, automargin=True)
    figure.update_xaxes(title="average share of the team's events", tickformat=".0%", range=[0, 1])
    return styled(figure, height=max(320, 120 + 40 * len(data)))


def profile_summary(profiles: pd.DataFrame) -> object:
    """Each profile's size, events per member and the reason for its name, as a small table."""
    if profiles is None or profiles.empty:
        return html.P("No teams for these filters.", className="text-muted small")
    rows = [html.Tr([
        html.Td(p),
        html.Td(f"{t:,}", className="text-end"), html.Td(_pct(s, 1), className="text-end"),
        html.Td(f"{e:,.1f}", className="text-end"), html.Td(r, className="text-muted")])
        for p, t, s, e, r in zip(profiles["profile"], profiles["teams"], profiles["share_of_teams"],
                                 profiles["events_per_member"].fillna(0.0), profiles["reason"], strict=True)]
    header = html.Thead(html.Tr([html.Th(t, scope="col", className=c) for t, c in (
        ("Profile", ""), ("Teams", "text-end"), ("Share", "text-end"), ("Events per member", "text-end"),
        ("Why this name", ""))]))
    return dbc.Table([header, html.Tbody(rows)], size="sm", responsive=True, className="mb-0 small")

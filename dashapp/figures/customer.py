"""Customer-tab figures: pure functions from the results of sql/queries/customer/*.sql to Plotly figures, and the
colours the tab gives its signals (Okabe-Ito, the same meaning as on every other tab)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from config.rules import load_rules
from dashapp.figures.common import LABEL_COLOURS, empty_figure, is_missing, styled
from dashapp.figures.health import BAND_COLOURS, CHURN_COLOURS

# Timeline lanes, top to bottom: source_type of customer/customer_timeline -> lane name.
LANES = {"interaction": "Interactions", "review": "Reviews", "ticket": "Tickets", "order": "Orders",
         "usage": "Product usage"}
NO_SENTIMENT = "no sentiment"  # orders, usage and texts that could not be scored
SENTIMENT_COLOURS = {"Positive": LABEL_COLOURS["Positive"], "Neutral": LABEL_COLOURS["Neutral"],
                     "Negative": LABEL_COLOURS["Negative"], NO_SENTIMENT: "#777777"}
# Upsell: High is good news, so it does not borrow the risk colours (where High is vermillion).
UPSELL_COLOURS = {"High": "#009E73", "Medium": "#56B4E9", "Low": "#999999"}
PERSONA_COLOURS = {"Satisfied": "#009E73", "Frustrated": "#D55E00", "Mixed": "#CC79A7", "Improving": "#56B4E9",
                   "Deteriorating": "#E69F00", "Neutral": "#999999"}
VALUE_COLOURS = {"High Value": "#0072B2", "Medium Value": "#56B4E9", "Low Value": "#999999"}
RISK_COLOURS = {level: LABEL_COLOURS[level] for level in ("High", "Medium", "Low")}
HEALTH_COLOURS = BAND_COLOURS
CHURN_BAND_COLOURS = CHURN_COLOURS
HOVER_TEXT_CHARS = 300  # a record's text in the chart's tooltip; the list below the chart shows all of it
NO_RECORDS = "No records of this customer in the date range.<br>Widen the date range or clear a filter."


def sentiment_label(score: object) -> str:
    """Positive / Neutral / Negative by the thresholds of config/rules.toml [overall_sentiment] (the ones the
    customer's overall sentiment uses), or 'no sentiment' for a record without a score."""
    if is_missing(score):
        return NO_SENTIMENT
    rules = load_rules()["overall_sentiment"]
    if score < rules["negative_below"]:
        return "Negative"
    if score > rules["positive_above"]:
        return "Positive"
    return "Neutral"


def _hover_text(text: object) -> str:
    if not isinstance(text, str) or not text.strip():
        return ""
    short = text if len(text) <= HOVER_TEXT_CHARS else text[: HOVER_TEXT_CHARS - 1].rstrip() + "…"
    # Plotly does not wrap tooltips: break the text into lines of about 70 characters (a plain loop: textwrap costs
    # more than the rest of the figure for a thousand records); < and > would be read as HTML tags
    lines, line = [], ""
    for word in short.replace("<", "‹").replace(">", "›").split():
        if line and len(line) + len(word) > 70:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "<br>" + "<br>".join([*lines, line])


def record_headline(row: dict) -> str:
    """What a timeline record is, in a few words: 'call', 'Review ★★★★☆ of P1', 'billing / refund · High · open'."""
    source = row["source_type"]
    if source == "review":
        rating = row.get("rating")
        stars = "" if is_missing(rating) else " " + "★" * int(rating) + "☆" * (5 - int(rating))
        product = "" if is_missing(row.get("kind")) else f" of {row['kind']}"
        return f"Review{stars}{product}"
    if source == "ticket":
        parts = [str(row.get("kind") or "ticket")]
        if not is_missing(row.get("priority_level")):
            parts.append(str(row["priority_level"]))
        if not is_missing(row.get("status")):
            parts.append(str(row["status"]))
        return " · ".join(parts)
    if source == "order":
        amount = row.get("amount")
        money = "" if is_missing(amount) else f" {abs(float(amount)):,.2f}"
        quantity = row.get("quantity")
        times = "" if is_missing(quantity) else f" × {int(quantity)}"
        return f"{str(row.get('kind') or 'order').capitalize()}{money}{times}"
    if source == "usage":
        events, users = row.get("events"), row.get("users")
        who = "" if is_missing(users) else f" by {int(users)} user{'s' if int(users) != 1 else ''}"
        actions = int(events or 0)
        return f"{actions:,} action{'s' if actions != 1 else ''}{who}"
    return str(row.get("kind") or source)


def timeline(frame: pd.DataFrame, records_in_view: int) -> go.Figure:
    """Every record in view as a point: x = its date, y = its source's lane, colour = its sentiment (one legend entry
    per sentiment label), open tickets as diamonds; the tooltip shows the text."""
    rows = frame[frame["source_type"].notna()] if not frame.empty else frame
    if rows.empty:
        return empty_figure(NO_RECORDS, height=300)
    records = rows.to_dict("records")
    data = pd.DataFrame({
        "record_time": rows["record_time"].to_numpy(),
        "lane": rows["source_type"].map(LANES).to_numpy(),
        "label": [sentiment_label(r["sentiment_score"]) for r in records],
        "is_open_ticket": rows["is_open_ticket"].astype(bool).to_numpy(),
        "size": [8 if r["source_type"] == "usage" else 11 for r in records],
        # the whole tooltip as one string per point: plotly checks per-point arrays element by element, and one
        # string column is the cheapest to pass (a thousand records' figure in ~50 ms instead of ~200 ms)
        "hover": [f"{pd.Timestamp(r['record_time']):%d %b %Y %H:%M} · {LANES[r['source_type']]}<br><b>"
                  f"{_escape(record_headline(r))}</b>"
                  + ("" if is_missing(r["sentiment_score"]) else f" · sentiment {r['sentiment_score']:+.2f}")
                  + _hover_text(r["body"]) for r in records],
        "record_id": [str(r["record_id"]) for r in records],
    })
    figure = go.Figure()
    for label, colour in SENTIMENT_COLOURS.items():
        hollow = "-open" if label == NO_SENTIMENT else ""  # no sentiment: outlined, unlike the grey of Neutral
        for is_open in (False, True):  # open tickets: diamonds, in their own trace (one symbol per trace is fast)
            part = data[(data["label"] == label) & (data["is_open_ticket"] == is_open)]
            if part.empty:
                continue
            figure.add_trace(go.Scatter(
                x=part["record_time"].to_numpy(), y=part["lane"].to_numpy(), mode="markers", name=label,
                legendgroup=label, showlegend=bool(not is_open or data[data["label"] == label]["is_open_ticket"].all()),
                marker={"color": colour, "size": part["size"].to_numpy(), "opacity": 0.85,
                        "symbol": ("diamond" if is_open else "circle") + hollow,
                        "line": {"color": colour if hollow else "#333333", "width": 1.5 if is_open or hollow else 0.5}},
                text=part["hover"].to_numpy(), customdata=part["record_id"].to_numpy(),
                hovertemplate="%{text}<extra>%{customdata}</extra>",
            ))
    if data["is_open_ticket"].any():  # a legend entry for the diamonds (no point of its own)
        figure.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name="open ticket", hoverinfo="skip",
                                    marker={"symbol": "diamond", "size": 11, "color": "#ffffff",
                                            "line": {"color": "#333333", "width": 1.5}}))
    lanes = list(LANES.values())
    figure.update_yaxes(categoryorder="array", categoryarray=lanes[::-1], range=[-0.6, len(lanes) - 0.4],
                        title=None)
    figure.update_xaxes(title=None)
    shown = len(data)
    title = None if shown >= records_in_view else (
        f"{shown:,} of {records_in_view:,} records in view: the open tickets and the newest")
    figure.update_layout(legend_title_text="Sentiment", title=title, hovermode="closest")
    figure = styled(figure, height=300)
    figure.update_layout(margin={"l": 110, "r": 16, "t": 36 if title else 16, "b": 40})
    return figure


def feature_usage(frame: pd.DataFrame, long_days: int, short_days: int) -> go.Figure:
    """Horizontal bars per feature: the account's events in the last `short_days` and `long_days` days, most used
    at the top, distinct users in the tooltip (customer/customer_features)."""
    if frame.empty:
        return empty_figure("This account has no product usage data.", height=280)
    if int(frame["events_long"].sum()) == 0:
        last = pd.Timestamp(frame["last_used_date"].max())
        return empty_figure(f"No feature used in the last {long_days} days (last use {last:%d %b %Y}).", height=280)
    data = frame.iloc[::-1]  # Plotly draws the first category at the bottom
    figure = go.Figure()
    for column, users, days, colour in (("events_long", "users_long", long_days, "#56B4E9"),
                                        ("events_30d", "users_30d", short_days, "#0072B2")):
        figure.add_trace(go.Bar(
            y=data["feature_name"], x=data[column], orientation="h", name=f"last {days} days", marker_color=colour,
            customdata=data[users], text=[f"{v:,}" if v else "" for v in data[column]], textposition="outside",
            cliponaxis=False,
            hovertemplate=f"%{{y}}: %{{x:,}} actions by %{{customdata:,}} users in the last {days} days<extra></extra>",
        ))
    figure.update_layout(barmode="group", legend_traceorder="reversed")
    figure.update_xaxes(title="actions", rangemode="tozero")
    figure = styled(figure, height=max(240, 60 + 38 * len(data)))
    figure.update_layout(margin={"l": 120, "r": 16, "t": 16, "b": 40})
    return figure


def _escape(text: str) -> str:
    return text.replace("<", "‹").replace(">", "›")



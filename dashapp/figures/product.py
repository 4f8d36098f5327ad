"""Product figures: pure functions from the product/* query results to Plotly figures and the reviews table."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from dash import html
from plotly.subplots import make_subplots

from dashapp.figures.common import LABEL_COLOURS, PALETTE, empty_figure, is_missing, styled
from etl.sources.contract import LANGUAGE_NAMES  # one list of language names for the whole app

# 1-2 stars read as negative, 3 as neutral, 4-5 as positive: the same colours as the sentiment labels.
RATING_COLOURS = {1: LABEL_COLOURS["Negative"], 2: LABEL_COLOURS["Negative"], 3: LABEL_COLOURS["Neutral"],
                  4: LABEL_COLOURS["Positive"], 5: LABEL_COLOURS["Positive"]}
RATING_COLOUR = PALETTE[0]
COUNT_COLOUR = "#9ecae1"  # a light blue: the review counts sit behind the rating line
SENTIMENT_COLOUR = PALETTE[0]
REVIEWS_COLOUR = LABEL_COLOURS["review"]
PREVIEW_CHARS = 140  # longer texts are cut at a word and can be expanded
NO_REVIEWS = "No reviews for these filters. Widen the date range or clear a filter."
NO_REVIEWS_FIGURE = NO_REVIEWS.replace(". ", ".<br>", 1)  # two lines: fits the narrower cards


def language_name(code: object) -> str:
    """'fr' -> 'French'; an unknown code is shown as it is (upper case); none -> 'Unknown'."""
    if is_missing(code) or code == "":
        return "Unknown"
    return LANGUAGE_NAMES.get(str(code), str(code).upper())


def stars(rating: int) -> str:
    rating = max(0, min(5, int(rating)))
    return "★" * rating + "☆" * (5 - rating)


def rating_trend(frame: pd.DataFrame, grain: str) -> go.Figure:
    """Average rating per period (line, 1-5) over the number of reviews per period (bars)."""
    if frame.empty:
        return empty_figure(NO_REVIEWS_FIGURE)
    period = "%b %Y" if grain == "month" else "week of %d %b %Y"
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.68, 0.32], vertical_spacing=0.06)
    figure.add_trace(go.Scatter(
        x=frame["period"], y=frame["avg_rating"], mode="lines+markers", name="average rating",
        line={"width": 2, "color": RATING_COLOUR}, customdata=frame["reviews"],
        hovertemplate=f"%{{x|{period}}}<br>average rating %{{y:.2f}} / 5<br>%{{customdata:,}} reviews<extra></extra>",
    ), row=1, col=1)
    figure.add_trace(go.Bar(
        x=frame["period"], y=frame["reviews"], name="reviews", marker_color=COUNT_COLOUR,
        hovertemplate=f"%{{x|{period}}}<br>%{{y:,}} reviews<extra></extra>",
    ), row=2, col=1)
    figure.update_yaxes(title="average rating", range=[0.8, 5.2], tickvals=[1, 2, 3, 4, 5], row=1, col=1)
    figure.update_yaxes(title="reviews", rangemode="tozero", row=2, col=1)
    styled(figure, height=380)
    figure.update_layout(showlegend=False, bargap=0.15)
    return figure


def rating_distribution(frame: pd.DataFrame) -> go.Figure:
    """Reviews per star rating, 1 to 5; every rating has a bar (0 where none)."""
    if frame.empty or not frame["reviews"].any():
        return empty_figure(NO_REVIEWS_FIGURE)
    ratings = [int(r) for r in frame["review_rating"]]
    shares = [0.0 if pd.isna(s) else float(s) for s in frame["share"]]
    figure = go.Figure(go.Bar(
        x=[f"{r} ★" for r in ratings], y=frame["reviews"],
        marker_color=[RATING_COLOURS.get(r, RATING_COLOUR) for r in ratings],
        text=[f"{n:,}<br>{s:.0%}" for n, s in zip(frame["reviews"], shares, strict=True)], textposition="outside",
        constraintext="none", cliponaxis=False, customdata=shares,
        hovertemplate="%{x}: %{y:,} reviews (%{customdata:.1%})<extra></extra>",
    ))
    figure.update_xaxes(title="rating", type="category")
    figure.update_yaxes(title="reviews", range=[0, max(1, int(frame["reviews"].max())) * 1.25])
    styled(figure, height=320)
    figure.update_layout(margin={"t": 28})
    return figure


def reviews_by_language(frame: pd.DataFrame) -> go.Figure:
    """Per review language: number of reviews (left) and average sentiment (right), most reviewed on top."""
    if frame.empty:
        return empty_figure(NO_REVIEWS_FIGURE)
    names = [language_name(code) for code in frame["review_language"]]
    sentiment = [None if pd.isna(s) else float(s) for s in frame["avg_sentiment"]]
    ratings = [None if pd.isna(r) else float(r) for r in frame["avg_rating"]]
    figure = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.06,
                           subplot_titles=("reviews", "average sentiment (−1 to 1)"))
    figure.add_trace(go.Bar(
        y=names, x=frame["reviews"], orientation="h", name="reviews", marker_color=REVIEWS_COLOUR,
        text=[f"{n:,}" for n in frame["reviews"]], textposition="outside", cliponaxis=False,
        customdata=ratings, hovertemplate="%{y}: %{x:,} reviews<br>average rating %{customdata:.2f} / 5<extra></extra>",
    ), row=1, col=1)
    figure.add_trace(go.Bar(
        y=names, x=sentiment, orientation="h", name="average sentiment", marker_color=SENTIMENT_COLOUR,
        text=["–" if s is None else f"{s:+.2f}" for s in sentiment], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: average sentiment %{x:+.2f}<extra></extra>",
    ), row=1, col=2)
    figure.update_yaxes(autorange="reversed", title=None)
    figure.update_xaxes(range=[0, max(1, int(frame["reviews"].max())) * 1.2], row=1, col=1)
    figure.update_xaxes(range=[-1, 1], zeroline=True, zerolinecolor="#adb5bd", row=1, col=2)
    styled(figure, height=max(220, 70 + 40 * len(names)))
    figure.update_layout(showlegend=False, margin={"t": 36})
    figure.update_annotations(font={"size": 13})
    return figure


def page_summary(frame: pd.DataFrame, offset: int) -> str:
    """'Reviews 21–40 of 1,234, newest first.'"""
    if frame.empty:
        return ""
    total = int(frame["total_reviews"].iloc[0])
    return f"Reviews {offset + 1:,}–{offset + len(frame):,} of {total:,}, newest first."


def recent_reviews_table(frame: pd.DataFrame, offset: int = 0) -> html.Div:
    """The page of reviews as a table: date, customer, product, rating (stars), language, original text and
    the English text ("not translated" when there is none). Long texts show a preview and a "Show more"
    button (keyboard accessible; toggled in the browser by the tab's clientside callback)."""
    if frame.empty:
        return html.Div(NO_REVIEWS, className="text-muted py-5 text-center")
    header = html.Thead(html.Tr([html.Th(name, scope="col") for name in
                                 ("Date", "Customer", "Product", "Rating", "Language", "Review", "In English")]))
    rows = [_review_row(row) for row in frame.to_dict("records")]
    return html.Div([
        html.P(page_summary(frame, offset), className="small text-muted mb-2", **{"aria-live": "polite"}),
        html.Div(html.Table([header, html.Tbody(rows)], className="table table-sm table-hover align-top small mb-0"),
                 className="table-responsive"),
    ])


def _review_row(row: dict) -> html.Tr:
    when = pd.Timestamp(row["review_date"])
    rating = int(row["review_rating"])
    name = row.get("customer_name")
    customer = [html.Div(name), html.Div(row["customer_id"], className="text-muted")] if _present(name) \
        else [html.Div(row["customer_id"])]
    original, english = row["review_text"], row.get("review_text_english")
    if not _present(english):
        english_cell = html.Span("not translated", className="text-muted fst-italic")
    elif english == original:
        english_cell = html.Span("same as the original", className="text-muted fst-italic")
    else:
        english_cell = _expandable(english, f"{row['review_id']}-english")
    return html.Tr([
        html.Td(when.strftime("%d %b %Y"), title=when.strftime("%Y-%m-%d %H:%M"), className="text-nowrap"),
        html.Td(customer),
        html.Td(row.get("product_id") if _present(row.get("product_id")) else "–", className="text-nowrap"),
        html.Td(html.Span(stars(rating), title=f"{rating} of 5 stars", role="img",
                          style={"color": "#E69F00", "letterSpacing": "1px"},
                          **{"aria-label": f"{rating} of 5 stars"}), className="text-nowrap"),
        html.Td(language_name(row.get("review_language"))),
        html.Td(_expandable(original, f"{row['review_id']}-original"), style={"minWidth": "16rem"}),
        html.Td(english_cell, style={"minWidth": "16rem"}),
    ])


def _expandable(text: str, key: str) -> object:
    """The text itself when short; otherwise a preview cut at a word, the full text (hidden) and a button."""
    text = str(text)
    if len(text) <= PREVIEW_CHARS:
        return text
    cut = text[:PREVIEW_CHARS].rsplit(" ", 1)[0].rstrip(" ,.;:") or text[:PREVIEW_CHARS]
    full_id = {"type": "product-review-full", "index": key}
    return html.Div([
        html.Span(cut + "…", id={"type": "product-review-preview", "index": key}),
        html.Span(text, id=full_id, className="d-none"),
        html.Button("Show more", id={"type": "product-review-toggle", "index": key}, n_clicks=0, type="button",
                    className="btn btn-link btn-sm p-0 ms-1 align-baseline", **{"aria-expanded": "false"}),
    ])


def _present(value: object) -> bool:
    return not is_missing(value) and value != ""

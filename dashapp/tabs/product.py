"""Product tab: average rating over time, rating distribution 1-5, sentiment and reviews by language, and the
recent reviews with their original and English text, a page at a time."""

from __future__ import annotations

import math

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import MATCH, Dash, Input, Output, ctx, html

from dashapp.components import chart_body, chart_card, register_chart, register_report_item
from dashapp.figures import product as figures
from dashapp.tabs.overview import MONTHLY_AFTER_DAYS
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

TAB_ID = "product"
LABEL = "Product"
PAGE_SIZE = 20
SCOPE_NOTE = ("Product reviews in view: the date range, review language and customer filters (value segment, "
              "persona, churn risk, upsell) apply. The interaction type filter does not apply to reviews.")
# Shows or hides a long review text in the browser, without a round trip to the server.
TOGGLE_TEXT_JS = """
function (clicks) {
    const open = (clicks || 0) % 2 === 1;
    return [open ? 'd-none' : '', open ? '' : 'd-none', open ? 'Show less' : 'Show more', open ? 'true' : 'false'];
}
"""


def layout() -> html.Div:
    pager = dbc.Pagination(id="product-reviews-page", max_value=1, active_page=1, fully_expanded=False,
                           previous_next=True, first_last=True, size="sm", class_name="mb-0")
    return html.Div([
        html.P(SCOPE_NOTE, className="text-muted small mb-3"),
        dbc.Row([dbc.Col(chart_card(
            "product-trend", "Average rating over time",
            f"Average star rating (1–5) per week, or per month when the date range is longer than "
            f"{MONTHLY_AFTER_DAYS} days; the bars below are the number of reviews."), className="mb-3")]),
        dbc.Row([
            dbc.Col(chart_card("product-distribution", "Rating distribution",
                               "Reviews per star rating, with the share of all reviews in view."),
                    lg=5, className="mb-3"),
            dbc.Col(chart_card("product-language", "Sentiment and reviews by language",
                               "Number of reviews and their average sentiment (−1 to 1) per review language."),
                    lg=7, className="mb-3"),
        ]),
        dbc.Row([dbc.Col(chart_card(
            "product-reviews", "Recent reviews",
            f"Newest first, {PAGE_SIZE} per page. The English text is the original for English reviews and a "
            "translation where one was made; long texts can be expanded.", controls=pager), className="mb-3")]),
    ])


def rating_grain(filters: Filters) -> str:
    """Weekly up to MONTHLY_AFTER_DAYS days, monthly for longer ranges (the rule of every trend chart)."""
    return filters.time_grain()


def reviews_page(reader: WarehouseReader, filters: Filters, page: int) -> tuple[pd.DataFrame, int, int]:
    """One page (1-based) of the recent reviews: the rows, their offset and the number of pages.
    A page past the end (the filters narrowed the reviews) falls back to the first page."""
    page = max(1, int(page or 1))
    offset = (page - 1) * PAGE_SIZE
    frame = reader.query("product/recent_reviews", filters, page_size=PAGE_SIZE, offset=offset)
    if frame.empty and page > 1:
        return reviews_page(reader, filters, 1)
    total = int(frame["total_reviews"].iloc[0]) if not frame.empty else 0
    return frame, offset, max(1, math.ceil(total / PAGE_SIZE))


def register(app: Dash, reader: WarehouseReader) -> None:
    register_chart(app, "product-trend", lambda f: figures.rating_trend(
        reader.query("product/rating_trend", f, grain=rating_grain(f)), rating_grain(f)))
    register_chart(app, "product-distribution", lambda f: figures.rating_distribution(
        reader.query("product/rating_distribution", f)))
    register_chart(app, "product-language", lambda f: figures.reviews_by_language(
        reader.query("product/reviews_by_language", f)))

    def first_reviews(filters: Filters) -> object:  # the report shows the newest page
        frame, offset, _pages = reviews_page(reader, filters, 1)
        return figures.recent_reviews_table(frame, offset)

    register_report_item("product-reviews", first_reviews)

    @app.callback(Output("product-reviews-body", "children"), Output("product-reviews-retry", "className"),
                  Output("product-reviews-page", "max_value"), Output("product-reviews-page", "active_page"),
                  Input("filters", "data"), Input("product-reviews-page", "active_page"),
                  Input("product-reviews-retry", "n_clicks"))
    def update_reviews(filters_data: dict, page: int | None, _retry: int | None) -> tuple:
        page = 1 if ctx.triggered_id in (None, "filters") else page  # new filters: back to the newest reviews
        pager: list = [dash.no_update, dash.no_update]

        def build():
            frame, offset, pages = reviews_page(reader, Filters.from_dict(filters_data), page)
            pager[:] = [pages, offset // PAGE_SIZE + 1]
            return figures.recent_reviews_table(frame, offset)
        body, retry_class = chart_body("product-reviews", build)
        return body, retry_class, *pager

    app.clientside_callback(
        TOGGLE_TEXT_JS,
        Output({"type": "product-review-preview", "index": MATCH}, "className"),
        Output({"type": "product-review-full", "index": MATCH}, "className"),
        Output({"type": "product-review-toggle", "index": MATCH}, "children"),
        Output({"type": "product-review-toggle", "index": MATCH}, "aria-expanded"),
        Input({"type": "product-review-toggle", "index": MATCH}, "n_clicks"),
        prevent_initial_call=True,
    )

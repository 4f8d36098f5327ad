"""The placeholder home page in a real browser shows the warehouse's own row counts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.e2e.conftest import start_server
from tests.etl.conftest import SAMPLES, run_cli


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("e2e-home")
    run_cli(data, "load", "--source", str(SAMPLES / "prd_raw_10"))
    yield from ((url, data) for url in start_server(data))


def test_home_shows_row_counts_from_the_warehouse(server, browser, tmp_path):
    url, data = server
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        expected = {name: con.execute(f"select count(*) from analytics.{name}").fetchone()[0]
                    for name in ("customer_base", "fact_customer_interactions", "fact_product_reviews",
                                 "fact_support_tickets", "customer_persona_signals")}
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    page.wait_for_selector("#row-counts td")
    rows = page.locator("#row-counts tr").all_inner_texts()
    shown = {}
    for row in rows[1:]:
        name, count = row.split("\t")
        shown[name.strip()] = int(count.replace(",", ""))
    for name, count in expected.items():
        assert shown[name] == count, name
    assert expected["customer_base"] == 10
    assert "customers.json" in page.locator("#load-report").inner_text()
    page.screenshot(path=str(Path(tmp_path) / "home.png"), full_page=True)
    assert errors == []
    # No request leaves the machine: every asset (Bootstrap included) is served by the app itself.
    assert "cdn" not in page.content().lower()
    page.close()

"""The full report (every tab in one PDF after a contents page) and the clear error of a machine without Chromium,
through the `customer-insight report` command on the PRD-sample warehouse; the PDF read back with poppler."""

from __future__ import annotations

import re
import subprocess

import pytest

from dashapp.state import TABS
from reports.svg import merge_points, translate
from tests.etl.conftest import run_cli
from tests.reports.conftest import cli_here


def page_text(path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", "-layout", *pages, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture(scope="module")
def full_pdf(data_dir, tmp_path_factory):
    # the command in this process (cli_here): its browser and layout workers are the ones earlier reports started;
    # the installed command runs in test_without_chromium_the_report_says_what_to_install below
    out = tmp_path_factory.mktemp("full") / "full.pdf"
    cli_here(data_dir, "report", "--kind", "full", "--url", "?tab=support&risk=High&risk=Medium", "--out", str(out),
             check=True)
    return out


def test_the_contents_page_lists_every_tab_with_the_page_it_starts_on(full_pdf):
    contents = page_text(full_pdf, 1)
    assert "Full report" in contents and "Churn risk: High" in contents and "Churn risk: Medium" in contents
    listed = {}
    for label in TABS.values():
        if label == "Customer":  # no customer in this URL: said so, not listed
            continue
        found = re.search(rf"{re.escape(label)}[ .]*?(\d+)\s*$", contents, re.M)
        assert found, f"{label} not in the contents:\n{contents}"
        listed[label] = int(found.group(1))
    assert "Customer (no customer selected)" in contents
    assert list(listed.values()) == sorted(listed.values()) and len(set(listed.values())) == len(listed)
    for label, page in listed.items():  # each tab's title heads the page the contents names
        head = page_text(full_pdf, page).strip().splitlines()[0]
        assert head.strip() == label, (label, page, head)


def test_every_page_has_its_number_and_the_links_and_bookmarks_lead_to_the_tabs(full_pdf):
    import pikepdf

    pages = page_text(full_pdf).split("\f")[:-1]  # pdftotext ends every page with a form feed
    for number, text in enumerate(pages, start=1):
        assert f"page {number} of {len(pages)}" in text and "Customer Insight · Full report" in text, number
    contents = page_text(full_pdf, 1)
    starts = {label: int(re.search(rf"{re.escape(label)}[ .]*?(\d+)\s*$", contents, re.M).group(1))
              for label in TABS.values() if label != "Customer"}
    with pikepdf.open(full_pdf) as pdf:
        page_of = {page.objgen: index + 1 for index, page in enumerate(pdf.pages)}
        names = pdf.Root.Names.Dests.Names
        destinations = {str(names[i]): page_of[names[i + 1][0].objgen] for i in range(0, len(names), 2)}
        linked = {destinations[str(link.Dest)] for link in pdf.pages[0].Annots}
        with pdf.open_outline() as outline:
            bookmarks = {item.title: page_of[item.destination[0].objgen] for item in outline.root}
    assert linked == set(starts.values())  # every contents line links to the page it names
    for tab_id, label in TABS.items():
        if label != "Customer":
            assert destinations[f"tab-{tab_id}"] == starts[label] == bookmarks[label], label


def test_the_full_report_has_each_tabs_cards_and_no_missing_part(full_pdf):
    text = page_text(full_pdf)
    for title in ("Sentiment trend", "Tickets by priority", "Rating distribution", "Not in this PDF yet"):
        assert (title in text) == (title != "Not in this PDF yet"), title


def test_help_texts_leave_out_what_only_the_screen_can_do(full_pdf):
    text = " ".join(page_text(full_pdf).split())  # one line: pdftotext breaks the help texts where the page does
    for on_screen in ("Hover", "hover", "drag to rotate", "click a legend", "Pick the features", "list keeps"):
        assert on_screen not in text, on_screen
    # the rest of those help texts is there, word for word (dashapp/tabs/sentiment.py, usage_features.py,
    # segmentation_rfm.py)
    assert "else per month." in text and "Events per feature per week or month." in text
    assert "One point per customer with activity, coloured by segment. At most" in text
    assert "and so on (at most 6 steps). " in text


def test_on_paper_keeps_every_other_sentence_and_clause_as_written():
    from reports.html import on_paper

    assert on_paper("Blank: not reached yet. Hover a cell for the details; on wide grids the cells show the "
                    "percentage only.") == "Blank: not reached yet. On wide grids the cells show the percentage only."
    assert on_paper("Counts, e.g. tickets; sort by any column. Drag to zoom.") == "Counts, e.g. tickets."
    assert on_paper("Hover for the id.") is None and on_paper(None) is None and on_paper("") == ""
    assert on_paper("Plain; two clauses. Unchanged (really).") == "Plain; two clauses. Unchanged (really)."


def test_without_chromium_the_report_says_what_to_install(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))
    result = run_cli(data_dir, "report", "--url", "?tab=overview", "--out", str(tmp_path / "r.pdf"), check=False)
    assert result.returncode == 2, result.stderr
    assert "charts in PDF reports need Chromium" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "r.pdf").exists()
    # a report without charts starts no browser: the Glossary is made without Chromium
    result = run_cli(data_dir, "report", "--url", "?tab=glossary", "--out", str(tmp_path / "g.pdf"), check=False)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "g.pdf").read_bytes()[:5] == b"%PDF-"


def scatter(style: bytes, n: int = 60) -> bytes:
    """n Plotly circle markers of radius 3 at (i, i + 0.5), as kaleido writes them."""
    return b"".join(b'<path class="point" transform="translate(%d,%d.5)" d="M3,0A3,3 0 1,1 0,-3A3,3 0 0,1 3,0Z" '
                    b'style="%s"/>' % (i, i, style) for i in range(n))


def test_plain_circles_become_round_capped_dots_at_their_places():
    points = scatter(b"opacity: 0.6; stroke-width: 0px; fill: rgb(0, 158, 115); fill-opacity: 1;")
    merged = merge_points(b'<svg><g class="points">' + points + b"</g></svg>")
    assert merged.count(b"<path") == 1
    assert b"M7 7.5h0" in merged and b"M59 59.5h0" in merged  # the point at (7, 7.5), the last one
    # a disc of radius 3: a zero-length line 6 wide with round caps, in the fill colour and the same opacities
    assert b"stroke:rgb(0,158,115);stroke-opacity:1;stroke-width:6.00;stroke-linecap:round;opacity:0.6" in merged


def test_outlined_markers_are_merged_into_one_path_moved_to_their_places():
    style = b"opacity: 0.6; stroke-width: 1px; stroke: rgb(0, 0, 0); fill: rgb(0, 158, 115);"
    points = scatter(style)
    merged = merge_points(b'<svg><g class="points">' + points + b"</g></svg>")
    assert merged.count(b"<path") == 1 and style in merged
    # the point at (7, 7.5): the circle of radius 3 starts at its right (10, 7.5) and arcs through its top (7, 4.5)
    assert b"M 10 7.5 A 3 3 0 1 1 7 4.5 A 3 3 0 0 1 10 7.5 Z" in merged
    circle = "M3,0A3,3 0 1,1 0,-3A3,3 0 0,1 3,0Z"
    assert translate(circle, 10, 4.5) == "M 13 4.5 A 3 3 0 1 1 10 1.5 A 3 3 0 0 1 13 4.5 Z"
    assert translate("m3,0l1,1", 1, 1) is None  # relative commands are not merged
    few = b'<g class="points">' + scatter(style, 3) + b"</g>"
    assert merge_points(few) == few  # a handful of points: left as they are

"""reports/weasy.py: an SVG text with one position is drawn as one run - the same words at the same place as
WeasyPrint's letter-by-letter drawing, extractable as words - and texts positioned letter by letter are left to
WeasyPrint. Positions are read back from the PDF with poppler's pdftotext -bbox."""

from __future__ import annotations

import io
import re
import subprocess

import pikepdf
import pytest
from weasyprint import svg as weasyprint_svg

from reports import weasy
from reports.weasy import HTML

SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="600" height="200">
  <text x="20" y="40" font-family="DejaVu Sans" font-size="14">Tickets per week</text>
  <text x="300" y="80" text-anchor="middle" font-family="DejaVu Sans" font-size="12">1,234 open</text>
  <text x="580" y="120" text-anchor="end" font-family="DejaVu Sans" font-size="12">Critical</text>
  <text x="20" y="160" font-family="DejaVu Sans" font-size="12"><tspan x="20" dy="0">first line</tspan><tspan
    x="20" dy="16">second line</tspan></text>
  <text x="100 200 300" y="190" font-family="DejaVu Sans" font-size="12">ABC</text>
</svg>"""


def words(pdf: bytes) -> list[tuple[str, float, float]]:
    """(word, x min, x max) in points, in reading order."""
    html = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return [(w, float(x0), float(x1)) for x0, x1, w in
            re.findall(rb'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', html)
            for w in [w.decode()]]


def text_draws(pdf: bytes) -> int:
    """How many text-showing operators (Tj, TJ) the PDF's pages and their form XObjects hold."""
    count, seen = 0, set()

    def walk(stream) -> None:
        nonlocal count
        if stream.objgen in seen:
            return
        seen.add(stream.objgen)
        count += sum(str(operator) in ("Tj", "TJ") for _, operator in pikepdf.parse_content_stream(stream))
        resources = stream.get("/Resources")
        for xobject in (resources.get("/XObject", {}) if resources is not None else {}).values():
            if xobject.Subtype == "/Form":
                walk(xobject)

    for page in pikepdf.open(io.BytesIO(pdf)).pages:
        walk(page.obj)
    return count


def pdf_of_svg() -> bytes:
    return HTML(string=f'<html><head><style>@page {{ margin: 0 }} body {{ margin: 0 }}</style></head>'
                       f'<body>{SVG}</body></html>').write_pdf()


@pytest.fixture
def letter_by_letter(monkeypatch):
    """WeasyPrint's own drawing, as before reports/weasy.py was imported."""
    for tag, drawer in list(weasyprint_svg.TAGS.items()):
        if drawer is weasy.text:
            monkeypatch.setitem(weasyprint_svg.TAGS, tag, weasy._LETTER_BY_LETTER)
    monkeypatch.setattr(weasyprint_svg, "text", weasy._LETTER_BY_LETTER)


def test_texts_with_one_position_come_out_as_words_where_weasyprint_puts_them(request):
    ours_pdf = pdf_of_svg()
    ours = words(ours_pdf)
    request.getfixturevalue("letter_by_letter")
    theirs_pdf = pdf_of_svg()
    theirs = words(theirs_pdf)
    # drawn: five runs and the three letters of ABC, where WeasyPrint draws every letter but spaces (14 + 9 + 8 + 9
    # + 10 + 3, counted by hand)
    assert (text_draws(ours_pdf), text_draws(theirs_pdf)) == (8, 53)
    texts = [w for w, *_ in ours]
    # one run per text: whole words, in the order written (the letter-positioned ABC is three words, see below)
    assert texts[:9] == ["Tickets", "per", "week", "1,234", "open", "Critical", "first", "line", "second"]
    assert [w for w, *_ in theirs][:9] == texts[:9]
    for (word, x0, x1), (_, their_x0, their_x1) in zip(ours, theirs, strict=True):
        # the same place within a point (0.35 mm): a whole text is kerned, letters drawn one by one were not
        assert abs(x0 - their_x0) < 1.0 and abs(x1 - their_x1) < 1.0, (word, x0, x1, their_x0, their_x1)
    # text-anchor from the run's own width: "Critical" ends at x=580 px = 435 pt, "1,234 open" centred on 225 pt
    critical = next(x1 for w, _, x1 in ours if w == "Critical")
    assert abs(critical - 580 * 0.75) < 1.0
    centre = (next(x0 for w, x0, _ in ours if w == "1,234") + next(x1 for w, _, x1 in ours if w == "open")) / 2
    assert abs(centre - 300 * 0.75) < 1.0


def test_a_text_positioned_letter_by_letter_is_left_to_weasyprint():
    letters = [(w, x0) for w, x0, _ in words(pdf_of_svg()) if w in ("A", "B", "C")]
    # x="100 200 300": each letter at its own position (px -> pt), which a single run could not do
    assert [(w, round(x0)) for w, x0 in letters] == [("A", 75), ("B", 150), ("C", 225)]

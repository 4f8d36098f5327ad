"""WeasyPrint's HTML, with the charts' SVG text drawn a text at a time instead of a letter at a time.

WeasyPrint lays out and draws every letter of an SVG <text> on its own (one Pango layout per letter, so that texts
with a position per letter - x="1 2 3", rotate, textLength - come out right). The charts' tick labels, legends and
bar labels have one position each, as Plotly writes them, and half of the time of laying out a page of charts went
there. Such a text is handed to WeasyPrint's own drawing as a single "letter": one layout, the same glyphs at the
same place (Pango now kerns the whole text, as a browser does), and the PDF's text extracts as words. Texts with
more than one position, a rotation list, letter spacing or a text length are left to WeasyPrint as they are.

Imported where reports call WeasyPrint (the layout workers, the one-document reports); standard library and
WeasyPrint only, like reports/layout.py."""

from __future__ import annotations

from weasyprint import HTML
from weasyprint import svg as _svg

__all__ = ["HTML"]

_LETTER_BY_LETTER = _svg.TAGS["text"]
_POSITIONS = ("x", "y", "dx", "dy")


class _OneRun(str):
    """A text that WeasyPrint's letter loop (`for char in node.text`) takes as one letter."""

    def __iter__(self):
        yield str(self)


def _one_position(node) -> bool:
    attributes = node.attrib
    return (all(len(attributes.get(name, "").replace(",", " ").split()) <= 1 for name in _POSITIONS)
            and "rotate" not in attributes and "textLength" not in attributes
            and attributes.get("letter-spacing", "normal").strip() in ("normal", "0", "0px"))


def text(svg, node, font_size):
    """Draw an SVG text node (WeasyPrint's signature for the drawers of its TAGS)."""
    element = node._etree_node  # Node.text is its element's text
    plain = element.text
    if not plain or not _one_position(node):
        return _LETTER_BY_LETTER(svg, node, font_size)
    element.text = _OneRun(plain)
    try:
        return _LETTER_BY_LETTER(svg, node, font_size)
    finally:
        element.text = plain


def _install() -> None:
    for tag, drawer in list(_svg.TAGS.items()):
        if drawer is _LETTER_BY_LETTER:
            _svg.TAGS[tag] = text
    # draw_node tells text nodes (text-anchor, the bounding box of tspans) by comparing TAGS entries with this name
    _svg.text = text


_install()

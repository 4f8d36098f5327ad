"""Glossary tab: every metric, segment, persona, risk level and category the app shows, with its rule written out
with the current values of config/rules.toml (config/glossary), where it appears, and a search box.

The entries come from config.glossary.build_glossary, the same config the SQL reads, so a rule on this page cannot
differ from the one the warehouse was built with (after a reload). The categories present in the warehouse come
from sql/queries/glossary/categories.sql; if that query fails, the rest of the page is still shown.

Search runs in the browser: the server sends, with the page, each entry's search text (glossary-index), and a
clientside callback hides the entries and sections that do not match, so typing costs no round trip.
Links keep the view: a link to another tab, and a glossary link on another tab (glossary_link), carry the current
filters (the URL's query string), and an anchor (#term) scrolls to its entry once the page is drawn.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, dcc, html

from config.glossary import CATEGORIES, FOLD, Entry, Section, anchor, build_glossary, group_rows, search_text
from config.rules import load_rules
from dashapp.components import register_report_item
from warehouse.reader import WarehouseReader

log = logging.getLogger(__name__)

TAB_ID = "glossary"
LABEL = "Glossary"
CATEGORY_QUERY = "glossary/categories"

# Hides the entries and sections that do not contain every word typed (the same folding as config.glossary.matches).
SEARCH_JS = """
function (query, index) {
    const ctx = window.dash_clientside.callback_context;
    const entryIds = ctx.outputs_list[0].map(o => o.id.index);
    const sectionIds = ctx.outputs_list[1].map(o => o.id.index);
    if (!index) { return [entryIds.map(() => false), sectionIds.map(() => false), '']; }
    let folded = (query || '').toLowerCase();
    for (const [sign, plain] of Object.entries(index.fold)) { folded = folded.split(sign).join(plain); }
    const words = folded.split(/\\s+/).filter(w => w);
    const shown = {};
    for (const id of entryIds) {
        const text = index.entries[id] || '';
        shown[id] = words.every(w => text.includes(w));
    }
    const visible = entryIds.filter(id => shown[id]).length;
    const sectionHidden = sectionIds.map(id => !(index.sections[id] || []).some(e => shown[e]));
    let summary = `${index.total} terms`;
    if (words.length) {
        summary = visible ? `${visible} of ${index.total} terms match “${query.trim()}”`
                          : `No term matches “${query.trim()}”. Try fewer or shorter words.`;
    }
    return [entryIds.map(id => !shown[id]), sectionHidden, summary];
}
"""
# Scrolls to the entry named in the URL's #anchor once the glossary is drawn (the browser cannot: the entries are
# rendered by a callback after the page has loaded).
SCROLL_JS = """
function (index, hash) {
    if (index && hash && hash.length > 1) {
        setTimeout(() => {
            const target = document.getElementById(decodeURIComponent(hash.slice(1)));
            if (target) {
                target.scrollIntoView({block: 'start'});
                // a short highlight shows which entry the link was about
                const entry = target.parentElement;
                entry.style.backgroundColor = '#fff3cd';
                setTimeout(() => { entry.style.backgroundColor = ''; }, 2500);
            }
        }, 50);
    }
    return window.dash_clientside.no_update;
}
"""
# Links to another tab keep the current filters: the URL's query string with only the tab replaced.
TAB_LINKS_JS = """
function (search) {
    const ids = window.dash_clientside.callback_context.outputs_list.map(o => o.id.index);
    return ids.map(id => {
        const params = new URLSearchParams(search || '');
        params.set('tab', id.split('|')[1]);
        return '?' + params.toString();
    });
}
"""
# Glossary links on the other tabs: the current filters, the glossary tab and the term's anchor.
GLOSSARY_LINKS_JS = """
function (search) {
    const ids = window.dash_clientside.callback_context.outputs_list.map(o => o.id.index);
    return ids.map(id => {
        const params = new URLSearchParams(search || '');
        params.set('tab', 'glossary');
        return '?' + params.toString() + '#' + id.split('@')[0];
    });
}
"""


def glossary_link(text: str, term_anchor: str, place: str = "") -> dcc.Link:
    """A link to a glossary entry for another tab's help text ("rules in the glossary"). It opens the Glossary tab
    at the entry and keeps the filters. `place` tells two links to the same entry on one tab apart."""
    return dcc.Link(text, href=f"?tab={TAB_ID}#{term_anchor}",
                    id={"type": "glossary-link", "index": f"{term_anchor}@{place}"})


def layout() -> html.Div:
    toc = [html.A(category, href=f"#{anchor(category)}", className="btn btn-sm btn-outline-secondary")
           for category in CATEGORIES]
    return html.Div([
        dcc.Store(id="glossary-index"),
        dcc.Store(id="glossary-scroll"),
        html.P("What every number, label and category in the app means, and the rule that computes it, written out "
               "with the values in config/rules.toml (the file the warehouse's SQL reads; after editing it, reload "
               "the data to apply the new values).", className="text-muted small mb-3"),
        dbc.Row([
            dbc.Col([
                dbc.Label("Search the glossary", html_for="glossary-search", className="visually-hidden"),
                dbc.Input(id="glossary-search", type="search", debounce=False, autocomplete="off",
                          placeholder="Search terms, rules and values, e.g. frustrated, SLA, −0.3"),
            ], md=7, className="mb-2"),
            dbc.Col(html.Div(id="glossary-count", className="small text-muted pt-md-2", **{"aria-live": "polite"}),
                    md=5, className="mb-2"),
        ], className="align-items-start"),
        html.Nav(toc, className="d-flex flex-wrap gap-2 mb-3", **{"aria-label": "Glossary sections"}),
        dcc.Loading(html.Div(id="glossary-body", style={"minHeight": "200px"}), type="dot", delay_show=300),
        dbc.Button("Retry", id="glossary-retry", size="sm", color="secondary", outline=True, className="d-none"),
    ])


# ---------------------------------------------------------------- rendering (pure: tested without a server)

def tab_labels() -> dict[str, str]:
    """Tab id -> label of the tabs the app has (imported here: dashapp.tabs imports this module)."""
    from dashapp.tabs import TAB_MODULES
    return {module.TAB_ID: module.LABEL for module in TAB_MODULES}


def config_name(flat_key: str) -> str:
    """'persona_satisfied_min_avg' -> '[persona] satisfied_min_avg' (how rules.toml writes it)."""
    for section, keys in load_rules().items():
        key = flat_key.removeprefix(f"{section}_")
        if key != flat_key and key in keys:
            return f"[{section}] {key}"
    return flat_key


def _config_value(value: Any) -> str:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return f"{len(value)} rules (the table above)"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _places(entry: Entry, labels: dict[str, str]) -> list:
    parts: list = []
    for i, place in enumerate(entry.appears_in):
        if parts:
            parts.append(" · ")
        if place.tab in labels:
            parts.append(dcc.Link(f"{labels[place.tab]}: {place.where}", href=f"?tab={place.tab}",
                                  id={"type": "glossary-tab-link", "index": f"{entry.anchor}|{place.tab}|{i}"}))
        elif place.tab:  # a tab being built: named, not linked (its link would open the default tab)
            parts.append(f"{place.tab.capitalize()} tab: {place.where}" if place.where.lower() != f"{place.tab} tab"
                         else place.where)
        else:  # on every tab: the sidebar or the header
            parts.append(place.where)
    return parts


def _table(entry: Entry) -> dbc.Table:
    header = html.Thead(html.Tr([html.Th(column, scope="col") for column in entry.table.columns]))
    body = html.Tbody([html.Tr([html.Td(cell) for cell in row]) for row in entry.table.rows])
    # as wide as its content (a two-column rule table spread over the whole card is hard to read across)
    return dbc.Table([header, body], size="sm", bordered=True, className="small mb-2 w-auto",
                     style={"maxWidth": "100%"})


def _chips(items: tuple[str, ...]) -> html.Div:
    return html.Div([dbc.Badge(item, color="light", text_color="dark", className="border fw-normal")
                     for item in items], className="d-flex flex-wrap gap-1 mb-2")


def render_entry(entry: Entry, labels: dict[str, str], last: bool = False) -> html.Div:
    footer: list = []
    places = _places(entry, labels)
    if places:
        footer.append(html.Div([html.Span("Shown in: ", className="fw-semibold"), *places]))
    details = []
    if entry.values:
        details.append(html.Details([
            html.Summary(f"Set in config/rules.toml ({len(entry.values)})", className="text-muted"),
            html.Ul([html.Li([html.Code(config_name(key)), f" = {_config_value(value)}"])
                     for key, value in entry.values.items()], className="mb-0 mt-1"),
        ], className="d-inline-block me-3"))
    if entry.source:
        details.append(html.Span(["Details: ", html.Code(entry.source)], className="text-muted"))
    if details:
        footer.append(html.Div(details, className="mt-1"))
    return html.Div([
        html.H4(entry.term, id=entry.anchor, className="h6 mb-1 fw-semibold", style={"scrollMarginTop": "1rem"}),
        html.P(entry.definition, className="mb-1"),
        html.P(entry.rule, className="mb-2") if entry.rule else None,
        _table(entry) if entry.table else None,
        _chips(entry.items) if entry.items else None,
        html.Div(footer, className="small") if footer else None,
    ], id={"type": "glossary-entry", "index": entry.anchor},
        className="py-3 px-2" if last else "py-3 px-2 border-bottom")


def render_sections(sections: Iterable[Section], labels: dict[str, str], notice: object = None) -> list:
    cards = []
    for section in sections:
        body = [notice] if notice is not None and section.category == CATEGORIES[-1] else []
        body += [render_entry(entry, labels, last=i == len(section.entries) - 1)
                 for i, entry in enumerate(section.entries)]
        cards.append(dbc.Card([
            dbc.CardHeader(html.H3(section.category, id=section.anchor, className="h5 mb-0")),
            dbc.CardBody(body, className="pt-0"),
        ], id={"type": "glossary-section", "index": section.anchor}, className="mb-3 shadow-sm"))
    return cards


def search_index(sections: Iterable[Section]) -> dict[str, Any]:
    """What the search callback needs: each entry's search text, each section's entries, the sign folding."""
    sections = list(sections)
    return {"entries": {e.anchor: search_text(e) for s in sections for e in s.entries},
            "sections": {s.anchor: [e.anchor for e in s.entries] for s in sections},
            "total": sum(len(s.entries) for s in sections), "fold": FOLD}


def page(reader: WarehouseReader | None) -> tuple[list, dict[str, Any], str]:
    """The glossary's cards, its search index and the retry button's class. The config part never fails; the
    categories in the warehouse are shown when the query works, else a message and the Retry button."""
    notice, retry = None, "d-none"
    try:
        present = group_rows(reader.query(CATEGORY_QUERY).to_dict("records")) if reader is not None else None
    except Exception as exc:  # a failed query must not take the glossary down
        log.exception("glossary categories failed")
        present, retry = None, "mb-3"
        notice = dbc.Alert([html.Strong("The categories in the data could not be loaded. "),
                            html.Span(f"{type(exc).__name__}: {exc}"[:300]), " Press Retry to try again."],
                           color="warning", className="mt-3 mb-0 small")
    sections = build_glossary(present=present)
    return render_sections(sections, tab_labels(), notice), search_index(sections), retry


# ---------------------------------------------------------------- callbacks

def register(app: Dash, reader: WarehouseReader) -> None:
    # in a report, the glossary's sections as text (an appendix to the other tabs); the search is left out
    register_report_item("glossary", lambda _f: html.Div(page(reader)[0], className="glossary"), "Glossary",
                         help_text="What every number, label and category means, with the rules as configured in "
                                   "config/rules.toml.")

    @app.callback(Output("glossary-body", "children"), Output("glossary-index", "data"),
                  Output("glossary-retry", "className"), Input("glossary-retry", "n_clicks"))
    def update_body(_retry: int | None) -> tuple:
        return page(reader)

    app.clientside_callback(
        SEARCH_JS,
        Output({"type": "glossary-entry", "index": ALL}, "hidden"),
        Output({"type": "glossary-section", "index": ALL}, "hidden"),
        Output("glossary-count", "children"),
        Input("glossary-search", "value"), Input("glossary-index", "data"),
    )
    app.clientside_callback(SCROLL_JS, Output("glossary-scroll", "data"), Input("glossary-index", "data"),
                            State("url", "hash"))
    app.clientside_callback(TAB_LINKS_JS, Output({"type": "glossary-tab-link", "index": ALL}, "href"),
                            Input("url", "search"))
    app.clientside_callback(GLOSSARY_LINKS_JS, Output({"type": "glossary-link", "index": ALL}, "href"),
                            Input("url", "search"))

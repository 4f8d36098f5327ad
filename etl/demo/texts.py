"""Demo texts: template pools in six languages, rendered once per run into bounded tables of strings.

Why pools: the ETL caches enrichment (sentiment, language, priority, remedy) by text hash, so the number of
DISTINCT texts decides how long a load takes, not the number of rows. Each pool is a flat Arrow string array
split into equal-sized cells (e.g. one cell per language x rating x product); a row picks a cell from its
attributes and a random member of that cell with numpy, and `take` materialises the column, with no Python
loop per row. Rendering is a Python loop over the pool (a few hundred thousand strings at most), done once.

Template structure per language module (texts_<code>.py, a dict called LANG):
  review[rating] = (openers, bodies, closers); ticket = greet/problem[subcategory]/calm/upset/urgent/
  remedy[kind]/sign; note = open[contact kind]/body[tone]/outcome[tone]; plus the slot vocabularies:
  since (time spans), features (UI labels), amount (currency format) and people/company name parts.
Slots: {product} {feature} {feature2} {n} {since} {amount} {code}.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.demo import texts_de, texts_en, texts_es, texts_fr, texts_it, texts_pt

LANG_MODULES = (texts_en.LANG, texts_fr.LANG, texts_de.LANG, texts_es.LANG, texts_it.LANG, texts_pt.LANG)
LANGS = tuple(m["code"] for m in LANG_MODULES)  # ("en", "fr", "de", "es", "it", "pt"); index = language code
LANGUAGE_NAMES = ("english", "french", "german", "spanish", "italian", "portuguese")
# Share of TEXTS per language. Customers of the other languages write ENGLISH_SWITCH of their texts in English
# (international teams do), so the customers' own language shares are solved for below.
TEXT_LANGUAGE_SHARES = (0.55, 0.10, 0.10, 0.10, 0.08, 0.07)
ENGLISH_SWITCH = 0.10
_en_customers = (TEXT_LANGUAGE_SHARES[0] - ENGLISH_SWITCH) / (1 - ENGLISH_SWITCH)
CUSTOMER_LANGUAGE_SHARES = (_en_customers, *(s / (1 - ENGLISH_SWITCH) for s in TEXT_LANGUAGE_SHARES[1:]))

FEATURES = ("search", "export", "dashboard_view", "report_create", "share", "api_call", "alert_create",
            "integration_sync", "comment", "upload")
PRODUCTS = (("PROD-A1", "Insight Hub"), ("PROD-A2", "Pulse Analytics"), ("PROD-B1", "FlowDesk"),
            ("PROD-B2", "DataBridge"), ("PROD-C1", "ReportStudio"), ("PROD-C2", "SignalBoard"),
            ("PROD-D1", "TeamSync"), ("PROD-D2", "MetricsPro"), ("PROD-E1", "CloudVault"),
            ("PROD-E2", "ChatAssist"), ("PROD-F1", "FormBuilder"), ("PROD-F2", "Atlas CRM"))
PRODUCT_IDS = tuple(p[0] for p in PRODUCTS)
PRODUCT_NAMES = tuple(p[1] for p in PRODUCTS)

TICKET_SUBCATEGORIES: dict[str, tuple[str, ...]] = {
    "technical": ("crash", "data-export", "sync-failure", "performance-problem", "api-error",
                  "data-corruption"),
    "account": ("login-problem", "password-reset", "access-denied", "two-factor-authentication"),
    "billing": ("overcharge", "invoice-question", "payment-failed", "refund-request", "subscription-issue",
                "upgrade-pricing"),
    "feature-request": ("reporting-enhancement", "automation-capability", "usability-enhancement",
                        "localization-request"),
}
CATEGORIES = tuple(TICKET_SUBCATEGORIES)
SUBCATEGORIES = tuple(s for subs in TICKET_SUBCATEGORIES.values() for s in subs)
SUBCATEGORY_CATEGORY = np.array([CATEGORIES.index(c) for c, subs in TICKET_SUBCATEGORIES.items()
                                 for _ in subs])
# Which remedies a customer may ask for, per subcategory (none listed: never). The ETL extracts them again.
_REMEDY_OPTIONS: dict[str, tuple[str, ...]] = {
    "overcharge": ("refund", "credit"), "invoice-question": ("replacement",), "payment-failed": ("credit",),
    "refund-request": ("refund",), "subscription-issue": ("cancel", "refund"),
    **{s: ("credit", "refund", "cancel") for s in TICKET_SUBCATEGORIES["technical"]},
    **{s: ("replacement", "cancel") for s in TICKET_SUBCATEGORIES["account"]},
}
# P(remedy sentence) by category for a calm ticket; upset tickets ask 1.6x as often; refund requests always.
_REMEDY_P = {"technical": 0.12, "account": 0.05, "billing": 0.45, "feature-request": 0.0}
# P(urgency sentence) by category, (calm, upset).
_URGENT_P = {"technical": (0.12, 0.45), "account": (0.08, 0.35), "billing": (0.04, 0.20),
             "feature-request": (0.0, 0.02)}

TONES = ("pos", "neu", "neg")
CONTACT_KINDS = ("call", "chat", "email")

_AMOUNTS = (19, 29, 49, 79, 99, 149, 199, 299, 499, 1200)
_TEAM_NUMBERS = (3, 5, 8, 12, 20, 35, 50)
_ERROR_CODES = ("500", "502", "403", "404", "504", "ERR-4012", "E1033")

# Pool cell sizes. Distinct texts per entity are at most cells x size (fewer: templates repeat).
REVIEW_CELL = 200      # 6 languages x 5 ratings x 12 products = 360 cells
NOTE_CELL = 1500       # 6 languages x 3 tones x 3 contact kinds = 54 cells
TICKET_CELL = 300      # 6 languages x 20 subcategories x {calm, upset} = 240 cells


@dataclass(frozen=True)
class TextPool:
    """A flat array of texts in equal-sized cells; `flags` carries a per-text attribute (e.g. urgency)."""

    texts: pa.Array
    cell_size: int
    flags: np.ndarray | None = None

    def pick(self, cell: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A random member of each row's cell, as indices into `texts`."""
        return cell.astype(np.int64) * self.cell_size + rng.integers(0, self.cell_size, len(cell))

    def take(self, idx: np.ndarray) -> pa.Array:
        return self.texts.take(pa.array(idx))


def _slots(lang: dict, rng: np.random.Generator, k: int, product: int | None = None) -> list[dict[str, str]]:
    """k random slot fillings for one language (product fixed when the cell is per product)."""
    f1 = rng.integers(0, len(FEATURES), k)
    f2 = (f1 + 1 + rng.integers(0, len(FEATURES) - 1, k)) % len(FEATURES)  # a different second feature
    prod = np.full(k, product) if product is not None else rng.integers(0, len(PRODUCTS), k)
    n, since = rng.integers(0, len(_TEAM_NUMBERS), k), rng.integers(0, len(lang["since"]), k)
    amount, code = rng.integers(0, len(_AMOUNTS), k), rng.integers(0, len(_ERROR_CODES), k)
    feats, fmt = lang["features"], lang["amount"]
    return [
        {"feature": feats[f1[i]], "feature2": feats[f2[i]], "product": PRODUCT_NAMES[prod[i]],
         "n": str(_TEAM_NUMBERS[n[i]]), "since": lang["since"][since[i]],
         "amount": fmt.format(_AMOUNTS[amount[i]]), "code": _ERROR_CODES[code[i]]}
        for i in range(k)
    ]


def _pick(options: list[str], rng: np.random.Generator, k: int) -> list[str]:
    return [options[i] for i in rng.integers(0, len(options), k)]


def review_cell(lang: np.ndarray, rating: np.ndarray, product: np.ndarray) -> np.ndarray:
    return (lang.astype(np.int64) * 5 + (rating - 1)) * len(PRODUCTS) + product


def review_pool(rng: np.random.Generator, size: int = REVIEW_CELL) -> TextPool:
    """Reviews whose wording matches the star rating: 5 clearly positive, 3 mixed, 1 clearly negative."""
    out: list[str] = []
    for lang in LANG_MODULES:
        for rating in range(1, 6):
            openers, bodies, closers = lang["review"][rating]
            for product in range(len(PRODUCTS)):
                slots = _slots(lang, rng, size, product)
                o, b = _pick(openers, rng, size), rng.integers(0, len(bodies), (size, 2))
                c, shape = _pick(closers, rng, size), rng.random(size)
                for i in range(size):
                    # Vary the length: one or two body sentences, closer usually present.
                    parts = [o[i], bodies[b[i, 0]]]
                    if shape[i] < 0.3 and b[i, 1] != b[i, 0]:
                        parts.append(bodies[b[i, 1]])
                    if shape[i] > 0.15:
                        parts.append(c[i])
                    out.append(" ".join(parts).format(**slots[i]))
    return TextPool(pa.array(out, pa.string()), size)


def note_cell(lang: np.ndarray, tone: np.ndarray, kind: np.ndarray) -> np.ndarray:
    return (lang.astype(np.int64) * len(TONES) + tone) * len(CONTACT_KINDS) + kind


def note_pool(rng: np.random.Generator, size: int = NOTE_CELL) -> TextPool:
    """Agent notes: how the contact happened, what the customer said (tone), what the agent did."""
    out: list[str] = []
    for lang in LANG_MODULES:
        note = lang["note"]
        for tone in TONES:
            for kind in CONTACT_KINDS:
                slots = _slots(lang, rng, size)
                o, b = _pick(note["open"][kind], rng, size), _pick(note["body"][tone], rng, size)
                c, drop = _pick(note["outcome"][tone], rng, size), rng.random(size) < 0.2
                out.extend((f"{o[i]} {b[i]}" if drop[i] else f"{o[i]} {b[i]} {c[i]}").format(**slots[i])
                           for i in range(size))
    return TextPool(pa.array(out, pa.string()), size)


def ticket_cell(lang: np.ndarray, subcategory: np.ndarray, upset: np.ndarray) -> np.ndarray:
    return (lang.astype(np.int64) * len(SUBCATEGORIES) + subcategory) * 2 + upset


def ticket_pool(rng: np.random.Generator, size: int = TICKET_CELL) -> TextPool:
    """Ticket descriptions: the problem, then optional tone, urgency cue and requested remedy.

    flags = 1 where the text carries an urgency cue, so that resolution times can follow the priority the
    ETL will classify from the text.
    """
    out: list[str] = []
    flags: list[np.ndarray] = []
    for lang in LANG_MODULES:
        t = lang["ticket"]
        for sub in SUBCATEGORIES:
            category = CATEGORIES[SUBCATEGORY_CATEGORY[SUBCATEGORIES.index(sub)]]
            remedies = _REMEDY_OPTIONS.get(sub, ())
            for upset in (0, 1):
                slots = _slots(lang, rng, size)
                u = rng.random((size, 6))
                urgent = u[:, 2] < _URGENT_P[category][upset]
                p_remedy = min(0.9, _REMEDY_P[category] * (1.6 if upset else 1.0))
                if sub == "refund-request":
                    p_remedy = 1.0
                remedy = (u[:, 3] < p_remedy) & (len(remedies) > 0)
                r_kind = rng.integers(0, max(len(remedies), 1), size)
                problem = _pick(t["problem"][sub], rng, size)
                tone_line = _pick(t["upset" if upset else "calm"], rng, size)
                greet, urgent_line, sign = _pick(t["greet"], rng, size), _pick(t["urgent"], rng, size), _pick(
                    t["sign"], rng, size)
                for i in range(size):
                    # Angry messages are curt: greetings and sign-offs mostly come with calm ones.
                    parts = [greet[i]] if u[i, 0] < (0.15 if upset else 0.4) else []
                    parts.append(problem[i])
                    if u[i, 1] < (0.9 if upset else 0.6):
                        parts.append(tone_line[i])
                    if urgent[i]:
                        parts.append(urgent_line[i])
                    if remedy[i]:
                        options = t["remedy"][remedies[r_kind[i]]]
                        parts.append(options[int(u[i, 4] * len(options))])
                    if u[i, 5] < (0.1 if upset else 0.4):
                        parts.append(sign[i])
                    out.append(" ".join(parts).format(**slots[i]))
                flags.append(urgent)
    return TextPool(pa.array(out, pa.string()), size, np.concatenate(flags).astype(np.int8))


def _choose(parts_by_lang: list[list[str]], lang: np.ndarray, rng: np.random.Generator) -> pa.Array:
    """For each row, a random entry of its language's list (lists may differ in length)."""
    flat = pa.array([p for parts in parts_by_lang for p in parts], pa.string())
    sizes = np.array([len(p) for p in parts_by_lang])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    idx = offsets[lang] + (rng.random(len(lang)) * sizes[lang]).astype(np.int64)
    return flat.take(pa.array(idx))


def person_names(lang: np.ndarray, rng: np.random.Generator) -> pa.Array:
    first = _choose([m["first_names"] for m in LANG_MODULES], lang, rng)
    last = _choose([m["last_names"] for m in LANG_MODULES], lang, rng)
    return pc.binary_join_element_wise(first, last, " ")


# Brand-like company roots: prefix + suffix ("Blue" + "field" -> "Bluefield"), then a localised line of
# business and legal form ("Bluefield Logistik GmbH"). 40 x 40 roots x 15 kinds x 2-5 forms per language.
_PREFIXES = ("Blue", "Bright", "Nor", "Sil", "Quan", "Ever", "Clear", "Red", "Green", "Stone", "Sun", "North",
             "Alp", "Terra", "Nova", "Vita", "Lumi", "Astra", "Oak", "Iron", "Silver", "Gold", "Swift",
             "True", "Prime", "Star", "Sky", "Cedar", "Maple", "River", "Delta", "Vertex", "Orbit", "Pixel",
             "Zen", "Atlas", "Blanc", "Rio", "Monte", "Costa")
_SUFFIXES = ("field", "wind", "peak", "stone", "point", "bridge", "gate", "wave", "line", "works", "ridge",
             "brook", "light", "haven", "forge", "path", "port", "core", "mark", "vale", "dale", "crest",
             "view", "side", "wood", "leaf", "tree", "nova", "lab", "logic", "sys", "tek", "ia", "ex", "io",
             "ara", "ona", "ica", "ent", "um")


def company_names(lang: np.ndarray, rng: np.random.Generator) -> pa.Array:
    n = len(lang)
    prefix = pa.array(_PREFIXES).take(pa.array(rng.integers(0, len(_PREFIXES), n)))
    suffix = pa.array(_SUFFIXES).take(pa.array(rng.integers(0, len(_SUFFIXES), n)))
    root = pc.binary_join_element_wise(prefix, suffix, "")
    kind = _choose([m["company_kinds"] for m in LANG_MODULES], lang, rng)
    legal = _choose([m["company_legal"] for m in LANG_MODULES], lang, rng)
    return pc.binary_join_element_wise(root, kind, legal, " ")


def countries(lang: np.ndarray, rng: np.random.Generator) -> pa.Array:
    """A country consistent with the customer's language, weighted (most French speakers are in France)."""
    names = [list(m["countries"]) for m in LANG_MODULES]
    flat = pa.array([c for per in names for c in per], pa.string())
    offsets = np.concatenate([[0], np.cumsum([len(p) for p in names])[:-1]])
    out = np.empty(len(lang), np.int64)
    for code, module in enumerate(LANG_MODULES):  # one loop per language, vectorised inside
        rows = np.flatnonzero(lang == code)
        weights = np.array(list(module["countries"].values()), float)
        out[rows] = offsets[code] + rng.choice(len(weights), len(rows), p=weights / weights.sum())
    return flat.take(pa.array(out))


def distinct_people(k: int, rng: np.random.Generator) -> list[str]:
    """k distinct "First Last" names across all languages (CSM owners)."""
    pairs = [f"{f} {la}" for m in LANG_MODULES for f in m["first_names"] for la in m["last_names"]]
    pairs = sorted(set(pairs))
    return [pairs[i] for i in rng.choice(len(pairs), min(k, len(pairs)), replace=False)]

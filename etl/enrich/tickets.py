"""Ticket priority, expected resolution timeframe and requested remedy, from rules over the text (DESIGN §4).

The phrase tables live in etl/enrich/ticket_patterns.py (priority) and etl/enrich/remedy_patterns.py
(remedy); docs/enrichment-rules.md explains them in plain words. This module only normalises the text,
compiles the tables once per language and applies them:

  1. A Critical phrase -> Critical; else a High phrase -> High.
  2. A wrong-charge phrase (BILLING_HIGH_PATTERNS) -> High in a billing ticket or one without category;
     in any other category it counts as a Medium phrase.
  3. Feature-request tickets -> Low (below High, a wish is not a fault).
  4. A Medium phrase -> Medium; else a Low phrase -> Low; else the category default (technical -> Medium,
     anything else -> Low).
A phrase preceded by a negation within three words of the same clause ("not urgent", "pas urgent") does
not count. A ticket in a known language is matched with that language's phrases plus the English ones; an
unknown language with all of them. Level names and timeframes come from config/rules.toml [priority].
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from functools import cache

from config.rules import load_rules
from etl.enrich import remedy_patterns as R
from etl.enrich import ticket_patterns as P
from etl.sources.contract import LANGUAGE_CODES

_LOGIC_VERSION = "1"  # bump when the code below changes behaviour; table changes are hashed automatically

_RANKS = (P.CRITICAL, P.HIGH, P.MEDIUM, P.LOW)  # canonical names, most urgent first
_ALL = "*"  # language key: unknown language -> every table


def _priority_section() -> dict:
    section = load_rules()["priority"]
    if len(section["levels"]) != len(_RANKS):
        raise ValueError(f"rules.toml [priority].levels must name {len(_RANKS)} levels, most urgent first")
    return section


def _rules_version() -> str:
    tables = (P.PRIORITY_PATTERNS, P.BILLING_HIGH_PATTERNS, P.CATEGORY_DEFAULTS,
              sorted(P.LOW_UNLESS_URGENT_CATEGORIES), sorted(P.BILLING_CATEGORIES),
              {lang: sorted(words) for lang, words in P.NEGATORS.items()}, R.REMEDY_PATTERNS, _priority_section())
    return f"{_LOGIC_VERSION}-{hashlib.sha256(repr(tables).encode()).hexdigest()[:12]}"


TICKET_RULES_VERSION: str = _rules_version()

# --- text normalisation ------------------------------------------------------------------------------------


_SPECIAL_LETTERS = (("’", "'"), ("‘", "'"), ("ʼ", "'"), ("´", "'"), ("ß", "ss"), ("æ", "ae"), ("œ", "oe"),
                    ("ø", "o"), ("đ", "d"), ("ł", "l"))
_COMBINING_MARKS = re.compile(r"[\u0300-\u036f]+")


def normalize_text(text: str) -> str:
    """Lower case, accents removed, straight apostrophes, single spaces: the form the phrase tables use.
    Other non-ASCII characters (¿, €, emoji, other scripts) become '?'."""
    folded = text.lower()
    if not folded.isascii():
        for char, replacement in _SPECIAL_LETTERS:
            if char in folded:
                folded = folded.replace(char, replacement)
        folded = _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", folded))
        folded = folded.encode("ascii", "replace").decode("ascii")
    return " ".join(folded.split())


def _prepare(description: object) -> str:
    """The normalised text with a leading space (the finders start at a non-word character), or ''."""
    if not isinstance(description, str):
        return ""
    text = normalize_text(description)
    return " " + text if text else ""


def _language_key(language: object) -> str:
    if not isinstance(language, str):
        return _ALL
    key = language.strip().lower().replace("_", "-")
    code = LANGUAGE_CODES.get(key) or LANGUAGE_CODES.get(key.split("-", 1)[0])
    return code if code in P.LANGUAGES else _ALL


def _category_key(category: object) -> str | None:
    if not isinstance(category, str) or not category.strip():
        return None
    return "-".join(category.strip().lower().replace("_", " ").replace("-", " ").split())


# --- compiled matchers -------------------------------------------------------------------------------------
# Speed: one "finder" regex per table locates every word where some phrase matches, in a single pass. Its
# phrases are merged into a character trie ("urgent|urgency" -> "urgen(?:t|cy)"), so the regex engine
# tests a word start with a few character comparisons instead of trying every phrase in turn, and it starts
# with a non-word character so the engine's fast scan jumps from word start to word start. A leading group
# ("(system|server) down") is expanded into one phrase per alternative to make the trie possible. At each
# hit, small per-label regexes anchored there tell which label matched, in precedence order.

_CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]]")
_NEGATION_WINDOW_CHARS = 60
_NEGATION_WINDOW_WORDS = 3
_MAX_EXPANSION = 64
_UNQUANTIFIABLE = frozenset("\\()[]{}.|?*+^$")
_QUANTIFIERS = ("?", "*", "+", "{")


def _scan(pattern: str, stop: str) -> list[int]:
    """Indexes of `stop` characters ('|' or ')') at nesting depth 0, ignoring escapes and [...] classes."""
    found, depth, in_class, i = [], 0, False, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 1
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if stop == ")" and depth == 0:
                found.append(i)
        elif char == stop and depth == 0:
            found.append(i)
        i += 1
    return found


def _alternatives(pattern: str) -> list[str]:
    cuts = [-1, *_scan(pattern, "|"), len(pattern)]
    return [pattern[a + 1:b] for a, b in zip(cuts, cuts[1:], strict=False)]


def _literal_starts(pattern: str) -> list[str] | None:
    """The pattern as alternatives that each start with a plain character, or None when not possible."""
    out: list[str] = []
    for alt in _alternatives(pattern):
        if alt.startswith(("(?<!", "(?<=")):  # lookbehind: move it after the first character
            end = _scan(alt, ")")[0]
            expanded = _literal_starts(alt[end + 1:])
            if expanded is None:
                return None
            out.extend(f"{e[0]}{alt[:end]}{e[0]}){e[1:]}" for e in expanded)
        elif alt.startswith("(?:"):
            end = _scan(alt, ")")[0]
            options, rest = _alternatives(alt[3:end]), alt[end + 1:]
            if rest[:1] == "?":
                options, rest = [*options, ""], rest[1:]
            elif rest[:1] in _QUANTIFIERS:
                return None
            for option in options:
                expanded = _literal_starts(option + rest)
                if expanded is None:
                    return None
                out.extend(expanded)
        elif alt[:1].isalnum() and alt[1:2] not in _QUANTIFIERS:
            out.append(alt)
        else:
            return None
        if len(out) > _MAX_EXPANSION:
            return None
    return out


_CAPTURING = re.compile(r"(?<!\\)\((?!\?)")


def _trie_regex(phrases: Sequence[str]) -> str:
    """The phrases as one alternation whose literal prefixes are merged into a character trie."""
    root: dict = {}
    for phrase in phrases:
        for start in _literal_starts(phrase) or [f"(?:{phrase})"]:
            i = 0  # the literal prefix: up to the first regex syntax or quantified character
            while i < len(start) and start[i] not in _UNQUANTIFIABLE and start[i + 1:i + 2] not in _QUANTIFIERS:
                i += 1
            node = root
            for char in start[:i]:
                node = node.setdefault(char, {})
            node.setdefault("", {})[start[i:]] = None  # "" key: tails of phrases whose prefix ends here

    def emit(node: dict) -> str:
        alts = [re.escape(char) + emit(child) for char, child in node.items() if char]
        alts += [tail if tail else "" for tail in node.get("", {})]
        return alts[0] if len(alts) == 1 and alts[0] else "(?:" + "|".join(alts) + ")"

    return emit(root)


class _Matcher:
    """Finds the phrases of labelled tables in a normalised text, skipping negated ones."""

    def __init__(self, tables: Sequence[tuple[Sequence[str], str]], negators: frozenset[str]) -> None:
        by_label: dict[str, list[str]] = {}  # label -> phrases, labels in precedence order
        for phrases, label in tables:
            by_label.setdefault(label, []).extend(_CAPTURING.sub("(?:", phrase) for phrase in phrases)
        every = [phrase for phrases in by_label.values() for phrase in phrases]
        self._finder = re.compile(r"\W" + _trie_regex(every) + r"\b") if every else None
        self._anchored = [(label, re.compile(f"(?:{'|'.join(phrases)})\\b")) for label, phrases in by_label.items()
                          if phrases]
        self._negators = negators

    def labels(self, text: str, stop: frozenset[str] = frozenset()) -> list[str]:
        """Labels of the phrases found in `text` (normalised, with a leading space), in text order: at
        each word the first label in precedence order; negated ones left out; stops after one in `stop`."""
        found: list[str] = []
        if self._finder is None:
            return found
        search, pos = self._finder.search, 0
        while (hit := search(text, pos)) is not None:
            pos = hit.start() + 1  # the phrase starts after the non-word character
            if not _negated(text, pos, self._negators):
                label = next((label for label, regex in self._anchored if regex.match(text, pos)), None)
                if label is not None:
                    found.append(label)
                    if label in stop:
                        break
        return found


def _negated(text: str, start: int, negators: frozenset[str]) -> bool:
    """True when one of the three words before `start`, in the same clause, is a negation."""
    window_start = max(0, start - _NEGATION_WINDOW_CHARS)
    parts = _CLAUSE_BREAK.split(text[window_start:start])
    words = parts[-1].split()
    if window_start > 0 and len(parts) == 1:
        words = words[1:]  # the first word may be cut in half by the window
    return any(
        word in negators or word.endswith("n't") or word.startswith("n'")  # don't, isn't; n'est, n'a
        for word in words[-_NEGATION_WINDOW_WORDS:]
    )


_BILLING = "billing"
_CRITICAL_ONLY = frozenset({P.CRITICAL})
_NOT_FIX = frozenset(R.REMEDY_PATTERNS) - {R.FIX}


class _LanguageRules:
    """The compiled tables for one language key: its own phrases plus English, or all languages."""

    def __init__(self, key: str) -> None:
        langs = P.LANGUAGES if key == _ALL else (key,) if key == "en" else (key, "en")
        negators = frozenset().union(*(P.NEGATORS[lang] for lang in langs))
        if key == "pt":
            negators -= {"no"}  # Portuguese "no" = "in the" ("erro no sistema")
        levels = [(P.PRIORITY_PATTERNS[level].get(lang, ()), level) for level in _RANKS[:2] for lang in langs]
        levels += [(P.BILLING_HIGH_PATTERNS.get(lang, ()), _BILLING) for lang in langs]
        levels += [(P.PRIORITY_PATTERNS[level].get(lang, ()), level) for level in _RANKS[2:] for lang in langs]
        self.priority = _Matcher(levels, negators)
        self.remedy = _Matcher([(table.get(lang, ()), label) for label, table in R.REMEDY_PATTERNS.items()
                                for lang in langs], negators)

    def rank(self, text: str, category: str | None) -> int:
        """Index in _RANKS of the ticket's priority (rules in the module docstring)."""
        found = set(self.priority.labels(text, stop=_CRITICAL_ONLY)) if text else set()
        if P.CRITICAL in found:
            return 0
        if P.HIGH in found or (_BILLING in found and (category is None or category in P.BILLING_CATEGORIES)):
            return 1
        if category in P.LOW_UNLESS_URGENT_CATEGORIES:
            return 3
        if P.MEDIUM in found or _BILLING in found:
            return 2
        if P.LOW in found:
            return 3
        return _RANKS.index(P.CATEGORY_DEFAULTS.get(category or "", P.LOW))

    def remedy_of(self, text: str) -> str | None:
        """The first remedy asked for; Fix only when no other remedy is asked for."""
        found = self.remedy.labels(text, stop=_NOT_FIX) if text else []
        return next((label for label in found if label != R.FIX), R.FIX if found else None)


@cache
def _rules_for(key: str) -> _LanguageRules:
    return _LanguageRules(key)


# --- public API --------------------------------------------------------------------------------------------


def classify_priority(description: str | None, category: str | None, language: str | None) -> str:
    """One of config rules [priority].levels: Critical (immediate attention: outage, production/system down,
    data loss, security breach, can't access at all, blocking everyone...), High (urgent / ASAP / blocking a
    team / billing overcharge / repeated failure...), Medium (a problem with a workaround, a bug in one
    feature...), Low (questions, feature requests, how-to, cosmetic). Language is an ISO code
    (en/fr/de/es/it/pt) or None -> try all languages."""
    text = _prepare(description)
    rank = _rules_for(_language_key(language)).rank(text, _category_key(category))
    return _priority_section()["levels"][rank]


def expected_timeframe(priority: str) -> str:
    """The expected resolution timeframe of a priority level, from rules.toml [priority].timeframe_*."""
    section = _priority_section()
    for level in section["levels"]:
        if isinstance(priority, str) and priority.strip().lower() == level.lower():
            return section[f"timeframe_{level.lower()}"]
    raise ValueError(f"unknown priority level {priority!r}; expected one of {section['levels']}")


def extract_remedy(description: str | None, language: str | None) -> str | None:
    """The remedy the customer asks for, normalised to one of: Refund, Replacement, Credit, Discount,
    Cancellation, Fix, Callback, Escalation, Account reset, Feature added, Plan change, Data recovery;
    None when the text states none. The first remedy asked for in the text wins; Fix only when no other."""
    return _rules_for(_language_key(language)).remedy_of(_prepare(description))


def enrich_tickets(
    descriptions: Sequence[str | None],
    categories: Sequence[str | None],
    languages: Sequence[str | None],
) -> list[tuple[str, str, str | None]]:
    """(priority_level, expected_resolution_timeframe, requested_remedy) per ticket."""
    if not len(descriptions) == len(categories) == len(languages):
        raise ValueError(
            f"descriptions, categories and languages differ in length: "
            f"{len(descriptions)}, {len(categories)}, {len(languages)}"
        )
    section = _priority_section()
    levels = section["levels"]
    timeframes = [section[f"timeframe_{level.lower()}"] for level in levels]
    seen: dict[tuple[object, object, str], tuple[str, str, str | None]] = {}
    results: list[tuple[str, str, str | None]] = []
    for description, category, language in zip(descriptions, categories, languages, strict=True):
        lang = _language_key(language)
        key = (description if isinstance(description, str) else None, category, lang)
        result = seen.get(key)
        if result is None:
            rules = _rules_for(lang)
            text = _prepare(description)
            rank = rules.rank(text, _category_key(category))
            remedy = rules.remedy_of(text)
            result = seen[key] = (levels[rank], timeframes[rank], remedy)
        results.append(result)
    return results

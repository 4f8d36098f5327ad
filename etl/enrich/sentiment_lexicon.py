"""The lexicon scorer behind every language's sentiment method (etl/enrich/sentiment.py builds one per
language). Method and measured effect of each rule: docs/sentiment.md.

The score of a text is the weighted mean polarity of the lexicon words found in it, so it stays in [-1, 1]
whatever the text length. Around that Pattern-style core sit a few general rules of grammar: negation and its
scope, contrastive and concessive connectors (which clause carries the verdict), degree adverbs and absolute
superlatives (how strongly a word is meant). The rules use closed classes of function words per language,
never sentiment words: every polarity comes from a published lexicon.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# Words, emoji (some lexicons rate them) and the clause punctuation that ends a negation's scope. \w is
# Unicode-aware, so accented letters stay inside words; apostrophes split French/Italian elisions
# ("l'app" -> "l", "app") but are kept inside English words so that "doesn't" stays one negation token.
_EMOJI = "\u2600-\u27bf\U0001f300-\U0001faff"
_TOKEN = re.compile(rf"\w+|[{_EMOJI}]|[.,;:!?]")
_TOKEN_EN = re.compile(rf"\w+(?:['’]\w+)*|[{_EMOJI}]|[.,;:!?]")
_SENTENCE_END = frozenset(".!?")
_CLAUSE_END = frozenset(".,;:!?")
# A negation flips the next lexicon word if it comes within this many words ("no estoy nada contento",
# "non funziona bene"); Pattern's own rule (only across one-letter words) misses most such cases.
NEGATION_WINDOW = 3
# Pattern's convention: a negated word is weakened as well as flipped ("not good" is only slightly bad).
NEGATION_FACTOR = -0.5
# A negation with no lexicon word in its scope ("it doesn't sync", "nobody answers", "funktioniert nicht")
# counts as a weak negative: in customer feedback such sentences are complaints far more often than not.
DANGLING_NEGATION = -0.1
# VADER's weights around "but": what precedes the connector in its sentence counts half, what follows one and
# a half. A concessive clause ("aunque ...", "even though ...") concedes a point and is weighted like the part
# before "but"; the clause it is attached to keeps weight 1.
CONTRAST_BEFORE = 0.5
CONTRAST_AFTER = 1.5
CONCESSIVE = 0.5
# A degree adverb ("muy", "very") intensifies the next lexicon word, VADER's booster rule, with the same factor
# as an absolute superlative ("lentísimo" ~ "muy lento").
INTENSIFIER_BOOST = 1.5
INTENSIFIER_WINDOW = 2

# Absolute superlatives ("lentissimo", "gentilissima", "lentísimo") are productive in Italian and Spanish and
# rarely listed in lexicons: the base adjective is looked up instead and intensified, as VADER's boosters
# intensify "very". The base is the stem plus one of the adjective endings.
SUPERLATIVE = {
    "it": (re.compile(r"^(\w{3,}?)issim[oaie]$"), ("o", "a", "e", "")),
    "es": (re.compile(r"^(\w{3,}?)[íi]sim[oa]s?$"), ("o", "a", "e", "")),
}
SUPERLATIVE_BOOST = 1.5

_SNOWBALL = {"en": "english", "de": "german", "es": "spanish", "it": "italian", "fr": "french",
             "pt": "portuguese"}


@dataclass(frozen=True)
class Grammar:
    """Closed classes of function words that the scorer's rules use for one language."""

    negations: Iterable[str] = ()
    # Connectors after which the rest of the sentence outweighs what came before ("pero", "sin embargo").
    contrast: Iterable[str] = ()
    # Connectors that open a concessive clause, the weaker one ("aunque", "si bien").
    concessive: Iterable[str] = ()
    # Degree adverbs that intensify the next lexicon word ("muy", "súper").
    intensifiers: Iterable[str] = ()
    # Tokens shorter than this are looked up only as written, never by lemma or stem: one- and two-letter
    # words are function words (clitics, articles), and a lemmatiser maps them onto content words (simplemma
    # gives Spanish "se", "lo", "le" and the lexicon's "sí" ("yes") the same lemma "él").
    min_inflected: int = 0


def _phrases(words: Iterable[str]) -> dict[tuple[str, ...], int]:
    return {tuple(w.lower().split()): len(w.split()) for w in words}


def _average(pairs: Iterable[tuple[Any, float]]) -> dict[Any, float]:
    """Collapse duplicate keys (e.g. two words with one lemma) to their mean value."""
    groups: dict[Any, list[float]] = {}
    for key, value in pairs:
        groups.setdefault(key, []).append(value)
    return {key: sum(values) / len(values) for key, values in groups.items()}


def clamp(value: float) -> float:
    return max(-1.0, min(1.0, value))


class LexiconScorer:
    """Weighted mean polarity of the lexicon words in a text, with negation, connectors and intensifiers.

    Multi-word keys ("vale la pena") are matched first. A word is then looked up as written (lower-cased),
    by its simplemma lemma and by its Snowball stem, each against the lexicon's keys reduced the same way,
    so that inflected forms ("schlechte", "buena", "sbagliata") find their dictionary entry.
    """

    def __init__(self, polarity: dict[str, float], language: str, grammar: Grammar | None = None) -> None:
        from nltk.stem.snowball import SnowballStemmer

        grammar = grammar or Grammar()
        self.language = language
        self.negations = frozenset(word.lower() for word in grammar.negations)
        self.contrast = _phrases(grammar.contrast)
        self.concessive = _phrases(grammar.concessive)
        self.connector_width = max((n for n in (*self.contrast.values(), *self.concessive.values())), default=0)
        # First words of the connectors, so that most tokens skip the connector lookup (throughput).
        self.connector_starts = frozenset(key[0] for key in (*self.contrast, *self.concessive))
        self.intensifiers = frozenset(word.lower() for word in grammar.intensifiers)
        self.min_inflected = grammar.min_inflected
        self._tokenize = (_TOKEN_EN if language == "en" else _TOKEN).findall
        # nltk (a textblob dependency, so always present) has the Snowball stemmers in plain Python.
        self._stem = SnowballStemmer(_SNOWBALL[language]).stem
        words = {w.strip(): v for w, v in polarity.items() if w.strip() and v}
        self.phrases = _average((tuple(w.lower().split()), v) for w, v in words.items() if " " in w)
        self.max_phrase = max((len(key) for key in self.phrases), default=1)
        single = [(w, v) for w, v in words.items() if " " not in w]
        self.exact = _average((w.lower(), v) for w, v in single)
        self.lemmas = _average((self._lemma(w), v) for w, v in single)
        self.stems = _average((self._stem(w.lower()), v) for w, v in single)
        self._lookup = lru_cache(maxsize=200_000)(self._lookup_uncached)

    def _lemma(self, word: str) -> str:
        import simplemma

        # Case matters: simplemma knows German nouns capitalised ("arbeit" would become "abarbeiten").
        return simplemma.lemmatize(word, lang=self.language).lower()

    def _lookup_uncached(self, token: str) -> float | None:
        value = self._lookup_form(token)
        if value is None and self.language in SUPERLATIVE:
            pattern, endings = SUPERLATIVE[self.language]
            match = pattern.match(token.lower())
            if match:
                for ending in endings:
                    base = self._lookup_form(match.group(1) + ending)
                    if base is not None:
                        return clamp(base * SUPERLATIVE_BOOST)
        return value

    def _lookup_form(self, token: str) -> float | None:
        low = token.lower()
        value = self.exact.get(low)
        if value is None and len(low) >= self.min_inflected:
            value = self.lemmas.get(self._lemma(token))
            if value is None:
                value = self.stems.get(self._stem(low))
        return value

    def _connector(self, lowered: list[str], i: int) -> tuple[str, int]:
        """("contrast" | "concessive" | "", width) of a connector starting at token i."""
        for n in range(min(self.connector_width, len(lowered) - i), 0, -1):
            key = tuple(lowered[i:i + n])
            if key in self.contrast:
                return "contrast", n
            if key in self.concessive:
                return "concessive", n
        return "", 1

    def __call__(self, text: str) -> float:
        tokens = self._tokenize(text)
        lowered = [token.lower() for token in tokens]
        values: list[float] = []
        weights: list[float] = []
        sentence_start = 0  # index in values/weights where the current sentence began
        after_contrast = 1.0  # weight of the rest of the sentence once a contrast connector was seen
        concessive = 1.0     # weight of the current clause if a concessive connector opened it
        scope = 0            # words left in the current negation's scope
        pending = False      # a negation is open and has not flipped a lexicon word yet
        boost = 0            # words left in the current intensifier's reach

        def add(value: float) -> None:
            values.append(value)
            weights.append(after_contrast * concessive)

        i = 0
        while i < len(tokens):
            low = lowered[i]
            if low in _CLAUSE_END:
                if pending:
                    add(DANGLING_NEGATION)
                scope, pending, boost, concessive = 0, False, 0, 1.0
                if low in _SENTENCE_END:
                    sentence_start, after_contrast = len(values), 1.0
                i += 1
                continue
            kind, width = self._connector(lowered, i) if low in self.connector_starts else ("", 1)
            if kind == "contrast":
                # What the sentence said so far is what "but" qualifies.
                for k in range(sentence_start, len(weights)):
                    weights[k] *= CONTRAST_BEFORE
                after_contrast, concessive = CONTRAST_AFTER, 1.0
                i += width
                continue
            if kind == "concessive":
                concessive = CONCESSIVE
                i += width
                continue
            if low in self.negations:
                # A second negation in scope is the same one ("ne ... pas", "no ... nada").
                scope, pending = NEGATION_WINDOW, True
                i += 1
                continue
            if low in self.intensifiers:
                boost = INTENSIFIER_WINDOW
                i += 1
                continue
            value, width = None, 1
            for n in range(min(self.max_phrase, len(tokens) - i), 1, -1):
                value = self.phrases.get(tuple(lowered[i:i + n]))
                if value is not None:
                    width = n
                    break
            if value is None:
                value = self._lookup(tokens[i])
            i += width
            if value is None:
                scope = max(0, scope - 1)
                boost = max(0, boost - 1)
                if pending and not scope:
                    add(DANGLING_NEGATION)
                    pending = False
                continue
            if boost:
                value, boost = clamp(value * INTENSIFIER_BOOST), 0
            if scope:
                add(value * NEGATION_FACTOR)
                scope, pending = 0, False
            else:
                add(value)
        if pending:
            add(DANGLING_NEGATION)
        total = sum(weights)
        return clamp(sum(v * w for v, w in zip(values, weights, strict=True)) / total) if total else 0.0

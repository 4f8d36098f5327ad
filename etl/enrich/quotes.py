"""The customer's most telling sentence: the extractive part of the per-customer summary (DESIGN §3).

Every text is split into sentences. A sentence's score is its text's sentiment (-1..1, from the sentiment
enricher) plus a small nudge from the opinion words it contains:

    score = text sentiment + CUE_WEIGHT * (positive cue words - negative cue words), cues capped at MAX_CUES

so that, within a text, "The export crashes every time." beats "Hi team." as the telling sentence of an
unhappy customer. When the customer's mean sentiment is below zero the lowest-scoring sentence is chosen,
otherwise the highest; ties go to the earliest sentence (texts in the order given). Sentences of fewer than
MIN_WORDS words ("Thanks!", "Hi team.") are only chosen when there is nothing longer. The sentence is
returned as written, surrounding quotes removed, cut to max_words words with a trailing '…'.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from etl.enrich.tickets import normalize_text

CUE_WEIGHT = 0.25
MAX_CUES = 3
MIN_WORDS = 4

# Opinion words per language, in normalised form (lower case, no accents); \w* = any ending.
_NEGATIVE_CUES = (
    r"terribl\w*|horribl\w*|awful|worst|bad|poor(ly)?|disappoint\w*|frustrat\w*|angry|annoy\w*|unacceptable"
    r"|useless|broken|crash\w*|fail\w*|errors?|bugs?|slow|hate|waste\w*|refund|cancel\w*|problems?|issues?"
    r"|complain\w*|ridiculous|unhappy|wrong|nul|nulle|decu\w*|decevant|inacceptable|inutile|lent|panne|pire"
    r"|mauvais\w*|probleme\w*|erreurs?|schlecht\w*|schrecklich|furchtbar|enttausch\w*|nutzlos|langsam"
    r"|fehler\w*|absturz|katastroph\w*|mangelhaft|malo|mala|peor|pesim[oa]|decepcion\w*|inaceptable|inutil"
    r"|lent[oa]|fallos?|problemas?|pessim[oa]|delus\w*|inaccettabile|errore|errori|scadente|terrivel"
    r"|horrivel|inaceitavel|ruim|erros?"
)
_POSITIVE_CUES = (
    r"great|excellent|love\w*|amazing|fantastic|perfect\w*|happy|pleased|helpful|easy|recommend\w*|best|good"
    r"|satisf\w*|wonderful|awesome|thank\w*|brilliant|smooth\w*|reliable|intuitive|super|genial|parfait\w*"
    r"|merci|facile|adore\w*|toll|ausgezeichnet|hervorragend|perfekt|zufrieden|empfehl\w*|danke|prima"
    r"|begeistert|excelente|encanta\w*|satisfech[oa]|recomiend\w*|gracias|buen[oa]|ottim[oa]|eccellente"
    r"|fantastic[oa]|perfett[oa]|soddisfatt[oa]|grazie|stupend[oa]|otim[oa]|perfeit[oa]|satisfeit[oa]"
    r"|recomend\w*|obrigad[oa]|maravilhos[oa]|incrivel"
)
_NEGATORS = r"not|no|never|isn't|wasn't|don't|doesn't|didn't|pas|nicht|kein\w*|nunca|non|nao|sin|sem|senza"
_CUE = re.compile(
    rf"\b(?:(?P<neg>(?:{_NEGATORS}) (?:\w+ )?)?)(?:(?P<minus>{_NEGATIVE_CUES})|(?P<plus>{_POSITIVE_CUES}))\b"
)

# A sentence ends after . ! ? … (and any closing quote or bracket) followed by white space.
_BOUNDARY = re.compile(r"""(?P<end>[.!?…]+)(?P<close>["'”’»)\]]*)\s+""")
_ELLIPSIS = re.compile(r"^(?:\.{2,}|…+)$")
# A full stop after these words does not end the sentence (titles, "e.g.", "z.B.").
_ABBREVIATION = re.compile(
    r"(?:^|\s)(?:mr|mrs|ms|dr|prof|sr|sra|st|vs|e\.g|i\.e|z\.b|u\.a|bzw|ca|p\.ex|approx|nr)$",
    re.IGNORECASE,
)
_QUOTES = "\"'“”‘’«»„‹›"


def split_sentences(text: str) -> list[str]:
    """Sentences of a text, on . ! ? and ellipses (an ellipsis ends a sentence only before a capital letter),
    and on line breaks; white space collapsed, surrounding quotes removed, empty pieces dropped."""
    sentences: list[str] = []
    for line in text.splitlines():
        start = 0
        for boundary in _BOUNDARY.finditer(line):
            after = line[boundary.end():boundary.end() + 1]
            before = line[start:boundary.start()]
            if _ELLIPSIS.match(boundary.group("end")) and not after.isupper():
                continue  # "I waited... and waited"
            if boundary.group("end") == "." and _ABBREVIATION.search(before) and not boundary.group("close"):
                continue  # "Mr. Smith", "e.g. the export"
            sentences.append(line[start:boundary.end("close")])
            start = boundary.end()
        sentences.append(line[start:])
    cleaned = (_strip_quotes(" ".join(sentence.split())) for sentence in sentences)
    return [sentence for sentence in cleaned if any(char.isalnum() for char in sentence)]


def _strip_quotes(sentence: str) -> str:
    """Remove quotes around the sentence, and a quote left unpaired at either end by the splitting."""
    while len(sentence) >= 2 and sentence[0] in _QUOTES and sentence[-1] in _QUOTES:
        sentence = sentence[1:-1].strip()
    count = sum(sentence.count(q) for q in '"“”«»„')
    if count == 1 and sentence[:1] in '"“”«»„':
        sentence = sentence[1:].strip()
    elif count == 1 and sentence[-1:] in '"“”«»„':
        sentence = sentence[:-1].strip()
    return sentence


def cue_balance(sentence: str) -> int:
    """Positive minus negative opinion words (a negated cue counts for the other side), capped at MAX_CUES."""
    balance = 0
    for cue in _CUE.finditer(" " + normalize_text(sentence)):
        sign = 1 if cue.group("plus") else -1
        balance += -sign if cue.group("neg") else sign
    return max(-MAX_CUES, min(MAX_CUES, balance))


def _trim(sentence: str, max_words: int) -> str:
    words = sentence.split()
    if len(words) <= max_words:
        return sentence
    return " ".join(words[:max_words]).rstrip(",;:-–—") + "…"


def _finite(value: float | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def key_quote(texts: Sequence[str], sentiments: Sequence[float | None], max_words: int = 25) -> str | None:
    """The customer's most telling sentence: split texts into sentences, pick the most negative one when the
    customer's mean sentiment is < 0, else the most positive one; trimmed to max_words words (end with '…'
    when cut); None when no text. Deterministic (ties -> earliest)."""
    if len(texts) != len(sentiments):
        raise ValueError(f"texts and sentiments differ in length: {len(texts)} != {len(sentiments)}")
    if max_words < 1:
        raise ValueError(f"max_words must be at least 1, got {max_words}")
    scores = [_finite(value) for value in sentiments]
    known = [score for score in scores if score is not None]
    negative = bool(known) and sum(known) / len(known) < 0
    direction = 1.0 if negative else -1.0  # the smallest key wins: lowest score, or highest score
    candidates: list[tuple[float, int, str]] = []
    for text, score in zip(texts, scores, strict=True):
        if not isinstance(text, str):
            continue
        for sentence in split_sentences(text):
            value = (score or 0.0) + CUE_WEIGHT * cue_balance(sentence)
            candidates.append((direction * value, len(candidates), sentence))
    if not candidates:
        return None
    long_enough = [c for c in candidates if len(c[2].split()) >= MIN_WORDS]
    best = min(long_enough or candidates)
    return _trim(best[2], max_words)

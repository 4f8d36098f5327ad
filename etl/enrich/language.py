"""Language normalisation and offline language detection (DESIGN.md §4).

Detection uses lingua (lingua-language-detector, Apache-2.0), whose n-gram models ship inside the wheel, so
nothing is downloaded at run time. The detector is restricted to the six languages the product supports:
fewer candidates make it both faster and more accurate, and anything else has no sentiment method anyway.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from etl.sources.contract import LANGUAGE_CODES, SUPPORTED_LANGUAGES

if TYPE_CHECKING:
    from lingua import LanguageDetector

# Confidence values of the six candidates sum to 1. Requiring the best one to reach 0.5 means "more likely
# this language than all the others together": short or ambiguous strings ("ok", "super", "no") and texts
# in an unsupported language (Dutch tends to spread over de/en/fr) then come back as None instead of a guess.
MIN_CONFIDENCE = 0.5
# lingua's cost grows with text length while the language of a review does not change halfway through, so
# only the start of a long text is looked at.
MAX_DETECT_CHARS = 1000

_detector: LanguageDetector | None = None
_detector_lock = threading.Lock()


def normalize_language(value: str | None) -> str | None:
    """'french'/'FR'/'fra'/'pt-BR' -> ISO 639-1 code among SUPPORTED_LANGUAGES, else None.

    Regional variants ('pt_BR', 'en-GB', 'fr-CA') are reduced to their base language when the full tag is
    not itself a known alias.
    """
    if not isinstance(value, str):  # None, or a NaN that slipped through a DataFrame
        return None
    key = value.strip().lower().replace("_", "-")
    if not key:
        return None
    code = LANGUAGE_CODES.get(key) or LANGUAGE_CODES.get(key.split("-", 1)[0])
    return code if code in SUPPORTED_LANGUAGES else None


def _get_detector() -> LanguageDetector:
    """Build the detector once per process (loading the six models takes ~0.5 s and ~100 MB)."""
    global _detector
    if _detector is None:
        with _detector_lock:
            if _detector is None:
                from lingua import IsoCode639_1, LanguageDetectorBuilder

                codes = [getattr(IsoCode639_1, code.upper()) for code in SUPPORTED_LANGUAGES]
                _detector = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()
    return _detector


def detect_languages(texts: Sequence[str | None]) -> list[str | None]:
    """ISO code per text (one of en, fr, de, es, it, pt), None for empty/blank text or when detection is not
    confident (best candidate below MIN_CONFIDENCE, e.g. one-word texts or an unsupported language)."""
    # Score each distinct text once: the batch API parallelises over texts, and repeats are common
    # ("Thanks!", canned replies).
    keys: list[str | None] = []
    unique: dict[str, int] = {}
    for text in texts:
        key = text.strip()[:MAX_DETECT_CHARS] if isinstance(text, str) else ""
        if not key or not any(ch.isalpha() for ch in key):
            keys.append(None)
            continue
        unique.setdefault(key, len(unique))
        keys.append(key)
    if not unique:
        return [None] * len(keys)

    confidences = _get_detector().compute_language_confidence_values_in_parallel(list(unique))
    detected: list[str | None] = []
    for values in confidences:
        # Values come sorted best first; an empty list means lingua found no letters it could use.
        best = values[0] if values else None
        if best is None or best.value < MIN_CONFIDENCE:
            detected.append(None)
        else:
            detected.append(best.language.iso_code_639_1.name.lower())
    return [None if key is None else detected[unique[key]] for key in keys]

"""Optional text provider for translation to English and richer customer summaries (DESIGN §4).

OFF by default: OfflineProvider makes no network call (English texts are their own translation, others are
"not translated", no summary). Setting CUSTOMER_INSIGHT_LLM_URL (and CUSTOMER_INSIGHT_LLM_MODEL, optionally
CUSTOMER_INSIGHT_LLM_API_KEY) switches to OpenAICompatibleProvider, which POSTs to {url}/chat/completions of
any OpenAI-compatible server (OpenAI, Azure OpenAI proxies, vLLM, Ollama, llama.cpp, LM Studio...).

Only the standard library is used (urllib). The API key is sent as a Bearer header and is never logged or
put in an error message.
"""

from __future__ import annotations

import http.client
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from config.settings import PROVIDER_MODEL_ENV, PROVIDER_URL_ENV

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
MAX_RETRY_AFTER_SECONDS = 60.0
_ENGLISH = frozenset({"en", "eng", "english"})


@runtime_checkable
class TextProvider(Protocol):
    def translate_to_english(self, texts: Sequence[str], source_languages: Sequence[str | None]) -> list[str | None]:
        """English text per input: the text itself when already English, None when not translated."""
        ...

    def summarize(self, customer_texts: Sequence[str], signals: str, max_words: int) -> str | None:
        """A summary of one customer in at most max_words words, or None."""
        ...


class ProviderError(RuntimeError):
    """The provider endpoint failed; names the URL (without credentials) and the HTTP status when any."""

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


def is_english(language: str | None) -> bool:
    """'en', 'EN', 'en-GB', 'english' -> True."""
    if not isinstance(language, str):
        return False
    key = language.strip().lower().replace("_", "-")
    return key in _ENGLISH or key.split("-", 1)[0] in _ENGLISH


def _check_lengths(texts: Sequence[Any], languages: Sequence[Any]) -> None:
    if len(texts) != len(languages):
        raise ValueError(f"texts and source_languages differ in length: {len(texts)} != {len(languages)}")


class OfflineProvider:
    """The default: no network. English texts are returned as they are; others are not translated (None)."""

    def translate_to_english(self, texts: Sequence[str], source_languages: Sequence[str | None]) -> list[str | None]:
        _check_lengths(texts, source_languages)
        return [text if is_english(lang) else None for text, lang in zip(texts, source_languages, strict=True)]

    def summarize(self, customer_texts: Sequence[str], signals: str, max_words: int) -> str | None:
        return None


def _redact_url(url: str) -> str:
    """The URL without user:password@ and without a query string (either may carry secrets)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


def _trim_words(text: str, max_words: int) -> str:
    words = text.split()
    return text if len(words) <= max_words else " ".join(words[:max_words]).rstrip(",;:") + "…"


_TRANSLATE_BATCH_PROMPT = (
    "You translate customer feedback into English. The user message is a JSON array of objects with "
    '"id", "language" (ISO code or "unknown") and "text". Reply with only a JSON array of strings: the '
    "English translation of each text, in the same order and of the same length. Keep the meaning and tone; "
    "do not add comments."
)
_TRANSLATE_ONE_PROMPT = (
    "You translate customer feedback into English. Reply with only the English translation of the user "
    "message, keeping its meaning and tone, without comments."
)
_SUMMARY_PROMPT = (
    "You write a factual summary of one customer for an account manager: who they are, what they use, how "
    "they feel and what they ask for. Use only the signals and texts given. Plain text, at most {max_words} "
    "words, no preamble."
)


class OpenAICompatibleProvider:
    """Translation and summaries through an OpenAI-compatible chat-completions endpoint."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        *,
        timeout: float = 60.0,
        max_retries: int = 3,
        backoff_seconds: float = 1.0,
        batch_size: int = 20,
        max_summary_chars: int = 12_000,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{PROVIDER_URL_ENV} must be an http(s) URL, got {_redact_url(base_url)!r}")
        if not model:
            raise ValueError(f"{PROVIDER_MODEL_ENV} must name the model to use")
        if batch_size < 1 or max_retries < 0:
            raise ValueError("batch_size must be >= 1 and max_retries >= 0")
        base = base_url.rstrip("/")
        self.endpoint = base if base.endswith("/chat/completions") else f"{base}/chat/completions"
        self.model = model
        self._api_key = api_key or None
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_seconds = backoff_seconds
        self.batch_size = batch_size
        self.max_summary_chars = max_summary_chars
        self._sleep = sleep
        self._opener = urllib.request.build_opener()

    def __repr__(self) -> str:  # never shows the key
        key = "set" if self._api_key else "none"
        return f"OpenAICompatibleProvider(url={_redact_url(self.endpoint)!r}, model={self.model!r}, api_key={key})"

    # --- public interface ----------------------------------------------------------------------------------

    def translate_to_english(self, texts: Sequence[str], source_languages: Sequence[str | None]) -> list[str | None]:
        _check_lengths(texts, source_languages)
        results: list[str | None] = [None] * len(texts)
        todo: list[int] = []
        for index, (text, lang) in enumerate(zip(texts, source_languages, strict=True)):
            if not isinstance(text, str) or not text.strip():
                continue
            if is_english(lang):
                results[index] = text
            else:
                todo.append(index)
        for start in range(0, len(todo), self.batch_size):
            batch = todo[start:start + self.batch_size]
            translated = self._translate_batch([texts[i] for i in batch], [source_languages[i] for i in batch])
            for index, english in zip(batch, translated, strict=True):
                results[index] = english
        return results

    def summarize(self, customer_texts: Sequence[str], signals: str, max_words: int) -> str | None:
        if max_words < 1:
            raise ValueError(f"max_words must be at least 1, got {max_words}")
        lines, used = [], 0
        for text in customer_texts:
            if isinstance(text, str) and text.strip():
                line = "- " + " ".join(text.split())
                if used + len(line) > self.max_summary_chars:
                    break
                lines.append(line)
                used += len(line)
        user = f"Signals: {signals.strip() or 'none'}\n\nCustomer texts:\n" + ("\n".join(lines) or "(none)")
        content = self._chat(_SUMMARY_PROMPT.format(max_words=max_words), user)
        summary = " ".join(content.split())
        return _trim_words(summary, max_words) if summary else None

    # --- internals -----------------------------------------------------------------------------------------

    def _translate_batch(self, texts: list[str], languages: list[str | None]) -> list[str | None]:
        if len(texts) > 1:
            items = [{"id": i, "language": lang or "unknown", "text": text}
                     for i, (text, lang) in enumerate(zip(texts, languages, strict=True))]
            content = self._chat(_TRANSLATE_BATCH_PROMPT, json.dumps(items, ensure_ascii=False))
            parsed = _json_array(content)
            if parsed is not None and len(parsed) == len(texts) and all(isinstance(p, str) for p in parsed):
                return [p.strip() or None for p in parsed]
            log.warning("provider %s answered a translation batch of %d with an unusable reply; "
                        "translating one by one", _redact_url(self.endpoint), len(texts))
        return [self._chat(_TRANSLATE_ONE_PROMPT, text).strip() or None for text in texts]

    def _chat(self, system: str, user: str) -> str:
        payload = {
            "model": self.model,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            "temperature": 0,
        }
        reply = self._post(payload)
        try:
            content = reply["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise ProviderError(f"{_redact_url(self.endpoint)} returned an unexpected reply (no choices[0]."
                                "message.content)", url=_redact_url(self.endpoint)) from None
        return content if isinstance(content, str) else ""

    def _post(self, payload: dict[str, Any]) -> dict[str, Any]:
        url = _redact_url(self.endpoint)
        body = json.dumps(payload).encode("utf-8")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        for attempt in range(self.max_retries + 1):
            request = urllib.request.Request(self.endpoint, data=body, headers=headers, method="POST")
            retry_after: float | None = None
            try:
                with self._opener.open(request, timeout=self.timeout) as response:
                    raw = response.read()
            except urllib.error.HTTPError as exc:
                status, detail = exc.code, self._detail(exc)
                exc.close()
                if status not in RETRY_STATUSES or attempt == self.max_retries:
                    raise ProviderError(f"{url} returned HTTP {status}: {detail}", url=url, status=status) from None
                retry_after = _retry_after(exc.headers.get("Retry-After") if exc.headers else None)
                problem = f"HTTP {status}"
            except (OSError, http.client.HTTPException) as exc:  # timeouts, refused, reset, URLError
                reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
                timed_out = isinstance(reason, TimeoutError)
                problem = f"timed out after {self.timeout:g}s" if timed_out else f"could not be reached ({reason})"
                if attempt == self.max_retries:
                    raise ProviderError(f"{url} {problem}", url=url) from None
            else:
                try:
                    return json.loads(raw)
                except ValueError:
                    raise ProviderError(f"{url} returned a reply that is not JSON", url=url) from None
            delay = retry_after if retry_after is not None else self.backoff_seconds * (2 ** attempt)
            log.warning("provider %s: %s; retry %d of %d in %.1fs", url, problem, attempt + 1, self.max_retries, delay)
            self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _detail(self, exc: urllib.error.HTTPError) -> str:
        """A short, key-free excerpt of an error reply."""
        try:
            text = exc.read(2000).decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            return "(no details)"
        try:
            error = json.loads(text).get("error")
            text = error.get("message", text) if isinstance(error, dict) else str(error or text)
        except (ValueError, AttributeError):
            pass
        if self._api_key:
            text = text.replace(self._api_key, "***")
        text = " ".join(text.split())
        return (text[:300] + "…") if len(text) > 300 else (text or "(no details)")


def _retry_after(value: str | None) -> float | None:
    try:
        return min(MAX_RETRY_AFTER_SECONDS, max(0.0, float(value))) if value else None
    except ValueError:
        return None  # an HTTP date: use the normal backoff


def _json_array(content: str) -> list[Any] | None:
    """A JSON array from a model reply, tolerating a ```json fence or text around the array."""
    text = content.strip()
    if text.startswith("```"):
        text = text.strip("`").removeprefix("json").strip()
    start, end = text.find("["), text.rfind("]")
    if start < 0 or end < start:
        return None
    try:
        value = json.loads(text[start:end + 1])
    except ValueError:
        return None
    return value if isinstance(value, list) else None


def provider_from_settings(settings: Any) -> TextProvider:
    """OfflineProvider unless Settings.llm_url is set; then the OpenAI-compatible provider (llm_model required)."""
    url = getattr(settings, "llm_url", None)
    if not url:
        return OfflineProvider()
    model = getattr(settings, "llm_model", None)
    if not model:
        raise ValueError(f"{PROVIDER_URL_ENV} is set but {PROVIDER_MODEL_ENV} is not: name the model to use")
    return OpenAICompatibleProvider(url, model, getattr(settings, "llm_api_key", None))

"""Text providers (etl/enrich/provider.py). The HTTP adapter is tested against a stub OpenAI-compatible
server started on 127.0.0.1 in the test: no other network access."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from config.settings import load_settings
from etl.enrich.provider import (
    OfflineProvider,
    OpenAICompatibleProvider,
    ProviderError,
    TextProvider,
    _redact_url,
    provider_from_settings,
)

API_KEY = "sk-test-0123456789"


@dataclass
class Reply:
    status: int = 200
    content: str | None = None  # chat completion content; None -> use body
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Stub:
    url: str
    replies: list[Reply]
    requests: list[dict[str, Any]]


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def stub() -> Iterator[Stub]:
    replies: list[Reply] = []
    requests: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server naming
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            requests.append({"path": self.path, "headers": dict(self.headers), "json": json.loads(raw)})
            reply = replies.pop(0) if replies else Reply(content="(no reply queued)")
            time.sleep(reply.delay)
            body = reply.body
            if reply.content is not None:
                body = {"id": "x", "object": "chat.completion",
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.content}}]}
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up (timeout test)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield Stub(f"http://127.0.0.1:{server.server_address[1]}/v1", replies, requests)
    finally:
        server.shutdown()
        server.server_close()


def _provider(url: str, sleeps: list[float] | None = None, **kwargs: Any) -> OpenAICompatibleProvider:
    sleep = sleeps.append if sleeps is not None else (lambda _seconds: None)
    options = {"timeout": 5.0, "max_retries": 2, "backoff_seconds": 0.5, "sleep": sleep}
    options.update(kwargs)
    return OpenAICompatibleProvider(url, "test-model", API_KEY, **options)


def test_translation_request_shape_and_reply_parsing(stub: Stub) -> None:
    stub.replies.append(Reply(content=json.dumps(["Hello", "Good morning"])))
    result = _provider(stub.url).translate_to_english(["Bonjour", "Hello there", "Guten Morgen"], ["fr", "en", "de"])
    assert result == ["Hello", "Hello there", "Good morning"]  # English is passed through, not sent
    assert len(stub.requests) == 1
    request = stub.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == f"Bearer {API_KEY}"
    assert request["headers"]["Content-Type"] == "application/json"
    body = request["json"]
    assert body["model"] == "test-model"
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    items = json.loads(body["messages"][1]["content"])
    assert items == [
        {"id": 0, "language": "fr", "text": "Bonjour"},
        {"id": 1, "language": "de", "text": "Guten Morgen"},
    ]


def test_translations_are_sent_in_batches(stub: Stub) -> None:
    stub.replies += [Reply(content='```json\n["One", "Two"]\n```'), Reply(content="Three\n")]
    result = _provider(stub.url, batch_size=2).translate_to_english(["Uno", "Due", "Tre"], ["it", "it", None])
    assert result == ["One", "Two", "Three"]
    assert len(stub.requests) == 2
    assert stub.requests[1]["json"]["messages"][1]["content"] == "Tre"  # a single text is sent as it is


def test_an_unusable_batch_reply_falls_back_to_one_by_one(stub: Stub) -> None:
    stub.replies += [Reply(content="Sorry, here you go: Hello / Thanks"), Reply(content="Hello"),
                     Reply(content="Thanks")]
    result = _provider(stub.url).translate_to_english(["Hola", "Gracias"], ["es", "es"])
    assert result == ["Hello", "Thanks"]
    assert [r["json"]["messages"][1]["content"] for r in stub.requests[1:]] == ["Hola", "Gracias"]


def test_no_api_key_means_no_authorization_header(stub: Stub) -> None:
    stub.replies.append(Reply(content="Hello"))
    provider = OpenAICompatibleProvider(stub.url + "/", "m")
    assert provider.translate_to_english(["Hallo"], ["de"]) == ["Hello"]
    assert "Authorization" not in stub.requests[0]["headers"]
    assert stub.requests[0]["path"] == "/v1/chat/completions"


def test_retry_on_500_then_success(stub: Stub) -> None:
    sleeps: list[float] = []
    stub.replies += [Reply(status=500, body={"error": {"message": "overloaded"}}), Reply(content="Hello")]
    assert _provider(stub.url, sleeps).translate_to_english(["Olá"], ["pt"]) == ["Hello"]
    assert len(stub.requests) == 2
    assert sleeps == [0.5]


def test_retry_on_429_honours_retry_after(stub: Stub) -> None:
    sleeps: list[float] = []
    stub.replies += [Reply(status=429, body={}, headers={"Retry-After": "2"}), Reply(status=503, body={}),
                     Reply(content="Hello")]
    assert _provider(stub.url, sleeps).translate_to_english(["Ciao"], ["it"]) == ["Hello"]
    assert sleeps == [2.0, 1.0]  # Retry-After, then the backoff of the second attempt (0.5 * 2)


def test_error_on_401_is_not_retried_and_hides_the_key(stub: Stub) -> None:
    sleeps: list[float] = []
    stub.replies.append(Reply(status=401, body={"error": {"message": f"Incorrect API key provided: {API_KEY}"}}))
    with pytest.raises(ProviderError) as caught:
        _provider(stub.url, sleeps).translate_to_english(["Bonjour"], ["fr"])
    error = caught.value
    assert error.status == 401
    assert error.url == f"{stub.url}/chat/completions"
    assert str(error) == f"{stub.url}/chat/completions returned HTTP 401: Incorrect API key provided: ***"
    assert API_KEY not in str(error)
    assert len(stub.requests) == 1
    assert sleeps == []


def test_persistent_server_errors_end_in_a_provider_error(stub: Stub) -> None:
    sleeps: list[float] = []
    stub.replies += [Reply(status=502, body="bad gateway")] * 3
    with pytest.raises(ProviderError, match=r"returned HTTP 502: bad gateway") as caught:
        _provider(stub.url, sleeps).summarize(["text"], "signals", 50)
    assert caught.value.status == 502
    assert len(stub.requests) == 3  # 1 + max_retries
    assert sleeps == [0.5, 1.0]


def test_timeout(stub: Stub) -> None:
    sleeps: list[float] = []
    stub.replies += [Reply(content="late", delay=1.5), Reply(content="late", delay=1.5)]
    start = time.monotonic()
    with pytest.raises(ProviderError, match=r"/v1/chat/completions timed out after 0.2s") as caught:
        _provider(stub.url, sleeps, timeout=0.2, max_retries=1).translate_to_english(["Hallo"], ["de"])
    assert caught.value.status is None
    assert time.monotonic() - start < 1.4  # gave up without waiting for the slow replies
    assert sleeps == [0.5]


def test_unreachable_server(stub: Stub) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sleeps: list[float] = []
    with pytest.raises(ProviderError, match=rf"127.0.0.1:{port}/v1/chat/completions could not be reached"):
        _provider(f"http://127.0.0.1:{port}/v1", sleeps, max_retries=1).summarize(["x"], "s", 10)
    assert sleeps == [0.5]


def test_unexpected_reply_shape(stub: Stub) -> None:
    stub.replies.append(Reply(body={"choices": []}))
    with pytest.raises(ProviderError, match="unexpected reply"):
        _provider(stub.url).summarize(["x"], "s", 10)


def test_summary_request_and_word_limit(stub: Stub) -> None:
    stub.replies += [Reply(content="  Loyal customer since 2021;\n happy with   reports. "),
                     Reply(content="one two three four five six seven eight")]
    provider = _provider(stub.url)
    summary = provider.summarize(["Great reports!", "Export was slow once."], "avg sentiment 0.6, 2 tickets", 40)
    assert summary == "Loyal customer since 2021; happy with reports."
    messages = stub.requests[0]["json"]["messages"]
    assert "at most 40 words" in messages[0]["content"]
    assert messages[1]["content"] == (
        "Signals: avg sentiment 0.6, 2 tickets\n\nCustomer texts:\n- Great reports!\n- Export was slow once."
    )
    assert provider.summarize(["x"], "s", 5) == "one two three four five…"


def test_offline_provider() -> None:
    provider = OfflineProvider()
    assert isinstance(provider, TextProvider)
    assert provider.translate_to_english(["Hello", "Bonjour", "Hi", "Hola"], ["en", "fr", "en-GB", None]) == [
        "Hello", None, "Hi", None,
    ]
    assert provider.summarize(["Great"], "signals", 100) is None
    with pytest.raises(ValueError, match="differ in length"):
        provider.translate_to_english(["a"], [])


def test_provider_from_settings() -> None:
    assert isinstance(provider_from_settings(load_settings({})), OfflineProvider)
    settings = load_settings({
        "CUSTOMER_INSIGHT_LLM_URL": "http://localhost:11434/v1",
        "CUSTOMER_INSIGHT_LLM_MODEL": "llama3.1",
        "CUSTOMER_INSIGHT_LLM_API_KEY": API_KEY,
    })
    provider = provider_from_settings(settings)
    assert isinstance(provider, OpenAICompatibleProvider)
    assert isinstance(provider, TextProvider)
    assert provider.endpoint == "http://localhost:11434/v1/chat/completions"
    assert provider.model == "llama3.1"
    assert API_KEY not in repr(provider)
    with pytest.raises(ValueError, match="CUSTOMER_INSIGHT_LLM_MODEL"):
        provider_from_settings(load_settings({"CUSTOMER_INSIGHT_LLM_URL": "http://localhost:11434/v1"}))
    with pytest.raises(ValueError, match="http"):
        OpenAICompatibleProvider("file:///etc/passwd", "m")


def test_urls_in_messages_carry_no_credentials() -> None:
    assert _redact_url("https://user:secret@llm.example.com:8443/v1/chat/completions?key=abc") == (
        "https://llm.example.com:8443/v1/chat/completions"
    )


def _rows() -> dict[str, Any]:
    import pandas as pd

    return {
        "interactions": pd.DataFrame({"interaction_id": ["I1"], "customer_id": ["C1"],
                                      "interaction_notes": ["Customer happy with the onboarding call."]}),
        "reviews": pd.DataFrame({"review_id": ["R1", "R2"], "customer_id": ["C1", "C1"],
                                 "review_text": ["Produit excellent, je recommande.", "Great product."],
                                 "review_language": ["french", "english"]}),
        "tickets": pd.DataFrame({"ticket_id": ["T1"], "customer_id": ["C1"], "ticket_category": ["billing"],
                                 "ticket_description": ["I was charged twice, please refund me."],
                                 "priority_level": [None]}),
    }


def test_the_load_pipeline_uses_a_configured_provider(stub: Stub) -> None:
    from etl.enrich.pipeline import enrich_all

    stub.replies += [Reply(content="Excellent product, I recommend it."),
                     Reply(content="A happy customer who was double charged once.")]
    warnings: list[str] = []
    out = enrich_all(_rows(), None, _provider(stub.url), on_warning=warnings.append)
    reviews = out["enriched_reviews"].set_index("review_id")
    assert reviews.loc["R1", "review_text_english"] == "Excellent product, I recommend it."
    assert reviews.loc["R2", "review_text_english"] == "Great product."
    quotes = out["enriched_customer_quotes"].set_index("customer_id")
    assert quotes.loc["C1", "provider_summary"] == "A happy customer who was double charged once."
    assert warnings == []
    summary_request = stub.requests[1]["json"]["messages"][-1]["content"]
    assert "I was charged twice, please refund me." in summary_request


def test_a_failing_provider_does_not_stop_the_load(stub: Stub) -> None:
    import pandas as pd

    from etl.enrich.pipeline import enrich_all

    stub.replies += [Reply(status=401, body={"error": "bad key"}), Reply(status=401, body={"error": "bad key"})]
    warnings: list[str] = []
    out = enrich_all(_rows(), None, _provider(stub.url), on_warning=warnings.append)
    reviews = out["enriched_reviews"].set_index("review_id")
    assert pd.isna(reviews.loc["R1", "review_text_english"])  # shown as "not translated"
    assert reviews.loc["R2", "review_text_english"] == "Great product."
    assert out["enriched_customer_quotes"]["provider_summary"].isna().all()
    assert len(warnings) == 2
    assert warnings[0].startswith("translation provider failed, reviews stay 'not translated'")
    assert "401" in warnings[0]

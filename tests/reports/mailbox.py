"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, for the email tests, and the settings
that point the app at it (a warehouse folder, an app database of the test's own)."""

from __future__ import annotations

import email
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from config.settings import Settings, load_settings

SENDER = "Customer Insight <insight@example.com>"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class Mailbox:
    """aiosmtpd handler: every message accepted, parsed and kept."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def wait(self, count: int, timeout: float = 30) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return list(self.received)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def smtp_server(login: tuple[str, str] | None = None, port: int | None = None) -> Iterator[tuple[int, Mailbox]]:
    """(port, mailbox) of a running SMTP server (on `port`, or a free one); with `login`, it requires that user and
    password (AUTH without TLS, as a test server may)."""
    mailbox = Mailbox()
    extra = {}
    if login:
        def authenticate(server, session, envelope, mechanism, auth_data):
            given = (auth_data.login.decode(), auth_data.password.decode()) if isinstance(auth_data, LoginPassword) \
                else None
            return AuthResult(success=given == login, handled=False)  # handled=False: aiosmtpd replies 535
        extra = {"authenticator": authenticate, "auth_required": True, "auth_require_tls": False}
    # a test server may take AUTH without TLS; aiosmtpd warns about it at every start
    warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS", UserWarning)
    controller = Controller(mailbox, hostname="127.0.0.1", port=port or free_port(), **extra)
    controller.start()
    try:
        yield controller.port, mailbox
    finally:
        controller.stop()


def mail_env(data_dir: Path, app_db: Path, port: int, **more: str) -> dict[str, str]:
    return {"CUSTOMER_INSIGHT_DATA_DIR": str(data_dir), "CUSTOMER_INSIGHT_APP_DB_URL": f"sqlite:///{app_db}",
            "CUSTOMER_INSIGHT_SMTP_HOST": "127.0.0.1", "CUSTOMER_INSIGHT_SMTP_PORT": str(port),
            "CUSTOMER_INSIGHT_SMTP_FROM": SENDER, "CUSTOMER_INSIGHT_SMTP_STARTTLS": "off",
            "CUSTOMER_INSIGHT_BASE_URL": "https://insight.example.com/dash/", **more}


def mail_settings(data_dir: Path, app_db: Path, port: int, **more: str) -> Settings:
    return load_settings(mail_env(data_dir, app_db, port, **more))


def dash_call(app, output: str, inputs: list, state: list, changed: str) -> dict:
    """One callback through Dash's HTTP endpoint, as the browser calls it: `output` names one output of the callback
    (e.g. "schedule-list.children"); returns the response's outputs, {component id: {property: value}}."""
    import json

    key = next(k for k in app.callback_map if output in k)
    parts = key.strip(".").split("...") if key.startswith("..") else [key]
    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]} for part in parts]
    payload = {"output": key, "outputs": outputs if len(outputs) > 1 else outputs[0], "inputs": inputs,
               "state": state, "changedPropIds": [changed]}
    response = app.server.test_client().post("/_dash-update-component", json=payload)
    if response.status_code == 204:  # every output no_update
        return {}
    assert response.status_code == 200, response.data[:2000]
    return json.loads(response.data)["response"]


def texts(component) -> str:
    """All the text of a component tree as the server sent it (JSON), for assertions on what a user reads."""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list):
        return " ".join(texts(c) for c in component)
    if isinstance(component, dict):
        return texts(component.get("props", {}).get("children")) if "props" in component else ""
    return ""


def body_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()

"""Email through the configured SMTP server (stdlib smtplib): scheduled reports with their PDF, and KPI alerts.

Settings (docs/schedules.md): CUSTOMER_INSIGHT_SMTP_HOST and _SMTP_FROM are required; _SMTP_PORT (default 587
with STARTTLS, else 25; 465 means TLS from the first byte), _SMTP_USER and _SMTP_PASSWORD (login when a user is
set), _SMTP_STARTTLS (on by default: credentials and reports never cross the network in clear).
CUSTOMER_INSIGHT_BASE_URL, when set, puts a link to the view in every mail.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from config.settings import BASE_URL_ENV, SMTP_FROM_ENV, SMTP_HOST_ENV, Settings

SMTP_TIMEOUT_S = 60
SMTPS_PORT = 465


class MailNotConfigured(Exception):
    """No SMTP server configured: the message names the settings to set."""


class MailError(Exception):
    """The SMTP server could not be reached, refused the login or refused the message."""


def check_configured(settings: Settings) -> None:
    missing = [name for name, value in ((SMTP_HOST_ENV, settings.smtp_host), (SMTP_FROM_ENV, settings.smtp_from))
               if not value]
    if missing:
        raise MailNotConfigured(f"email is not configured: set {' and '.join(missing)} (see docs/schedules.md)")


def view_link(settings: Settings, search: str) -> str | None:
    """The dashboard URL of a view, when the dashboard's public address (CUSTOMER_INSIGHT_BASE_URL) is known."""
    if not settings.base_url:
        return None
    return f"{settings.base_url.rstrip('/')}/{search if search.startswith('?') else '?' + search}"


def report_message(settings: Settings, *, title: str, tab_label: str, chips: Sequence[str], search: str,
                   pdf: bytes, filename: str, recipients: Sequence[str], day: date,
                   notices: Sequence[str] = (), footer: str = "") -> EmailMessage:
    """A scheduled report: subject with its title and date, a short text naming the view, the PDF attached."""
    lines = [f'Customer Insight: the report "{title}" of {day:%d %b %Y}.', "",
             f"Tab: {tab_label}", f"Filters: {' · '.join(chips)}"]
    link = view_link(settings, search)
    lines += [f"Open it in the dashboard: {link}"] if link else [f"View: {search} (set {BASE_URL_ENV} for a link)"]
    lines += [f"Note: {notice}" for notice in notices]
    lines += ["", f"The PDF of this view is attached ({filename})."]
    lines += [footer] if footer else []
    message = _message(settings, f"{title} – {day:%d %b %Y}", recipients, "\n".join(lines))
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    return message


def alert_message(settings: Settings, *, subject: str, lines: Sequence[str], search: str,
                  recipients: Sequence[str]) -> EmailMessage:
    link = view_link(settings, search)
    body = [*lines, "", f"Open the view in the dashboard: {link}" if link else f"View: {search}"]
    return _message(settings, subject, recipients, "\n".join(body))


def send(settings: Settings, message: EmailMessage) -> dict[str, tuple[int, bytes]]:
    """Send through the configured server; returns the recipients the server refused (the others got it). Raises
    MailNotConfigured or MailError."""
    check_configured(settings)
    port = settings.smtp_port or (587 if settings.smtp_starttls else 25)
    where = f"{settings.smtp_host}:{port}"
    context = ssl.create_default_context()
    try:
        if port == SMTPS_PORT:
            client: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, port, timeout=SMTP_TIMEOUT_S, context=context)
        else:
            client = smtplib.SMTP(settings.smtp_host, port, timeout=SMTP_TIMEOUT_S)
        with client:
            if settings.smtp_starttls and port != SMTPS_PORT:
                client.starttls(context=context)
            if settings.smtp_user:
                client.login(settings.smtp_user, settings.smtp_password or "")
            return client.send_message(message)
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(f"the SMTP server {where} does not offer STARTTLS ({exc}); set "
                        f"CUSTOMER_INSIGHT_SMTP_STARTTLS=off for a server that takes mail without TLS") from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"the SMTP server {where} refused the login of {settings.smtp_user!r}: {_reply(exc)}") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailError(f"the SMTP server {where} refused every recipient: {', '.join(exc.recipients)}") from exc
    except smtplib.SMTPResponseException as exc:
        raise MailError(f"the SMTP server {where} refused the message: {_reply(exc)}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"could not send through the SMTP server {where}: {exc}") from exc


def _message(settings: Settings, subject: str, recipients: Sequence[str], body: str) -> EmailMessage:
    check_configured(settings)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=str(settings.smtp_from).rsplit("@", 1)[-1].strip("> "))
    message.set_content(body)
    return message


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"{exc.smtp_code} {text}"

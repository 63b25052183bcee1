"""Outgoing mail: an SMTP outbox for production, a log outbox for development and a list for tests."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol

log = logging.getLogger("assessment.mail")

BACKENDS = ("smtp", "log", "memory")


@dataclass(frozen=True)
class Message:
    """One email: recipient, subject and plain-text body."""

    to: str
    subject: str
    body: str


class Outbox(Protocol):
    """Somewhere messages go."""

    def send(self, message: Message) -> None:
        """Deliver one message (raises MailFailed if it cannot)."""


class MailFailed(RuntimeError):
    """The mail server refused or could not be reached."""


@dataclass
class LogOutbox:
    """Development: every message is written to the log, links included."""

    sender: str

    def send(self, message: Message) -> None:
        """Log the message."""
        log.info("mail to %s from %s: %s\n%s", message.to, self.sender, message.subject, message.body)


@dataclass
class MemoryOutbox:
    """Tests: messages are kept in a list."""

    sender: str
    sent: list[Message] = field(default_factory=list)

    def send(self, message: Message) -> None:
        """Keep the message."""
        self.sent.append(message)


@dataclass
class SmtpOutbox:
    """Production: SMTP with STARTTLS (port 587) or implicit TLS (port 465), optionally authenticated."""

    sender: str
    host: str
    port: int = 587
    username: str = ""
    password: str = field(default="", repr=False)
    security: str = "starttls"
    timeout: float = 10.0

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=ssl.create_default_context())
        connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            connection.starttls(context=ssl.create_default_context())
        return connection

    def send(self, message: Message) -> None:
        """Send the message through the server."""
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        email.set_content(message.body)
        try:
            with self._connect() as connection:
                if self.username:
                    connection.login(self.username, self.password)
                connection.send_message(email)
        except (OSError, smtplib.SMTPException) as exc:
            log.error("mail to %s not sent: %s", message.to, exc)
            raise MailFailed(str(exc)) from exc


def outbox_from_config(config: Mapping[str, Any], testing: bool = False) -> Outbox:
    """The outbox the MAIL_* settings ask for; without MAIL_BACKEND: a list in tests, SMTP with a host, else the log."""
    sender = str(config.get("MAIL_SENDER") or "noreply@localhost")
    backend = str(config.get("MAIL_BACKEND") or ("memory" if testing else "smtp" if config.get("MAIL_HOST") else "log"))
    if backend not in BACKENDS:
        raise ValueError(f"MAIL_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")
    if backend == "memory":
        return MemoryOutbox(sender)
    if backend == "log":
        return LogOutbox(sender)
    host = str(config.get("MAIL_HOST") or "")
    if not host:
        raise ValueError("MAIL_BACKEND is smtp but MAIL_HOST is not set")
    security = str(config.get("MAIL_SECURITY") or "starttls")
    if security not in ("starttls", "ssl", "none"):
        raise ValueError(f"MAIL_SECURITY must be starttls, ssl or none, not {security!r}")
    return SmtpOutbox(sender, host, int(config.get("MAIL_PORT") or (465 if security == "ssl" else 587)),
                      str(config.get("MAIL_USERNAME") or ""), str(config.get("MAIL_PASSWORD") or ""), security,
                      float(config.get("MAIL_TIMEOUT") or 10.0))

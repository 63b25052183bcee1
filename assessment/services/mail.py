"""Outgoing mail: an SMTP outbox for production, a console outbox for development and a list for tests.

The console outbox (and the console SMS gateway, services/sms.py) prints every message to standard output and keeps
it for the development outbox page (`outbox_messages`), so links and codes never vanish while a page says they were
sent. Production refuses to start with a console backend unless ALLOW_CONSOLE_MESSAGES is set (web/outbox.py).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol, TextIO

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from assessment.db import outbox as outbox_rows
from assessment.db.models import utcnow

log = logging.getLogger("assessment.mail")

CONSOLE = "console"
BACKENDS = ("smtp", CONSOLE, "log", "memory")
OUTBOX_PAGE_LIMIT = 200


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


@dataclass(frozen=True)
class Printed:
    """A message a console backend printed: 'mail' or 'sms', to whom, its subject (an SMS: its code) and its text."""

    channel: str
    recipient: str
    subject: str
    body: str


Keeper = Callable[[Printed], None]
"""Where a console backend keeps what it printed (the outbox table, for the development outbox page)."""

RULE = "=" * 72


def print_message(printed: Printed, lines: Sequence[tuple[str, str]], stream: TextIO | None = None) -> None:
    """Print one message to the console (standard output unless given), flushed at once so it shows."""
    out = stream if stream is not None else sys.stdout
    heading = f" {printed.channel.upper()} (development console, not delivered) "
    width = max(len(label) for label, _value in lines)
    text = "\n".join([f"{heading:=^72}", *(f"{label + ':':<{width + 1}} {value}" for label, value in lines), "",
                      printed.body, RULE, ""])
    out.write(text + "\n")
    out.flush()


def keep_printed(sessions: Callable[[], Session], messages: Sequence[Printed], now: datetime | None = None) -> None:
    """Store printed messages in the outbox table, in a transaction of their own.

    The console has them already: a database that cannot take them (not migrated yet, say) costs the outbox page
    its entry, not the request.
    """
    if not messages:
        return
    try:
        with sessions() as session:
            for printed in messages:
                outbox_rows.add_message(session, channel=printed.channel, recipient=printed.recipient,
                                        subject=printed.subject, body=printed.body, now=now or utcnow())
            session.commit()
    except SQLAlchemyError as exc:
        log.warning("%d console message(s) not kept for the outbox page: %s", len(messages), exc)


def outbox_messages(session: Session, limit: int = OUTBOX_PAGE_LIMIT) -> list[outbox_rows.OutboxLine]:
    """The messages the console backends printed, newest first."""
    return outbox_rows.recent_messages(session, limit)


@dataclass
class ConsoleOutbox:
    """Development: every message is printed to the console, link included, and kept for the outbox page."""

    sender: str
    keep: Keeper | None = None
    stream: TextIO | None = None

    def send(self, message: Message) -> None:
        """Print the message and keep it."""
        printed = Printed("mail", message.to, message.subject, message.body)
        print_message(printed, [("To", message.to), ("From", self.sender), ("Subject", message.subject)],
                      self.stream)
        if self.keep is not None:
            self.keep(printed)


@dataclass
class LogOutbox:
    """No mail server configured: say so in the log, without the text (its links are keys to accounts)."""

    sender: str

    def send(self, message: Message) -> None:
        """Log that the message was not delivered."""
        log.warning("mail to %s (%s) not sent: no mail server is configured (MAIL_HOST)", message.to,
                    message.subject)


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


def mail_backend(config: Mapping[str, Any], testing: bool = False, debug: bool = False) -> str:
    """MAIL_BACKEND, or without it: a list in tests, SMTP with a host, the console in debug mode, else the log."""
    backend = str(config.get("MAIL_BACKEND") or ("memory" if testing else "smtp" if config.get("MAIL_HOST")
                                                 else CONSOLE if debug else "log"))
    if backend not in BACKENDS:
        raise ValueError(f"MAIL_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")
    return backend


def outbox_from_config(config: Mapping[str, Any], testing: bool = False, debug: bool = False,
                       keep: Keeper | None = None) -> Outbox:
    """The outbox the MAIL_* settings ask for (see mail_backend); the console one keeps its messages with `keep`."""
    sender = str(config.get("MAIL_SENDER") or "noreply@localhost")
    backend = mail_backend(config, testing, debug)
    if backend == "memory":
        return MemoryOutbox(sender)
    if backend == CONSOLE:
        return ConsoleOutbox(sender, keep)
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

"""Development messages: the SMS gateway of the app, keeping printed mails and SMS, the start-up check that keeps the
console backends out of production, and the development outbox page (/dev/outbox)."""

from __future__ import annotations

import ipaddress
import re

from flask import Blueprint, Flask, abort, current_app, g, has_request_context, render_template, request

from assessment.services.mail import ConsoleOutbox, Keeper, Outbox, Printed, keep_printed, outbox_messages
from assessment.services.sms import ConsoleSms, SmsGateway, gateway_from_config
from assessment.web.database import close_db, reading
from assessment.web.site import site

SMS = "assessment.sms"
PENDING = "outbox_pending"
ALLOW_SETTING = "ALLOW_CONSOLE_MESSAGES"
PAGE_SETTING = "DEV_OUTBOX"
LINK = re.compile(r"https?://[^\s<>\"']+")

bp = Blueprint("outbox", __name__, url_prefix="/dev")


class ConsoleMessagesRefused(RuntimeError):
    """A console backend is configured outside debug and testing, and ALLOW_CONSOLE_MESSAGES does not allow it."""


def keeper(app: Flask) -> Keeper:
    """Keep printed messages for the outbox page: at the end of a request (after its own session has closed, since
    SQLite has one writer at a time), or at once outside a request."""
    sessions = site(app).sessions

    def keep(printed: Printed) -> None:
        if has_request_context():
            g.setdefault(PENDING, []).append(printed)
        else:
            keep_printed(sessions, [printed])

    return keep


def _keep_pending(_exc: BaseException | None = None) -> None:
    pending: list[Printed] | None = g.pop(PENDING, None)
    if pending:
        close_db()
        keep_printed(site().sessions, pending)


def sms_gateway(app: Flask | None = None) -> SmsGateway | None:
    """The app's SMS gateway (SMS_* settings); None when sign-in by mobile number is off."""
    found: SmsGateway | None = (app or current_app).extensions.get(SMS)
    return found


def console_settings(mail: Outbox, gateway: SmsGateway | None) -> list[str]:
    """The settings that chose a console backend."""
    return [name for name, console in (("MAIL_BACKEND", isinstance(mail, ConsoleOutbox)),
                                       ("SMS_BACKEND", isinstance(gateway, ConsoleSms))) if console]


def init_app(app: Flask, mail: Outbox) -> None:
    """Set up the SMS gateway; refuse console backends in production unless allowed; add the outbox page if wanted.

    Raises ConsoleMessagesRefused (naming ASSESSMENT_ALLOW_CONSOLE_MESSAGES) or ValueError for bad SMS_* settings.
    """
    gateway = gateway_from_config(app.config, testing=bool(app.testing), debug=bool(app.debug), keep=keeper(app))
    app.extensions[SMS] = gateway
    console = console_settings(mail, gateway)
    development = bool(app.debug or app.testing)
    if console and not development and not app.config.get(ALLOW_SETTING):
        chosen = " and ".join(f"ASSESSMENT_{name}" for name in console)
        raise ConsoleMessagesRefused(
            f"{chosen} prints every outgoing message (sign-in links and codes included) to the console instead of "
            f"delivering it, and the app is not in debug mode. In production configure ASSESSMENT_MAIL_HOST "
            f"(SMTP) and ASSESSMENT_SMS_URL (HTTP gateway), or set ASSESSMENT_{ALLOW_SETTING}=1 to run with the "
            f"console backends anyway (docs/deploy.md).")
    app.teardown_appcontext(_keep_pending)
    if console and (app.debug or app.config.get(PAGE_SETTING)):
        app.register_blueprint(bp)


def pieces(text: str) -> list[tuple[str, bool]]:
    """The text cut into plain runs and http(s) links, so the page can make the links clickable."""
    found: list[tuple[str, bool]] = []
    at = 0
    for match in LINK.finditer(text):
        if match.start() > at:
            found.append((text[at:match.start()], False))
        found.append((match.group(0), True))
        at = match.end()
    if at < len(text):
        found.append((text[at:], False))
    return found


def _from_this_machine() -> bool:
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


@bp.get("/outbox")
def index() -> str:
    """Every mail and SMS the console backends printed, newest first, links clickable (this machine only)."""
    if not _from_this_machine():
        abort(404)
    messages = outbox_messages(reading())
    return render_template("outbox/index.html", messages=messages, pieces=pieces)

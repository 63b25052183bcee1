"""Sign-in by mobile number: mainland numbers in E.164 form, 6-digit SMS codes, and the SMS gateways.

A code is made with `secrets`, stored only as an HMAC of the number, purpose and code, works once and for five
minutes, dies after a few wrong tries, and dies when a newer one is sent to the same number. Sending is limited per
number and per address from the codes table itself (every worker sees the same rows); wrong codes are throttled by
the caller through services/throttle.py.

Gateways are shaped like the mail outboxes (services/mail.py): `send(message)` raises SmsFailed when the message
could not be handed over. The console gateway prints and keeps messages for the development outbox page; the HTTP
gateway posts to a provider's (or a relay's) URL with a template id, sign name and API key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, TextIO

from sqlalchemy.orm import Session

from assessment.db import phones, queries
from assessment.db.models import utcnow
from assessment.db.phones import PhoneTaken as PhoneTaken  # re-exported: the web layer imports no db module
from assessment.db.queries import UserRecord as UserRecord
from assessment.domain.answers import N_
from assessment.services import security_log
from assessment.services.accounts import hash_password
from assessment.services.language import translator
from assessment.services.mail import CONSOLE, Keeper, Printed, print_message

log = logging.getLogger("assessment.sms")

COUNTRY = "+86"
CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=5)
MAX_TRIES = 5
"""After this many wrong tries a code stops working."""
PURPOSES = ("sign_in", "change", "reauth")
BACKENDS = ("http", CONSOLE, "memory", "none")
INPUT_LIMIT = 40
"""Longer input is refused before it is looked at."""

# --- numbers -------------------------------------------------------------------------------------------------

class PhoneInvalid(ValueError):
    """Not a mainland mobile number; the message is an English msgid."""


def normalised_phone(raw: object) -> str:
    """A mainland mobile number in E.164 form (+861xxxxxxxxxx) from what a person typed; raises PhoneInvalid.

    Spaces, dashes, dots and brackets are ignored, full-width digits count, and +86, 0086 or 86 in front is the
    country code.
    """
    if not isinstance(raw, str) or not raw.strip():
        raise PhoneInvalid(N_("Enter your mobile number"))
    if len(raw) > INPUT_LIMIT:
        raise PhoneInvalid(N_("Enter a mainland China mobile number of 11 digits, like 138 0013 8000"))
    text = unicodedata.normalize("NFKC", raw)
    for mark in " \t-.()":
        text = text.replace(mark, "")
    for prefix in ("+86", "0086", "86"):
        if text.startswith(prefix) and len(text) == len(prefix) + 11:
            text = text[len(prefix):]
            break
    if len(text) != 11 or not text.isascii() or not text.isdigit() or text[0] != "1" or text[1] not in "3456789":
        raise PhoneInvalid(N_("Enter a mainland China mobile number of 11 digits, like 138 0013 8000"))
    return COUNTRY + text


def shown_phone(phone: str) -> str:
    """A stored number as people read it: +86 138 0013 8000."""
    if phone.startswith(COUNTRY) and len(phone) == len(COUNTRY) + 11:
        national = phone[len(COUNTRY):]
        return f"{COUNTRY} {national[:3]} {national[3:7]} {national[7:]}"
    return phone


def shown_contact(user: UserRecord) -> str:
    """How an account is named to people: its email address, else its mobile number as people read it."""
    return user.email or (shown_phone(user.phone) if user.phone else "")


def masked_phone(phone: str) -> str:
    """A number for logs and notices: 138****8000."""
    national = phone.removeprefix(COUNTRY)
    return national[:3] + "****" + national[-4:] if len(national) >= 8 else "****"


def throttle_key(phone: str) -> str:
    """The throttle key that counts wrong codes for a number (services/throttle.py)."""
    return "phone:" + phone


# --- codes ---------------------------------------------------------------------------------------------------

def _digest(secret_key: str, phone: str, purpose: str, code: str) -> str:
    # keyed: six digits alone would be found from a copied table in a million tries
    message = f"{purpose}\n{phone}\n{code}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def entered_code(raw: object) -> str | None:
    """The six digits a person typed (spaces ignored, full-width digits count), or None."""
    if not isinstance(raw, str) or len(raw) > INPUT_LIMIT:
        return None
    text = unicodedata.normalize("NFKC", raw).replace(" ", "").replace("-", "")
    return text if len(text) == CODE_DIGITS and text.isascii() and text.isdigit() else None


@dataclass(frozen=True)
class SendLimits:
    """How often codes may be sent: per number (interval and hourly) and per asking address (hourly)."""

    interval: timedelta = timedelta(seconds=60)
    per_number_hour: int = 5
    per_address_hour: int = 20

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SendLimits:
        """SMS_INTERVAL (seconds), SMS_PER_NUMBER_HOUR, SMS_PER_ADDRESS_HOUR."""
        return cls(timedelta(seconds=float(config.get("SMS_INTERVAL", 60))),
                   int(config.get("SMS_PER_NUMBER_HOUR", 5)), int(config.get("SMS_PER_ADDRESS_HOUR", 20)))


def send_wait(session: Session, phone: str, address: str, limits: SendLimits, now: datetime | None = None) -> int:
    """0 when a code may be sent to the number now, else the whole seconds to wait."""
    moment = now or utcnow()
    hour_ago = moment - timedelta(hours=1)
    waits = [0.0]
    last = phones.last_sent(session, phone)
    if last is not None and moment - last < limits.interval:
        waits.append((last + limits.interval - moment).total_seconds())
    number_count, number_oldest = phones.sent_since(session, since=hour_ago, phone=phone)
    if number_count >= limits.per_number_hour and number_oldest is not None:
        waits.append((number_oldest + timedelta(hours=1) - moment).total_seconds())
    address_count, address_oldest = phones.sent_since(session, since=hour_ago, address=address)
    if address_count >= limits.per_address_hour and address_oldest is not None:
        waits.append((address_oldest + timedelta(hours=1) - moment).total_seconds())
    wait = max(waits)
    return int(wait) + (1 if wait > int(wait) else 0)


@dataclass(frozen=True)
class TextMessage:
    """One SMS: the E.164 number, the full text, and the template parameters a gateway fills in."""

    to: str
    text: str
    params: Mapping[str, str] = field(default_factory=dict)


def code_message(phone: str, code: str, lang: str) -> TextMessage:
    """The SMS that carries a code."""
    _ = translator(lang)
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    text = _("Your code for the SME digital maturity assessment is {code}. It works once and for {minutes} "
             "minutes. Do not give it to anyone.").format(code=code, minutes=minutes)
    return TextMessage(phone, text, {"code": code, "minutes": str(minutes)})


def issue_code(session: Session, secret_key: str, phone: str, purpose: str, *, address: str,
               user_id: int | None = None, lang: str = "zh", now: datetime | None = None) -> TextMessage:
    """Make a new code for the number (older ones stop working) and log that one was sent; the SMS to send.

    The caller checks send_wait first and commits before sending, so the code works as soon as it arrives.
    """
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    moment = now or utcnow()
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    phones.add_code(session, phone=phone, purpose=purpose, code_hash=_digest(secret_key, phone, purpose, code),
                    address=address, now=moment, expires_at=moment + CODE_LIFETIME)
    security_log.record(session, security_log.PHONE_CODE_SENT, user_id=user_id, address=address, purpose=purpose,
                        phone=masked_phone(phone))
    return code_message(phone, code, lang)


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of a typed code: 'ok', 'wrong' (tries left), or 'spent' (none works: expired, used, replaced,
    or out of tries)."""

    status: str
    tries_left: int = 0

    @property
    def ok(self) -> bool:
        """Whether the code was right."""
        return self.status == "ok"


def check_code(session: Session, secret_key: str, phone: str, purpose: str, code: str,
               now: datetime | None = None) -> CodeCheck:
    """Spend the number's current code if `code` is it; a wrong one counts against it (the caller commits both)."""
    moment = now or utcnow()
    current = phones.current_code(session, phone, purpose, moment, MAX_TRIES)
    if current is None:
        return CodeCheck("spent")
    if hmac.compare_digest(current.code_hash, _digest(secret_key, phone, purpose, code)):
        return CodeCheck("ok") if phones.spend_code(session, current.id, moment) else CodeCheck("spent")
    tries = phones.count_wrong_try(session, current.id)
    return CodeCheck("wrong", MAX_TRIES - tries) if tries < MAX_TRIES else CodeCheck("spent")


# --- accounts ------------------------------------------------------------------------------------------------

def account(session: Session, user_id: int) -> UserRecord | None:
    """The account with this id, or None."""
    return queries.get_user(session, user_id)


def account_of(session: Session, phone: str) -> UserRecord | None:
    """The account with this mobile number, or None."""
    return phones.user_by_phone(session, phone)


def sign_in_account(session: Session, phone: str, *, language: str | None, address: str = "",
                    now: datetime | None = None) -> UserRecord:
    """The account of a number whose code was just given: its own, or a new enterprise account with the number only.

    The new account has no email address and a password nobody knows: it signs in by code.
    """
    found = phones.user_by_phone(session, phone)
    if found is not None:
        return found
    moment = now or utcnow()
    try:
        record = phones.add_phone_user(session, phone, hash_password(secrets.token_urlsafe(32)), language, moment)
    except PhoneTaken:  # another request made it a moment ago
        again = phones.user_by_phone(session, phone)
        if again is None:
            raise
        return again
    security_log.record(session, security_log.REGISTERED, user_id=record.id, address=address, method="sms")
    return record


def change_phone(session: Session, user: UserRecord, phone: str, *, address: str = "",
                 now: datetime | None = None) -> None:
    """Give the account a confirmed mobile number (added or changed); raises PhoneTaken."""
    phones.set_phone(session, user.id, phone, now or utcnow())
    security_log.record(session, security_log.PHONE_CHANGED, user_id=user.id, address=address,
                        added=user.phone is None, phone=masked_phone(phone))


def forget_codes(session: Session, phone: str) -> None:
    """Delete the codes sent to a number, e.g. when its account is deleted (they hold the number)."""
    phones.delete_codes(session, phone)


def add_email(session: Session, user: UserRecord, email: str) -> bool:
    """Give an account that has none an email address (unconfirmed until its link is followed); False if taken."""
    return phones.set_email(session, user.id, email)


# --- gateways ------------------------------------------------------------------------------------------------

class SmsFailed(RuntimeError):
    """The gateway refused the message or could not be reached."""


class SmsGateway(Protocol):
    """Somewhere text messages go."""

    def send(self, message: TextMessage) -> None:
        """Hand one message over (raises SmsFailed if it cannot)."""


@dataclass
class ConsoleSms:
    """Development: every message is printed to the console, code included, and kept for the outbox page."""

    keep: Keeper | None = None
    stream: TextIO | None = None

    def send(self, message: TextMessage) -> None:
        """Print the message and keep it."""
        code = message.params.get("code", "")
        printed = Printed("sms", message.to, code, message.text)
        print_message(printed, [("To", shown_phone(message.to)), ("Code", code)], self.stream)
        if self.keep is not None:
            self.keep(printed)


@dataclass
class MemorySms:
    """Tests: messages are kept in a list."""

    sent: list[TextMessage] = field(default_factory=list)

    def send(self, message: TextMessage) -> None:
        """Keep the message."""
        self.sent.append(message)


@dataclass
class HttpSms:
    """Production: POST the message (JSON or a form) to an SMS provider's or a relay's URL.

    The body names the number (E.164), the template id, the sign name and the template parameters (code and
    minutes); the API key goes in a header. Any answer other than 2xx, a network error or a timeout is a failure.
    """

    url: str
    template_id: str
    sign_name: str
    api_key: str = field(default="", repr=False)
    key_header: str = "Authorization"
    key_prefix: str = "Bearer "
    encoding: str = "json"
    timeout: float = 5.0

    def body(self, message: TextMessage) -> tuple[bytes, str]:
        """The request body and its content type."""
        fields: dict[str, Any] = {"phone": message.to, "template_id": self.template_id, "sign_name": self.sign_name,
                                  "params": dict(message.params)}
        if self.encoding == "form":
            flat = {**fields, "params": json.dumps(fields["params"], ensure_ascii=False)}
            return urllib.parse.urlencode(flat).encode(), "application/x-www-form-urlencoded"
        return json.dumps(fields, ensure_ascii=False).encode(), "application/json; charset=utf-8"

    def send(self, message: TextMessage) -> None:
        """Post the message; never log its body (it holds the code)."""
        data, content_type = self.body(message)
        headers = {"Content-Type": content_type, "Accept": "application/json"}
        if self.api_key:
            headers[self.key_header] = self.key_prefix + self.api_key
        request = urllib.request.Request(self.url, data=data, headers=headers, method="POST")
        where = masked_phone(message.to)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read(4096)
        except urllib.error.HTTPError as exc:
            log.error("SMS to %s not sent: the gateway answered HTTP %s", where, exc.code)
            raise SmsFailed(f"the SMS gateway answered HTTP {exc.code}") from exc
        except TimeoutError as exc:
            log.error("SMS to %s not sent: the gateway did not answer within %s s", where, self.timeout)
            raise SmsFailed("the SMS gateway did not answer in time") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                log.error("SMS to %s not sent: the gateway did not answer within %s s", where, self.timeout)
                raise SmsFailed("the SMS gateway did not answer in time") from exc
            log.error("SMS to %s not sent: %s", where, exc.reason)
            raise SmsFailed(f"the SMS gateway could not be reached: {exc.reason}") from exc
        except OSError as exc:
            log.error("SMS to %s not sent: %s", where, exc)
            raise SmsFailed(f"the SMS gateway could not be reached: {exc}") from exc


def sms_backend(config: Mapping[str, Any], testing: bool = False, debug: bool = False) -> str:
    """SMS_BACKEND, or without it: a list in tests, HTTP with a URL, the console in debug mode, else none."""
    backend = str(config.get("SMS_BACKEND") or ("memory" if testing else "http" if config.get("SMS_URL")
                                                else CONSOLE if debug else "none"))
    if backend not in BACKENDS:
        raise ValueError(f"SMS_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")
    return backend


def gateway_from_config(config: Mapping[str, Any], testing: bool = False, debug: bool = False,
                        keep: Keeper | None = None) -> SmsGateway | None:
    """The gateway the SMS_* settings ask for; None when SMS is off (sign-in by mobile number is then offered nowhere)."""
    backend = sms_backend(config, testing, debug)
    if backend == "none":
        return None
    if backend == "memory":
        return MemorySms()
    if backend == CONSOLE:
        return ConsoleSms(keep)
    url = str(config.get("SMS_URL") or "")
    if not url.startswith(("https://", "http://")):
        raise ValueError("SMS_BACKEND is http but SMS_URL is not an http(s) URL")
    template = str(config.get("SMS_TEMPLATE_ID") or "")
    if not template:
        raise ValueError("SMS_BACKEND is http but SMS_TEMPLATE_ID is not set")
    encoding = str(config.get("SMS_ENCODING") or "json")
    if encoding not in ("json", "form"):
        raise ValueError(f"SMS_ENCODING must be json or form, not {encoding!r}")
    return HttpSms(url, template, str(config.get("SMS_SIGN_NAME") or ""), str(config.get("SMS_API_KEY") or ""),
                   str(config.get("SMS_API_KEY_HEADER") or "Authorization"),
                   str(config.get("SMS_API_KEY_PREFIX", "Bearer ")), encoding,
                   float(config.get("SMS_TIMEOUT") or 5.0))

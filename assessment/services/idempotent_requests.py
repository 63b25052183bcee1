"""Requests made with an Idempotency-Key: the same key with the same request gets the stored answer and nothing is
carried out again; the same key with another request is refused. Keys are kept for KEPT, per account."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from assessment.db import idempotent_requests
from assessment.db.idempotent_requests import StoredAnswer

KEPT = timedelta(hours=24)
KEY_MAX = 255


@dataclass(frozen=True)
class Replay:
    """What a key gives before the request is carried out: nothing stored (go on), the stored answer, or a clash."""

    answer: StoredAnswer | None = None
    clash: bool = False


def fingerprint(*parts: bytes) -> str:
    """The SHA-256 of a request's parts (method, path, conditions, body), each length-prefixed."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def usable_key(key: str | None) -> bool:
    """Whether a key can be stored: 1 to KEY_MAX printable ASCII characters."""
    return key is not None and 0 < len(key) <= KEY_MAX and key.isascii() and key.isprintable()


def replay(session: Session, user_id: int, key: str, print_: str) -> Replay:
    """The stored answer for this key and request; a clash if the key was used for another request."""
    stored = idempotent_requests.find(session, user_id, key)
    if stored is None:
        return Replay()
    return Replay(clash=True) if stored.fingerprint != print_ else Replay(answer=stored)


def remember(session: Session, user_id: int, key: str, print_: str, status: int, body: str, now: datetime) -> None:
    """Store the answer under the key in the caller's transaction (which commits it with the work it answers), and
    forget keys older than KEPT."""
    idempotent_requests.forget_before(session, now - KEPT)
    idempotent_requests.add(session, user_id, key, StoredAnswer(print_, status, body), now)

"""Cursor pagination for the API's lists: an opaque cursor, a bounded `limit`, and a `next` link.

A list is a sequence in a fixed order of a unique key (e.g. ids newest first); the cursor carries the key of the last
item a page showed, so a page is stable while items are added or removed before it.

    asked = page_request()                    # or a Response: 422 problem for a bad cursor or limit
    shown = paginate(items, lambda i: i.id, asked)
    return paged_json([document(i) for i in shown.items], shown)
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import marshmallow as ma
from flask import Response, json, request, url_for

from assessment.api.problems import problem
from assessment.domain.answers import N_, Problem

T = TypeVar("T")
DEFAULT_LIMIT = 20
MOST = 100
Key = int | str
PARAMETERS = [
    {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 200},
     "description": "the `next` cursor of the previous page"},
    {"name": "limit", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": MOST, "default": DEFAULT_LIMIT}},
]
"""The OpenAPI parameters of a paginated list."""


@dataclass(frozen=True)
class PageRequest:
    """What the caller asked for: after which key (None: from the start) and how many at most."""

    after: Key | None
    limit: int


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list and the cursor of the next one (None on the last page)."""

    items: list[T]
    next_cursor: str | None


def encode(key: Key) -> str:
    """The opaque cursor for a key."""
    return base64.urlsafe_b64encode(json.dumps({"k": key}).encode()).decode().rstrip("=")


def decode(cursor: str) -> Key:
    """The key a cursor carries; raises ValueError for anything `encode` did not make."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError) as broken:
        raise ValueError(cursor) from broken
    key = raw.get("k") if isinstance(raw, dict) else None
    if isinstance(key, bool) or not isinstance(key, int | str):
        raise ValueError(cursor)
    return key


def page_request() -> PageRequest | Response:
    """The cursor and limit of this request; a 422 problem (per parameter) when either is not acceptable."""
    problems: list[Problem] = []
    after: Key | None = None
    cursor = request.args.get("cursor")
    if cursor is not None:
        try:
            after = decode(cursor[:200])
        except ValueError:
            problems.append(Problem("cursor", "invalid_cursor", N_("This cursor is not one the API gave.")))
    typed = request.args.get("limit", str(DEFAULT_LIMIT)).strip()
    limit = int(typed) if typed.isascii() and typed.isdigit() and len(typed) <= 3 else 0
    if not 1 <= limit <= MOST:
        problems.append(Problem("limit", "invalid_limit", N_("Enter a whole number from 1 to {most}."),
                                {"most": MOST}))
    return problem(422, errors=problems) if problems else PageRequest(after, limit)


def paginate(items: Sequence[T], key: Callable[[T], Key], asked: PageRequest, *, descending: bool = True) -> Page[T]:
    """The page of `items` (sorted by `key`, descending unless told) after the cursor's key."""
    start = 0
    if asked.after is not None:
        after = asked.after
        start = next((n for n, item in enumerate(items) if _beyond(key(item), after, descending)), len(items))
    shown = list(items[start:start + asked.limit])
    more = start + asked.limit < len(items)
    return Page(shown, encode(key(shown[-1])) if more and shown else None)


def _beyond(key: Key, after: Key, descending: bool) -> bool:
    if type(key) is not type(after):
        return False
    return key < after if descending else key > after  # type: ignore[operator]


def page_schema(item: type[ma.Schema]) -> type[ma.Schema]:
    """The response schema of a page of `item`s: `items` and `next` (a URL, or null on the last page)."""
    return type(f"{item.__name__.removesuffix('Schema')}PageSchema", (ma.Schema,), {
        "items": ma.fields.List(ma.fields.Nested(item), required=True),
        "next": ma.fields.String(required=True, allow_none=True),
    })


def paged_json(documents: list[Any], page: Page[Any]) -> Response:
    """The page as `{"items": […], "next": url or null}`, with a Link rel="next" header when there is more."""
    following = None
    if page.next_cursor is not None:
        arguments: dict[str, Any] = {**request.args.to_dict(), "cursor": page.next_cursor}
        following = url_for(str(request.endpoint), **(request.view_args or {}), **arguments)
    response = Response(json.dumps({"items": documents, "next": following}, ensure_ascii=False),
                        mimetype="application/json")
    if following is not None:
        response.headers["Link"] = f'<{following}>; rel="next"'
    return response

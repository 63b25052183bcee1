"""Markup rendered once with slot markers, then filled in on every request.

Much of a page is the same for everyone who sees it in the same language and role: the site header, the text of
each question, a wizard step around its questions. That part is rendered from its template once, with a marker
where a request's own values go (the CSRF token, ticks, the draft's version, …), and kept split at the markers;
a request only joins the pieces with its values. Rendering the same templates on every request cost more CPU than
everything else a step page does.

A marker is slot(name), a name between NUL characters, which no template text or content file holds. A slot's
value is markup: whoever supplies it escapes it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from markupsafe import Markup

MARKER = re.compile("\x00([^\x00]*)\x00")


def slot(name: str) -> Markup:
    """The marker of a slot in markup that is kept and filled in per request."""
    return Markup(f"\x00{name}\x00")


@dataclass(frozen=True)
class Slotted:
    """Markup split at its slots: literals[0], slot 0, literals[1], slot 1, …, literals[-1]."""

    literals: tuple[str, ...]
    slots: tuple[str, ...]

    def fill(self, values: Mapping[str, str]) -> str:
        """The markup with these slot values (a slot without a value is left empty)."""
        # slice assignment and one join: far cheaper than a regex substitution or str.format over CJK text
        pieces: list[str] = [""] * (2 * len(self.slots) + 1)
        pieces[0::2] = self.literals
        pieces[1::2] = [values.get(name, "") for name in self.slots]
        return "".join(pieces)

    @property
    def markup(self) -> Markup:
        """The markup with its markers, to be part of larger slotted markup."""
        return Markup(self.fill({name: slot(name) for name in self.slots}))


def split(markup: str) -> Slotted:
    """Split markup with slot markers into its literal text and the slot names in order."""
    parts = MARKER.split(markup)  # literal, name, literal, name, …, literal
    return Slotted(tuple(parts[0::2]), tuple(parts[1::2]))


K = TypeVar("K", bound=Hashable)


class SlottedCache(Generic[K]):
    """Slotted markup by key, made on first use; emptied when full (keys that hold an account grow with them)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._found: dict[K, Slotted] = {}

    def get(self, key: K, render: Callable[[], str]) -> Slotted:
        """The slotted markup for this key, rendering it if it is not kept yet."""
        found = self._found.get(key)
        if found is None:
            found = split(render())
            if len(self._found) >= self.limit:
                self._found.clear()
            self._found[key] = found
        return found

    def clear(self) -> None:
        """Forget everything kept (the next request renders again)."""
        self._found.clear()

    def __len__(self) -> int:
        return len(self._found)

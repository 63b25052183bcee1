"""Markup kept with slot markers: split once, filled per request, rendered again only for a new key."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from assessment.web.slots import SlottedCache, slot, split

NAMES = st.text(alphabet="abcdefghij:-", min_size=1, max_size=6)
LITERALS = st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]), max_size=12)


def test_filling_puts_each_value_in_its_slot_and_leaves_a_slot_without_value_empty() -> None:
    kept = split(Markup("<p>{}</p><input value=\"{}\">{}").format(slot("a"), slot("b"), slot("a")))
    assert kept.slots == ("a", "b", "a")
    assert kept.fill({"a": "甲", "b": "2"}) == '<p>甲</p><input value="2">甲'
    assert kept.fill({"b": "2"}) == '<p></p><input value="2">'


@given(st.lists(st.tuples(LITERALS, NAMES), max_size=6), LITERALS)
def test_split_markup_gives_back_the_markup_with_its_markers(parts: list[tuple[str, str]], last: str) -> None:
    markup = "".join(text + str(slot(name)) for text, name in parts) + last  # text as it is: str, not Markup
    kept = split(markup)
    assert kept.markup == markup
    assert kept.slots == tuple(name for _, name in parts)
    assert kept.fill({name: f"[{name}]" for _, name in parts}) == "".join(f"{t}[{n}]" for t, n in parts) + last


def test_the_cache_renders_once_per_key_and_starts_over_when_full() -> None:
    rendered: list[str] = []

    def render(key: str) -> str:
        rendered.append(key)
        return f"<b>{key}</b>{slot('x')}"

    cache: SlottedCache[str] = SlottedCache(limit=2)
    for key in ("one", "one", "two", "one"):
        assert cache.get(key, lambda key=key: render(key)).fill({"x": "!"}) == f"<b>{key}</b>!"  # type: ignore[misc]
    assert rendered == ["one", "two"]
    cache.get("three", lambda: render("three"))
    assert len(cache) == 1 and rendered == ["one", "two", "three"]
    cache.get("one", lambda: render("one"))
    assert rendered[-1] == "one"

"""Numbers typed into forms or sent by programs: one bounded reader of plain decimal text, and its messages.

Accepted: at most 32 characters after trimming surrounding spaces, an optional sign, digits with at most one
decimal point, and thousands separators in groups of three (1,200,000). Full-width digits, signs, point and comma
(１２０、１，２００．５) are read as their ASCII forms, because Chinese input methods type them. Refused: exponents
(1e5), Infinity, NaN, fractions (1/3), spaces or other characters inside the number, anything longer. Reading one
costs at most a few microseconds whatever was sent, which is the point (docs/security.md, "Bounded input").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

MAX_LENGTH = 32
"""The most characters a number may have (after trimming surrounding spaces)."""

LIMIT = 10**MAX_LENGTH
"""Every accepted number is smaller than this in size (32 digits at most)."""

ID_MAX = 2**31 - 1
"""The largest id or version a form may name (the database's INTEGER)."""

RefusalCode = Literal["not_a_number", "not_integer", "out_of_range", "too_precise"]

_WIDE = {0xFF10 + n: 0x30 + n for n in range(10)} | {0xFF0B: ord("+"), 0xFF0D: ord("-"), 0x2212: ord("-"),
                                                      0xFF0E: ord("."), 0xFF0C: ord(",")}
_SPACES = " \t\r\n\u3000\u00a0"
_NUMBER = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+|\d+|(?=\.\d))(?:\.(\d*))?", re.ASCII)


def mark_for_translation(message: str) -> str:
    """Mark a message for translation extraction; translated where it is shown."""
    return message


N_ = mark_for_translation
"""The name the message extractor looks for (`pybabel extract -k N_`)."""


@dataclass(frozen=True)
class NumberRule:
    """What one number field accepts: its range (either end may be open), whole numbers only, decimal places."""

    minimum: Fraction | None = None
    maximum: Fraction | None = None
    integer: bool = False
    places: int | None = None
    """The most decimal places (None: as many as fit in 32 characters)."""


ANY_NUMBER = NumberRule()


class NumberRefused(ValueError):
    """The input is not an acceptable number for the field; `code` says why, `rule` what would be."""

    def __init__(self, code: RefusalCode, rule: NumberRule) -> None:
        super().__init__(code)
        self.code: RefusalCode = code
        self.rule = rule


def _decimal_text(raw: str) -> Fraction | None:
    text = raw.strip(_SPACES)
    if len(text) > MAX_LENGTH:
        return None
    match = _NUMBER.fullmatch(text.translate(_WIDE))
    if match is None:
        return None
    sign, whole, decimals = match[1], match[2].replace(",", ""), match[3] or ""
    value = Fraction(int(whole + decimals or "0"), 10 ** len(decimals))
    return -value if sign == "-" else value


def read_decimal(raw: Any) -> Fraction | None:
    """The exact value of plain decimal text (or of an int, float or Decimal of at most 32 digits); None otherwise.

    Never raises and never takes longer for longer input: text over 32 characters is refused before it is read.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        return _decimal_text(raw)
    if isinstance(raw, int):
        return Fraction(raw) if raw.bit_length() <= 107 and -LIMIT < raw < LIMIT else None
    if isinstance(raw, Fraction):
        return raw if -LIMIT < raw < LIMIT else None
    if isinstance(raw, float):
        # finite floats only (JSON, YAML); their shortest repr is the intended decimal (0.7 becomes 7/10)
        return _bounded(Decimal(repr(raw))) if raw == raw and -1e32 < raw < 1e32 else None
    if isinstance(raw, Decimal):
        return _bounded(raw)
    return None


def _bounded(value: Decimal) -> Fraction | None:
    """A Decimal of at most 32 places either side of the point (so 1E-999999999 costs nothing)."""
    if not value.is_finite():
        return None
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -MAX_LENGTH or value.adjusted() >= MAX_LENGTH:
        return None
    return Fraction(value)


def decimal_places(value: Fraction) -> int | None:
    """How many decimal places write this value exactly (None if it has no finite decimal form)."""
    denominator, places = value.denominator, 0
    while denominator % 10 == 0:
        denominator //= 10
        places += 1
    while denominator % 2 == 0:
        denominator //= 2
        places += 1
    while denominator % 5 == 0:
        denominator //= 5
        places += 1
    return places if denominator == 1 else None


def check_number(value: Fraction, rule: NumberRule) -> RefusalCode | None:
    """Why a value does not fit the rule, or None."""
    if rule.integer and value.denominator != 1:
        return "not_integer"
    if rule.places is not None:
        places = decimal_places(value)
        if places is None or places > rule.places:
            return "too_precise"
    if (rule.minimum is not None and _below(value, rule.minimum)) or \
            (rule.maximum is not None and _below(rule.maximum, value)):
        return "out_of_range"
    return None


def _below(a: Fraction, b: Fraction) -> bool:
    """a < b, exactly; Fraction's own comparison checks the numbers ABCs on every call and costs several times more."""
    return a.numerator * b.denominator < b.numerator * a.denominator  # denominators are positive


def read_number(raw: Any, rule: NumberRule = ANY_NUMBER) -> Fraction:
    """The value of a number field's input, or NumberRefused saying why not (the only exception it raises)."""
    value = read_decimal(raw)
    if value is None:
        raise NumberRefused("not_a_number", rule)
    code = check_number(value, rule)
    if code is not None:
        raise NumberRefused(code, rule)
    return value


def read_whole(raw: Any, minimum: int, maximum: int) -> int | None:
    """A whole number from minimum to maximum (e.g. a level, a year), or None."""
    try:
        return int(read_number(raw, NumberRule(Fraction(minimum), Fraction(maximum), integer=True)))
    except NumberRefused:
        return None


def read_id(raw: Any) -> int | None:
    """An id or version named by a form: plain ASCII digits, 1 to 2**31 − 1; None for anything else."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        return None
    if isinstance(raw, str):
        text = raw.strip(_SPACES)
        if not (0 < len(text) <= 10 and text.isascii() and text.isdigit()):
            return None
        raw = int(text)
    return raw if 1 <= raw <= ID_MAX else None


def plain(value: Fraction) -> str:
    """A value as plain decimal text for messages and forms (120, 0.5, 12.3456; never an exponent)."""
    if value.denominator == 1:
        return str(value.numerator)
    places = decimal_places(value)
    if places is not None:
        return format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return format(float(value), "f").rstrip("0").rstrip(".")


def expectation(rule: NumberRule) -> tuple[str, Mapping[str, str]]:
    """What a field accepts, as an English msgid and its parameters (an open end is left unsaid, never ∞)."""
    low = None if rule.minimum is None else plain(rule.minimum)
    high = None if rule.maximum is None else plain(rule.maximum)
    if rule.integer:
        if low is not None and high is not None:
            return N_("Enter a whole number from {low} to {high}."), {"low": low, "high": high}
        if low is not None:
            return N_("Enter a whole number of at least {low}."), {"low": low}
        if high is not None:
            return N_("Enter a whole number of at most {high}."), {"high": high}
        return N_("Enter a whole number, for example 120."), {}
    if low is not None and high is not None:
        return N_("Enter a number from {low} to {high}."), {"low": low, "high": high}
    if low is not None:
        return N_("Enter a number of at least {low}."), {"low": low}
    if high is not None:
        return N_("Enter a number of at most {high}."), {"high": high}
    return N_("Enter a number, for example 120."), {}


def places_message(rule: NumberRule) -> tuple[str, Mapping[str, str]]:
    """The sentence added when a value has more decimal places than the field keeps."""
    return N_("Use at most {places} decimal places."), {"places": str(rule.places)}

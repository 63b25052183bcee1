"""What a write statement did."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed (its result is a cursor result, which counts them)."""
    return cast(CursorResult[Any], result).rowcount

"""The officials' settings that are rules: k and the floor under it, the model shown first, the download limit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assessment.domain.disclosure import Policy

DEFAULT_K = 5
"""k (the smallest cell published) when DISCLOSURE_K is not set."""
DEFAULT_MIN_K = 3
"""The floor under k when DISCLOSURE_MIN_K is not set."""
DEFAULT_MODEL = "miit-2024"
"""The scoring model the dashboard opens on, and the CLI's default."""
EXPORT_MAX_GROUPS = 5_000
"""A download may count at most this many combinations (SQL groups); disclosure control of more takes too long."""


def disclosure_policy(config: Mapping[str, Any], k: int | None = None) -> Policy:
    """The disclosure policy: k as asked or DISCLOSURE_K (default 5), never below DISCLOSURE_MIN_K; raises
    ValueError for an asked k under the floor."""
    floor = int(config.get("DISCLOSURE_MIN_K", DEFAULT_MIN_K))
    if k is not None and k < floor:
        raise ValueError(f"the minimum cell size is {floor} on this server (DISCLOSURE_MIN_K); {k} is lower")
    chosen = k if k is not None else int(config.get("DISCLOSURE_K", DEFAULT_K))
    return Policy(k=max(chosen, floor))


def export_limit(config: Mapping[str, Any]) -> int:
    """The most combinations a web download may count (EXPORT_MAX_GROUPS)."""
    return int(config.get("EXPORT_MAX_GROUPS", EXPORT_MAX_GROUPS))

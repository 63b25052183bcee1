"""GB/T 4754-2017 国民经济行业分类: 门类, 大类, 中类 and 小类, looked up by code with or without the 门类 letter."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from assessment.domain.enterprise.text import half_width

IndustryLevel = Literal[1, 2, 3, 4]

DIVISION_RANGES: Mapping[str, tuple[int, int]] = {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50), "F": (51, 52), "G": (53, 60),
    "H": (61, 62), "I": (63, 65), "J": (66, 69), "K": (70, 70), "L": (71, 72), "M": (73, 75), "N": (76, 79),
    "O": (80, 82), "P": (83, 83), "Q": (84, 85), "R": (86, 90), "S": (91, 96), "T": (97, 97),
}
"""Each 门类 and the first and last of its 大类 (GB/T 4754-2017); manufacturing is C, 大类 13–43."""


def _split_industry_code(code: str) -> tuple[str | None, str]:
    """("C", "3741") for "C3741", (None, "3741") for "3741", (None, "C") for "C"."""
    text = half_width(code).strip().upper()
    match = re.fullmatch(r"([A-Z])([0-9]{2,4})", text)
    return (match[1], match[2]) if match else (None, text)


def normalise_industry_code(code: str) -> str:
    """The code as stored: "C3741" and " 3741 " → "3741", "c" → "C" (whether it exists is for Industries)."""
    return _split_industry_code(code)[1]


def section_of_division(code: str) -> str | None:
    """The 门类 letter of a 大类-or-finer code (or of a bare 门类 letter) from the code's shape alone."""
    prefix, key = _split_industry_code(code)
    if key in DIVISION_RANGES:
        return key
    if not re.fullmatch(r"[0-9]{2,4}", key):
        return None
    division = int(key[:2])
    section = next((s for s, (low, high) in DIVISION_RANGES.items() if low <= division <= high), None)
    return section if prefix in (None, section) else None


@dataclass(frozen=True)
class Industry:
    """One GB/T 4754-2017 class: 门类 (level 1, code "C"), 大类 (2, "37"), 中类 (3, "374") or 小类 (4, "3741")."""

    code: str
    name: str
    level: IndustryLevel
    section: str
    parent: str | None
    name_en: str = ""
    """The English name (门类 and 大类: data/gbt4754-2017-names-en.csv); empty if none is known."""
    name_zh: str = ""
    """The Chinese name when `name` is in another language; empty when `name` is the Chinese name."""

    @property
    def chinese_name(self) -> str:
        """The class's Chinese name, whatever language `name` is in."""
        return self.name_zh or self.name


@dataclass(frozen=True)
class Industries:
    """The industry classification as a tree; codes may carry their 门类 letter ("C3741")."""

    entries: tuple[Industry, ...]
    _by_code: dict[str, Industry] = field(init=False, repr=False, compare=False)
    _children: dict[str | None, tuple[Industry, ...]] = field(init=False, repr=False, compare=False)
    _languages: dict[str, Industries] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_languages", {})
        children: dict[str | None, list[Industry]] = {}
        for i in sorted(self.entries, key=lambda i: i.code):
            children.setdefault(i.parent, []).append(i)
        object.__setattr__(self, "_by_code", {i.code: i for i in self.entries})
        object.__setattr__(self, "_children", {k: tuple(v) for k, v in children.items()})

    def in_language(self, language: str) -> Industries:
        """The same classification with names in a language, made once.

        In English a 中类 or 小类 without an English name is called by its 大类's English name and its Chinese name.
        """
        found = self._languages.get(language)
        if found is None:
            found = Industries(tuple(self._in_language(i, language) for i in self.entries))
            self._languages[language] = found
        return found

    def _in_language(self, industry: Industry, language: str) -> Industry:
        chinese = industry.chinese_name
        name = chinese
        if language == "en":
            division = self._by_code.get(industry.code[:2]) if industry.level > 2 else None
            fallback = f"{division.name_en} – {chinese}" if division is not None and division.name_en else chinese
            name = industry.name_en or fallback
        return replace(industry, name=name, name_zh="" if name == chinese else chinese)

    def get(self, code: str) -> Industry | None:
        """The class with this code, or None (also when a 门类 letter prefix does not match the code)."""
        prefix, key = _split_industry_code(code)
        industry = self._by_code.get(key)
        if industry is None or prefix not in (None, industry.section):
            return None
        return industry

    def valid(self, code: str) -> bool:
        """Whether the code is in the classification (at any level)."""
        return self.get(code) is not None

    def name(self, code: str) -> str | None:
        """The class's name, or None if the code is unknown."""
        industry = self.get(code)
        return None if industry is None else industry.name

    def sections(self) -> tuple[Industry, ...]:
        """The 20 门类, A–T."""
        return tuple(i for i in self._children.get(None, ()) if i.level == 1)

    def divisions(self, section: str) -> tuple[Industry, ...]:
        """The 大类 (two-digit) of a 门类, by code."""
        industry = self.get(section)
        return self.children(section) if industry is not None and industry.level == 1 else ()

    def children(self, code: str) -> tuple[Industry, ...]:
        """The classes one level below (小类 directly below a 中类), by code; () if none or unknown."""
        industry = self.get(code)
        return () if industry is None else self._children.get(industry.code, ())

    def section_of(self, code: str) -> str | None:
        """The 门类 letter of a known code, or None."""
        industry = self.get(code)
        return None if industry is None else industry.section

    def is_manufacturing(self, code: str) -> bool:
        """Whether a known code is in 门类 C 制造业 (大类 13–43)."""
        return self.section_of(code) == "C"

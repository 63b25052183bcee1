"""What the questionnaire workbook's export and reader share: sheet names, the hidden id column, row keys, caps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assessment.domain.answers import N_
from assessment.domain.questionnaire import Questionnaire, Section, tr

FORMAT = "assessment-workbook/1"
META_SHEET = "_meta"
ID_HEADER = "id"
KEY, NUMBER, TEXT, ANSWER, NOTE = "A", "B", "C", "D", "E"
"""The columns of an answer sheet: the hidden machine-readable id, the item or option number, the text, the answer
cell (the only one unlocked) and a note (what is accepted, computed hints)."""
COLUMNS = 5
YES = N_("Yes")
NO = N_("No")
YES_WORDS = frozenset({"是", "yes", "y", "true", "1"})
NO_WORDS = frozenset({"否", "no", "n", "false", "0"})
PROFILE_KEYS = ("name", "uscc", "region", "industry", "size_class", "zjtx_status")
PROFILE_LABELS = {
    "name": N_("Enterprise name"),
    "uscc": N_("Unified social credit code"),
    "region": N_("Region code (GB/T 2260)"),
    "industry": N_("Industry code (GB/T 4754)"),
    "size_class": N_("Size class"),
    "zjtx_status": N_("Specialised, refined, distinctive and innovative (专精特新) status"),
}
PROFILE_TEXT_MAX = 200
MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Caps on a workbook read back, so that a hostile file cannot hold a worker or its memory.

    A workbook of the shipped questionnaires is about 30 kB with fewer than 200 rows per sheet; every cap leaves
    a wide margin.
    """

    file_bytes: int = 5 * MIB
    parts: int = 64
    unpacked_bytes: int = 32 * MIB
    rows: int = 2000
    sheets: int = 40
    cell_chars: int = 2000


DEFAULT_LIMITS = Limits()
FORBIDDEN_IN_SHEET_NAMES = str.maketrans({c: " " for c in "[]:*?/\\'"})


def sheet_names(questionnaire: Questionnaire, lang: str) -> list[str]:
    """One answer sheet name per section: its number and title, at most 31 characters, unique."""
    names: list[str] = []
    for number, section in enumerate(questionnaire.sections, start=1):
        names.append(section_sheet_name(number, section, lang))
    return names


def section_sheet_name(number: int, section: Section, lang: str) -> str:
    """A section's sheet name: "1 数字化基础" (Excel allows 31 characters and no []:*?/\\ or quote)."""
    title = tr(section.title, lang).translate(FORBIDDEN_IN_SHEET_NAMES).strip()
    return f"{number} {title}"[:31].rstrip()


def profile_sheet_name(translate: Callable[[str], str]) -> str:
    """The enterprise profile sheet's name."""
    return translate(N_("Enterprise profile"))[:31]


def quoted(sheet: str) -> str:
    """A sheet name as a formula names it: 'sheet name' (a quote inside doubled)."""
    return "'" + sheet.replace("'", "''") + "'"

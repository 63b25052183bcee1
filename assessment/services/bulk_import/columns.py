"""The import file's columns: the profile first, then one per answer, with machine ids in the header row and
Chinese (or English) headers below them; a cell's text as the answers document holds it."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import openpyxl

from assessment.domain.questionnaire import Item, Questionnaire, tr
from assessment.domain.spreadsheet import neutralise_row

PROFILE = ("name", "uscc", "region", "industry", "employees", "revenue_10k_cny", "contact_email")
PROFILE_HEADERS = {
    "zh": {"name": "企业名称", "uscc": "统一社会信用代码", "region": "所在地区（代码或名称）",
           "industry": "行业代码（GB/T 4754）", "employees": "从业人员（人）", "revenue_10k_cny": "营业收入（万元）",
           "contact_email": "联系人电子邮箱"},
    "en": {"name": "Enterprise name", "uscc": "Unified social credit code", "region": "Region (code or name)",
           "industry": "Industry code (GB/T 4754)", "employees": "Employees", "revenue_10k_cny":
           "Operating revenue (10,000 yuan)", "contact_email": "Contact email"},
}
SEPARATORS = (",", "，", "、", ";", "；", " ")


@dataclass(frozen=True)
class Column:
    """One answer column: its machine id, the item it answers, and the grid row or figure it holds."""

    id: str
    item: Item
    part: str = ""
    """A grid row key, or a figure's field id (then the column is `data:FIELD`)."""


def answer_columns(questionnaire: Questionnaire) -> list[Column]:
    """Every answer column of a questionnaire, in its order: item answers, grid rows, figures."""
    found: list[Column] = []
    for item in questionnaire.items:
        if item.type == "grid":
            found.extend(Column(f"{item.id}:{row.key}", item, row.key) for row in item.rows)
        else:
            found.append(Column(item.id, item))
        found.extend(Column(f"data:{spec.id}", item, spec.id) for spec in item.fields)
    return found


def header(column: Column, lang: str) -> str:
    """A column's human header: the item (and grid row or figure) in the language, with what to enter."""
    item = column.item
    title = f"{item.id} {tr(item.short or item.text, lang)}"
    if column.id.startswith("data:"):
        spec = next(s for s in item.fields if s.id == column.part)
        return f"{title}：{tr(spec.label, lang)}" if lang == "zh" else f"{title}: {tr(spec.label, lang)}"
    if column.part:
        row = next(r for r in item.rows if r.key == column.part)
        return f"{title}：{tr(row.text, lang)}" if lang == "zh" else f"{title}: {tr(row.text, lang)}"
    return title


def _choices(text: str) -> list[str]:
    """Option keys as written in one cell: `A,B`, `A、B`, `A；B`, `A B`."""
    for separator in SEPARATORS[1:]:
        text = text.replace(separator, ",")
    return [part.strip().upper() for part in text.split(",") if part.strip()]


def answers_document(questionnaire: Questionnaire, cells: Mapping[str, str]) -> dict[str, Any]:
    """The answers document of a row's answer cells (blank cells are unanswered); checked by parse_answers."""
    answers: dict[str, Any] = {}
    data: dict[str, Any] = {}
    for column in answer_columns(questionnaire):
        text = cells.get(column.id, "").strip()
        if not text:
            continue
        item = column.item
        if column.id.startswith("data:"):
            data[column.part] = text
        elif item.type == "grid":
            keys = _choices(text)
            answers.setdefault(item.id, {})[column.part] = keys if item.grid_multi else text.upper()
        elif item.type == "multi":
            answers[item.id] = _choices(text)
        elif item.type == "single":
            answers[item.id] = text.upper()
        elif item.type == "rating":
            answers[item.id] = int(text) if text.isdigit() else text
        else:
            answers[item.id] = text
    return {"questionnaire": questionnaire.id, "version": questionnaire.version, "answers": answers, "data": data}


def column_ids(questionnaire: Questionnaire) -> list[str]:
    """The header row of machine ids: the profile, then the answers."""
    return [*PROFILE, *(c.id for c in answer_columns(questionnaire))]


def header_rows(questionnaire: Questionnaire, lang: str) -> tuple[list[str], list[str]]:
    """The template's two header rows: machine ids, then the human headers."""
    names = PROFILE_HEADERS.get(lang, PROFILE_HEADERS["zh"])
    return column_ids(questionnaire), [*(names[p] for p in PROFILE),
                                       *(header(c, lang) for c in answer_columns(questionnaire))]


def template_csv(questionnaire: Questionnaire, lang: str) -> bytes:
    """The template as CSV (UTF-8 with a byte order mark, so Excel reads the Chinese headers)."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in header_rows(questionnaire, lang):
        writer.writerow(neutralise_row(row))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(questionnaire: Questionnaire, lang: str) -> bytes:
    """The template as a workbook: the id row, the header row (frozen), and empty rows to fill in."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "企业" if lang == "zh" else "Enterprises"
    for row in header_rows(questionnaire, lang):
        sheet.append(neutralise_row(row))
    sheet.freeze_panes = "A3"
    for letter in ("A", "B", "C"):
        sheet.column_dimensions[letter].width = 24
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

"""Chinese text uses Chinese punctuation: no ASCII , . : ; ! ? ( ) next to a Chinese character in any zh_CN
translation (messages.po) or any zh text of the shipped content (questionnaires/, scoring_models/, catalogue/).

"Next to" means touching it or with one space between ("企业(单位)", "数据: 请", "Q1: 说明"). What stays ASCII on
purpose, and is taken out before the check:

- placeholders, filled in by code: `%(item)s`, `{field}`, `{value!r}`;
- web addresses: `https://…`;
- a full stop inside a number, name or code, followed by a letter or digit: decimals (`0.5`), file types (`.csv`),
  versions (`2024.1`), domain names;
- interval notation, which is mathematics, not prose: `(60%,100%]`, `[0,10]`;
- a punctuation character quoted as itself between spaces, as in "以 ; 分隔" (the character a user must type).

Codes such as GB/T 4754 or 工信厅企业〔2024〕56号 contain none of these characters and need no exception.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "assessment/translations/zh_CN/LC_MESSAGES/messages.po"
CONTENT = ("questionnaires", "scoring_models", "catalogue")

CJK = "\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u201c\u201d\u2018\u2019\u2026\u2014"
"""Chinese characters, Chinese punctuation and full-width forms, and the quotes, ellipsis and dash Chinese uses."""
ASCII_PUNCTUATION = ",.:;!?()"
MISPLACED = re.compile(rf"[{CJK}] ?[{re.escape(ASCII_PUNCTUATION)}]|[{re.escape(ASCII_PUNCTUATION)}] ?[{CJK}]")
ALLOWED = [
    re.compile(r"%\(\w+\)[sdfr]"),                                      # %(item)s
    re.compile(r"\{\w*(?:![rsa])?(?::[^{}]*)?\}"),                      # {field}, {value!r}
    re.compile(r"https?://[!-~]+"),                                     # a web address
    re.compile(r"\.(?=[A-Za-z0-9])"),                                   # 0.5, .csv, 2024.1
    re.compile(r"[\[(] ?-?[\d.]*%? ?, ?-?[\d.]*%? ?[\])]"),             # (60%,100%]
    re.compile(rf"(?<= )[{re.escape(ASCII_PUNCTUATION)}](?= )"),        # 以 ; 分隔
]


def misplaced(text: str) -> list[str]:
    """The places in a Chinese text where ASCII punctuation touches Chinese, with a little context."""
    masked = text
    for allowed in ALLOWED:
        masked = allowed.sub(lambda m: "x" * len(m.group(0)), masked)
    return [text[max(0, m.start() - 8):m.end() + 8] for m in MISPLACED.finditer(masked)]


def zh_texts(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """Every `zh:` text in a content document, with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "zh" and isinstance(value, str):
                yield f"{where}.zh", value
            else:
                yield from zh_texts(value, f"{where}.{key}")
    elif isinstance(node, list):
        for number, value in enumerate(node):
            yield from zh_texts(value, f"{where}[{number}]")


@pytest.mark.parametrize(("text", "count"), [
    ("能源(扣除重复因素)的总和", 2),
    ("数据: 请填写", 1),
    ("请检查,然后提交.", 2),
    ("Q1: 说明", 1),
    ("%(item)s：%(message)s", 0),
    ("{file}：只能导入 .csv 和 .xlsx 文件。", 0),
    ("占比 (60%,100%] 为五级", 0),
    ("以 ; 分隔，或 any", 0),
    ("详见 https://www.miit.gov.cn/a.html。", 0),
    ("版本 2024.1，得分 0.5 分", 0),
])
def test_the_check_finds_ascii_punctuation_next_to_chinese_and_allows_what_must_stay(text: str, count: int) -> None:
    assert len(misplaced(text)) == count, misplaced(text)


def test_every_chinese_translation_uses_chinese_punctuation() -> None:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="zh_CN")
    found = {}
    for message in catalogue:
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        hits = [hit for string in strings if string for hit in misplaced(string)]
        if message.id and hits:
            found[str(message.id)] = hits
    assert found == {}


@pytest.mark.parametrize("path", sorted(f.relative_to(ROOT).as_posix() for folder in CONTENT
                                        for f in (ROOT / folder).glob("*.yaml")))
def test_every_chinese_text_of_the_shipped_content_uses_chinese_punctuation(path: str) -> None:
    document = yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))
    found = {where: hits for where, text in zh_texts(document) if (hits := misplaced(text))}
    assert found == {}

"""统一社会信用代码 (unified social credit code, GB 32100-2015): its characters, check character and faults."""

from __future__ import annotations

from collections.abc import Mapping

from assessment.domain.answers import N_, Problem
from assessment.domain.enterprise.text import half_width

USCC_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters of the code, in value order (0–30); I, O, S, V and Z are never used."""

USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
"""Weights of characters 1–17 (3**i mod 31)."""

USCC_ORGANISATION_TYPES: Mapping[str, str] = {
    "1": "1239",    # 机构编制: 机关, 事业单位, 编办直接管理机构编制的群众团体, 其他
    "2": "19",      # 外交: 外国常驻新闻机构, 其他
    "3": "123459",  # 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 其他
    "4": "19",      # 文化: 外国在华文化中心, 其他
    "5": "1239",    # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": "129",     # 旅游: 外国旅游部门常驻代表机构, 港澳台地区旅游部门常驻内地（大陆）代表机构, 其他
    "7": "129",     # 宗教: 宗教活动场所, 宗教院校, 其他
    "8": "19",      # 工会: 基层工会, 其他
    "9": "123",     # 工商 (市场监管): 企业, 个体工商户, 农民专业合作社
    "A": "19",      # 中央军委改革和编制办公室: 军队事业单位, 其他
    "N": "1239",    # 农业: 组级, 村级, 乡镇级集体经济组织, 其他
    "Y": "1",       # 其他
}
"""登记管理部门码 → its 机构类别码 (GB 32100-2015 附录 A, with the departments added since)."""

USCC_REGION_PREFIXES = frozenset({
    "10", "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
})
"""First two digits of a 登记管理机关行政区划码: a GB/T 2260 province, or 10 for national registration (100000)."""

_USCC_VALUES = {c: n for n, c in enumerate(USCC_CHARACTERS)}


def normalise_uscc(code: str) -> str:
    """The code as it should be stored: full-width turned half-width, surrounding spaces removed, upper case."""
    return half_width(code).strip().upper()


def uscc_check_character(first17: str) -> str:
    """The check character (18th) for the first 17 characters of a code: 31 − (Σ value × weight mod 31), 31 → 0."""
    body = normalise_uscc(first17)
    if len(body) != 17 or any(c not in _USCC_VALUES for c in body):
        raise ValueError(f"expected 17 characters from {USCC_CHARACTERS}, got {first17!r}")
    remainder = sum(_USCC_VALUES[c] * w for c, w in zip(body, USCC_WEIGHTS, strict=True)) % 31
    return USCC_CHARACTERS[(31 - remainder) % 31]


def uscc_fault(code: str) -> Problem | None:
    """Why a 统一社会信用代码 is not valid under GB 32100-2015, as a Problem (item "uscc"); None if it is valid."""
    text = normalise_uscc(code)
    if not text:
        return Problem("uscc", "required", N_("Enter the unified social credit code (18 characters)"))
    if len(text) != 18:
        return Problem("uscc", "uscc_length",
                       N_("A unified social credit code has 18 characters; this one has {length}"),
                       {"length": len(text)})
    for position, character in enumerate(text, start=1):
        if character not in _USCC_VALUES:
            return Problem("uscc", "uscc_character",
                           N_("Character {position} ({character}) cannot appear in a unified social credit code: "
                              "it uses digits and capital letters except I, O, S, V and Z"),
                           {"position": position, "character": character})
    if text[1] not in USCC_ORGANISATION_TYPES.get(text[0], ""):
        return Problem("uscc", "uscc_organisation_type",
                       N_("The first two characters ({pair}) are not a registration department and organisation "
                          "type defined by GB 32100-2015 (an enterprise's code starts with 91)"),
                       {"pair": text[:2]})
    region = text[2:8]
    if not (region.isdigit() and region[:2] in USCC_REGION_PREFIXES):
        return Problem("uscc", "uscc_region",
                       N_("Characters 3–8 ({region}) should be the six-digit administrative division code of the "
                          "registration authority"),
                       {"region": region})
    expected = uscc_check_character(text[:17])
    if text[17] != expected:
        return Problem("uscc", "uscc_check",
                       N_("The last character is {actual}, but the first 17 characters give the check character "
                          "{expected}; please check the code for a typing error"),
                       {"actual": text[17], "expected": expected})
    return None


def uscc_problem(code: str) -> str | None:
    """None if the code is a valid 统一社会信用代码, else the English reason (uscc_fault gives msgid and params)."""
    fault = uscc_fault(code)
    return None if fault is None else fault.render()

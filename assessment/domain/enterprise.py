"""Enterprise profile: 统一社会信用代码, GB/T 2260 regions, GB/T 4754-2017 industries, 2017 size classes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

from assessment.domain.answers import N_, Problem
from assessment.domain.numbers import NumberRule, check_number, plain, read_decimal

# ---------------------------------------------------------------------------------------------------------------
# Text input

_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def half_width(text: str) -> str:
    """The text with full-width ASCII forms (Ａ, ９, ＋, the ideographic space) turned into plain ASCII."""
    return text.translate(_FULL_WIDTH)


# ---------------------------------------------------------------------------------------------------------------
# 统一社会信用代码 (GB 32100-2015)

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


# ---------------------------------------------------------------------------------------------------------------
# GB/T 2260 administrative divisions

RegionLevel = Literal["province", "city", "county"]

GROUPING_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
"""Names of city-level rows that only group counties (municipalities' 市辖区/县, 省直辖县级行政区划)."""


def normalise_region_code(code: str) -> str | None:
    """The six-digit form of a division code ("11" → "110000", "1101" → "110100"); None if it is not one."""
    text = half_width(code).strip()
    if not re.fullmatch(r"[0-9]{2}|[0-9]{4}|[0-9]{6}", text):
        return None
    return text.ljust(6, "0")


@dataclass(frozen=True)
class Region:
    """One GB/T 2260 division; code is six digits, parent the six-digit code of the level above."""

    code: str
    name: str
    level: RegionLevel
    parent: str | None

    @property
    def grouping(self) -> bool:
        """True for a city-level row that only groups counties (e.g. 北京市 / 市辖区), not a place of its own."""
        return self.level == "city" and self.name in GROUPING_NAMES


@dataclass(frozen=True)
class Regions:
    """The division list as a province → city → county tree; every method takes 2-, 4- or 6-digit codes."""

    entries: tuple[Region, ...]
    list_date: str = ""
    _by_code: dict[str, Region] = field(init=False, repr=False, compare=False)
    _children: dict[str | None, tuple[Region, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_code = {r.code: r for r in self.entries}
        children: dict[str | None, list[Region]] = {}
        for r in sorted(self.entries, key=lambda r: r.code):
            children.setdefault(r.parent, []).append(r)
        object.__setattr__(self, "_by_code", by_code)
        object.__setattr__(self, "_children", {k: tuple(v) for k, v in children.items()})

    def get(self, code: str) -> Region | None:
        """The division with this code, or None."""
        key = normalise_region_code(code)
        return None if key is None else self._by_code.get(key)

    def valid(self, code: str) -> bool:
        """Whether the code is in the list (at any level)."""
        return self.get(code) is not None

    def name(self, code: str) -> str | None:
        """The division's own name (东城区), or None if the code is unknown."""
        region = self.get(code)
        return None if region is None else region.name

    def provinces(self) -> tuple[Region, ...]:
        """Every province-level division, by code."""
        return tuple(r for r in self._children.get(None, ()) if r.level == "province")

    def cities(self, province_code: str) -> tuple[Region, ...]:
        """The city-level divisions of a province, by code (including grouping rows such as 市辖区)."""
        return self._below(province_code, "province")

    def counties(self, city_code: str) -> tuple[Region, ...]:
        """The county-level divisions of a city, by code."""
        return self._below(city_code, "city")

    def _below(self, code: str, level: RegionLevel) -> tuple[Region, ...]:
        region = self.get(code)
        if region is None or region.level != level:
            return ()
        return self._children.get(region.code, ())

    def path(self, code: str) -> tuple[Region, ...]:
        """Province → city → county down to this division, leaving out grouping rows above it; () if unknown."""
        # 110101 gives (北京市, 东城区), not (北京市, 市辖区, 东城区); 110100 itself gives (北京市, 市辖区).
        region = self.get(code)
        chain: list[Region] = []
        while region is not None:
            if not chain or not region.grouping:
                chain.append(region)
            region = self._by_code.get(region.parent) if region.parent else None
        return tuple(reversed(chain))

    def full_name(self, code: str, separator: str = " / ") -> str | None:
        """The path's names joined (北京市 / 东城区), or None if the code is unknown."""
        chain = self.path(code)
        return separator.join(r.name for r in chain) if chain else None

    def contains(self, ancestor: str, code: str) -> bool:
        """Whether `code` lies within `ancestor` (a division contains itself); for jurisdiction scoping."""
        top = self.get(ancestor)
        region = self.get(code)
        if top is None:
            return False
        while region is not None:
            if region.code == top.code:
                return True
            region = self._by_code.get(region.parent) if region.parent else None
        return False


# ---------------------------------------------------------------------------------------------------------------
# GB/T 4754-2017 国民经济行业分类

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


@dataclass(frozen=True)
class Industries:
    """The industry classification as a tree; codes may carry their 门类 letter ("C3741")."""

    entries: tuple[Industry, ...]
    _by_code: dict[str, Industry] = field(init=False, repr=False, compare=False)
    _children: dict[str | None, tuple[Industry, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        children: dict[str | None, list[Industry]] = {}
        for i in sorted(self.entries, key=lambda i: i.code):
            children.setdefault(i.parent, []).append(i)
        object.__setattr__(self, "_by_code", {i.code: i for i in self.entries})
        object.__setattr__(self, "_children", {k: tuple(v) for k, v in children.items()})

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


# ---------------------------------------------------------------------------------------------------------------
# Size classes: 《统计上大中小微型企业划分办法（2017）》 (国家统计局, 国统字〔2017〕213号)

SizeClass = Literal["large", "medium", "small", "micro"]
SIZE_CLASSES: tuple[SizeClass, ...] = ("large", "medium", "small", "micro")

SIZE_CLASS_LABELS: Mapping[SizeClass, str] = {
    "large": N_("Large"),
    "medium": N_("Medium"),
    "small": N_("Small"),
    "micro": N_("Micro"),
}
"""English msgids of the size classes (大型, 中型, 小型, 微型); translated where shown."""

Bounds = tuple[int, int, int]


@dataclass(frozen=True)
class SizeRule:
    """One row of the 2017 table: the lower bounds for large, medium and small of each indicator it uses."""

    key: str
    name: str
    employees: Bounds | None = None
    revenue: Bounds | None = None
    assets: Bounds | None = None


SIZE_RULES: Mapping[str, SizeRule] = {r.key: r for r in (
    SizeRule("agriculture", "农、林、牧、渔业", revenue=(20000, 500, 50)),
    SizeRule("industry", "工业", employees=(1000, 300, 20), revenue=(40000, 2000, 300)),
    SizeRule("construction", "建筑业", revenue=(80000, 6000, 300), assets=(80000, 5000, 300)),
    SizeRule("wholesale", "批发业", employees=(200, 20, 5), revenue=(40000, 5000, 1000)),
    SizeRule("retail", "零售业", employees=(300, 50, 10), revenue=(20000, 500, 100)),
    SizeRule("transport", "交通运输业", employees=(1000, 300, 20), revenue=(30000, 3000, 200)),
    SizeRule("warehousing", "仓储业", employees=(200, 100, 20), revenue=(30000, 1000, 100)),
    SizeRule("postal", "邮政业", employees=(1000, 300, 20), revenue=(30000, 2000, 100)),
    SizeRule("accommodation", "住宿业", employees=(300, 100, 10), revenue=(10000, 2000, 100)),
    SizeRule("catering", "餐饮业", employees=(300, 100, 10), revenue=(10000, 2000, 100)),
    SizeRule("information_transmission", "信息传输业", employees=(2000, 100, 10), revenue=(100000, 1000, 100)),
    SizeRule("software", "软件和信息技术服务业", employees=(300, 100, 10), revenue=(10000, 1000, 50)),
    SizeRule("real_estate_development", "房地产开发经营", revenue=(200000, 1000, 100), assets=(10000, 5000, 2000)),
    SizeRule("property_management", "物业管理", employees=(1000, 300, 100), revenue=(5000, 1000, 500)),
    SizeRule("leasing_business_services", "租赁和商务服务业", employees=(300, 100, 10), assets=(120000, 8000, 100)),
    SizeRule("other", "其他未列明行业", employees=(300, 100, 10)),
)}
"""The 2017 table (employees in persons; revenue 营业收入 and assets 资产总额 in 万元)."""

# Rows chosen by the longest matching code prefix; 门类 whose rows differ by 大类 need at least the 大类.
_SIZE_RULE_PREFIXES: Mapping[str, str] = {
    "A": "agriculture", "B": "industry", "C": "industry", "D": "industry", "E": "construction",
    "L": "leasing_business_services",
    "51": "wholesale", "52": "retail",
    "54": "transport", "55": "transport", "56": "transport", "57": "transport", "58": "transport",
    "591": "transport",  # 装卸搬运 counts with transport; the rest of 59 is 仓储业
    "59": "warehousing", "60": "postal", "61": "accommodation", "62": "catering",
    "63": "information_transmission", "64": "information_transmission", "65": "software",
    "701": "real_estate_development", "702": "property_management",
}


def size_rule(industry_code: str | None) -> SizeRule:
    """The row of the 2017 table for an industry code; 其他未列明行业 for anything the table does not name."""
    if industry_code is None:
        return SIZE_RULES["other"]
    section = section_of_division(industry_code)
    if section is None:
        return SIZE_RULES["other"]
    key = normalise_industry_code(industry_code)
    prefix = next((key[:n] for n in (3, 2) if key.isdigit() and key[:n] in _SIZE_RULE_PREFIXES), section)
    return SIZE_RULES[_SIZE_RULE_PREFIXES.get(prefix, "other")]


def _class_index(bounds: Bounds, value: int | Fraction) -> int:
    return next((n for n, low in enumerate(bounds) if value >= low), 3)


def size_class(industry_code: str | None, employees: int, revenue_10k_cny: Fraction | None) -> SizeClass:
    """The size class under the 2017 rules (every bound met for large/medium/small, else one class down)."""
    # Assets (资产总额) are not collected, so construction and real-estate development are classed by revenue
    # alone and leasing/business services by employees alone (never lower than the official class). Without
    # revenue, rows that also count employees use them; rows that use revenue alone cannot be classed.
    if employees < 0:
        raise ValueError(f"employees cannot be negative: {employees}")
    if revenue_10k_cny is not None and revenue_10k_cny < 0:
        raise ValueError(f"revenue cannot be negative: {revenue_10k_cny}")
    rule = size_rule(industry_code)
    measured: list[tuple[Bounds, int | Fraction]] = []
    if rule.employees is not None:
        measured.append((rule.employees, employees))
    if rule.revenue is not None and revenue_10k_cny is not None:
        measured.append((rule.revenue, revenue_10k_cny))
    if not measured:
        raise ValueError(f"{rule.name} is classed by operating revenue, which is missing")
    return SIZE_CLASSES[max(_class_index(bounds, value) for bounds, value in measured)]


# ---------------------------------------------------------------------------------------------------------------
# The profile

Zhuanjingtexin = Literal["none", "provincial", "national_little_giant"]
ZHUANJINGTEXIN_STATUSES: tuple[Zhuanjingtexin, ...] = ("none", "provincial", "national_little_giant")

ZHUANJINGTEXIN_LABELS: Mapping[Zhuanjingtexin, str] = {
    "none": N_("No specialised-and-sophisticated recognition"),
    "provincial": N_("Provincial specialised, refined, distinctive and innovative SME"),
    "national_little_giant": N_("National specialised, refined, distinctive and innovative “little giant”"),
}
"""English msgids of the 专精特新 statuses (无 / 省级专精特新中小企业 / 国家级专精特新“小巨人”企业)."""

PROFILE_FIELDS = ("name", "uscc", "region_code", "industry_code", "employees", "revenue_10k_cny",
                  "zhuanjingtexin", "contact_name", "contact_email", "contact_phone", "consent_statistics")

_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


@dataclass(frozen=True)
class EnterpriseProfile:
    """Who is being assessed: registration, place, industry, size figures, 专精特新 status, contact, consent."""

    name: str
    uscc: str
    region_code: str
    industry_code: str
    employees: int
    revenue_10k_cny: Fraction
    zhuanjingtexin: Zhuanjingtexin = "none"
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    consent_statistics: bool = False

    @property
    def size(self) -> SizeClass:
        """The size class from industry, employees and revenue (2017 statistical rules)."""
        return size_class(self.industry_code, self.employees, self.revenue_10k_cny)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


EMPLOYEES = NumberRule(Fraction(0), Fraction(10_000_000), integer=True)
"""Employees at the end of last year: a whole number up to ten million (the largest employers have a few million)."""

REVENUE = NumberRule(Fraction(0), Fraction(10**10), places=4)
"""Operating revenue in 10,000 yuan: up to 10^10 (10^14 yuan), to the yuan (the column is NUMERIC(18, 4))."""


def _quoted(value: Any) -> Any:
    return value[:40] + "…" if isinstance(value, str) and len(value) > 40 else value


def _employees_problem(value: Any) -> Problem | None:
    count = read_decimal(value)
    if count is None or check_number(count, EMPLOYEES) == "not_integer":
        return Problem("employees", "not_integer", N_("The number of employees must be a whole number, not {value}"),
                       {"value": _quoted(value)})
    if count < 0:
        return Problem("employees", "negative", N_("The number of employees cannot be negative"))
    if check_number(count, EMPLOYEES) is not None:
        return Problem("employees", "too_large", N_("The number of employees cannot be more than {high}"),
                       {"high": plain(EMPLOYEES.maximum or Fraction(0))})
    return None


def _revenue_problem(value: Any) -> Problem | None:
    amount = read_decimal(value)
    if amount is None:
        return Problem("revenue_10k_cny", "not_number",
                       N_("Operating revenue must be a number of 10,000 yuan, not {value}"), {"value": _quoted(value)})
    if amount < 0:
        return Problem("revenue_10k_cny", "negative", N_("Operating revenue cannot be negative"))
    refused = check_number(amount, REVENUE)
    if refused == "too_precise":
        return Problem("revenue_10k_cny", "too_precise",
                       N_("Operating revenue can have at most 4 decimal places (to the yuan)"))
    if refused is not None:
        return Problem("revenue_10k_cny", "too_large", N_("Operating revenue cannot be more than {high} (in 10,000 yuan)"),
                       {"high": plain(REVENUE.maximum or Fraction(0))})
    return None


def profile_problems(profile_fields: Mapping[str, Any], regions: Regions, industries: Industries) -> list[Problem]:
    """Every problem with raw profile fields (from a form or JSON), one Problem per field, item = field name."""
    problems: list[Problem] = []
    f = profile_fields

    if _blank(f.get("name")):
        problems.append(Problem("name", "required", N_("Enter the enterprise's registered name")))

    fault = uscc_fault(str(f.get("uscc") or ""))
    if fault is not None:
        problems.append(fault)

    problems.extend(_region_problems(f.get("region_code"), regions))
    problems.extend(_industry_problems(f.get("industry_code"), industries))

    employees = f.get("employees")
    if _blank(employees):
        problems.append(Problem("employees", "required", N_("Enter the number of employees")))
    elif (problem := _employees_problem(employees)) is not None:
        problems.append(problem)

    revenue = f.get("revenue_10k_cny")
    if _blank(revenue):
        problems.append(Problem("revenue_10k_cny", "required",
                                N_("Enter last year's operating revenue in 10,000 yuan (0 if none)")))
    elif (problem := _revenue_problem(revenue)) is not None:
        problems.append(problem)

    status = f.get("zhuanjingtexin", "none")
    if status not in ZHUANJINGTEXIN_STATUSES:
        problems.append(Problem("zhuanjingtexin", "unknown_choice",
                                N_("Choose one of the listed specialised-and-sophisticated statuses")))

    email = f.get("contact_email")
    if not _blank(email) and not (isinstance(email, str) and len(email.strip()) <= 254
                                  and _EMAIL.fullmatch(email.strip())):
        problems.append(Problem("contact_email", "bad_email",
                                N_("{value} is not an email address"), {"value": email}))
    return problems


def _region_problems(raw: Any, regions: Regions) -> Iterable[Problem]:
    if _blank(raw):
        yield Problem("region_code", "required",
                      N_("Choose the city or county/district where the enterprise is registered"))
        return
    region = regions.get(str(raw))
    if region is None:
        yield Problem("region_code", "unknown_region",
                      N_("{code} is not an administrative division code in the GB/T 2260 list"), {"code": raw})
    elif region.level == "province":
        yield Problem("region_code", "region_level",
                      N_("{name} is a province; choose the city or county/district where the enterprise is "
                         "registered"), {"name": region.name, "code": region.code})
    elif region.grouping:
        province = regions.get(region.parent or "")
        yield Problem("region_code", "region_grouping",
                      N_("{province} / {name} only groups districts and counties; choose the district or county"),
                      {"name": region.name, "code": region.code, "province": province.name if province else ""})


def _industry_problems(raw: Any, industries: Industries) -> Iterable[Problem]:
    if _blank(raw):
        yield Problem("industry_code", "required", N_("Choose the enterprise's main industry"))
        return
    industry = industries.get(str(raw))
    if industry is None:
        yield Problem("industry_code", "unknown_industry",
                      N_("{code} is not an industry code of GB/T 4754-2017"), {"code": raw})
    elif industry.level == 1:
        yield Problem("industry_code", "industry_level",
                      N_("{name} is an industry section; choose the industry division (大类) or a finer class"),
                      {"name": industry.name, "code": industry.code})

"""Size classes under 《统计上大中小微型企业划分办法（2017）》 (国家统计局, 国统字〔2017〕213号)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from assessment.domain.answers import N_
from assessment.domain.enterprise.industries import normalise_industry_code, section_of_division

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

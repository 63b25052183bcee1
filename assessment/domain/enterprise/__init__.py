"""Enterprise profile: 统一社会信用代码, GB/T 2260 regions, GB/T 4754-2017 industries, 2017 size classes.

Modules: `uscc` (the credit code), `regions` and `industries` (the code lists as trees), `size` (size classes),
`profile` (the profile value), `validation` (checks of raw profile fields) and `text` (full-width input).
"""

from assessment.domain.enterprise.industries import (
    DIVISION_RANGES,
    Industries,
    Industry,
    IndustryLevel,
    normalise_industry_code,
    section_of_division,
)
from assessment.domain.enterprise.profile import (
    PROFILE_FIELDS,
    ZHUANJINGTEXIN_LABELS,
    ZHUANJINGTEXIN_STATUSES,
    EnterpriseProfile,
    Zhuanjingtexin,
)
from assessment.domain.enterprise.regions import GROUPING_NAMES, Region, RegionLevel, Regions, normalise_region_code
from assessment.domain.enterprise.size import (
    SIZE_CLASS_LABELS,
    SIZE_CLASSES,
    SIZE_RULES,
    Bounds,
    SizeClass,
    SizeRule,
    size_class,
    size_rule,
)
from assessment.domain.enterprise.text import half_width
from assessment.domain.enterprise.uscc import (
    USCC_CHARACTERS,
    USCC_ORGANISATION_TYPES,
    USCC_REGION_PREFIXES,
    USCC_WEIGHTS,
    normalise_uscc,
    uscc_check_character,
    uscc_fault,
    uscc_problem,
)
from assessment.domain.enterprise.validation import EMPLOYEES, REVENUE, profile_problems

__all__ = [
    "DIVISION_RANGES", "EMPLOYEES", "GROUPING_NAMES", "PROFILE_FIELDS", "REVENUE", "SIZE_CLASSES", "SIZE_CLASS_LABELS",
    "SIZE_RULES", "USCC_CHARACTERS", "USCC_ORGANISATION_TYPES", "USCC_REGION_PREFIXES", "USCC_WEIGHTS",
    "ZHUANJINGTEXIN_LABELS", "ZHUANJINGTEXIN_STATUSES", "Bounds", "EnterpriseProfile", "Industries", "Industry",
    "IndustryLevel", "Region", "RegionLevel", "Regions", "SizeClass", "SizeRule", "Zhuanjingtexin", "half_width",
    "normalise_industry_code", "normalise_region_code", "normalise_uscc", "profile_problems", "section_of_division",
    "size_class", "size_rule", "uscc_check_character", "uscc_fault", "uscc_problem",
]

"""The enterprise profile: who is being assessed, and its 专精特新 (specialised-and-sophisticated) status."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from assessment.domain.answers import N_
from assessment.domain.enterprise.size import SizeClass, size_class

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

"""Solution-catalogue values: 小快轻准 products and services with the scenarios and items they lift."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Literal

from assessment.domain.enterprise import SizeClass, normalise_industry_code, section_of_division
from assessment.domain.questionnaire import Text

ProviderType = Literal["integrator", "product", "chain_leader", "scenario_provider"]
Deployment = Literal["saas", "private", "hybrid", "hardware_software", "edge", "service"]
PriceModel = Literal["per_year", "per_user_month", "per_device", "one_off", "per_project", "free"]
ListingStatus = Literal["listed", "under_review", "delisted", "provider_declared", "illustrative"]

PROVIDER_TYPES: tuple[ProviderType, ...] = ("integrator", "product", "chain_leader", "scenario_provider")
DEPLOYMENTS: tuple[Deployment, ...] = ("saas", "private", "hybrid", "hardware_software", "edge", "service")
SIZE_CLASSES: tuple[SizeClass, ...] = ("large", "medium", "small", "micro")
PRICE_MODELS: tuple[PriceModel, ...] = ("per_year", "per_user_month", "per_device", "one_off", "per_project", "free")
LISTING_STATUSES: tuple[ListingStatus, ...] = ("listed", "under_review", "delisted", "provider_declared", "illustrative")
ANY = "any"
ALL_REGIONS = "all"


@dataclass(frozen=True)
class Provider:
    """Who offers a solution, what kind of provider it is and where it serves (GB/T 2260 codes or "all")."""

    name: Text
    type: ProviderType
    regions: tuple[str, ...] = (ALL_REGIONS,)

    def serves(self, region: str) -> bool:
        """Whether a GB/T 2260 region code (e.g. 370102) lies in one of the regions served."""
        return any(r == ALL_REGIONS or region.startswith(region_prefix(r)) for r in self.regions)


def region_prefix(code: str) -> str:
    """The significant digits of a GB/T 2260 code: 370000 → 37 (province), 370100 → 3701 (city)."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


@dataclass(frozen=True)
class ScenarioLift:
    """The solution takes a rated scenario from `from_level` (or above) to `to_level`."""

    scenario: str
    from_level: int
    to_level: int


@dataclass(frozen=True)
class ItemLift:
    """The solution enables options of a Part-A item; `points` is what the provider claims it adds."""

    item: str
    options: tuple[str, ...]
    points: Fraction | None = None


@dataclass(frozen=True)
class Prerequisite:
    """What must already hold: a rated item at `at_least`, or an option item answered with one of `any_of`."""

    item: str
    at_least: int | None = None
    any_of: tuple[str, ...] = ()


@dataclass(frozen=True)
class Price:
    """How a solution is charged; min/max are the first-year total in CNY for a typical SME deployment."""

    model: PriceModel
    min_cny: int
    max_cny: int
    note: Text | None = None

    @property
    def mid_cny(self) -> Fraction:
        """The middle of the range, used to compare costs."""
        return Fraction(self.min_cny + self.max_cny, 2)


@dataclass(frozen=True)
class Weeks:
    """Implementation time in weeks."""

    min_weeks: int
    max_weeks: int


@dataclass(frozen=True)
class Listing:
    """Whether and where the entry is listed (e.g. a city product library), as of an ISO date."""

    status: ListingStatus
    source: str
    date: str


@dataclass(frozen=True)
class Provenance:
    """Where an entry comes from: its catalogue `id@version`, the file, and whether it is demo data."""

    catalogue: str
    file: str
    demo: bool


@dataclass(frozen=True)
class Solution:
    """One catalogue entry: a product or service with the scenarios and items it lifts, for whom, at what cost."""

    id: str
    name: Text
    provider: Provider
    deployment: tuple[Deployment, ...]
    scenarios: tuple[ScenarioLift, ...]
    items: tuple[ItemLift, ...]
    industries: tuple[str, ...]
    sizes: tuple[SizeClass, ...]
    price: Price
    weeks: Weeks
    listing: Listing
    version: str
    provenance: Provenance
    summary: Text | None = None
    requires: tuple[Prerequisite, ...] = ()
    effects: tuple[Text, ...] = ()
    showcase: Text | None = None

    @property
    def key(self) -> str:
        """`catalogue-ref/id`, unique across several loaded catalogues."""
        return f"{self.provenance.catalogue}/{self.id}"

    def fits_industry(self, code: str) -> bool:
        """Whether a GB/T 4754 code ("3670" or "C3670") falls under one of the industries served."""
        section = section_of_division(code)
        digits = normalise_industry_code(code)
        return any(i == ANY or (i[0] == section and digits.startswith(i[1:])) for i in self.industries)


@dataclass(frozen=True)
class Catalogue:
    """A versioned solution catalogue (national, provincial, a provider's own, or demo data); equal when every field is."""

    id: str
    version: str
    name: Text
    questionnaire: str
    languages: tuple[str, ...]
    solutions: tuple[Solution, ...]
    file: str
    demo: bool = False
    description: Text | None = None
    publisher: Text | None = None
    source: Text | None = None

    def __hash__(self) -> int:
        """The hash of the reference: equal catalogues share it, and it is cheap where catalogues key a cache."""
        return hash((self.id, self.version))

    @property
    def ref(self) -> str:
        """`id@version`, kept on every entry as its provenance."""
        return f"{self.id}@{self.version}"

    @cached_property
    def solution_index(self) -> Mapping[str, Solution]:
        """Entries by id."""
        return {s.id: s for s in self.solutions}

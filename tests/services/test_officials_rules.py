"""The officials' rules the adapters call: k and its floor, the default period, the regions a dashboard may narrow to,
the fields of a download, and the target an official may set."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assessment.content.codes import regions
from assessment.db.officials import Target
from assessment.services.aggregates.filters import Selection
from assessment.services.aggregates.jurisdiction import NATIONAL, jurisdiction_of, region_choices
from assessment.services.aggregates.officials import Official, export_fields, read_target
from assessment.services.aggregates.periods import default_period
from assessment.services.aggregates.policy import disclosure_policy, export_limit


def test_k_comes_from_the_settings_and_never_falls_under_the_floor() -> None:
    assert disclosure_policy({}).k == 5
    assert disclosure_policy({"DISCLOSURE_K": 2, "DISCLOSURE_MIN_K": 4}).k == 4
    assert disclosure_policy({"DISCLOSURE_MIN_K": 4}, 10).k == 10
    with pytest.raises(ValueError, match="minimum cell size is 4"):
        disclosure_policy({"DISCLOSURE_MIN_K": 4}, 3)
    assert export_limit({}) == 5_000 and export_limit({"EXPORT_MAX_GROUPS": 10}) == 10


def test_the_dashboard_opens_on_the_latest_period_big_enough_to_publish() -> None:
    assert default_period([(2025, 900), (2026, 40), (2027, 3)], floor=20) == 2026
    assert default_period([(2025, 3), (2026, 4)], floor=20) == 2026
    assert default_period([], floor=20) is None


def test_a_province_may_be_narrowed_to_its_cities_and_their_counties_the_country_to_provinces_and_cities() -> None:
    jiangsu = jurisdiction_of(regions(), "320000")
    assert jiangsu is not None
    codes = [code for code, _label in region_choices(regions(), jiangsu)]
    assert "320100" in codes and "320102" in codes and all(c.startswith("32") for c in codes)
    national = [code for code, _label in region_choices(regions(), NATIONAL)]
    assert "320000" in national and "320100" in national and "320102" not in national


def test_a_download_breaks_down_by_region_and_level_unless_the_scope_is_a_county() -> None:
    codes = regions()
    national = Official(1, "o@example.gov.cn", NATIONAL)
    assert export_fields([], national, Selection("miit-2024"), codes) == ("region", "level")
    assert export_fields([], national, Selection("miit-2024", region="320102"), codes) == ("section", "level")
    assert export_fields(["size"], national, Selection("miit-2024"), codes) == ("size",)


def test_a_target_is_a_level_a_percentage_and_an_optional_year() -> None:
    target, errors = read_target({"level": "2", "share": "30%", "year": ""}, str)
    assert target == Target(2, Decimal("0.3000"), None) and errors == {}
    target, errors = read_target({"level": "5", "share": "140", "year": "27"}, str)
    assert target is None and set(errors) == {"level", "share", "year"}

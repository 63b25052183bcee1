"""A data field may be declared a part of another (`at_most`); the reference is checked when content loads."""

from __future__ import annotations

from pathlib import Path

from shipped import miit
from test_content_validation import QUESTIONNAIRE, errors_for

FIGURES = (
    "          - {key: B, text: {zh: 有, en: Has one}}\n"
    "        fields:\n"
    "          - {id: total, label: {zh: 总数, en: Total}, unit: {zh: 台, en: units}}\n"
    "          - {id: part, label: {zh: 部分, en: Part}, unit: {zh: 台, en: units}, at_most: WHOLE}\n"
    "        derive:\n          band:\n            numerator: part\n            denominator: total\n"
    "            bands:\n              - {option: A, le: 1}\n              - {option: B, gt: 1}\n"
)


def with_whole(whole: str) -> str:
    return QUESTIONNAIRE.replace("          - {key: B, text: {zh: 有, en: Has one}}\n",
                                 FIGURES.replace("WHOLE", whole))


def test_a_part_of_a_declared_whole_loads(tmp_path: Path) -> None:
    assert errors_for(tmp_path, with_whole("total")) == []


def test_a_part_of_an_undeclared_field_is_refused_at_its_path(tmp_path: Path) -> None:
    (err,) = errors_for(tmp_path, with_whole("devices"))
    assert err.message == "'part' is at most data field 'devices', which no item declares"
    assert err.path == "sections[0].items[1].fields[1].at_most"
    assert err.line is not None


def test_a_field_cannot_be_a_part_of_itself(tmp_path: Path) -> None:
    (err,) = errors_for(tmp_path, with_whole("part"))
    assert err.message == "'part' cannot be at most itself"


def test_a_part_and_its_whole_are_counted_in_the_same_unit(tmp_path: Path) -> None:
    bad = with_whole("total").replace("{id: total, label: {zh: 总数, en: Total}, unit: {zh: 台, en: units}}",
                                      "{id: total, label: {zh: 总数, en: Total}, unit: {zh: 万元, en: 10k CNY}}")
    (err,) = errors_for(tmp_path, bad)
    assert err.message == "'part' is at most 'total', but they are counted in different units"


def test_every_device_ratio_of_miit_2024_is_a_part_of_all_devices() -> None:
    fields = miit()[0].data_fields()
    parts = {fid: spec.at_most for fid, spec in fields.items() if spec.at_most is not None}
    assert parts == {"digitized_devices": "total_devices", "networked_devices": "total_devices"}

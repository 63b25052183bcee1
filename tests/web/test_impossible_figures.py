"""A figure larger than the whole it is part of is refused on saving, with a message naming both figures."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from journey import Journey, app_with_content

REFUSAL_ZH = "实现数字化的生产设备数量（150）不能多于生产设备总数（100）。"


def test_more_digitized_than_all_devices_is_refused_and_the_saved_answer_kept(journey: Journey) -> None:
    assessment_id = journey.start()
    journey.answer(assessment_id, "foundation", {}, {"total_devices": 100, "digitized_devices": 30})
    # the page script could have ticked E from an intermediate figure; it must not be saved either
    response = journey.answer(assessment_id, "foundation", {"Q2": "E"}, {"total_devices": 100, "digitized_devices": 150})
    assert response.status_code == 422
    assert REFUSAL_ZH in response.text
    assert 'id="Q2-digitized_devices-error"' in response.text and 'href="#Q2-digitized_devices"' in response.text
    record = journey.record(assessment_id)
    assert record.answers["Q2"] == "C"
    assert record.data == {"total_devices": 100, "digitized_devices": 30}


def test_impossible_figures_are_never_saved_as_an_option(journey: Journey) -> None:
    assessment_id = journey.start()
    response = journey.answer(assessment_id, "foundation", {"Q2": "E"}, {"total_devices": 100, "digitized_devices": 150})
    assert response.status_code == 422
    record = journey.record(assessment_id)
    assert "Q2" not in record.answers and "digitized_devices" not in record.data


def test_more_networked_than_all_devices_is_refused_in_english(journey: Journey) -> None:
    journey.client.post("/language", data={"lang": "en", "next": "/assessments"})
    assessment_id = journey.start()
    response = journey.answer(assessment_id, "foundation", {}, {"total_devices": 10, "networked_devices": 11})
    assert response.status_code == 422
    assert "Networked production devices (11) cannot be more than Production devices in total (10)." in response.text
    assert "networked_devices" not in journey.record(assessment_id).data


def test_the_live_hint_knows_which_figures_are_parts(journey: Journey) -> None:
    assessment_id = journey.start()
    page = journey.client.get(f"/assess/{assessment_id}/step/foundation").text
    found = re.search(r'id="item-Q2"[^>]*data-derive="([^"]+)"', page)
    assert found is not None
    spec = json.loads(found[1].replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&"))
    assert spec["limits"] == [["digitized_devices", "total_devices",
                               "实现数字化的生产设备数量（{value}）不能多于生产设备总数（{limit}）。"]]


PARTS_QUESTIONNAIRE = """\
format: questionnaire/1
id: tiny-parts
version: "1"
languages: [zh, en]
title: {zh: 部分与整体, en: Parts and wholes}
sections:
  - id: devices
    title: {zh: 设备, en: Devices}
    items:
      - id: D1
        type: single
        text: {zh: 设备规模, en: Devices}
        fields:
          - {id: total, label: {zh: 设备总数, en: Devices in total}, integer: true}
        derive: {band: {numerator: total, bands: [{option: A, le: 10}, {option: B, gt: 10}]}}
        options:
          - {key: A, text: {zh: 少, en: Few}}
          - {key: B, text: {zh: 多, en: Many}}
  - id: network
    title: {zh: 联网, en: Network}
    items:
      - id: N1
        type: single
        text: {zh: 联网率, en: Networked share}
        fields:
          - {id: networked, label: {zh: 联网设备数, en: Networked devices}, integer: true, at_most: total}
        derive: {band: {numerator: networked, denominator: total, bands: [{option: A, le: 0.5}, {option: B, gt: 0.5}]}}
        options:
          - {key: A, text: {zh: 低, en: Low}}
          - {key: B, text: {zh: 高, en: High}}
"""
PARTS_MODEL = """\
format: scoring-model/1
id: tiny-parts
version: "1"
questionnaire: tiny-parts
name: {zh: 部分与整体, en: Parts and wholes}
root: total
nodes:
  - {id: total, name: {zh: 总分, en: Total}, max: 2, aggregate: sum, children: [P1, P2]}
  - {id: P1, name: {zh: 设备, en: Devices}, max: 1, item: D1, points: {A: 0, B: 1}}
  - {id: P2, name: {zh: 联网, en: Network}, max: 1, item: N1, points: {A: 0, B: 1}}
levels:
  - level: 1
    name: {zh: 一级, en: Level 1}
    conditions:
      - score: {node: total, min: 1}
below: {level: 0, name: {zh: 无等级, en: Below level 1}}
"""


@pytest.fixture
def parts_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app with a questionnaire whose part (networked devices) is asked a step after its whole."""
    with app_with_content(database_url, tmp_path, "parts", PARTS_QUESTIONNAIRE, PARTS_MODEL) as app:
        yield app


def test_a_whole_made_smaller_than_its_part_saved_on_another_step_is_refused(parts_app: Flask) -> None:
    journey = Journey(parts_app.test_client())
    assessment_id = journey.start("tiny-parts")
    assert journey.answer(assessment_id, "devices", {}, {"total": 10}, qid="tiny-parts").status_code == 303
    assert journey.answer(assessment_id, "network", {}, {"networked": 8}, qid="tiny-parts").status_code == 303
    response = journey.answer(assessment_id, "devices", {}, {"total": 5}, qid="tiny-parts")
    assert response.status_code == 422
    assert "联网设备数（8）不能多于设备总数（5）。" in response.text
    record = journey.record(assessment_id)
    assert record.data == {"total": 10, "networked": 8}
    assert record.answers == {"D1": "A", "N1": "B"}

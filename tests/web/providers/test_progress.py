"""Re-assessment over time: T0, T1, … of one enterprise; deltas per dimension, indicator and scenario; a result made
with another model version is re-scored under the newer model when its answers allow it, else "not comparable"."""

from __future__ import annotations

import copy
import re
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from world import Tenant, World, worked_example

from assessment.content.loader import Library
from assessment.db import queries
from assessment.domain.answers import parse_answers
from assessment.domain.questionnaire import Item, Questionnaire, Section
from assessment.domain.scoring import score
from assessment.services import assessments, progress
from assessment.services import providers as tenancy
from assessment.services.providers import Principal
from assessment.web.app import create_app
from assessment.web.site import site

NEW_MODEL = "2025.1"


def improved() -> dict[str, Any]:
    """The worked example after a retrofit: two scenarios up a level, one more network option."""
    document = copy.deepcopy(worked_example())
    document["answers"]["S05"] = 4
    document["answers"]["S16"] = 2
    document["answers"]["Q1"] = ["B", "C", "D", "E"]
    return document


def _bumped(library: Library, questionnaire: Questionnaire | None = None) -> Library:
    """The shipped library plus a newer version of the MIIT model (and optionally of the questionnaire)."""
    model = library.model("miit-2024")
    models = {**library.models, "miit-2024": {**library.models["miit-2024"],
                                              NEW_MODEL: replace(model, version=NEW_MODEL)}}
    questionnaires = dict(library.questionnaires)
    if questionnaire is not None:
        questionnaires["miit-2024"] = {**questionnaires["miit-2024"], questionnaire.version: questionnaire}
    return Library(questionnaires, models, [], dict(library.files))


def _questionnaire_with_a_new_item(library: Library) -> Questionnaire:
    current = library.questionnaire("miit-2024")
    extra = Item(id="Q16", type="single", text={"zh": "新增题目", "en": "A new question"},
                 options=current.item("Q5").options)  # type: ignore[union-attr]
    sections = (*current.sections, Section("added", {"zh": "新增", "en": "Added"}, None, (extra,)))
    return Questionnaire(current.id, "2025.1", current.title, current.languages, sections, current.description,
                         current.source, current.groups)


def _submitted(world: World, tenant: Tenant, document: dict[str, Any], model_version: str | None = None) -> int:
    library = site(world.app).library
    questionnaire = library.questionnaire("miit-2024", "2024.1")
    model = library.model("miit-2024", model_version) if model_version else library.model("miit-2024", "2024.1")
    with world.session() as session:
        who = Principal(tenant.staff_id, "provider_staff", tenant.organisation_id)
        started = tenancy.start_for_client(session, who, tenant.enterprise_id, questionnaire, model, "guided",
                                           reuse_previous=False)
        version = queries.save_draft(session, started.record.id, 1, document["answers"], document.get("data", {}))
        assert version is not None
        assessments.submit(session, questionnaire, model, started.record.id, version)
    return started.record.id


def test_deltas_per_dimension_indicator_and_scenario_between_t0_and_t1(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    t0, t1 = _submitted(world, tenant, worked_example()), _submitted(world, tenant, improved())
    library = site(world.app).library
    questionnaire, model = library.questionnaire("miit-2024"), library.model("miit-2024")
    with world.session() as session:
        earlier, later = queries.get_assessment(session, t0), queries.get_assessment(session, t1)
        points = progress.series(session, tenant.enterprise_id)
    assert earlier is not None and later is not None
    assert [(p.label, p.line.id) for p in points] == [("T0", t0), ("T1", t1)]
    found = progress.compare(earlier, later, site(world.app).questionnaire, site(world.app).model, "zh")
    assert found is not None and found.status == "comparable"
    before = score(questionnaire, model, parse_answers(questionnaire, worked_example()))
    after = score(questionnaire, model, parse_answers(questionnaire, improved()))
    assert found.total is not None and found.total.delta == pytest.approx(float(after.total.value - before.total.value))
    assert {d.id: d.delta for d in found.dimensions} == pytest.approx(
        {d.id: float(after.nodes[d.id].value - before.nodes[d.id].value) for d in model.dimensions})
    moved = {d.id: d.delta for d in found.scenarios if d.delta}
    assert moved == {"S05": 1.0, "S16": 1.0}
    changed = {d.id for d in found.indicators if d.delta}
    assert changed and all(after.nodes[i].value != before.nodes[i].value for i in changed)
    assert len(found.indicators) == len([n for n in model.nodes if n != model.root]) - len(model.dimensions)


def test_the_history_page_shows_the_series_and_the_changes(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    _submitted(world, tenant, worked_example())
    _submitted(world, tenant, improved())
    for user in (tenant.owner_id, tenant.staff_id):
        page = world.client(user).get(f"/enterprises/{tenant.enterprise_id}/history").text
        assert 'id="point-T0"' in page and 'id="point-T1"' in page
        scenarios = re.search(r'<table class="list" id="delta-scenarios">(.*?)</table>', page, re.S)
        assert scenarios is not None and scenarios[1].count('class="up"') == 2
        assert 'id="delta-indicators"' in page and 'id="delta-dimensions"' in page
        assert 'id="not-comparable"' not in page and 'id="rescored"' not in page


def test_the_report_of_t1_shows_the_changed_indicators_and_scenarios(world: World, tmp_path: Path) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    _submitted(world, tenant, worked_example())
    t1 = _submitted(world, tenant, improved())
    response = world.client(tenant.owner_id).get(f"/results/{t1}/report.pdf")
    assert response.status_code == 200
    target = tmp_path / "t1.pdf"
    target.write_bytes(response.data)
    words = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True,
                                              check=True).stdout)
    assert "与上次评测对比" in words or "上次评测" in words
    assert "有变化的指标" in words and "有变化的场景" in words


@pytest.fixture
def bumped_app(database_url: str, library: Library) -> Iterator[Flask]:
    """The app with a newer version of the MIIT scoring model installed beside the old one."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test secret", "DATABASE_URL": database_url,
                      "CONTENT_LIBRARY": _bumped(library), "WTF_CSRF_ENABLED": False})
    yield app
    site(app).engine.dispose()


def test_a_result_under_an_older_model_is_rescored_under_the_newer_one(bumped_app: Flask) -> None:
    world = World(bumped_app)
    tenant = world.tenant("A", "91370102MA3C00001")
    t0 = _submitted(world, tenant, worked_example(), "2024.1")
    t1 = _submitted(world, tenant, improved(), NEW_MODEL)
    with world.session() as session:
        earlier, later = queries.get_assessment(session, t0), queries.get_assessment(session, t1)
    assert earlier is not None and later is not None and earlier.model_ref != later.model_ref
    found = progress.compare(earlier, later, site(bumped_app).questionnaire, site(bumped_app).model, "zh")
    assert found is not None and found.status == "rescored" and found.earlier_card is not None
    assert found.earlier_card.model == f"miit-2024@{NEW_MODEL}"
    assert {d.id: d.delta for d in found.scenarios if d.delta} == {"S05": 1.0, "S16": 1.0}
    page = world.client(tenant.owner_id).get(f"/enterprises/{tenant.enterprise_id}/history").text
    assert 'id="rescored"' in page and "不能直接比较：已重新计分" in page and "（版本 2024.1）" in page and "miit-2024@" not in page


def test_a_result_whose_answers_the_new_questionnaire_cannot_score_is_not_comparable(library: Library) -> None:
    newer = _questionnaire_with_a_new_item(library)
    bumped = _bumped(library, newer)
    questionnaire_of = {q.ref: q for versions in bumped.questionnaires.values() for q in versions.values()}.get
    model_of = {m.ref: m for versions in bumped.models.values() for m in versions.values()}.get
    old_q, new_m = library.questionnaire("miit-2024"), bumped.model("miit-2024", NEW_MODEL)
    card, problems = progress.rescore(_record("miit-2024@2024.1", "miit-2024@2024.1"), newer, new_m)
    assert card is None and "Q16" in problems[0].render()
    found = progress.compare(_record(old_q.ref, "miit-2024@2024.1"), _record(newer.ref, new_m.ref, improved()),
                             questionnaire_of, model_of, "en")
    assert found is not None and found.status == "not_comparable" and found.total is None
    assert found.dimensions == () and "Q16" in found.problems[0].render()


def _record(questionnaire_ref: str, model_ref: str, document: dict[str, Any] | None = None) -> queries.AssessmentRecord:
    doc = document or worked_example()
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    return queries.AssessmentRecord(1, None, 1, None, questionnaire_ref, model_ref, "submitted", "guided",
                                    doc["answers"], doc.get("data", {}), 2, moment, moment, moment, 3, None, None)

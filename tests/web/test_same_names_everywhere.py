"""The same names everywhere: a level is 一级…四级 (Level 1…4, 无等级 for none) on every page and filter, never a bare
digit; every time on a page is Beijing time, never UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import Flask
from journey import Journey, registered
from sqlalchemy import update
from world import PASSWORD, World, worked_example

from assessment.db.models import Assessment
from assessment.web.templating import beijing, level_name

SUBMITTED_UTC = datetime(2026, 1, 1, 20, 30, tzinfo=UTC)
SUBMITTED_BEIJING = "2026-01-02 04:30"


def test_a_level_is_named_as_the_report_names_it(app: Flask) -> None:
    with app.test_request_context("/", headers={"Cookie": "lang=zh"}):
        assert [level_name(n) for n in range(5)] == ["无等级", "一级", "二级", "三级", "四级"]
        assert level_name(None) == "—"
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        assert [level_name(n) for n in range(5)] == ["No level", "Level 1", "Level 2", "Level 3", "Level 4"]


def test_times_are_shown_in_beijing_time() -> None:
    assert beijing(SUBMITTED_UTC) == SUBMITTED_BEIJING
    assert beijing(SUBMITTED_UTC.replace(tzinfo=None)) == SUBMITTED_BEIJING, "stored times without a zone are UTC"
    assert beijing(SUBMITTED_UTC, "%Y-%m-%d") == "2026-01-02", "the date is the date in Beijing"


def test_provider_pages_name_levels_in_the_list_the_filter_and_the_client_page(app: Flask) -> None:
    world = World(app)
    tenant = world.tenant("A", "91370102MA3C00001")
    world.assessment(tenant, "guided", submit=True)
    staff = world.client(tenant.staff_id)
    dashboard = staff.get("/provider/").text
    assert '<td class="level">三级</td>' in dashboard
    options = re.findall(r'<option value="\d">([^<]*)</option>', dashboard)
    assert options == ["无等级", "一级", "二级", "三级", "四级"]
    client_page = staff.get(f"/provider/clients/{tenant.enterprise_id}").text
    assert "<td>三级</td>" in client_page and "<td>3</td>" not in client_page


def test_the_results_page_shows_the_submission_time_in_beijing_time(app: Flask) -> None:
    world = World(app)
    tenant = world.tenant("B", "91370102MA3C00002")
    assessment_id = world.assessment(tenant, "guided", submit=True)
    with world.session() as session:
        session.execute(update(Assessment).where(Assessment.id == assessment_id).values(submitted_at=SUBMITTED_UTC))
        session.commit()
    page = world.client(tenant.owner_id).get(f"/results/{assessment_id}").text
    assert SUBMITTED_BEIJING in page
    assert "UTC" not in page


def test_pages_name_the_questionnaire_and_model_by_title_and_version_not_by_internal_id(app: Flask) -> None:
    world = World(app)
    tenant = world.tenant("C", "91370102MA3C00003")
    assessment_id = world.assessment(tenant, "guided", submit=True)
    owner = world.client(tenant.owner_id)
    for path in (f"/results/{assessment_id}", f"/enterprises/{tenant.enterprise_id}/history"):
        page = owner.get(path)
        assert page.status_code == 200, path
        assert "miit-2024@" not in page.text, path
    assert "中小企业数字化水平评测指标（2024年版）（版本 2024.1）" in owner.get(f"/results/{assessment_id}").text


def test_the_comparison_column_is_headed_change_and_lists_the_scenarios_that_changed(app: Flask) -> None:
    world = World(app)
    tenant = world.tenant("D", "91370102MA3C00004")
    world.assessment(tenant, "guided", submit=True)
    improved = worked_example()
    improved["answers"] = {**improved["answers"], "S05": improved["answers"]["S05"] + 1}
    later = world.assessment(tenant, "guided", document=improved, submit=True)
    page = world.client(tenant.owner_id).get(f"/results/{later}").text
    table = page.split('id="change-title"')[1].split("</table>")[0]
    assert '<th scope="col">变化</th>' in table and "修改" not in table
    changes = re.findall(r"<li>([^<]*)</li>", table.split('id="scenario-changes"')[1])
    before = worked_example()["answers"]["S05"]
    names = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
    assert len(changes) == 1 and changes[0].endswith(f"：{names[before]} → {names[before + 1]}"), "levels by name, never 2 → 3"


def test_the_share_form_names_each_result_by_its_beijing_date_and_level(journey: Journey) -> None:
    assert registered(journey.client, "share-owner@example.com", PASSWORD).status_code == 303
    journey.complete()
    page = journey.client.get("/account/shares").text
    assert re.search(r"\d{4}-\d\d-\d\d 提交的评测（三级）", page), "the level by name, never 3 级"
    assert " 级）" not in page

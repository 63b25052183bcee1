"""The interview page in a browser, with and without JavaScript: every note typed on a section's page survives
whichever of its buttons is pressed, the note box is large, and submitting as assessor-validated or starting a
re-assessment asks for a confirmation first."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from wizard import LiveServer
from world import Tenant, World

from assessment.db import queries

PASSWORD = "Harbour lights at seven, 42 boats"
PDF = b"%PDF-1.4\n% plant network topology\n"


def _tenant(world: World, label: str) -> Tenant:
    """A provider whose staff member and client owner can log in through the form."""
    organisation = world.organisation(f"服务商{label}")
    staff = world.member("provider_staff", f"staff-{label}@example.com", organisation_id=organisation,
                         name=f"评定人{label}", password=PASSWORD)
    owner = world.member("enterprise", f"owner-{label}@example.com", password=PASSWORD)
    enterprise = world.enterprise(owner, f"企业{label}", f"91370102MA3C0000{label}")
    return Tenant(organisation, staff, staff, owner, enterprise, world.link(staff, organisation, enterprise, owner))


def _log_in(page: Page, email: str) -> None:
    page.goto("/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_url(lambda url: "/auth/login" not in url)


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_saving_one_note_keeps_every_note_typed_on_the_page(
        live_server: LiveServer, new_page: Callable[..., Page], tmp_path: Path, javascript: bool) -> None:
    world = World(live_server.app)
    label = "1" if javascript else "2"
    tenant = _tenant(world, label)
    aid = world.assessment(tenant)
    page = new_page(java_script_enabled=javascript)
    _log_in(page, f"staff-{label}@example.com")
    page.goto(f"/assessments/{aid}/interview/foundation")
    box = page.locator("#note-Q1").bounding_box()
    assert box is not None and box["height"] >= 120, "a note box with room for a few lines"
    page.fill("#note-Q1", "现场查看网络拓扑图")
    page.fill("#note-Q2", "设备台账共 120 台")
    page.click("#save-note-Q1")
    page.wait_for_url(re.compile(rf"/assessments/{aid}/interview/foundation#item-Q1$"))
    expect(page.locator("#note-Q1")).to_have_value("现场查看网络拓扑图")
    expect(page.locator("#note-Q2")).to_have_value("设备台账共 120 台")

    evidence = tmp_path / "网络拓扑图.pdf"
    evidence.write_bytes(PDF)
    page.fill("#note-Q3", "未见数据采集记录")
    page.set_input_files("#file-input-Q1", str(evidence))
    page.click("#upload-Q1")
    expect(page.locator("#item-Q1 .evidence-files")).to_contain_text("网络拓扑图.pdf")
    expect(page.locator("#note-Q3")).to_have_value("未见数据采集记录")


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_submitting_as_assessor_validated_and_reassessing_ask_for_a_confirmation(
        live_server: LiveServer, new_page: Callable[..., Page], javascript: bool) -> None:
    world = World(live_server.app)
    label = "3" if javascript else "4"
    tenant = _tenant(world, label)
    aid = world.assessment(tenant)
    staff = new_page(java_script_enabled=javascript)
    _log_in(staff, f"staff-{label}@example.com")
    staff.goto(f"/assessments/{aid}/workspace")
    staff.click("#submit-validated")
    expect(staff).to_have_url(re.compile(rf"/assessments/{aid}/workspace$"))
    assert not _submitted(world, aid), "nothing is sent before the tick"
    staff.check("#confirm-submit-validated")
    staff.click("#submit-validated")
    staff.wait_for_url(re.compile(rf"/results/{aid}$"))

    owner = new_page(java_script_enabled=javascript)
    _log_in(owner, f"owner-{label}@example.com")
    owner.goto(f"/results/{aid}")
    owner.click("#reassess")
    expect(owner).to_have_url(re.compile(rf"/results/{aid}$"))
    owner.check("#confirm-reassess")
    owner.click("#reassess")
    owner.wait_for_url(lambda url: not url.endswith(f"/results/{aid}"))


def _submitted(world: World, assessment_id: int) -> bool:
    with world.session() as session:
        record = queries.get_assessment(session, assessment_id)
    return record is not None and not record.draft

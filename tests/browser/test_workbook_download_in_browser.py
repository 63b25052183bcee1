"""What a provider's staff member sees on a client's draft: a link to the questionnaire as an Excel workbook, which
downloads pre-filled with the draft's answers (zh and en, phone and desktop widths)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from wizard import LiveServer
from world import PASSWORD, Tenant, World

from assessment.services.workbook import read_workbook
from assessment.web.site import site

SHOTS = Path("test-artifacts") / "workbook-download"
LINK = {"zh": "下载问卷的 Excel 工作簿（可离线填写）", "en": "Download the questionnaire as an Excel workbook"}


@pytest.fixture(scope="module")
def client_draft(live_server: LiveServer) -> int:
    """A guided draft of a client of a provider whose staff member signs in with PASSWORD."""
    world = World(live_server.app)
    organisation = world.organisation("服务商丁")
    staff = world.member("provider_staff", "staff-d@example.com", organisation_id=organisation, password=PASSWORD)
    owner = world.member("enterprise", "owner-d@example.com")
    enterprise = world.enterprise(owner, "企业丁", "91370100MA3D00004")
    tenant = Tenant(organisation, staff, staff, owner, enterprise, world.link(staff, organisation, enterprise, owner))
    return world.assessment(tenant, mode="guided", document={"answers": {"Q1": ["B", "C"], "S01": 3}})


@pytest.mark.parametrize("width", [390, 1280])
def test_a_client_draft_downloads_as_a_pre_filled_workbook(
        live_server: LiveServer, client_draft: int, new_page: Callable[..., Page], width: int) -> None:
    page = new_page(viewport={"width": width, "height": 900}, accept_downloads=True)
    page.goto("/auth/login")
    page.fill("#email", "staff-d@example.com")
    page.fill("#password", PASSWORD)
    page.click("#login")
    expect(page).to_have_url(f"{live_server.url}/provider/")
    questionnaire = site(live_server.app).library.questionnaire("miit-2024")
    for lang in ("zh", "en"):
        page.goto(f"/assess/{client_draft}/review")
        page.click(f"#lang-{lang}")
        link = page.locator("#download-workbook")
        expect(link).to_contain_text(LINK[lang])
        link.scroll_into_view_if_needed()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"review-{lang}-{width}.png"))
        with page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename == f"assessment-{client_draft}.xlsx"
        content = Path(download.value.path()).read_bytes()
        document = read_workbook(io.BytesIO(content), [questionnaire])
        assert document["answers"] == {"Q1": ["B", "C"], "S01": 3}

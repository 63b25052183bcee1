"""The bulk report job in a browser without JavaScript, in Chinese and English, at 390 and 1280 px: the provider
starts it from the client list, the job page shows its progress and reloads itself while the job waits or runs, and
shows the download once the worker has finished it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from wizard import LiveServer
from world import Tenant, World

from assessment.services import jobs
from assessment.web.jobs import queue

PASSWORD = "Harbour lights at seven, 42 boats"
WIDTHS = (390, 1280)


def _tenant(world: World, label: str) -> Tenant:
    organisation = world.organisation(f"服务商{label}")
    staff = world.member("provider_staff", f"jobs-{label}@example.com", organisation_id=organisation,
                         name=f"评定人{label}", password=PASSWORD)
    owner = world.member("enterprise", f"jobs-owner-{label}@example.com", password=PASSWORD)
    enterprise = world.enterprise(owner, f"企业{label}", f"91370102MA3C1000{label}")
    return Tenant(organisation, staff, staff, owner, enterprise, world.link(staff, organisation, enterprise, owner))


def _page(new_page: Callable[..., Page], server: LiveServer, lang: str, width: int) -> Page:
    page = new_page(java_script_enabled=False, viewport={"width": width, "height": 900})
    page.context.add_cookies([{"name": "lang", "value": lang, "url": server.url}])
    return page


def _log_in(page: Page, email: str) -> None:
    page.goto("/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_url(lambda url: "/auth/login" not in url)


def _shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_job_page_shows_progress_and_reloads_itself_without_javascript_until_the_zip_is_ready(
        live_server: LiveServer, new_page: Callable[..., Page], tmp_path: Path, lang: str) -> None:
    app = live_server.app
    app.config.update(JOBS_DIR=str(tmp_path / "jobs"), JOBS_IMMEDIATE=False)  # a queue no worker reads here
    folder = Path(os.environ.get("JOB_PAGE_SCREENSHOTS", tmp_path))
    world = World(app)
    label = "1" if lang == "zh" else "2"
    tenant = _tenant(world, label)
    chosen = [world.assessment(tenant, "guided", submit=True) for _ in range(2)]
    pages = {width: _page(new_page, live_server, lang, width) for width in WIDTHS}
    for page in pages.values():
        _log_in(page, f"jobs-{label}@example.com")
    narrow, wide = pages[390], pages[1280]
    narrow.goto("/provider/")
    narrow.click("#bulk-reports")
    for aid in chosen:
        expect(narrow.locator(f"#assessment-{aid}")).to_be_checked()
    _shot(narrow, folder, f"job-start-{lang}-390")
    narrow.click("#start-bulk")
    expect(narrow.locator("#job-progress progress")).to_have_attribute("value", "0")
    expect(narrow.locator("#cancel-job")).to_be_visible()
    wide.goto(narrow.url)
    _shot(narrow, folder, f"job-waiting-{lang}-390")
    _shot(wide, folder, f"job-waiting-{lang}-1280")
    job_id = int(narrow.url.rstrip("/").rsplit("/", 1)[1])
    with app.app_context():
        jobs.run(queue().runner, job_id)  # the worker's part
    for page in pages.values():  # no reload from here: the page's Refresh header brings the finished job
        expect(page.locator("#download-result")).to_be_visible(timeout=15_000)
        expect(page.locator("#job-progress progress")).to_have_attribute("value", "2")
    _shot(narrow, folder, f"job-done-{lang}-390")
    _shot(wide, folder, f"job-done-{lang}-1280")
    with narrow.expect_download() as download:
        narrow.click("#download-result")
    assert download.value.suggested_filename == f"reports-{job_id}.zip"
    wide.goto("/jobs")
    _shot(wide, folder, f"job-list-{lang}-1280")

"""The bulk import in a browser, in Chinese and English, at 390 and 1280 px: a provider uploads a file of
enterprises through the styled file input, follows the job and reads the summary with the rejected row's reason."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from wizard import LiveServer
from world import World, uscc

from assessment.services import jobs
from assessment.services.bulk_import.columns import column_ids
from assessment.web.jobs import queue
from assessment.web.site import site

PASSWORD = "Harbour lights at seven, 42 boats"
WIDTHS = (390, 1280)


def _file(world: World, label: str) -> bytes:
    ids = column_ids(site(world.app).library.questionnaire("miit-2024"))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ids)
    base = {"region": "370102", "industry": "34", "employees": "120", "revenue_10k_cny": "8000", "Q5": "B"}
    for row in ({"name": f"导入企业{label}甲", "uscc": uscc(f"91370102MA3C2000{label}")},
                {"name": f"导入企业{label}乙", "uscc": uscc(f"91370102MA3C2100{label}"), "employees": "-5"}):
        cells = {**base, **row}
        writer.writerow([cells.get(i, "") for i in ids])
    return out.getvalue().encode()


def _page(new_page: Callable[..., Page], server: LiveServer, lang: str, width: int) -> Page:
    page = new_page(viewport={"width": width, "height": 900})
    page.context.add_cookies([{"name": "lang", "value": lang, "url": server.url}])
    return page


def _log_in(page: Page, email: str) -> None:
    page.goto("/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_url(lambda url: "/auth/login" not in url)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_provider_imports_enterprises_and_reads_the_summary(live_server: LiveServer, new_page: Callable[..., Page],
                                                              tmp_path: Path, lang: str) -> None:
    app = live_server.app
    app.config.update(JOBS_DIR=str(tmp_path / "jobs"), JOBS_IMMEDIATE=False)  # a queue no worker reads here
    folder = Path(os.environ.get("BULK_IMPORT_SCREENSHOTS", tmp_path))
    world = World(app)
    label = "1" if lang == "zh" else "2"
    organisation = world.organisation(f"导入服务商{label}")
    world.member("provider_staff", f"import-{label}@example.com", organisation_id=organisation,
                 name=f"评定人{label}", password=PASSWORD)
    pages = {width: _page(new_page, live_server, lang, width) for width in WIDTHS}
    for width, page in pages.items():
        _log_in(page, f"import-{label}@example.com")
        page.goto("/provider/")
        page.click("#nav-import")
        expect(page.locator("input.file-input")).to_be_visible()
        page.screenshot(path=str(folder / f"import-{lang}-{width}.png"), full_page=True)
    narrow, wide = pages[390], pages[1280]
    narrow.set_input_files("#file", files=[{"name": "enterprises.csv", "mimeType": "text/csv",
                                            "buffer": _file(world, label)}])
    narrow.click("#import")
    expect(narrow.locator("#job-progress")).to_be_visible()
    job_id = int(narrow.url.rstrip("/").rsplit("/", 1)[1])
    with app.app_context():
        jobs.run(queue().runner, job_id)  # the worker's part
    narrow.click("#import-summary", timeout=15_000)
    expect(narrow.locator("#import-counts")).to_contain_text("1")
    expect(narrow.locator("#rejected-rows")).to_contain_text("employees")
    wide.goto(narrow.url)
    for width, page in pages.items():
        page.screenshot(path=str(folder / f"import-summary-{lang}-{width}.png"), full_page=True)

"""A visitor downloads the draft's workbook from the review page, fills it in with Excel (here openpyxl) and uploads
it: the review page shows the answers taken over; a workbook with mistakes lists each cell beside the form. The form
fits a phone (390 px) and a desktop (1280 px), in Chinese and English, and axe finds nothing blocking."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from wizard import LiveServer, fill_profile, start, stored

pytestmark = pytest.mark.browser

SHOTS = Path("test-artifacts") / "workbook-upload"
TAKEN_OVER = {"zh": "已从工作簿中接收 2 个答案。", "en": "2 answers were taken over from the workbook."}
NOTHING = {"zh": "未从工作簿中接收任何内容：", "en": "Nothing was taken over from the workbook:"}
AXE = Axe()


def _filled(content: bytes, answers: dict[str, Any]) -> bytes:
    """The workbook with answer cells (column D) set by their row ids (column A)."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_col=1, max_col=4):
            if row[0].value in answers:
                row[3].value = answers[row[0].value]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fits(page: Page, width: int) -> None:
    box = page.locator("#workbook-upload").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _upload(page: Page, content: bytes) -> None:
    page.set_input_files("#workbook-file", files=[{"name": "filled.xlsx", "mimeType": "application/octet-stream",
                                                   "buffer": content}])
    page.click("#upload-workbook")


@pytest.mark.parametrize("width", [390, 1280])
def test_a_downloaded_workbook_filled_in_offline_is_taken_over_on_upload(
        live_server: LiveServer, new_page: Callable[..., Page], width: int) -> None:
    page = new_page(viewport={"width": width, "height": 900}, accept_downloads=True)
    assessment_id, _link = start(page)
    fill_profile(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for lang in ("zh", "en"):
        page.goto(f"/assess/{assessment_id}/review")
        page.click(f"#lang-{lang}")
        with page.expect_download() as download:
            page.click("#download-workbook")
        content = Path(download.value.path()).read_bytes()
        before = stored(live_server, assessment_id)
        _upload(page, _filled(content, {"single:Q5": "Z", "rating:S01": "9"}))
        problems = page.locator("#workbook-problems")
        expect(problems).to_be_in_viewport()  # the page opens at the form, not at its top
        expect(problems).to_contain_text(NOTHING[lang])
        expect(problems.locator("li")).to_have_count(2)
        expect(problems).to_contain_text("!D")
        assert stored(live_server, assessment_id) == before
        _fits(page, width)
        page.screenshot(path=str(SHOTS / f"problems-{lang}-{width}.png"))
        results = AXE.run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}})
        blocking = [v["id"] for v in results.response["violations"] if v["impact"] in ("critical", "serious")]
        assert not blocking, blocking
        _upload(page, _filled(content, {"single:Q5": "C" if lang == "zh" else "D", "rating:S01": "3"}))
        page.wait_for_url(f"**/assess/{assessment_id}/review#main")
        expect(page.locator("body")).to_contain_text(TAKEN_OVER[lang])
        expect(page.locator("#review-Q5")).to_be_visible()
        assert stored(live_server, assessment_id).answers == {"Q5": "C" if lang == "zh" else "D", "S01": 3}
        expect(page.locator(".flash").first).to_be_in_viewport()
        page.screenshot(path=str(SHOTS / f"taken-over-{lang}-{width}.png"))
        page.locator("#workbook-upload").scroll_into_view_if_needed()
        _fits(page, width)
        page.screenshot(path=str(SHOTS / f"form-{lang}-{width}.png"))

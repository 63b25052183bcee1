"""In a real browser (Debian's chromium through Playwright): a provider invites an enterprise, the enterprise
registers, confirms its address and consents, the provider starts an on-site assessment, the enterprise answers
it, the assessor attaches evidence and records a validated answer with its reason, submits, and the result and
the downloaded PDF say 评定人核验 (assessor-validated) with the assessor's name and organisation.

The enterprise profile is put in through the services (the profile page has its own browser tests in
tests/browser/); everything else goes through the pages, with CSRF on.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect
from werkzeug.serving import make_server
from world import PASSWORD, uscc, worked_example

from assessment.content.loader import Library
from assessment.db import providers, queries
from assessment.db.engine import make_engine
from assessment.db.migrate import upgrade
from assessment.domain.enterprise import EnterpriseProfile
from assessment.domain.questionnaire import Section
from assessment.services import accounts
from assessment.services.authorization import OPERATOR
from assessment.services.mail import MemoryOutbox
from assessment.web.app import create_app
from assessment.web.site import site
from assessment.web.tenancy import MAIL

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"  # Debian package `chromium`; `playwright install` is never run
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 15_000
ASSESSOR = "王评定"
PROVIDER = "济南数智转型服务有限公司"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch options with Debian's chromium."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, library: Library) -> Iterator[tuple[str, Flask]]:
    """The app with CSRF on and mail kept in a list, on a fresh SQLite database, served on a free port."""
    folder = tmp_path_factory.mktemp("guided")
    url = f"sqlite:///{folder / 'assessment.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    app = create_app({"SECRET_KEY": "browser", "DATABASE_URL": url, "CONTENT_LIBRARY": library,
                      "WTF_CSRF_ENABLED": True, "COOKIE_SECURE": False, "MAIL_BACKEND": "memory",
                      "EVIDENCE_DIR": str(folder / "evidence")})
    live = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=live.serve_forever, name="guided-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{live.server_port}", app
    live.shutdown()
    thread.join(timeout=10)
    live.server_close()
    site(app).engine.dispose()


@pytest.fixture
def open_page(new_context: Callable[..., BrowserContext], server: tuple[str, Flask]) -> Callable[[], Page]:
    """A page in a fresh browser context (own cookies) on the live server, in Chinese."""

    def make() -> Page:
        context = new_context(base_url=server[0], locale="zh-CN")
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        return context.new_page()

    return make


def _figure(value: Any) -> str:
    number = Fraction(str(value))
    return str(number.numerator) if number.denominator == 1 else str(float(number))


def _answer(page: Page, section: Section, document: dict[str, Any]) -> None:
    answers, data = document["answers"], document.get("data", {})
    for item in section.items:
        for spec in item.fields:
            if spec.id in data:
                page.fill(f"#{item.id}-{spec.id}", _figure(data[spec.id]))
        value = answers.get(item.id)
        if isinstance(value, list):
            for key in value:
                page.check(f"#{item.id}-{key}")
        elif value is not None:
            page.check(f"#{item.id}-{value}")
    page.click("#save-next")


def _log_in(page: Page, email: str) -> None:
    page.goto("/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_url(lambda url: "/auth/login" not in url)  # each role lands on its own start page


def test_a_guided_assessment_from_invitation_to_an_assessor_validated_report(
        server: tuple[str, Flask], open_page: Callable[[], Page], tmp_path: Path) -> None:
    _url, app = server
    with site(app).sessions() as session:
        organisation = providers.add_organisation(session, PROVIDER, "provider", "370100")
        accounts.create_account(session, "assessor@example.com", PASSWORD, role="provider_staff", granted_by=OPERATOR,
                                regions=site(app).regions, organisation_id=organisation.id, display_name=ASSESSOR,
                                verified=True)
        session.commit()

    # the provider makes an invitation link
    provider = open_page()
    _log_in(provider, "assessor@example.com")
    provider.goto("/provider/invitations")
    provider.fill("#note", "北京精工机械有限公司")
    provider.click("#invite")
    invitation = provider.locator("#invitation-link").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/invitation/[A-Za-z0-9_-]{40,}", invitation), invitation

    # the enterprise registers and confirms its address with the emailed link
    enterprise = open_page()
    enterprise.goto("/auth/register")
    enterprise.fill("#email", "owner@example.com")
    enterprise.fill("#password", PASSWORD)
    enterprise.fill("#confirm", PASSWORD)
    enterprise.click("#register")
    expect(enterprise.locator("#register-sent")).to_be_visible()  # the same answer for any address
    outbox = app.extensions[MAIL]
    assert isinstance(outbox, MemoryOutbox)
    for _ in range(100):  # the server sends the mail once the answer is out
        if any(m.to == "owner@example.com" for m in outbox.sent):
            break
        time.sleep(0.05)
    verify = re.search(r"http://\S+/account/verify/\S+", outbox.sent[-1].body)
    assert verify is not None
    enterprise.goto(verify[0])  # confirms the address and signs in
    enterprise.wait_for_url(re.compile(r"/assessments$"))
    expect(enterprise.locator(".flash-success")).to_have_text("您的邮箱地址已确认。")
    with site(app).sessions() as session:
        owner = queries.user_by_email(session, "owner@example.com")
        assert owner is not None
        enterprise_id = queries.add_profile(session, EnterpriseProfile(
            name="北京精工机械有限公司", uscc=uscc("91110108MA01B2C3X"), region_code="110108", industry_code="34",
            employees=120, revenue_10k_cny=Fraction(8000)), owner.id)
        session.commit()

    # it accepts the invitation, giving its consent
    enterprise.goto(invitation)
    expect(enterprise.locator("h1")).to_contain_text(PROVIDER)
    enterprise.check(f"#enterprise-{enterprise_id}")
    enterprise.check("#consent")
    enterprise.click("#accept")
    expect(enterprise.locator("#consents")).to_contain_text(PROVIDER)

    # the provider sees its new client and starts an on-site assessment
    provider.goto("/provider/")
    row = provider.locator(f"#client-{enterprise_id}")
    expect(row).to_contain_text("北京精工机械有限公司")
    expect(row).to_contain_text("开始辅导评测")
    row.locator("a").first.click()
    provider.check("#mode-onsite")
    provider.click("#start-assessment")
    provider.wait_for_url(re.compile(r"/assessments/\d+/workspace$"))
    assessment_id = int(re.search(r"/assessments/(\d+)/", provider.url)[1])  # type: ignore[index]

    # the enterprise answers every section itself (the self-report)
    questionnaire = site(app).library.questionnaire("miit-2024")
    document = worked_example()
    enterprise.goto("/assessments")
    enterprise.click(f"#open-{assessment_id}")
    for section in questionnaire.sections:
        enterprise.wait_for_url(re.compile(rf"/assess/{assessment_id}/step/{re.escape(section.id)}$"))
        _answer(enterprise, section, document)
    enterprise.wait_for_url(re.compile(rf"/assess/{assessment_id}/review$"))

    # the assessor goes through the interview: evidence asked for, a file, a note, a validated answer
    provider.goto(f"/assessments/{assessment_id}/interview/foundation")
    expect(provider.locator("#item-Q1 .evidence-asked")).to_contain_text("网络拓扑")
    evidence = tmp_path / "网络拓扑图.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% plant network topology\n")
    provider.set_input_files("#file-input-Q1", str(evidence))
    provider.click("#upload-Q1")
    expect(provider.locator("#item-Q1 .evidence-files")).to_contain_text("网络拓扑图.pdf")
    provider.fill("#note-Q1", "现场查看网络拓扑图与交换机")
    provider.click("#save-note-Q1")
    expect(provider.locator("#note-Q1")).to_have_value("现场查看网络拓扑图与交换机")
    provider.goto(f"/assessments/{assessment_id}/interview/operations-g2")
    expect(provider.locator("#item-S05 .self-reported")).to_contain_text("三级")
    provider.check("#validated-S05-2")
    provider.fill("#reason-S05", "排产仍以Excel为主，APS仅试点")
    provider.click("#validate-S05")
    expect(provider.locator("#item-S05 .validated")).to_contain_text("排产仍以Excel为主，APS仅试点")

    # submitted as assessor-validated: the result names the assessor and shows the difference
    provider.goto(f"/assessments/{assessment_id}/workspace")
    provider.check("#confirm-submit-validated")
    provider.click("#submit-validated")
    provider.wait_for_url(re.compile(rf"/results/{assessment_id}$"))
    validated = provider.locator("#assessor-validated")
    expect(validated).to_contain_text("评定人核验")
    expect(validated).to_contain_text(ASSESSOR)
    expect(validated).to_contain_text(PROVIDER)
    expect(provider.locator("#validation-differences")).to_contain_text("排产仍以Excel为主，APS仅试点")

    # the enterprise downloads the PDF report, which says the same
    enterprise.goto(f"/results/{assessment_id}")
    expect(enterprise.locator("#assessor-validated")).to_contain_text(ASSESSOR)
    with enterprise.expect_download() as download:
        enterprise.click("#download-report")
    target = tmp_path / "report.pdf"
    download.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True,
                                             text=True, check=True).stdout)
    for phrase in ("评定人核验", ASSESSOR, PROVIDER, "排产仍以Excel为主，APS仅试点", "现场查看网络拓扑图与交换机"):
        assert phrase in text, f"{phrase} is not in the report"

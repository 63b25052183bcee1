"""axe-core on every page type, in Chinese and English, on a phone (390 px) and a desktop (1280 px): no critical and
no serious violations (docs/accessibility.md).

One browser context per role (visitor, provider staff, official, site admin, enterprise owner), each signed in
with the session cookie the login form would leave; the language is the `lang` cookie, the width the viewport.
axe-core comes bundled with axe-playwright-python, so the check runs offline.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import update
from wizard import WRONG_CHECK_CHARACTER, LiveServer, fill_profile, start, step_path, stored, worked_example
from world import World

from assessment.db import queries
from assessment.db.models import User, utcnow
from assessment.services import mfa
from assessment.web.site import site

pytestmark = pytest.mark.browser

WIDTHS = (390, 1280)
LANGUAGES = {"zh": "zh-CN", "en": "en"}
BLOCKING = ("critical", "serious")
# WCAG 2.0/2.1 A and AA rules, plus axe's best practices (landmarks, one main heading, …)
RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

# axe skips what is hidden: open every collapsible section so the details below a summary are checked too
OPEN_EVERY_SECTION = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"
AXE = Axe()  # reads the bundled axe.min.js once


@dataclass(frozen=True)
class Site:
    """The pages to check, by page type: (role whose context opens it, path)."""

    pages: dict[str, tuple[str, str]]
    contexts: dict[str, BrowserContext]


def _sign_in(context: BrowserContext, server: LiveServer, world: World, user_id: int) -> None:
    """Give the context the session cookie of a signed-in account (as after the login form and two-step check)."""
    client = world.client(user_id)
    cookie = client.get_cookie(server.app.config.get("SESSION_COOKIE_NAME", "session"))
    assert cookie is not None
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": server.url}])


def _self_assessment(page: Page, server: LiveServer, *, submitted: bool) -> int:
    """A visitor's self-assessment with the profile filled in the browser and the worked example's answers."""
    assessment_id, _link = start(page)
    fill_profile(page)
    document = worked_example()
    with site(server.app).sessions() as session:
        version = queries.save_draft(session, assessment_id, stored(server, assessment_id).version,
                                     document["answers"], document.get("data", {}))
        session.commit()
    assert version is not None
    if submitted:
        page.goto(f"/assess/{assessment_id}/review")
        page.click("#submit")
        page.wait_for_url(f"**/results/{assessment_id}")
    return assessment_id


@pytest.fixture(scope="module")
def every_page(browser: Browser, live_server: LiveServer) -> Iterator[Site]:
    """A context per role and the path of each page type, built once for the module."""
    world = World(live_server.app)
    tenant = world.tenant("甲", "91370102MA3C4D5E6")
    onsite_draft = world.assessment(tenant, "onsite")
    onsite_done = world.assessment(tenant, "onsite", submit=True)
    official = world.member("official", "official@example.gov.cn", region_code="370000")
    admin = world.member("site_admin", "admin@example.com")
    with world.session() as session:  # the roles that must use two-step verification have it set up
        session.execute(update(User).where(User.role.in_(mfa.REQUIRED_ROLES))
                        .values(mfa_secret=pyotp.random_base32(), mfa_enabled_at=utcnow()))

    contexts: dict[str, BrowserContext] = {}
    for role in ("visitor", "staff", "owner", "official", "admin"):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN")
        context.set_default_timeout(15_000)
        context.set_default_navigation_timeout(15_000)
        context.new_page()
        contexts[role] = context
    for role, user_id in (("staff", tenant.staff_id), ("owner", tenant.owner_id), ("official", official),
                          ("admin", admin)):
        _sign_in(contexts[role], live_server, world, user_id)

    visitor = contexts["visitor"].pages[0]
    draft = _self_assessment(visitor, live_server, submitted=False)
    done = _self_assessment(visitor, live_server, submitted=True)
    pages = {
        "start": ("visitor", "/"),
        "profile": ("visitor", f"/assess/{draft}/profile"),
        "profile-refused": ("visitor", f"/assess/{draft}/profile"),
        "resume-link": ("visitor", f"/assess/{draft}/link"),
        "wizard-step": ("visitor", step_path(draft, "foundation")),
        "review": ("visitor", f"/assess/{draft}/review"),
        "results": ("visitor", f"/results/{done}"),
        "sign-in": ("visitor", "/auth/login"),
        "register": ("visitor", "/auth/register"),
        "not-found": ("visitor", "/no-such-page"),
        "account": ("owner", "/account"),
        "my-assessments": ("owner", "/assessments"),
        "provider-clients": ("staff", "/provider/"),
        "onsite-workspace": ("staff", f"/assessments/{onsite_draft}/workspace"),
        "onsite-interview": ("staff", f"/assessments/{onsite_draft}/interview/foundation"),
        "onsite-results": ("staff", f"/results/{onsite_done}"),
        "official-dashboard": ("official", "/official/"),
        "admin": ("admin", "/admin/"),
    }
    assert set(pages) == set(PAGE_TYPES)
    yield Site(pages, contexts)
    for context in contexts.values():
        context.close()


def _report(violations: list[dict[str, Any]]) -> str:
    """Each violation's rule, impact, elements and help, one line per element."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            lines.append(f"{violation['id']} [{violation['impact']}] {node['target']}: {violation['help']}"
                         f" — {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


PAGE_TYPES = ("start", "resume-link", "profile", "profile-refused", "wizard-step", "review", "results", "sign-in",
              "register", "not-found", "account", "my-assessments", "provider-clients", "onsite-workspace",
              "onsite-interview", "onsite-results", "official-dashboard", "admin")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_every_page_has_no_critical_or_serious_accessibility_violation(
        every_page: Site, live_server: LiveServer, page_type: str, language: str, width: int) -> None:
    role, path = every_page.pages[page_type]
    context = every_page.contexts[role]
    context.add_cookies([{"name": "lang", "value": language, "url": live_server.url}])
    page = context.pages[0]
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(path)
    if page_type == "profile-refused":  # the error summary and the messages beside the fields; nothing is saved
        page.fill("#uscc", WRONG_CHECK_CHARACTER)
        page.click("#save-next")
        expect(page.locator("#error-summary")).to_be_visible()
    if page_type == "resume-link":  # the new link and its QR code, shown once
        page.click("#new-link")
        expect(page.locator("#resume-link")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", LANGUAGES[language])
    assert page.url.endswith(path), page.url  # the page itself, not a sign-in or two-step detour
    page.evaluate(OPEN_EVERY_SECTION)
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": RULE_TAGS},
                                     "resultTypes": ["violations"]})
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"{page_type} ({language}, {width} px) at {page.url}:\n{_report(blocking)}"

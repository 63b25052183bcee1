"""On a 390 px phone every table keeps its header labels: each role's pages (the demo site of `make screenshots`),
opened signed in as that role, show every column heading and every row heading, and each cell sits under the heading
of its column in the same row layout (never a bare column of values with the headings moved off screen); the page
itself never scrolls sideways.
"""

from __future__ import annotations

import importlib.util
import sys
from importlib.machinery import SourceFileLoader
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize
from wizard import LiveServer

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}
HTML_LANG = {"zh": "zh-CN", "en": "en"}
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "screenshots"

# For every table in <main>: the headings a person cannot see, or cells that are not under their column's heading.
TABLE_PROBLEMS = """() => {
  const problems = [];
  const seen = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0
      && getComputedStyle(e).visibility !== 'hidden' && !e.closest('.visually-hidden'); };
  // inside the table, or inside what its scrolling box shows when scrolled sideways
  const reach = (table) => {
    for (let e = table; e && e !== document.body; e = e.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(e).overflowX)) {
        const r = e.getBoundingClientRect(); return {left: r.left - e.scrollLeft, right: r.left - e.scrollLeft + e.scrollWidth};
      }
    }
    return table.getBoundingClientRect();
  };
  const inside = (inner, outer) => inner.left >= outer.left - 1 && inner.right <= outer.right + 1;
  document.querySelectorAll('main table').forEach((table, number) => {
    const name = table.id || table.className || `table ${number + 1}`;
    if (!seen(table)) return;  // a table in a closed <details> is not on the screen at all
    const box = reach(table);
    const head = table.tHead ? table.tHead.rows[table.tHead.rows.length - 1] : null;
    const columns = [];
    if (head) {
      if (getComputedStyle(head).display !== 'table-row') problems.push(`${name}: the header row is not a row`);
      for (const th of head.cells) {
        for (let i = 0; i < th.colSpan; i++) columns.push(th);
        const label = th.textContent.trim();
        if (label && !th.querySelector('.visually-hidden') && (!seen(th) || !inside(th.getBoundingClientRect(), box)))
          problems.push(`${name}: heading “${label}” is not shown`);
      }
    }
    for (const body of table.tBodies) for (const row of body.rows) {
      if (getComputedStyle(row).display !== 'table-row') { problems.push(`${name}: a row is not laid out as a row`); break; }
      let column = 0;
      for (const cell of row.cells) {
        if (cell.tagName === 'TH' && cell.textContent.trim() && !seen(cell))
          problems.push(`${name}: row heading “${cell.textContent.trim()}” is not shown`);
        const heading = columns[column];
        if (heading && seen(cell)) {
          const h = heading.getBoundingClientRect(), c = cell.getBoundingClientRect();
          if (c.left < h.left - 1 || c.left > h.right) problems.push(`${name}: a cell is not under “${heading.textContent.trim()}”`);
        }
        column += cell.colSpan;
      }
    }
  });
  if (document.documentElement.scrollWidth > window.innerWidth + 1)
    problems.push(`the page scrolls sideways (${document.documentElement.scrollWidth} px)`);
  return problems;
}"""


def screenshots_script() -> ModuleType:
    """scripts/screenshots as a module: the demo site it photographs."""
    loader = SourceFileLoader("screenshots_script", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[loader.name] = module  # its dataclasses look their module up
    loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def demo_site(live_server: LiveServer, browser: Browser) -> Any:
    """The live server filled with the screenshots' demo data: every role's cookies and pages."""
    script = screenshots_script()
    live_server.app.config["MFA_REQUIRED_ROLES"] = ()  # the demo officials and admins have no authenticator app
    return script.build_demo_site(browser, live_server.url, script.World(live_server.app))


def phone_page(browser: Browser, demo_site: Any, role: str, language: str) -> Page:
    """A 390 px wide page signed in as this role, in this language."""
    script = sys.modules["screenshots_script"]
    context = script.open_as(browser, demo_site.url, demo_site.cookies.get(role, {}), PHONE["width"], language)
    context.set_default_timeout(15_000)
    page: Page = context.new_page()
    page.set_viewport_size(PHONE)
    return page


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("role", ["visitor", "owner", "provider_admin", "provider_staff", "official", "site_admin"])
def test_every_table_keeps_its_header_labels_at_390_px(browser: Browser, demo_site: Any, role: str,
                                                       language: str) -> None:
    """Every table on the role's pages shows its headings at 390 px, with each cell under its column's heading."""
    page = phone_page(browser, demo_site, role, language)
    problems: dict[str, list[str]] = {}
    tables = 0
    for shot in (shot for shot in demo_site.shots if shot.as_user == role):
        page.goto(shot.path)
        assert page.locator("html").get_attribute("lang") == HTML_LANG[language], shot.path
        tables += page.locator("main table").count()
        found: list[str] = page.evaluate(TABLE_PROBLEMS)
        if found:
            problems[shot.path] = found
    page.context.close()
    assert tables > 0, f"no tables on the {role}'s pages"
    assert problems == {}

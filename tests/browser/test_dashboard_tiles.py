"""What an official sees first: headline tiles and one picture of the jurisdiction (a tile per child region coloured
by the share at 二级 and above, the legend beside it, hidden tiles marked in words and by a pattern), then the
breakdowns folded away — so the page is a fraction of its old height on a phone."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from wizard import LiveServer

from assessment.db import providers
from assessment.services import accounts, demo
from assessment.web.site import site

pytestmark = pytest.mark.browser

PASSWORD = "Harbour lights at seven, 42 boats"
PROVINCE, CITY = "jiangsu@example.gov.cn", "nanjing@example.gov.cn"
JIANGSU_CITIES = 13
AXE = Axe()
RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
HEIGHT_BEFORE_390 = 10_293  # the 江苏 official's page at 390 px before the tiles (Chromium, e177232)
TILE_COLOURS = """() => [...document.querySelectorAll('#region-tiles .tile')].map(tile => {
  const inner = tile.firstElementChild, style = getComputedStyle(inner);
  const step = [...tile.classList].find(c => c.startsWith('step-'));
  const swatch = step ? document.querySelector('#map-legend .swatch.' + step) : null;
  return {state: [...tile.classList].find(c => c.startsWith('tile-') ), step, text: inner.innerText,
          colour: style.backgroundColor, pattern: style.backgroundImage,
          legend: swatch ? getComputedStyle(swatch).backgroundColor : null};
})"""


@pytest.fixture(scope="module")
def officials(live_server: LiveServer) -> LiveServer:
    """A 江苏 official and a 南京 official on a live server with generated assessments in 江苏."""
    live_server.app.config["MFA_REQUIRED_ROLES"] = ()  # two-step verification has its own browser test
    here = site(live_server.app)
    with here.sessions() as session:
        demo.generate(session, library=here.library, regions=here.regions, industries=here.industries, count=600,
                      seed=1, provinces=("32",), pool=200)
        providers.add_member(session, PROVINCE, accounts.hash_password(PASSWORD), role="official", region_code="320000")
        providers.add_member(session, CITY, accounts.hash_password(PASSWORD), role="official", region_code="320100")
        session.commit()
    return live_server


def dashboard(new_page: Callable[..., Page], email: str, width: int = 1280) -> Page:
    """Log in as the official and open the dashboard at this width."""
    page = new_page(viewport={"width": width, "height": 900})
    page.goto("/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.goto("/official/")
    return page


@pytest.mark.parametrize("width", [390, 1280])
def test_the_jurisdiction_is_a_tile_per_city_coloured_like_its_legend_step(
        new_page: Callable[..., Page], officials: LiveServer, width: int) -> None:
    page = dashboard(new_page, PROVINCE, width)
    expect(page.locator("#population")).to_be_visible()
    expect(page.locator("#share-at-level")).to_contain_text("%")
    expect(page.locator("#region-tiles .tile")).to_have_count(JIANGSU_CITIES)
    expect(page.locator("#region-tiles")).to_contain_text("南京市")
    tiles = page.evaluate(TILE_COLOURS)
    shown = [t for t in tiles if t["state"] == "tile-shown"]
    assert shown and all(t["colour"] == t["legend"] for t in shown)
    assert len({t["colour"] for t in shown}) > 1  # the shares differ, and so do the colours
    legend, grid = page.locator("#map-legend").bounding_box(), page.locator("#region-tiles").bounding_box()
    assert legend and grid
    beside = legend["x"] + legend["width"] <= grid["x"] + 1 and legend["y"] < grid["y"] + grid["height"]
    above = legend["y"] + legend["height"] <= grid["y"] + 1 and grid["y"] - (legend["y"] + legend["height"]) < 40
    assert beside or above, (legend, grid)


def test_a_tile_with_a_hidden_figure_says_so_in_words_and_by_a_pattern(
        new_page: Callable[..., Page], officials: LiveServer) -> None:
    page = dashboard(new_page, CITY, 390)  # 南京's districts: most have fewer than 5 enterprises
    tiles = page.evaluate(TILE_COLOURS)
    hidden = [t for t in tiles if t["state"] in ("tile-hidden", "tile-share_hidden")]
    assert hidden
    for tile in hidden:
        assert "repeating-linear-gradient" in tile["pattern"]
        assert "—" in tile["text"] and "不予公布" in tile["text"]
    reason = page.locator("#region-tiles .tile-hidden .suppressed").first
    expect(reason).to_have_attribute("title", "不予公布：企业数少于 5 家，或为防止由合计推算出被隐藏的数字而一并隐藏。")
    expect(page.locator("#map-legend")).to_contain_text("企业数少于 5 家")


def test_a_tile_opens_the_figures_of_its_region(new_page: Callable[..., Page], officials: LiveServer) -> None:
    page = dashboard(new_page, PROVINCE)
    page.locator("#region-tiles .tile[data-region='320500'] a").click()
    page.wait_for_url("**region=320500**")
    expect(page.locator("h1")).to_contain_text("江苏省 / 苏州市")
    expect(page.locator("#population-note")).to_contain_text("不少于 20 家企业")


def test_the_breakdowns_are_folded_and_open_with_the_legend_under_their_table(
        new_page: Callable[..., Page], officials: LiveServer) -> None:
    page = dashboard(new_page, PROVINCE, 390)
    folds = page.locator("section.fold > details")
    assert folds.count() >= 10
    assert all(not d.evaluate("d => d.open") for d in folds.all())
    table = page.locator("#by-region table")
    expect(table).to_be_hidden()
    page.locator("#by-region summary").click()
    expect(table).to_be_visible()
    if table.locator(".suppressed").count():
        expect(page.locator("#by-region .hidden-note")).to_contain_text("企业数少于 5 家")


def test_the_page_is_a_fraction_of_its_old_height_on_a_phone(new_page: Callable[..., Page],
                                                            officials: LiveServer) -> None:
    page = dashboard(new_page, PROVINCE, 390)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < HEIGHT_BEFORE_390 / 2, height


def test_no_chart_draws_an_empty_bar(new_page: Callable[..., Page], officials: LiveServer) -> None:
    for email in (PROVINCE, CITY):
        page = dashboard(new_page, email)
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        empty = page.evaluate("""() => [...document.querySelectorAll('main figure svg')].flatMap(svg =>
          [...svg.querySelectorAll('rect[fill="#ffffff"]')].filter(bar => {
            const y = bar.getAttribute('y');
            return !svg.querySelector(`rect.segment[y="${y}"]`);
          }).map(bar => svg.querySelector('title').textContent))""")
        assert empty == [], email


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_dashboard_with_its_tiles_and_open_sections_has_no_serious_accessibility_problem(
        new_page: Callable[..., Page], officials: LiveServer, language: str, width: int) -> None:
    page = new_page(viewport={"width": width, "height": 900})
    page.context.add_cookies([{"name": "lang", "value": language, "url": officials.url}])
    page.goto("/auth/login")
    page.fill("#email", PROVINCE)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.goto("/official/")
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": RULE_TAGS}, "resultTypes": ["violations"]})
    blocking = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
                if v["impact"] in ("critical", "serious")]
    assert blocking == []

"""A person using the assessment in a real browser: start, profile, one step per section, review, submit.

Two ways of using the page: with the mouse (Playwright's check/fill/select/click) and with the keyboard only
(Tab, Space, Enter and the arrow keys; no mouse). Pages are found by their control ids (docs/web.md: `Q1-A`,
`S01-3`, `Q2-total_devices`, `item-Q1`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from flask import Flask
from playwright.sync_api import Page, expect

from assessment.content.codes import industries
from assessment.db import queries
from assessment.db.queries import AssessmentRecord
from assessment.domain.answers import parse_answers
from assessment.domain.enterprise import EnterpriseProfile, uscc_check_character
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Item, Questionnaire, Section
from assessment.domain.scoring import Scorecard, score
from assessment.web.site import site

WORKED_EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "miit-2024-worked-example.json"
USCC = "91110108MA01B2C3X" + uscc_check_character("91110108MA01B2C3X")
WRONG_CHECK_CHARACTER = USCC[:17] + ("0" if USCC[17] != "0" else "1")

PROFILE: dict[str, str] = {
    "name": "北京精工机械有限公司",
    "uscc": USCC,
    "province": "110000",
    "city": "110100",
    "county": "110108",
    "section": "C",
    "division": "34",
    "employees": "120",
    "revenue_10k_cny": "8000",
}


@dataclass(frozen=True)
class LiveServer:
    """The app running on 127.0.0.1 at `url`, with the app object for looking into its database."""

    url: str
    app: Flask


def stored(server: LiveServer, assessment_id: int) -> AssessmentRecord:
    """The assessment as the server stored it."""
    with site(server.app).sessions() as session:
        record = queries.get_assessment(session, assessment_id)
    assert record is not None
    return record


def stored_profile(server: LiveServer, assessment_id: int) -> EnterpriseProfile | None:
    """The enterprise profile the server stored for the assessment, if any."""
    record = stored(server, assessment_id)
    if record.enterprise_id is None:
        return None
    with site(server.app).sessions() as session:
        return queries.get_profile(session, record.enterprise_id)


def worked_example() -> dict[str, Any]:
    """The MIIT worked example's answers document (tests/fixtures): level 3, base score 64.5."""
    document: dict[str, Any] = json.loads(WORKED_EXAMPLE.read_text(encoding="utf-8"))
    return document


def level_two_example() -> dict[str, Any]:
    """The worked example with weaker scenarios and fewer options: a level-2 enterprise."""
    document = worked_example()
    weaker = {"S01": 1, "S02": 1, "S03": 2, "S04": 1, "S05": 1, "S06": 2, "S07": 1, "S08": 1, "S09": 1, "S10": 1,
              "Q1": ["B"], "Q6": ["A"], "Q9": ["B", "C"]}
    document["answers"] = {**document["answers"], **weaker}
    return document


def engine_result(questionnaire: Questionnaire, model: ScoringModel, document: Mapping[str, Any]) -> Scorecard:
    """What the scoring engine gives for these answers."""
    return score(questionnaire, model, parse_answers(questionnaire, dict(document)))


def figure(value: Any) -> str:
    """A number as typed into a figure field."""
    number = Fraction(str(value))
    return str(number.numerator) if number.denominator == 1 else str(float(number))


def step_path(assessment_id: int, section_id: str) -> str:
    """The path of one wizard step."""
    return f"/assess/{assessment_id}/step/{section_id}"


def assessment_id_of(page: Page) -> int:
    """The assessment id in the page's address (/assess/<id>/…)."""
    match = re.search(r"/assess/(\d+)", page.url)
    assert match is not None, page.url
    return int(match[1])


# --- with the mouse ------------------------------------------------------------------------------------------

def start(page: Page) -> tuple[int, str]:
    """Start the MIIT assessment from the start page; the assessment id and the private resume link."""
    page.goto("/")
    page.click("#start-miit-2024")
    link = page.locator("#resume-link")
    expect(link).to_be_visible()
    resume = link.input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/resume/[A-Za-z0-9_-]{40,}", resume), resume
    expect(page.locator("svg.qr")).to_be_visible()
    page.click("#continue")
    page.wait_for_url(re.compile(r"/assess/\d+/profile$"))
    return assessment_id_of(page), resume


def choose(page: Page, select: str, value: str, *, javascript: bool, refresh: str | None = None,
           child: str | None = None, child_value: str | None = None) -> None:
    """Pick a value in a list; its dependent list is filled by the script or, without it, by the refresh button."""
    page.select_option(f"#{select}", value)
    if child is None:
        return
    if javascript:
        page.wait_for_selector(f"#{child} option[value='{child_value}']", state="attached")
    else:
        assert refresh is not None
        page.click(f"#{refresh}")
        page.wait_for_selector(f"#{child} option[value='{child_value}']", state="attached")


def fill_profile(page: Page, profile: Mapping[str, str] = PROFILE, *, javascript: bool = True,
                 submit: bool = True) -> None:
    """Fill in the enterprise profile (region and industry lists one after another) and save it."""
    page.fill("#name", profile["name"])
    page.fill("#uscc", profile["uscc"])
    choose(page, "province", profile["province"], javascript=javascript, refresh="refresh-regions",
           child="city", child_value=profile["city"])
    choose(page, "city", profile["city"], javascript=javascript, refresh="refresh-regions",
           child="county", child_value=profile["county"])
    choose(page, "county", profile["county"], javascript=javascript)
    choose(page, "section", profile["section"], javascript=javascript, refresh="refresh-industries",
           child="division", child_value=profile["division"])
    choose(page, "division", profile["division"], javascript=javascript)
    # the no-JS refresh reloads the page with what was typed; fill the figures after the lists
    page.fill("#employees", profile["employees"])
    page.fill("#revenue_10k_cny", profile["revenue_10k_cny"])
    if submit:
        page.click("#save-next")


def answer_section(page: Page, section: Section, document: Mapping[str, Any], *, action: str = "save-next") -> None:
    """Tick, choose and type this section's answers and figures, then press a save button."""
    answers, data = document.get("answers", {}), document.get("data", {})
    for item in section.items:
        for spec in item.fields:
            if spec.id in data:
                page.fill(f"#{item.id}-{spec.id}", figure(data[spec.id]))
        value = answers.get(item.id)
        if isinstance(value, list):
            for option in item.options:
                box = page.locator(f"#{item.id}-{option.key}")
                if option.key in value:
                    box.check()
                elif box.is_checked():
                    box.uncheck()
        elif value is not None:
            page.check(f"#{item.id}-{value}")
    if action:
        page.click(f"#{action}")


def answer_all(page: Page, questionnaire: Questionnaire, assessment_id: int, document: Mapping[str, Any]) -> None:
    """Answer every section in order, following the wizard from one step to the next, up to the review."""
    for section in questionnaire.sections:
        page.wait_for_url(re.compile(re.escape(step_path(assessment_id, section.id)) + "$"))
        expect(page.locator("h1")).to_have_text(section.title["zh"])
        answer_section(page, section, document)
    page.wait_for_url(re.compile(rf"/assess/{assessment_id}/review$"))


def submit(page: Page, assessment_id: int) -> None:
    """Submit on the review page and wait for the result."""
    page.click("#submit")
    page.wait_for_url(re.compile(rf"/results/{assessment_id}$"))


# --- what the page shows ---------------------------------------------------------------------------------------

def chosen_keys(questionnaire: Questionnaire, document: Mapping[str, Any]) -> dict[str, set[str]]:
    """The controls ticked for each answered item, computed answers included (as the engine parses them)."""
    values = parse_answers(questionnaire, dict(document), complete=False).values
    chosen: dict[str, set[str]] = {}
    for item_id, value in values.items():
        if isinstance(value, tuple):
            chosen[item_id] = {str(v) for v in value}
        elif isinstance(value, (str, int)):
            chosen[item_id] = {str(value)}
    return chosen


def expect_section_restored(page: Page, questionnaire: Questionnaire, section: Section,
                            document: Mapping[str, Any]) -> None:
    """Every answer (computed ones too) and every figure of this section is on the page exactly as saved."""
    data = document.get("data", {})
    chosen = chosen_keys(questionnaire, document)
    for item in section.items:
        for spec in item.fields:
            if spec.id in data:
                expect(page.locator(f"#{item.id}-{spec.id}")).to_have_value(figure(data[spec.id]))
        for key in option_keys(item):
            box = page.locator(f"#{item.id}-{key}")
            if key in chosen.get(item.id, set()):
                expect(box).to_be_checked()
            else:
                expect(box).not_to_be_checked()


def option_keys(item: Item) -> list[str]:
    """The keys of an item's controls: option keys, or rating levels."""
    if item.type == "rating":
        return [str(level.level) for level in item.levels]
    return [option.key for option in item.options]


# --- with the keyboard only -----------------------------------------------------------------------------------

FOCUSED = "() => { const e = document.activeElement; return e ? [e.id || '', e.getAttribute('name') || ''] : ['', '']; }"


def tab_to(page: Page, *, id: str | None = None, name: str | None = None, limit: int = 400) -> None:
    """Press Tab until the control with this id (or any control of this group name) has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused_id, focused_name = page.evaluate(FOCUSED)
        if (id is not None and focused_id == id) or (name is not None and focused_name == name):
            return
    raise AssertionError(f"Tab never reached {id or name} on {page.url}")


def type_into(page: Page, field_id: str, text: str) -> None:
    """Tab to a text field and type (it is empty or selected as the focus arrives)."""
    tab_to(page, id=field_id)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def arrow_to_option(page: Page, select_id: str, value: str) -> None:
    """Tab to a list and move down or up to an option with the arrow keys, as a keyboard user does."""
    tab_to(page, id=select_id)
    values: list[str] = page.evaluate(f"() => Array.from(document.getElementById('{select_id}').options, o => o.value)")
    current: int = page.evaluate(f"() => document.getElementById('{select_id}').selectedIndex")
    target = values.index(value)
    key = "ArrowDown" if target > current else "ArrowUp"
    for _ in range(abs(target - current)):
        page.keyboard.press(key)
    expect(page.locator(f"#{select_id}")).to_have_value(value)


def keyboard_profile(page: Page, profile: Mapping[str, str] = PROFILE) -> None:
    """Fill in the profile with Tab, typing and arrow keys; the script fills the dependent lists."""
    type_into(page, "name", profile["name"])
    type_into(page, "uscc", profile["uscc"])
    arrow_to_option(page, "province", profile["province"])
    page.wait_for_selector(f"#city option[value='{profile['city']}']", state="attached")
    arrow_to_option(page, "city", profile["city"])
    page.wait_for_selector(f"#county option[value='{profile['county']}']", state="attached")
    arrow_to_option(page, "county", profile["county"])
    arrow_to_option(page, "section", profile["section"])  # passes A and B on the way: three lookups in flight
    page.wait_for_selector(f"#division option[value='{profile['division']}']", state="attached")
    divisions = [d.code for d in industries().divisions(profile["section"])]
    expect(page.locator("#division option:not([value=''])")).to_have_count(len(divisions))  # only the last answer
    arrow_to_option(page, "division", profile["division"])
    type_into(page, "employees", profile["employees"])
    type_into(page, "revenue_10k_cny", profile["revenue_10k_cny"])
    tab_to(page, id="save-next")
    page.keyboard.press("Enter")


def keyboard_choose_radio(page: Page, item: Item, key: str) -> None:
    """Tab into a radio group (one tab stop) and move to the option with the arrow keys, or Space on the first."""
    tab_to(page, name=item.id)
    keys = option_keys(item)
    focused_id, _name = page.evaluate(FOCUSED)
    current = keys.index(focused_id.removeprefix(f"{item.id}-"))
    target = keys.index(key)
    if target == current:
        page.keyboard.press("Space")
    for _ in range(abs(target - current)):
        page.keyboard.press("ArrowDown" if target > current else "ArrowUp")
    expect(page.locator(f"#{item.id}-{key}")).to_be_checked()


def keyboard_section(page: Page, section: Section, document: Mapping[str, Any]) -> None:
    """Answer one section with the keyboard: Tab to each control, Space to tick, arrows in radio groups, Enter."""
    answers, data = document.get("answers", {}), document.get("data", {})
    for item in section.items:
        for spec in item.fields:
            if spec.id in data:
                type_into(page, f"{item.id}-{spec.id}", figure(data[spec.id]))
        value = answers.get(item.id)
        if isinstance(value, list):
            for key in value:
                tab_to(page, id=f"{item.id}-{key}")
                page.keyboard.press("Space")
                expect(page.locator(f"#{item.id}-{key}")).to_be_checked()
        elif value is not None:
            keyboard_choose_radio(page, item, str(value))
    tab_to(page, id="save-next")
    page.keyboard.press("Enter")

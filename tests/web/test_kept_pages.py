"""A wizard step page is kept with slots per language, header, section and items shown (web/slots.py): each
request's page must be exactly what rendering it afresh gives, with the visitor's own values."""

from __future__ import annotations

import re

from flask import Flask
from journey import Journey, registered, worked_example

from assessment.web.site import site

PASSWORD = "correct horse battery"
TOKEN = re.compile(r'(name="csrf_token"(?: type="hidden")? value=)"[^"]+"')


def _without_tokens(page: str) -> str:
    # the signed CSRF token carries the second it was signed in: two renderings may differ there only
    return TOKEN.sub(r'\1"…"', page)


def _kept_and_fresh(app: Flask, journey: Journey, url: str) -> tuple[str, str]:
    kept = journey.client.get(url)
    app.config["KEEP_STEP_PAGES"] = False
    try:
        fresh = journey.client.get(url)
    finally:
        app.config["KEEP_STEP_PAGES"] = True
    assert kept.status_code == fresh.status_code == 200
    return kept.text, fresh.text


def test_a_kept_step_page_is_the_page_rendered_afresh(journey: Journey, app: Flask) -> None:
    assessment_id = journey.start()
    assert journey.fill_profile(assessment_id).status_code == 303
    document = worked_example()
    sections = journey.questionnaire().sections
    for section in sections[:3]:  # some steps answered (ticks, figures, computed answers), the others not
        response = journey.answer(assessment_id, section.id, document["answers"], document.get("data", {}))
        assert response.status_code == 303
    compared = 0
    for switch in ("zh", "en", "register", "zh"):
        if switch == "register":
            registered(journey.client, "owner@example.com", PASSWORD)
        else:
            journey.client.post("/language", data={"lang": switch, "next": "/"})
        for section in sections:
            kept, fresh = _kept_and_fresh(app, journey, f"/assess/{assessment_id}/step/{section.id}")
            assert "\x00" not in kept
            assert _without_tokens(kept) == _without_tokens(fresh), (switch, section.id)
            compared += 1
    page = journey.client.get(f"/assess/{assessment_id}/step/{sections[0].id}").text
    assert "owner@example.com" in page and ' checked' in page and "已回答" in page
    assert compared == 4 * len(sections)
    # zh and en, anonymous and signed in: a kept page per language, header and section
    assert len(site(app).step_pages) == 4 * len(sections)


def test_each_visitor_gets_their_own_values_in_a_kept_page(journey: Journey, other_journey: Journey,
                                                           app: Flask) -> None:
    first, second = journey.start(), other_journey.start()
    for walker, assessment_id in ((journey, first), (other_journey, second)):
        assert walker.fill_profile(assessment_id).status_code == 303
    assert journey.answer(first, "foundation", {"Q1": ["B", "C"], "Q5": "D"}).status_code == 303
    assert journey.answer(first, "foundation", {"Q1": ["B", "C"], "Q5": "C"}).status_code == 303
    mine = journey.client.get(f"/assess/{first}/step/foundation").text
    theirs = other_journey.client.get(f"/assess/{second}/step/foundation").text
    assert len(site(app).step_pages) == 1  # the second page came from the markup kept for the first
    assert 'id="Q1-B" name="Q1" value="B" checked' in mine and 'value="C" checked' in mine
    assert " checked" not in theirs
    assert f'action="/assess/{first}/step/foundation"' in mine
    assert f'action="/assess/{second}/step/foundation"' in theirs and f"/assess/{first}/" not in theirs
    versions = [re.search(r'name="version" value="(\d+)"', page) for page in (mine, theirs)]
    assert [int(v[1]) for v in versions if v] == [journey.record(first).version, other_journey.record(second).version]
    assert versions[0] and versions[1] and versions[0][1] != versions[1][1]
    tokens = [TOKEN.search(page) for page in (mine, theirs)]
    assert tokens[0] and tokens[1] and tokens[0][0] != tokens[1][0]  # each session's own CSRF token
    assert "已回答 2 / 31 题" in mine and "已回答 0 / 31 题" in theirs


def test_two_accounts_share_a_kept_page_and_each_sees_only_its_own_email(journey: Journey, other_journey: Journey,
                                                                         app: Flask) -> None:
    pages = []
    for walker, email in ((journey, "first@example.com"), (other_journey, "second@example.com")):
        registered(walker.client, email, PASSWORD)
        assessment_id = walker.start()
        assert walker.fill_profile(assessment_id).status_code == 303
        pages.append(walker.client.get(f"/assess/{assessment_id}/step/foundation").text)
    assert len(site(app).step_pages) == 1  # one kept page for the role and language, not one per account
    assert "first@example.com" in pages[0] and "second@example.com" not in pages[0]
    assert "second@example.com" in pages[1] and "first@example.com" not in pages[1]
    assert 'id="logout"' in pages[0] and 'id="logout"' in pages[1]

"""A wizard step page is rendered for each request: every visitor and account sees only their own answers, draft,
token and email, in Chinese and in English, signed in or not; what is kept between requests is made from content."""

from __future__ import annotations

import re

from flask import Flask
from journey import Journey, registered, worked_example

from assessment.web.site import site

PASSWORD = "correct horse battery"
TOKEN = re.compile(r'(name="csrf_token"(?: type="hidden")? value=)"[^"]+"')


def test_every_step_page_shows_the_visitors_answers_in_chinese_and_english_signed_in_or_not(
        journey: Journey) -> None:
    assessment_id = journey.start()
    assert journey.fill_profile(assessment_id).status_code == 303
    document = worked_example()
    sections = journey.questionnaire().sections
    for section in sections[:3]:  # some steps answered (ticks, figures, computed answers), the others not
        response = journey.answer(assessment_id, section.id, document["answers"], document.get("data", {}))
        assert response.status_code == 303
    shown = 0
    lang = "zh"
    for switch in ("zh", "en", "register", "zh"):  # anonymous in zh and en, then signed in (en, zh)
        if switch == "register":
            registered(journey.client, "owner@example.com", PASSWORD)
        else:
            lang = switch
            journey.client.post("/language", data={"lang": lang, "next": "/"})
        for number, section in enumerate(sections):
            page = journey.client.get(f"/assess/{assessment_id}/step/{section.id}")
            assert page.status_code == 200
            assert ('<html lang="en">' if lang == "en" else '<html lang="zh-CN">') in page.text, (switch, section.id)
            assert ("questions answered" if lang == "en" else "已回答") in page.text
            if number < 3:
                assert " checked" in page.text, (switch, section.id)
            shown += 1
    page = journey.client.get(f"/assess/{assessment_id}/step/{sections[0].id}").text
    assert "owner@example.com" in page and ' checked' in page and "已回答" in page
    assert shown == 4 * len(sections)


def test_each_visitor_gets_their_own_values_in_a_step_page(journey: Journey, other_journey: Journey) -> None:
    first, second = journey.start(), other_journey.start()
    for walker, assessment_id in ((journey, first), (other_journey, second)):
        assert walker.fill_profile(assessment_id).status_code == 303
    assert journey.answer(first, "foundation", {"Q1": ["B", "C"], "Q5": "D"}).status_code == 303
    assert journey.answer(first, "foundation", {"Q1": ["B", "C"], "Q5": "C"}).status_code == 303
    mine = journey.client.get(f"/assess/{first}/step/foundation").text
    theirs = other_journey.client.get(f"/assess/{second}/step/foundation").text
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


def test_two_accounts_of_one_role_each_see_only_their_own_email_in_a_step_page(journey: Journey,
                                                                              other_journey: Journey) -> None:
    pages = []
    for walker, email in ((journey, "first@example.com"), (other_journey, "second@example.com")):
        registered(walker.client, email, PASSWORD)
        assessment_id = walker.start()
        assert walker.fill_profile(assessment_id).status_code == 303
        pages.append(walker.client.get(f"/assess/{assessment_id}/step/foundation").text)
    assert "first@example.com" in pages[0] and "second@example.com" not in pages[0]
    assert "second@example.com" in pages[1] and "first@example.com" not in pages[1]
    assert 'id="logout"' in pages[0] and 'id="logout"' in pages[1]


def test_what_is_kept_between_requests_is_made_from_content_alone(journey: Journey, app: Flask) -> None:
    registered(journey.client, "owner@example.com", PASSWORD)
    assessment_id = journey.start()
    assert journey.fill_profile(assessment_id).status_code == 303
    document = worked_example()
    assert journey.answer(assessment_id, "foundation", document["answers"], document.get("data", {})).status_code == 303
    page = journey.client.get(f"/assess/{assessment_id}/step/foundation").text
    token = TOKEN.search(page)
    assert token is not None and " checked" in page
    kept = site(app).question_parts
    assert kept and {lang for _ref, _item, lang in kept} == {"zh"}
    for parts in kept.values():
        markup = "".join([parts.heading, parts.derive, parts.grid_head, *parts.row_heads.values(),
                          *(unticked for unticked, _ticked in parts.controls.values())])
        assert " checked" not in markup  # a control is kept unticked and ticked; the request picks one
        for private in ("owner@example.com", token[0].split("value=")[1], f"/assess/{assessment_id}/"):
            assert private not in markup and all(private not in ticked for _unticked, ticked in parts.controls.values())

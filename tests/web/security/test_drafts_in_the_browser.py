"""A browser session remembers which drafts a visitor works on; it grants nothing by itself.

A visitor without an account opens an ownerless draft only while its session holds the secret that the draft's
current resume link gives; a new link cuts every other session off. Signing in moves only the drafts the session
really holds into the account, each with a new link, so whoever planted the session (and knows the old link)
loses them. Resume links of an enterprise's assessment belong to the enterprise, not to its provider.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from journey import Journey
from sqlalchemy import select
from world import PASSWORD, World

from assessment.db import queries
from assessment.db.models import Assessment
from assessment.web.access import SESSION_KEY
from assessment.web.site import site


def _stored_hash(app: Flask, assessment_id: int) -> str:
    with site(app).sessions() as session:
        return str(session.scalar(select(Assessment.resume_token_hash).where(Assessment.id == assessment_id)))


def _sign_in(client: FlaskClient, email: str) -> None:
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 303, response.text


def _link_token(client: FlaskClient, assessment_id: int) -> str:
    """Make a new resume link on the link page and read it (it is shown once)."""
    assert client.post(f"/assess/{assessment_id}/link").status_code == 303
    found = re.search(r'/resume/([^"]+)"', client.get(f"/assess/{assessment_id}/link").text)
    assert found is not None
    return found[1]


def _planted(app: Flask, source: FlaskClient) -> FlaskClient:
    """Another browser carrying a copy of this browser's session cookie."""
    target = app.test_client()
    cookie = source.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert cookie is not None
    target.set_cookie(cookie.key, cookie.value)
    return target


def test_a_draft_planted_before_sign_in_moves_into_the_account_and_the_planter_loses_it(
        app: Flask, world: World) -> None:
    planter = Journey(app.test_client())
    assessment_id = planter.start()
    old_link = planter.tokens[assessment_id]
    victim = _planted(app, planter.client)
    owner = world.member("enterprise", "victim@example.com", password=PASSWORD)
    _sign_in(victim, "victim@example.com")
    assert planter.record(assessment_id).user_id == owner
    assert victim.get(f"/assess/{assessment_id}/profile").status_code == 200
    assert planter.client.get(f"/assess/{assessment_id}/profile").status_code == 404
    assert app.test_client().get(f"/resume/{old_link}").status_code == 404, "the planter's link no longer opens it"


def test_signing_in_moves_only_drafts_whose_secret_the_session_holds(app: Flask, world: World) -> None:
    someone = Journey(app.test_client())
    theirs = someone.start()
    mine = Journey(app.test_client())
    own = mine.start()
    with mine.client.session_transaction() as session:  # a forged session naming someone else's draft too
        session[SESSION_KEY] = [*session[SESSION_KEY], [theirs, "0" * 64]]
        session["assessments"] = [theirs]  # the list of ids older sessions kept
    account = world.member("enterprise", "me@example.com", password=PASSWORD)
    _sign_in(mine.client, "me@example.com")
    assert mine.record(own).user_id == account
    assert mine.record(theirs).user_id is None
    assert someone.client.get(f"/assess/{theirs}/profile").status_code == 200
    assert mine.client.get(f"/assess/{theirs}/profile").status_code == 404


def test_a_session_that_only_names_a_draft_opens_nothing(app: Flask) -> None:
    someone = Journey(app.test_client())
    theirs = someone.start()
    forger = app.test_client()
    with forger.session_transaction() as session:
        session[SESSION_KEY] = [[theirs, "0" * 64], [theirs + 1, "x"], "junk", [None, None]]
        session["assessments"] = [theirs]
    for path in ("", "/profile", "/step/foundation", "/review", "/link"):
        assert forger.get(f"/assess/{theirs}{path}").status_code == 404, path
    assert forger.post(f"/assess/{theirs}/link").status_code == 404
    assert f'id="open-{theirs}"' not in forger.get("/assessments").text
    assert someone.client.get(f"/assess/{theirs}/profile").status_code == 200


def test_a_new_resume_link_cuts_off_the_sessions_that_held_the_old_one(app: Flask) -> None:
    laptop = Journey(app.test_client())
    assessment_id = laptop.start()
    phone = Journey(app.test_client())
    assert phone.client.get(f"/resume/{laptop.tokens[assessment_id]}").status_code == 303
    assert phone.client.get(f"/assess/{assessment_id}/profile").status_code == 200
    new_link = _link_token(laptop.client, assessment_id)
    assert laptop.client.get(f"/assess/{assessment_id}/profile").status_code == 200
    assert phone.client.get(f"/assess/{assessment_id}/profile").status_code == 404
    assert f'id="open-{assessment_id}"' not in phone.client.get("/assessments").text
    assert phone.client.get(f"/resume/{new_link}").status_code == 303
    assert phone.client.get(f"/assess/{assessment_id}/profile").status_code == 200


def test_a_resume_link_of_an_assessment_in_an_account_asks_to_log_in(app: Flask, world: World) -> None:
    owner = world.member("enterprise", "owner@example.com", password=PASSWORD)
    browser = Journey(world.client(owner))
    assessment_id = browser.start()
    assert browser.record(assessment_id).user_id == owner
    visitor = app.test_client()
    response = visitor.get(f"/resume/{browser.tokens[assessment_id]}")
    assert response.status_code == 303
    target = urlsplit(response.headers["Location"])
    assert target.path == "/auth/login" and f"/assess/{assessment_id}" in target.query
    assert visitor.get(f"/assess/{assessment_id}/profile").status_code == 404
    _sign_in(visitor, "owner@example.com")
    assert visitor.get(f"/assess/{assessment_id}/profile").status_code == 200


def test_an_account_opening_the_link_of_an_ownerless_draft_takes_it_in_with_a_new_link(
        app: Flask, world: World) -> None:
    visitor = Journey(app.test_client())
    assessment_id = visitor.start()
    link = visitor.tokens[assessment_id]
    account = world.member("enterprise", "taker@example.com")
    taker = world.client(account)
    response = taker.get(f"/resume/{link}")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/assess/{assessment_id}")
    assert visitor.record(assessment_id).user_id == account
    assert taker.get(f"/assess/{assessment_id}/profile").status_code == 200
    assert visitor.client.get(f"/assess/{assessment_id}/profile").status_code == 404
    assert app.test_client().get(f"/resume/{link}").status_code == 404


def test_another_account_gets_nothing_from_the_link_of_an_assessment_in_an_account(
        app: Flask, world: World) -> None:
    owner = world.member("enterprise", "owner@example.com")
    browser = Journey(world.client(owner))
    assessment_id = browser.start()
    stranger = world.client(world.member("enterprise", "stranger@example.com"))
    assert stranger.get(f"/resume/{browser.tokens[assessment_id]}").status_code == 404
    assert stranger.get(f"/assess/{assessment_id}/profile").status_code == 404
    assert browser.record(assessment_id).user_id == owner


def test_resume_links_of_an_enterprise_belong_to_it_not_to_its_provider(app: Flask, world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    owner = Journey(world.client(tenant.owner_id))
    assessment_id = owner.start()
    with world.session() as session:
        queries.link_enterprise(session, assessment_id, tenant.enterprise_id)
    before = _stored_hash(app, assessment_id)
    staff = world.client(tenant.staff_id)
    assert staff.get(f"/assess/{assessment_id}/profile").status_code == 200, "the provider works on it"
    assert staff.get(f"/assess/{assessment_id}/link").status_code == 404
    assert staff.post(f"/assess/{assessment_id}/link").status_code == 404
    assert staff.post(f"/assess/{assessment_id}/step/foundation",
                      data={"version": str(owner.record(assessment_id).version), "action": "later"}
                      ).headers["Location"].endswith(f"/assessments/{assessment_id}/workspace")
    assert _stored_hash(app, assessment_id) == before, "the enterprise's link still works"
    assert owner.client.get(f"/resume/{owner.tokens[assessment_id]}").status_code == 303
    assert owner.client.post(f"/assess/{assessment_id}/link").status_code == 303
    assert _stored_hash(app, assessment_id) != before


def test_a_provider_cannot_start_a_re_assessment_in_the_enterprise_s_name(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    submitted = world.assessment(tenant, "guided", submit=True)
    staff = world.client(tenant.staff_id)
    assert 'id="reassess"' not in staff.get(f"/results/{submitted}").text
    assert staff.post(f"/assess/{submitted}/reassess").status_code == 404
    owner = world.client(tenant.owner_id)
    assert 'id="reassess"' in owner.get(f"/results/{submitted}").text
    response = owner.post(f"/assess/{submitted}/reassess", data={"confirm": "yes"})
    assert response.status_code == 303
    new_id = int(re.findall(r"\d+", response.headers["Location"])[0])
    with world.session() as session:
        record = queries.get_assessment(session, new_id)
    assert record is not None and record.user_id == tenant.owner_id and record.enterprise_id == tenant.enterprise_id

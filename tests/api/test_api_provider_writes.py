"""A provider's read-write token works its clients' assessments the way an enterprise's token works its own: a
guided (or on-site) draft started for a consenting client, answers changed only against the version in If-Match
(412 on a mismatch, 428 without, 422 per item), a guided draft submitted once per Idempotency-Key; on site the
assessor validates and submits on the web. A withdrawn consent cuts the provider off on the next request, another
provider's client is a 404, a read token writes nothing (403), and other roles find nothing (404); SQLite and
PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from api_callers import account, bearer, token
from flask import Flask
from flask.testing import FlaskClient
from world import Tenant, World, worked_example

from assessment.services import providers as tenancy

API = "/api/v1/provider"


@pytest.fixture
def world(app: Flask) -> World:
    return World(app)


def _writer(world: World, tenant: Tenant) -> dict[str, str]:
    return bearer(token(world.app, tenant.staff_id, "read-write"), "en")


def _start(client: FlaskClient, tenant: Tenant, headers: dict[str, str], **body: Any) -> Any:
    return client.post(f"{API}/clients/{tenant.enterprise_id}/assessments", headers=headers,
                       json={"questionnaire": "miit-2024", **body})


def test_a_provider_starts_a_guided_draft_for_its_client_and_answers_it_against_its_etag(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    client = world.app.test_client()
    writer = _writer(world, tenant)
    started = _start(client, tenant, writer)
    assert started.status_code == 201, started.json
    aid, tag = started.json["id"], started.headers["ETag"]
    assert started.json["mode"] == "guided" and started.json["status"] == "draft"
    assert started.headers["Location"].endswith(f"{API}/assessments/{aid}")
    assert client.get(f"{API}/assessments/{aid}", headers=writer).headers["ETag"] == tag
    listed = client.get(f"{API}/clients/{tenant.enterprise_id}", headers=writer).json["assessments"]
    assert [a["id"] for a in listed] == [aid]
    url = f"{API}/assessments/{aid}"
    assert client.patch(url, json={"answers": {"Q5": "D"}}, headers=writer).status_code == 428
    changed = client.patch(url, json={"answers": {"Q5": "D"}}, headers={**writer, "If-Match": tag})
    assert changed.status_code == 200 and changed.json["answers"] == {"Q5": "D"} and changed.headers["ETag"] != tag
    stale = client.patch(url, json={"answers": {"Q5": "C"}}, headers={**writer, "If-Match": tag})
    assert stale.status_code == 412
    wrong = client.patch(url, json={"answers": {"Q5": "Z"}},
                         headers={**writer, "If-Match": changed.headers["ETag"]})
    assert wrong.status_code == 422 and sorted(e["field"] for e in wrong.json["errors"]) == ["Q5"]
    assert client.get(url, headers=writer).json["answers"] == {"Q5": "D"}


def test_a_start_is_checked_as_the_webs_form_and_may_be_on_site(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    client = world.app.test_client()
    writer = _writer(world, tenant)
    refused = _start(client, tenant, writer, questionnaire="nope", mode="remote", reuse_previous="yes", colour=1)
    assert refused.status_code == 422
    assert sorted(e["field"] for e in refused.json["errors"]) == ["colour", "mode", "questionnaire", "reuse_previous"]
    on_site = _start(client, tenant, writer, mode="onsite")
    assert on_site.status_code == 201 and on_site.json["mode"] == "onsite"


def test_a_guided_draft_is_submitted_once_per_idempotency_key(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    client = world.app.test_client()
    writer = _writer(world, tenant)
    document = worked_example()
    started = _start(client, tenant, writer)
    aid = started.json["id"]
    filled = client.patch(f"{API}/assessments/{aid}", json={"answers": document["answers"],
                                                           "data": document.get("data", {})},
                          headers={**writer, "If-Match": started.headers["ETag"]})
    assert filled.status_code == 200, filled.json
    url = f"{API}/assessments/{aid}/submit"
    assert client.post(url, headers=writer).status_code == 422  # no Idempotency-Key
    first = client.post(url, headers={**writer, "Idempotency-Key": "k-1"})
    assert first.status_code == 200, first.json
    assert first.json["status"] == "submitted" and first.json["level"] is not None
    again = client.post(url, headers={**writer, "Idempotency-Key": "k-1"})
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_data() == first.get_data()
    assert client.post(url, headers={**writer, "Idempotency-Key": "k-2"}).status_code == 409
    frozen = client.patch(f"{API}/assessments/{aid}", json={"answers": {}}, headers={**writer, "If-Match": "*"})
    assert frozen.status_code == 409


def test_on_site_the_assessor_validates_and_submits_on_the_web(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant, "onsite")
    client = world.app.test_client()
    writer = _writer(world, tenant)
    before = client.get(f"{API}/assessments/{aid}", headers=writer).json
    changed = client.patch(f"{API}/assessments/{aid}", json={"answers": {"Q5": "A"}},
                           headers={**writer, "If-Match": "*"})
    assert changed.status_code == 403 and "workspace" in changed.json["errors"][0]["detail"]
    submitted = client.post(f"{API}/assessments/{aid}/submit", headers={**writer, "Idempotency-Key": "k"})
    assert submitted.status_code == 409 and "workspace" in submitted.json["errors"][0]["detail"]
    assert client.get(f"{API}/assessments/{aid}", headers=writer).json == before


def test_a_withdrawn_consent_cuts_the_writes_off_on_the_next_request(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    client = world.app.test_client()
    writer = _writer(world, tenant)
    started = _start(client, tenant, writer)
    aid = started.json["id"]
    with world.session() as session:
        assert tenancy.revoke(session, tenant.link_id, tenant.owner_id)
    assert _start(client, tenant, writer).status_code == 404
    assert client.patch(f"{API}/assessments/{aid}", json={"answers": {"Q5": "D"}},
                        headers={**writer, "If-Match": started.headers["ETag"]}).status_code == 404
    assert client.post(f"{API}/assessments/{aid}/submit", headers={**writer, "Idempotency-Key": "k"}).status_code == 404


def test_another_providers_client_is_a_404_a_read_token_a_403_and_other_roles_find_nothing(world: World) -> None:
    ours = world.tenant("A", "91370102MA3C00001")
    theirs = world.tenant("B", "91370102MA3C00002")
    their_draft = world.assessment(theirs, "guided")
    client = world.app.test_client()
    writer = _writer(world, ours)
    assert _start(client, theirs, writer).status_code == 404
    assert client.patch(f"{API}/assessments/{their_draft}", json={"answers": {}},
                        headers={**writer, "If-Match": "*"}).status_code == 404
    assert client.post(f"{API}/assessments/{their_draft}/submit",
                       headers={**writer, "Idempotency-Key": "k"}).status_code == 404
    reader = bearer(token(world.app, theirs.staff_id))
    assert _start(client, theirs, reader).status_code == 403
    assert client.patch(f"{API}/assessments/{their_draft}", json={"answers": {}},
                        headers={**reader, "If-Match": "*"}).status_code == 403
    assert client.post(f"{API}/assessments/{their_draft}/submit",
                       headers={**reader, "Idempotency-Key": "k"}).status_code == 403
    owner = bearer(token(world.app, theirs.owner_id, "read-write"))
    other = bearer(token(world.app, account(world.app, "e@example.com", "enterprise"), "read-write"))
    for headers in (owner, other):
        assert _start(client, theirs, headers).status_code == 404
        assert client.patch(f"{API}/assessments/{their_draft}", json={"answers": {}},
                            headers={**headers, "If-Match": "*"}).status_code == 404
        assert client.post(f"{API}/assessments/{their_draft}/submit",
                           headers={**headers, "Idempotency-Key": "k"}).status_code == 404
    assert client.get(f"{API}/assessments/{their_draft}", headers=bearer(token(world.app, theirs.staff_id))
                      ).json["answers"] == worked_example()["answers"]

"""The enterprise's shares with authorities through the API: made only for its own submitted results and a real
authority with confirm, listed a page at a time, revoked; another enterprise's share is a 404, a read token
cannot share."""

from __future__ import annotations

from api_accounts import account_with_token, bearer
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from test_api_enterprise import _filled, _start, _submit

from assessment.db.models import AuthorityShare, SecurityEvent
from assessment.web.site import site

SHARES = "/api/v1/shares"


def _submitted(client: FlaskClient, token: str) -> int:
    assessment_id, _ = _filled(client, token)
    assert _submit(client, token, assessment_id, "k").status_code == 200
    return assessment_id


def test_a_submitted_result_is_shared_listed_and_revoked(app: Flask, client: FlaskClient) -> None:
    _, token = account_with_token(app, "e@example.com")
    assessment_id = _submitted(client, token)
    made = client.post(SHARES, json={"authority": "110108", "assessment_id": assessment_id, "confirm": True},
                       headers=bearer(token))
    assert made.status_code == 201 and made.json["active"] and made.json["assessment_id"] == assessment_id
    again = client.post(SHARES, json={"authority": "110108", "assessment_id": assessment_id, "confirm": True},
                        headers=bearer(token))
    assert again.status_code == 200 and again.json["id"] == made.json["id"]
    listed = client.get(SHARES, headers=bearer(token))
    assert [s["id"] for s in listed.json["items"]] == [made.json["id"]] and listed.json["next"] is None
    revoked = client.post(f"{SHARES}/{made.json['id']}/revoke", headers=bearer(token))
    assert revoked.status_code == 200 and not revoked.json["active"] and revoked.json["revoked_at"]
    assert client.post(f"{SHARES}/{made.json['id']}/revoke", headers=bearer(token)).status_code == 404
    with site(app).sessions() as session:
        kinds = session.scalars(select(SecurityEvent.kind)).all()
    assert kinds.count("consent_changed") == 2


def test_a_share_needs_a_real_authority_an_own_submitted_result_and_confirm(app: Flask, client: FlaskClient) -> None:
    _, token = account_with_token(app, "e@example.com")
    _, other = account_with_token(app, "other@example.com")
    draft, _ = _start(client, token)
    others = _submitted(client, other)
    for body, field in [({"authority": "999999", "assessment_id": others, "confirm": True}, "authority"),
                        ({"authority": "110100", "assessment_id": draft, "confirm": True}, "authority"),
                        ({"authority": "110108", "assessment_id": draft, "confirm": True}, "assessment_id"),
                        ({"authority": "110108", "enterprise_id": 12345, "confirm": True}, "assessment_id")]:
        refused = client.post(SHARES, json=body, headers=bearer(token, **{"Accept-Language": "en"}))
        assert refused.status_code == 422 and field in [e["field"] for e in refused.json["errors"]], body
    unconfirmed = client.post(SHARES, json={"authority": "110108", "assessment_id": others}, headers=bearer(other))
    assert [e["field"] for e in unconfirmed.json["errors"]] == ["confirm"]
    with site(app).sessions() as session:
        assert session.scalars(select(AuthorityShare.id)).all() == []


def test_another_enterprises_share_is_a_404_and_a_read_token_cannot_share(app: Flask, client: FlaskClient) -> None:
    _, owner = account_with_token(app, "e@example.com")
    _, other = account_with_token(app, "other@example.com")
    _, reader = account_with_token(app, "reader@example.com", scope="read")
    made = client.post(SHARES, json={"authority": "110108", "assessment_id": _submitted(client, owner),
                                     "confirm": True}, headers=bearer(owner))
    assert client.post(f"{SHARES}/{made.json['id']}/revoke", headers=bearer(other)).status_code == 404
    assert client.get(SHARES, headers=bearer(other)).json["items"] == []
    assert client.post(SHARES, json={"authority": "110108", "enterprise_id": 1, "confirm": True},
                       headers=bearer(reader)).status_code == 403

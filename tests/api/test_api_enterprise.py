"""The enterprise endpoints: own assessments listed a page at a time, started, read with an ETag (304 when
unchanged), changed only against the version in If-Match (412 on a mismatch, 428 without), with the web's messages
per item; submitted once per Idempotency-Key; the result equals the public /score; another enterprise's
assessment is a 404."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from api_accounts import PROFILE, account_with_token, bearer
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from assessment.db.models import Assessment, IdempotentRequest
from assessment.web.site import site

LIST = "/api/v1/assessments"
WORKED = json.loads((Path(__file__).parents[1] / "fixtures" / "miit-2024-worked-example.json").read_text("utf-8"))


def _start(client: FlaskClient, token: str) -> tuple[int, str]:
    response = client.post(LIST, json={"questionnaire": "miit-2024"}, headers=bearer(token))
    assert response.status_code == 201 and response.headers["Location"].endswith(f"/{response.json['id']}")
    return response.json["id"], response.headers["ETag"]


def _filled(client: FlaskClient, token: str) -> tuple[int, str]:
    assessment_id, tag = _start(client, token)
    response = client.patch(f"{LIST}/{assessment_id}", headers=bearer(token, **{"If-Match": tag}), json={
        "answers": WORKED["answers"], "data": WORKED["data"], "profile": PROFILE})
    assert response.status_code == 200, response.json
    assert response.json["completion"]["missing"] == [] and response.json["profile"]["uscc"] == PROFILE["uscc"]
    return assessment_id, response.headers["ETag"]


def _submit(client: FlaskClient, token: str, assessment_id: int, key: str, **headers: str) -> Any:
    return client.post(f"{LIST}/{assessment_id}/submit", headers=bearer(token, **{"Idempotency-Key": key}, **headers))


def test_a_draft_is_started_read_and_answered_against_its_etag(app: Flask, client: FlaskClient) -> None:
    _, token = account_with_token(app, "e@example.com")
    assessment_id, tag = _start(client, token)
    read = client.get(f"{LIST}/{assessment_id}", headers=bearer(token))
    assert read.status_code == 200 and read.headers["ETag"] == tag and not tag.startswith("W/")
    assert read.json["status"] == "draft" and read.json["version"] == 1 and read.json["answers"] == {}
    assert client.get(f"{LIST}/{assessment_id}", headers=bearer(token, **{"If-None-Match": tag})).status_code == 304
    changed = client.patch(f"{LIST}/{assessment_id}", json={"answers": {"Q5": "D"}},
                           headers=bearer(token, **{"If-Match": tag}))
    assert changed.status_code == 200 and changed.json["answers"] == {"Q5": "D"} and changed.json["version"] == 2
    assert changed.headers["ETag"] != tag
    assert client.get(f"{LIST}/{assessment_id}", headers=bearer(token, **{"If-None-Match": tag})).status_code == 200


def test_a_change_needs_if_match_and_a_stale_one_is_a_412(app: Flask, client: FlaskClient) -> None:
    _, token = account_with_token(app, "e@example.com")
    assessment_id, tag = _start(client, token)
    missing = client.patch(f"{LIST}/{assessment_id}", json={"answers": {"Q5": "D"}}, headers=bearer(token))
    assert missing.status_code == 428 and missing.mimetype == "application/problem+json"
    client.patch(f"{LIST}/{assessment_id}", json={"answers": {"Q5": "C"}}, headers=bearer(token, **{"If-Match": tag}))
    stale = client.patch(f"{LIST}/{assessment_id}", json={"answers": {"Q5": "D"}},
                         headers=bearer(token, **{"If-Match": tag}))
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    assert client.get(f"{LIST}/{assessment_id}", headers=bearer(token)).json["answers"] == {"Q5": "C"}


def test_bad_answers_get_the_webs_messages_per_item_and_nothing_is_saved(app: Flask, client: FlaskClient) -> None:
    _, token = account_with_token(app, "e@example.com")
    assessment_id, tag = _start(client, token)
    response = client.patch(f"{LIST}/{assessment_id}", json={"answers": {"Q5": "ZZ", "Q6": ["B"]}},
                            headers=bearer(token, **{"If-Match": tag, "Accept-Language": "en"}))
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert [e["field"] for e in response.json["errors"]] == ["Q5"] and "Q5" in response.json["errors"][0]["detail"]
    unknown = client.patch(f"{LIST}/{assessment_id}", json={"answers": {"Q999": "A"}, "data": {"nope": 1}},
                           headers=bearer(token, **{"If-Match": tag}))
    assert [(e["field"], e["code"]) for e in unknown.json["errors"]] == [("Q999", "unknown_item"),
                                                                         ("nope", "unknown_field")]
    read = client.get(f"{LIST}/{assessment_id}", headers=bearer(token))
    assert read.json["answers"] == {} and read.headers["ETag"] == tag


def test_submit_once_per_idempotency_key(app: Flask, client: FlaskClient) -> None:
    _, token = account_with_token(app, "e@example.com")
    assessment_id, _ = _filled(client, token)
    before = client.get(f"{LIST}/{assessment_id}", headers=bearer(token)).json["version"]
    first = _submit(client, token, assessment_id, "submit-1")
    assert first.status_code == 200 and first.json["status"] == "submitted" and first.json["level"] is not None
    again = _submit(client, token, assessment_id, "submit-1")
    assert again.status_code == 200 and again.data == first.data and again.headers["Idempotent-Replayed"] == "true"
    other_body = client.post(f"{LIST}/{assessment_id}/submit", json={"note": 1},
                             headers=bearer(token, **{"Idempotency-Key": "submit-1"}))
    assert other_body.status_code == 422 and other_body.json["errors"][0]["field"] == "Idempotency-Key"
    new_key = _submit(client, token, assessment_id, "submit-2")
    assert new_key.status_code == 409 and new_key.mimetype == "application/problem+json"
    no_key = client.post(f"{LIST}/{assessment_id}/submit", headers=bearer(token))
    assert no_key.status_code == 422 and no_key.json["errors"][0]["field"] == "Idempotency-Key"
    with site(app).sessions() as session:
        assert session.scalar(select(func.count()).select_from(IdempotentRequest)) == 1
        assert session.scalar(select(Assessment.version).where(Assessment.id == assessment_id)) == before + 1


def test_an_incomplete_draft_is_not_submitted_and_its_key_stays_free(app: Flask, client: FlaskClient) -> None:
    _, token = account_with_token(app, "e@example.com")
    assessment_id, _ = _start(client, token)
    refused = _submit(client, token, assessment_id, "k")
    assert refused.status_code == 422 and {"profile_missing", "missing"} <= {e["code"] for e in refused.json["errors"]}
    with site(app).sessions() as session:
        assert session.scalar(select(func.count()).select_from(IdempotentRequest)) == 0


def test_the_result_is_the_public_score_object_and_the_report_a_pdf(app: Flask, client: FlaskClient) -> None:
    _, token = account_with_token(app, "e@example.com")
    assessment_id, _ = _filled(client, token)
    assert client.get(f"{LIST}/{assessment_id}/result", headers=bearer(token)).status_code == 409
    _submit(client, token, assessment_id, "k")
    result = client.get(f"{LIST}/{assessment_id}/result", headers=bearer(token, **{"Accept-Language": "en"}))
    public = client.post("/api/v1/score", json=WORKED, headers={"Accept-Language": "en"})
    assert result.status_code == 200 and result.json == public.json
    assert client.get(f"{LIST}/{assessment_id}/result",
                      headers=bearer(token, **{"If-None-Match": result.headers["ETag"],
                                               "Accept-Language": "en"})).status_code == 304
    report = client.get(f"{LIST}/{assessment_id}/report", headers=bearer(token))
    assert report.status_code == 200 and report.mimetype == "application/pdf" and report.data.startswith(b"%PDF")
    changed = client.patch(f"{LIST}/{assessment_id}", json={"answers": {"Q5": "C"}},
                           headers=bearer(token, **{"If-Match": "*"}))
    assert changed.status_code == 409


def test_another_enterprises_assessment_is_a_404(app: Flask, client: FlaskClient) -> None:
    _, owner = account_with_token(app, "owner@example.com")
    _, other = account_with_token(app, "other@example.com")
    assessment_id, tag = _start(client, owner)
    for method, path in [("GET", ""), ("PATCH", ""), ("POST", "/submit"), ("GET", "/result"), ("GET", "/report")]:
        response = client.open(f"{LIST}/{assessment_id}{path}", method=method, json={"answers": {}},
                               headers=bearer(other, **{"If-Match": tag, "Idempotency-Key": "x"}))
        assert response.status_code == 404 and response.mimetype == "application/problem+json", (method, path)
    assert client.get(LIST, headers=bearer(other)).json["items"] == []
    assert client.get(f"{LIST}/{assessment_id + 99}", headers=bearer(owner)).status_code == 404


def test_the_list_pages_through_every_assessment_with_a_cursor(app: Flask, client: FlaskClient) -> None:
    _, token = account_with_token(app, "e@example.com")
    made = [_start(client, token)[0] for _ in range(5)]
    seen: list[int] = []
    url: str | None = f"{LIST}?limit=2"
    pages = 0
    while url is not None:
        page = client.get(url, headers=bearer(token))
        assert page.status_code == 200 and len(page.json["items"]) <= 2
        seen += [item["id"] for item in page.json["items"]]
        url = page.json["next"]
        assert (url is None) == ("Link" not in page.headers)
        pages += 1
    assert seen == sorted(made, reverse=True) and pages == 3
    first = client.get(f"{LIST}?limit=2", headers=bearer(token))
    assert client.get(f"{LIST}?limit=2", headers=bearer(token, **{"If-None-Match": first.headers["ETag"]})
                      ).status_code == 304
    for bad in ("limit=0", "limit=101", "limit=x", "cursor=nonsense"):
        refused = client.get(f"{LIST}?{bad}", headers=bearer(token))
        assert refused.status_code == 422 and refused.json["errors"][0]["field"] in ("limit", "cursor")

"""Every API error is application/problem+json (RFC 9457) in the caller's language; the site's pages keep theirs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from assessment.services import answer_documents

PROBLEM = "application/problem+json"
EN = {"Accept-Language": "en"}


def problem_of(response: TestResponse, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.data
    assert response.mimetype == PROBLEM
    body: dict[str, Any] = response.json
    assert body["status"] == status and body["type"] == "about:blank" and body["title"] and body["detail"]
    return body


def test_malformed_json_is_a_400_problem(client: FlaskClient) -> None:
    problem_of(client.post("/api/v1/score", data="{not json", content_type="application/json"), 400)


def test_json_nested_deeper_than_the_parser_goes_is_a_400_problem(client: FlaskClient) -> None:
    problem_of(client.post("/api/v1/score", data="[" * 100_000 + "]" * 100_000, content_type="application/json"), 400)


def test_an_unknown_api_address_is_a_404_problem_and_a_page_address_still_an_html_page(client: FlaskClient) -> None:
    problem_of(client.get("/api/v1/nowhere"), 404)
    page = client.get("/nowhere")
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_a_wrong_method_is_a_405_problem_with_allow(client: FlaskClient) -> None:
    response = client.put("/api/v1/score", json={})
    problem_of(response, 405)
    assert "POST" in response.headers["Allow"]
    problem_of(client.post("/api/v1/models"), 405)


def test_a_body_over_the_api_limit_is_a_413_problem(app: Flask, client: FlaskClient) -> None:
    app.extensions["assessment.api"].max_body = 1000
    body = problem_of(client.post("/api/v1/score", data="[" + "1," * 600 + "1]", content_type="application/json",
                                  headers=EN), 413)
    assert "1000 bytes" in str(body["detail"])


def test_a_body_that_is_not_json_is_a_415_problem(client: FlaskClient) -> None:
    problem_of(client.post("/api/v1/score", data={"answers": "x"}), 415)


def test_each_answer_problem_has_its_own_entry_with_the_web_message_in_chinese(client: FlaskClient) -> None:
    body = problem_of(client.post("/api/v1/score", json={"answers": {"Q1": ["Z"]}}), 422)
    first = next(e for e in body["errors"] if e["field"] == "Q1")
    assert "Z" in first["detail"] and not first["detail"].isascii()
    assert body["title"] == "请求有误" and str(body["detail"]).endswith("。")


def test_the_same_problem_in_english_when_asked_for(client: FlaskClient) -> None:
    body = problem_of(client.post("/api/v1/score", json={"answers": {"Q1": ["Z"]}}, headers=EN), 422)
    assert body["title"] == "The request has problems"
    assert all(str(e["detail"]).isascii() for e in body["errors"])


def test_an_unexpected_failure_is_a_500_problem_without_internals(app: Flask, client: FlaskClient,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(answer_documents, "score_result", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.post("/api/v1/score", json={"answers": {}})
    body = problem_of(response, 500)
    assert "secret" not in response.get_data(as_text=True) and body["title"] == "服务器出错"


@pytest.fixture
def csrf_on(app: Flask) -> Iterator[FlaskClient]:
    app.config["WTF_CSRF_ENABLED"] = True
    yield app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False


def test_the_api_needs_no_csrf_token_but_the_site_still_does(csrf_on: FlaskClient) -> None:
    assert csrf_on.post("/api/v1/score", json={"answers": {}}).status_code == 422
    assert csrf_on.post("/language", data={"lang": "en"}).status_code == 400

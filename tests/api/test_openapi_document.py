"""GET /api/v1/openapi.json is a valid OpenAPI 3.1 document that describes every API route and its problems."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

PUBLIC = {("/api/v1/questionnaires", "get"), ("/api/v1/questionnaires/{questionnaire_id}", "get"),
          ("/api/v1/models", "get"), ("/api/v1/score", "post"), ("/api/v1/recommend", "post"),
          ("/api/v1/report", "post")}
ENTERPRISE = {("/api/v1/assessments", "get"), ("/api/v1/assessments", "post"),
              ("/api/v1/assessments/{assessment_id}", "get"), ("/api/v1/assessments/{assessment_id}", "patch"),
              ("/api/v1/assessments/{assessment_id}/submit", "post"),
              ("/api/v1/assessments/{assessment_id}/result", "get"),
              ("/api/v1/assessments/{assessment_id}/report", "get"), ("/api/v1/shares", "get"),
              ("/api/v1/shares", "post"), ("/api/v1/shares/{share_id}/revoke", "post")}
"""The enterprise endpoints (a token): fuzzed with an enterprise's read-write token (test_api_fuzzing.py)."""


def test_the_document_is_valid_openapi_3_1(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.json
    validate(document)
    assert document["openapi"] == "3.1.0"


def test_every_operation_of_the_api_blueprint_is_documented_with_problem_responses(app: Flask,
                                                                                   client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").json
    operations = {(path, method) for path, item in document["paths"].items() for method in item if method != "parameters"}
    assert operations >= PUBLIC | ENTERPRISE
    routed = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    assert {r.replace("<questionnaire_id>", "{questionnaire_id}") for r in routed} == {p for p, _ in PUBLIC}
    for path, method in PUBLIC:
        responses = document["paths"][path][method]["responses"]
        assert "429" in responses
        assert responses["429"]["content"]["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_the_answers_body_is_the_answers_format_of_the_cli(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").json
    answers = document["components"]["schemas"]["AnswersDocument"]
    assert answers["required"] == ["answers"] and "questionnaire" in answers["properties"]
    body = document["paths"]["/api/v1/score"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/AnswersDocument"}


def test_every_enterprise_operation_needs_a_token_and_documents_its_refusals(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").json
    assert document["components"]["securitySchemes"]["token"] == {"type": "http", "scheme": "bearer"} or \
        document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    for path, method in ENTERPRISE:
        operation = document["paths"][path][method]
        assert operation["security"] == [{"token": []}]
        assert {"401", "403", "429"} <= set(operation["responses"])
        assert ("304" in operation["responses"]) == (method == "get")
    patch = document["paths"]["/api/v1/assessments/{assessment_id}"]["patch"]
    assert {"412", "428"} <= set(patch["responses"])
    assert {p["name"] for p in patch["parameters"]} >= {"If-Match", "assessment_id"}

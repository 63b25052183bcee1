"""The public endpoints: questionnaires and models in zh or en, score, recommend and report for an answers document."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from shipped import ROOT
from sqlalchemy import func, select

from assessment.db.models import Base
from assessment.web.site import site

WORKED = json.loads((ROOT / "tests" / "fixtures" / "miit-2024-worked-example.json").read_text(encoding="utf-8"))
EN = {"Accept-Language": "en-US,en;q=0.8"}


def rows(app: Flask) -> dict[str, int]:
    with site(app).sessions() as session:
        return {t.name: session.execute(select(func.count()).select_from(t)).scalar_one()
                for t in Base.metadata.sorted_tables if t.name != "throttles"}


def test_questionnaires_lists_every_version_with_its_title_in_chinese_by_default(client: FlaskClient) -> None:
    response = client.get("/api/v1/questionnaires")
    assert response.status_code == 200 and response.mimetype == "application/json"
    found = {(q["id"], q["version"]): q for q in response.json}
    assert ("miit-2024", "2024.1") in found
    assert "中小企业" in found["miit-2024", "2024.1"]["title"]


def test_a_questionnaire_has_items_options_and_scenarios_in_the_language_asked_for(client: FlaskClient) -> None:
    zh = client.get("/api/v1/questionnaires/miit-2024").json
    en = client.get("/api/v1/questionnaires/miit-2024", headers=EN).json
    items = {i["id"]: i for i in zh["items"]}
    assert items["Q1"]["type"] == "multi" and [o["key"] for o in items["Q1"]["options"]][:2] == ["A", "B"]
    assert items["S01"]["type"] == "rating" and items["S01"]["levels"]
    assert len(zh["scenarios"]) == 16 and zh["scenarios"][0]["id"] == "S01"
    assert zh["model"] == "miit-2024@2024.1"
    en_items = {i["id"]: i for i in en["items"]}
    assert en_items["Q1"]["text"] != items["Q1"]["text"] and en_items["Q1"]["text"].isascii()


def test_an_unknown_questionnaire_or_version_is_a_404_problem(client: FlaskClient) -> None:
    for path in ("/api/v1/questionnaires/nothing", "/api/v1/questionnaires/miit-2024?version=1999"):
        response = client.get(path)
        assert response.status_code == 404 and response.mimetype == "application/problem+json"
        assert response.json["title"] == "未找到"


def test_models_lists_each_model_with_the_questionnaire_it_scores_and_its_levels(client: FlaskClient) -> None:
    models = {m["id"]: m for m in client.get("/api/v1/models", headers=EN).json}
    assert models["miit-2024"]["questionnaire"] == "miit-2024"
    assert [level["level"] for level in models["miit-2024"]["levels"]] == [1, 2, 3, 4]


def test_score_gives_level_score_dimensions_indicators_ratings_and_explanation_and_stores_nothing(
        app: Flask, client: FlaskClient) -> None:
    before = rows(app)
    response = client.post("/api/v1/score", json=WORKED)
    assert response.status_code == 200
    card = response.json
    assert card["level"] == 3 and card["score"] == 64.5
    assert {"dimensions", "indicators", "ratings", "explanation"} <= set(card)
    assert card["ratings"]["S01"] == 3 and card["explanation"]["text"]
    assert rows(app) == before


def test_score_names_every_wrong_answer_item_in_its_own_entry(client: FlaskClient) -> None:
    response = client.post("/api/v1/score", json={"questionnaire": "miit-2024", "answers": {"Q1": ["Z"], "Q5": "Q"}})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    errors = {e["field"]: e for e in response.json["errors"]}
    assert errors["Q1"]["code"] == "unknown_option" and errors["Q5"]["code"] == "unknown_option"
    assert errors["Q2"]["code"] == "missing"


def test_score_refuses_an_unknown_questionnaire_version_or_model_by_field(client: FlaskClient) -> None:
    cases = {"questionnaire": {"questionnaire": "nothing", "answers": {}},
             "version": {"questionnaire": "miit-2024", "version": "0", "answers": {}},
             "model": {"questionnaire": "miit-2024", "model": "eu-dma-sme", "answers": {}}}
    for field, doc in cases.items():
        response = client.post("/api/v1/score", json=doc)
        assert response.status_code == 422
        assert [e["field"] for e in response.json["errors"]] == [field]


def test_recommend_gives_gaps_solutions_and_a_roadmap_within_the_budget(client: FlaskClient) -> None:
    response = client.post("/api/v1/recommend", json={"answers": WORKED, "budget": 100000, "target_level": 4,
                                                      "profile": {"industry": "3670", "size_class": "small"}})
    assert response.status_code == 200
    advice = response.json
    assert advice["level"] == 3 and advice["target_level"] == 4
    assert advice["recommendations"] and "roadmap" in advice
    assert all(r["price"]["min_cny"] <= 100000 for r in advice["recommendations"])
    assert advice["excluded"]["budget"] > 0


def test_recommend_refuses_each_bad_option_by_field(client: FlaskClient) -> None:
    bad: dict[str, Any] = {"budget": -1, "target_level": 9, "limit": 0, "profile": {"industry": "99999"},
                           "colour": "red"}
    for field, value in bad.items():
        response = client.post("/api/v1/recommend", json={"answers": WORKED, field: value}, headers=EN)
        assert response.status_code == 422, field
        assert response.json["errors"][0]["field"].startswith(field), response.json


def test_report_is_a_pdf_for_the_answers_and_the_profile(app: Flask, client: FlaskClient) -> None:
    before = rows(app)
    response = client.post("/api/v1/report", json={"answers": WORKED, "profile": {"name": "济南某机械有限公司",
                                                                                  "region": "370102"}})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert rows(app) == before


def test_report_refuses_a_profile_that_is_not_an_object(client: FlaskClient) -> None:
    response = client.post("/api/v1/report", json={"answers": WORKED, "profile": ["name"]})
    assert response.status_code == 422 and response.json["errors"][0]["field"] == "profile"

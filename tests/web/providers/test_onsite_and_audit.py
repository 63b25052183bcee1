"""On-site mode: the assessor's validated answer beside the self-report, the append-only audit trail, submission
with the validated answers, and the result and report saying "assessor-validated" (评定人核验) with names."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError
from werkzeug.test import TestResponse
from world import World

from assessment.db import providers, queries
from assessment.db.models import AuditEvent
from assessment.web.site import site

PACKAGE = Path(__file__).resolve().parents[3] / "assessment"


def _validate(world: World, client: FlaskClient, assessment_id: int, item: str, value: str | list[str],
              reason: str) -> TestResponse:
    return client.post(f"/assessments/{assessment_id}/items/{item}/validation", data={"value": value, "reason": reason})


def test_the_validated_answer_is_kept_beside_the_self_reported_one(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    staff = world.client(tenant.staff_id)
    response = _validate(world, staff, aid, "Q1", ["A"], "网络拓扑图只显示办公网")
    assert response.status_code == 303
    with world.session() as session:
        record = queries.get_assessment(session, aid)
        trail = providers.audit_trail(session, aid)
    assert record is not None and record.answers["Q1"] != ["A"], "the self-report is unchanged"
    assert [(e.item_id, e.kind, e.value, e.reason) for e in trail] == [("Q1", "validation", ["A"],
                                                                        "网络拓扑图只显示办公网")]
    page = staff.get(f"/assessments/{aid}/interview/foundation").text
    assert "网络拓扑图只显示办公网" in page and "评定人A" in page


def test_a_validation_needs_a_reason_and_keeps_what_was_typed(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    staff = world.client(tenant.staff_id)
    response = _validate(world, staff, aid, "Q1", ["A"], "   ")
    assert response.status_code == 422
    assert "理由" in response.text or "reason" in response.text.lower()
    assert 'value="A" checked' in response.text
    with world.session() as session:
        assert providers.audit_trail(session, aid) == []


def test_a_validation_must_be_an_answer_the_item_accepts(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    staff = world.client(tenant.staff_id)
    response = _validate(world, staff, aid, "Q1", ["Z"], "seen on site")
    assert response.status_code == 422
    assert "seen on site" in response.text
    with world.session() as session:
        assert providers.audit_trail(session, aid) == []


def test_recording_the_same_validated_answer_twice_is_refused(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    staff = world.client(tenant.staff_id)
    assert _validate(world, staff, aid, "S01", "1", "图纸管理仍在纸面").status_code == 303
    assert _validate(world, staff, aid, "S01", "1", "again").status_code == 422
    assert _validate(world, staff, aid, "S01", "2", "复核后上调").status_code == 303
    with world.session() as session:
        trail = providers.audit_trail(session, aid)
    assert [(e.value, e.reason) for e in trail] == [(1, "图纸管理仍在纸面"), (2, "复核后上调")]
    assert trail[1].previous == 1, "each entry records what it changed from"


def test_the_audit_trail_shows_who_when_what_and_why(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    _validate(world, world.client(tenant.staff_id), aid, "Q1", ["A"], "只有办公网")
    page = world.client(tenant.owner_id).get(f"/assessments/{aid}/audit")
    assert page.status_code == 200
    row = re.search(r'<tr id="audit-\d+">(.*?)</tr>', page.text, re.S)
    assert row is not None
    cells = row[1]
    assert "评定人A" in cells and "服务商A" in cells, "who"
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", cells), "when"
    assert "Q1" in cells and "A." in cells, "what, with the answer before and after"
    assert "只有办公网" in cells, "why"


def test_the_audit_trail_cannot_be_changed_or_removed_in_the_database(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    _validate(world, world.client(tenant.staff_id), aid, "Q1", ["A"], "只有办公网")
    engine = site(world.app).engine
    for statement in (update(AuditEvent).values(reason="rewritten"), delete(AuditEvent)):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(statement)
    with world.session() as session:
        assert [e.reason for e in providers.audit_trail(session, aid)] == ["只有办公网"]


def test_the_app_has_no_route_that_edits_or_deletes_the_audit_trail(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    staff = world.client(tenant.staff_id)
    for method in ("post", "put", "patch", "delete"):
        assert getattr(staff, method)(f"/assessments/{aid}/audit").status_code == 405
    audit_rules = [r for r in world.app.url_map.iter_rules() if "audit" in r.rule]
    assert [sorted((r.methods or set()) - {"HEAD", "OPTIONS"}) for r in audit_rules] == [["GET"]]


def _mentions_audit(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Name) and n.id == "AuditEvent" for n in ast.walk(node)) or any(
        isinstance(n, ast.Constant) and isinstance(n.value, str) and "audit_events" in n.value.lower()
        for n in ast.walk(node))


def test_no_code_path_updates_or_deletes_audit_entries() -> None:
    offending = []
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = {id(n): f.name for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) for n in ast.walk(f)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("update", "delete") \
                    and node.args and _mentions_audit(node.args[0]):
                offending.append((path.name, functions.get(id(node)), node.func.id))
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search(
                    r"\b(UPDATE|DELETE\s+FROM)\s+audit_events\b", node.value, re.I):
                offending.append((path.name, functions.get(id(node)), "sql"))
    # the one change the database allows (migration 0006): a deleted account's name replaced by a pseudonym
    assert offending == [("accounts.py", "pseudonymise_audit", "update")]
    writes = [n for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts
              for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
              if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "insert"
              and n.args and _mentions_audit(n.args[0])]
    assert len(writes) == 1, "the audit trail has exactly one way in: an INSERT"


def test_the_assessor_cannot_overwrite_the_self_report_on_site(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    staff = world.client(tenant.staff_id)
    response = staff.post(f"/assess/{aid}/step/foundation", data={"version": "2", "Q1": "A", "action": "next"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/assessments/{aid}/interview/foundation")
    with world.session() as session:
        record = queries.get_assessment(session, aid)
    assert record is not None and record.answers["Q1"] != ["A"] and record.version == 2


def test_the_enterprise_cannot_submit_an_on_site_assessment_itself(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    response = world.client(tenant.owner_id).post(f"/assess/{aid}/submit", data={"version": "2"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/assess/{aid}/review")
    with world.session() as session:
        record = queries.get_assessment(session, aid)
    assert record is not None and record.draft


def test_the_result_uses_the_validated_answers_and_names_the_assessor(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    staff = world.client(tenant.staff_id)
    with world.session() as session:
        before = queries.get_assessment(session, aid)
    assert before is not None
    assert _validate(world, staff, aid, "S05", "1", "排产仍用Excel，无APS").status_code == 303
    assert _validate(world, staff, aid, "Q1", before.answers["Q1"], "拓扑图与现场一致").status_code == 303
    response = staff.post(f"/assessments/{aid}/submit-validated", data={"version": str(before.version), "confirm": "yes"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/results/{aid}")
    with world.session() as session:
        after = queries.get_assessment(session, aid)
        conduct = providers.conduct(session, aid)
    assert after is not None and conduct is not None
    assert after.answers["S05"] == 1 and conduct.self_answers is not None
    assert conduct.self_answers["answers"]["S05"] == before.answers["S05"]
    assert (conduct.assessor_name, conduct.assessor_org) == ("评定人A", "服务商A")
    page = world.client(tenant.owner_id).get(f"/results/{aid}").text
    assert "评定人核验" in page and "评定人A" in page and "服务商A" in page
    differences = re.search(r'<table class="list" id="validation-differences">(.*?)</table>', page, re.S)
    assert differences is not None
    assert "S05" in differences[1] and "排产仍用Excel，无APS" in differences[1]
    assert "Q1" not in differences[1], "an answer confirmed as reported is no difference"
    assert "共核验 2 项答案，其中 1 项与自评不同" in page


def test_the_pdf_report_says_assessor_validated_with_the_assessor(world: World, tmp_path: Path) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    staff = world.client(tenant.staff_id)
    _validate(world, staff, aid, "S05", "1", "排产仍用Excel")
    with world.session() as session:
        record = queries.get_assessment(session, aid)
    assert record is not None
    staff.post(f"/assessments/{aid}/submit-validated", data={"version": str(record.version), "confirm": "yes"})
    for lang, phrases in (("zh", ("评定人核验", "评定人A", "服务商A", "排产仍用Excel")),
                          ("en", ("Assessor-validated", "评定人A", "服务商A"))):
        owner = world.client(tenant.owner_id)
        owner.post("/language", data={"lang": lang, "next": "/"})
        response = owner.get(f"/results/{aid}/report.pdf")
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
        target = tmp_path / f"report-{lang}.pdf"
        target.write_bytes(response.data)
        words = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True,
                               check=True).stdout
        flat = re.sub(r"\s+", "", words)
        for phrase in phrases:
            assert re.sub(r"\s+", "", phrase) in flat, f"{phrase!r} missing from the {lang} report"

"""Data rights (PIPL, docs/data-rights.md): an enterprise account downloads everything stored about it as a ZIP,
and deletes itself: personal data erased, submitted results kept only as anonymous facts where the enterprise
consented to statistical use, provider links ended and shown as withdrawn, audit entries pseudonymised and still
append-only otherwise."""

from __future__ import annotations

import io
import json
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from flask.testing import FlaskClient
from sqlalchemy import delete, inspect, select, text, update
from sqlalchemy.exc import DBAPIError
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart
from world import Tenant, World

from assessment.db import providers, queries
from assessment.db.migrate import alembic_config, current_revision, head_revision, upgrade
from assessment.db.models import (
    Assessment,
    AssessmentFact,
    AuditEvent,
    AuthorityShare,
    Enterprise,
    EvidenceFile,
    ProviderClient,
    Respondent,
    SecurityEvent,
    User,
)
from assessment.services import aggregates, onsite, respondents, security_log
from assessment.services.data_rights import PSEUDONYM_PREFIX, anonymous_scorecard
from assessment.services.evidence import save_note
from assessment.services.onsite import Actor
from assessment.web.site import site
from assessment.web.tenancy import SIGNED_IN_AT

PDF = b"%PDF-1.4\n% network topology\n" + bytes(range(256)) * 4


@dataclass(frozen=True)
class Client:
    """Tenant A's enterprise with a submitted guided result, an on-site draft (audit trail by the assessor and the
    owner, evidence, a respondent) and a self-assessment draft; tenant B another provider's client."""

    a: Tenant
    b: Tenant
    submitted: int
    onsite_draft: int
    self_draft: int
    other: int


def _upload(client: FlaskClient, assessment_id: int, content: bytes, name: str, item: str = "Q1") -> int:
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content), filename=name)})
    return client.post(f"/assessments/{assessment_id}/items/{item}/files", data=body,
                       content_type=f'multipart/form-data; boundary="{boundary}"').status_code


def _build(world: World, *, consent: bool) -> Client:
    a = world.tenant("A", "91370102MA3C00001")
    b = world.tenant("B", "91310115MA1K4L5M6", region="310115")
    with world.session() as session:
        queries.set_statistics_consent(session, a.enterprise_id, consent)
        queries.set_statistics_consent(session, b.enterprise_id, True)
    submitted = world.assessment(a, mode="guided", submit=True)
    other = world.assessment(b, mode="guided", submit=True)
    draft = world.assessment(a, mode="onsite")
    library = site(world.app).library
    questionnaire, model = library.questionnaire("miit-2024"), library.default_model("miit-2024")
    staff = world.client(a.staff_id)
    assert staff.post(f"/assessments/{draft}/items/Q1/validation",
                      data={"value": ["A"], "reason": "只有办公网"}).status_code == 303
    assert _upload(staff, draft, PDF, "网络拓扑.pdf") == 303
    with world.session() as session:
        record = queries.get_assessment(session, draft)
        assert record is not None
        onsite.consolidate(session, questionnaire, record, "Q5", "C", "三位答题人讨论后一致", Actor(a.owner_id, "王经理", ""))
        record = queries.get_assessment(session, draft)
        assert record is not None
        save_note(session, record, questionnaire, "Q1", "拓扑图见附件", Actor(a.staff_id, "评定人A", "服务商A"))
        respondents.invite(session, record, questionnaire, "李工", "设备科", [], a.owner_id)
        queries.add_authority_share(session, enterprise_id=a.enterprise_id, region_code="370000", assessment_id=None,
                                    user_id=a.owner_id)
        self_draft = queries.create_assessment(session, questionnaire_ref=questionnaire.ref, model_ref=model.ref,
                                               token_hash="f" * 64, user_id=a.owner_id,
                                               enterprise_id=a.enterprise_id).id
    return Client(a, b, submitted, draft, self_draft, other)


def _zip(response: Any) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(response.data))


def _events(world: World, kind: str) -> list[SecurityEvent]:
    with world.session() as session:
        rows = list(session.scalars(select(SecurityEvent).where(SecurityEvent.kind == kind)))
        session.expunge_all()
    return rows


# --- the download --------------------------------------------------------------------------------------------

def test_an_enterprise_downloads_all_its_data_and_nothing_of_another_enterprise(world: World) -> None:
    scene = _build(world, consent=True)
    response = world.client(scene.a.owner_id).get("/account/data/export.zip")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    assert 'attachment; filename=assessment-account-data-' in response.headers["Content-Disposition"]
    archive = _zip(response)
    names = archive.namelist()
    data = json.loads(archive.read("data.json"))
    assert data["format"] == "assessment-account-export/1"
    assert data["account"]["email"] == "owner-A@example.com" and data["account"]["id"] == scene.a.owner_id
    [enterprise] = data["enterprises"]
    assert (enterprise["name"], enterprise["consent_statistics"]) == ("企业A", True)
    assert [(link["provider"], link["revoked_at"]) for link in enterprise["provider_links"]] == [("服务商A", None)]
    assert [s["region_code"] for s in enterprise["authority_shares"]] == ["370000"]
    by_id = {a["id"]: a for a in data["assessments"]}
    assert set(by_id) == {scene.submitted, scene.onsite_draft, scene.self_draft}
    submitted = by_id[scene.submitted]
    assert submitted["status"] == "submitted" and submitted["answers"] and submitted["scorecard"]["zh"]["level"]
    assert submitted["report"] == f"reports/assessment-{scene.submitted}.pdf"
    assert archive.read(submitted["report"]).startswith(b"%PDF")
    draft = by_id[scene.onsite_draft]
    assert [e["reason"] for e in draft["audit_trail"]] == ["只有办公网", "三位答题人讨论后一致"]
    assert [n["text"] for n in draft["evidence_notes"]] == ["拓扑图见附件"]
    assert [r["name"] for r in draft["respondents"]] == ["李工"]
    [file] = draft["evidence_files"]
    assert file["filename"] == "网络拓扑.pdf" and "storage_key" not in file
    assert archive.read(file["file"]) == PDF
    assert draft["report"] is None
    everything = b"".join(archive.read(n) for n in names if not n.endswith(".pdf"))
    for foreign in ("企业B", "owner-B@example.com", "服务商B", "91310115MA1K4L5M"):
        assert foreign.encode() not in everything
    assert f"assessment-{scene.other}" not in " ".join(names)
    [event] = _events(world, security_log.DATA_EXPORTED)
    assert event.user_id == scene.a.owner_id and event.detail == {"assessments": 3, "reports": 1, "evidence_files": 1}


def test_the_download_asks_for_the_password_again_after_a_while(world: World) -> None:
    owner = world.member("enterprise", "owner@example.com")
    client = world.client(owner)
    with client.session_transaction() as session:
        session[SIGNED_IN_AT] = time.time() - float(world.app.config["REAUTH_AFTER"]) - 1
    response = client.get("/account/data/export.zip")
    assert response.status_code == 303 and "/account/reauth" in response.headers["Location"]
    assert _events(world, security_log.DATA_EXPORTED) == []


@pytest.mark.parametrize("role", ["provider_staff", "official", "site_admin"])
def test_only_enterprise_accounts_download_or_delete_themselves_here(world: World, role: str) -> None:
    organisation = world.organisation("服务商") if role == "provider_staff" else None
    user = world.member(role, organisation_id=organisation, region_code="370000" if role == "official" else None)
    client = world.client(user)
    for path in ("/account/data", "/account/data/export.zip", "/account/delete"):
        assert client.get(path).status_code == 404
    assert client.post("/account/delete", data={"confirm": f"{role}1@example.com"}).status_code == 404
    with world.session() as session:
        assert session.get(User, user) is not None


def test_a_visitor_is_sent_to_log_in(client: FlaskClient) -> None:
    for path in ("/account/data", "/account/data/export.zip", "/account/delete"):
        response = client.get(path)
        assert response.status_code in (302, 303) and "/auth/login" in response.headers["Location"]


# --- deleting the account ------------------------------------------------------------------------------------

def _delete(world: World, user_id: int, typed: str) -> Any:
    return world.client(user_id).post("/account/delete", data={"confirm": typed})


def test_the_delete_page_says_what_is_erased_and_what_is_kept(world: World) -> None:
    scene = _build(world, consent=True)
    page = world.client(scene.a.owner_id).get("/account/delete")
    assert page.status_code == 200
    assert "owner-A@example.com" in page.text and "企业A" in page.text and "服务商A" in page.text
    assert 'id="kept-statistics"' in page.text and "匿名" in page.text


def test_deleting_needs_the_accounts_contact_typed(world: World) -> None:
    scene = _build(world, consent=True)
    for typed in ("", "owner-B@example.com", "删除"):
        response = _delete(world, scene.a.owner_id, typed)
        assert response.status_code == 422 and 'id="error-summary"' in response.text
    with world.session() as session:
        assert session.get(User, scene.a.owner_id) is not None
        assert session.get(Assessment, scene.self_draft) is not None
    assert _events(world, security_log.ACCOUNT_DELETED) == []


def test_deleting_needs_a_recent_password(world: World) -> None:
    scene = _build(world, consent=True)
    client = world.client(scene.a.owner_id)
    with client.session_transaction() as session:
        session[SIGNED_IN_AT] = time.time() - float(world.app.config["REAUTH_AFTER"]) - 1
    response = client.post("/account/delete", data={"confirm": "owner-A@example.com"})
    assert response.status_code == 303 and "/account/reauth" in response.headers["Location"]
    with world.session() as session:
        assert session.get(User, scene.a.owner_id) is not None


def test_deleting_erases_personal_data_and_keeps_consented_results_as_anonymous_facts(world: World) -> None:
    scene = _build(world, consent=True)
    evidence = Path(world.app.config["EVIDENCE_DIR"])
    with world.session() as session:
        [key] = session.scalars(select(EvidenceFile.storage_key))
        level = session.scalar(select(AssessmentFact.level).where(AssessmentFact.assessment_id == scene.submitted))
    assert (evidence / key[:2] / key).is_file()
    client = world.client(scene.a.owner_id)
    response = client.post("/account/delete", data={"confirm": " Owner-A@example.com "})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert client.get("/account").status_code in (302, 303), "signed out"
    with world.session() as session:
        assert session.get(User, scene.a.owner_id) is None
        enterprise = session.get(Enterprise, scene.a.enterprise_id)
        assert enterprise is not None and enterprise.erased_at is not None and enterprise.user_id is None
        assert enterprise.name.startswith(PSEUDONYM_PREFIX) and enterprise.uscc == ""
        assert (enterprise.contact_name, enterprise.contact_phone, enterprise.contact_email) == (None, None, None)
        assert (enterprise.employees, int(enterprise.revenue_10k_cny)) == (0, 0)
        # the submitted result: only its anonymous fact and the row that carries it
        fact = session.get(AssessmentFact, scene.submitted)
        assert fact is not None and fact.consent and fact.level == level
        kept = session.get(Assessment, scene.submitted)
        assert kept is not None and kept.answers == {} and kept.data == {} and kept.user_id is None
        assert kept.resume_token_hash is None and "profile" in (kept.scorecard or {})
        assert "企业A" not in json.dumps(kept.scorecard, ensure_ascii=False)
        assert "uscc" not in json.dumps(kept.scorecard) and "name" not in kept.scorecard["profile"]
        # the on-site draft stays only because the audit trail refers to it, emptied
        audited = session.get(Assessment, scene.onsite_draft)
        assert audited is not None and audited.answers == {} and audited.user_id is None
        assert session.get(Assessment, scene.self_draft) is None
        assert session.scalars(select(EvidenceFile)).all() == []
        assert session.scalars(select(Respondent)).all() == []
        assert session.scalars(select(AuthorityShare).where(AuthorityShare.enterprise_id == scene.a.enterprise_id)
                               ).all() == []
        link = session.get(ProviderClient, scene.a.link_id)
        assert link is not None and link.revoked_at is not None
        trail = {e.reason: (e.user_id, e.user_name, e.organisation_name)
                 for e in session.scalars(select(AuditEvent).where(AuditEvent.assessment_id == scene.onsite_draft))}
        # tenant B is untouched
        other = session.get(Enterprise, scene.b.enterprise_id)
        assert other is not None and other.name == "企业B" and other.erased_at is None
        assert session.get(AssessmentFact, scene.other) is not None
    assert not (evidence / key[:2] / key).exists()
    assert trail["只有办公网"][0] == scene.a.staff_id, "the assessor's own entries keep their name"
    owner_entry = trail["三位答题人讨论后一致"]
    assert owner_entry[0] is None and owner_entry[1] == enterprise.name and owner_entry[2] == ""
    [event] = _events(world, security_log.ACCOUNT_DELETED)
    assert (event.user_id, event.actor_id, event.detail) == (scene.a.owner_id, None, {})


def test_the_facts_hold_no_identity(app: Any) -> None:
    columns = {c["name"] for c in inspect(site(app).engine).get_columns("assessment_facts")}
    assert not columns & {"name", "uscc", "contact_name", "contact_phone", "contact_email", "user_id", "employees",
                          "revenue_10k_cny"}
    assert columns >= {"region_code", "industry_division", "size_class", "level", "total"}


def test_without_consent_no_result_of_a_deleted_account_stays(world: World) -> None:
    scene = _build(world, consent=False)
    assert _delete(world, scene.a.owner_id, "owner-A@example.com").status_code == 303
    with world.session() as session:
        assert session.get(AssessmentFact, scene.submitted) is None
        assert session.get(Assessment, scene.submitted) is None
        assert session.get(Assessment, scene.onsite_draft) is not None, "the audit trail still refers to it"
        assert session.get(AssessmentFact, scene.other) is not None


def test_a_facts_rebuild_brings_back_only_what_the_deleted_account_consented_to(world: World) -> None:
    kept = _build(world, consent=True)
    assert _delete(world, kept.a.owner_id, "owner-A@example.com").status_code == 303
    library = site(world.app).library
    with world.session() as session:
        before = session.get(AssessmentFact, kept.submitted)
        assert before is not None
        level, total = before.level, before.total
        aggregates.rebuild_facts(session, library)
    with world.session() as session:
        after = session.get(AssessmentFact, kept.submitted)
        assert after is not None and (after.level, after.total) == (level, total)
        assert session.get(AssessmentFact, kept.other) is not None


def test_providers_see_the_link_withdrawn_and_lose_access_at_once(world: World) -> None:
    scene = _build(world, consent=True)
    staff = world.client(scene.a.staff_id)
    assert staff.get(f"/results/{scene.submitted}").status_code == 200
    assert _delete(world, scene.a.owner_id, "owner-A@example.com").status_code == 303
    for path in (f"/results/{scene.submitted}", f"/results/{scene.submitted}/report.pdf",
                 f"/provider/clients/{scene.a.enterprise_id}", f"/assessments/{scene.onsite_draft}/workspace",
                 f"/assessments/{scene.onsite_draft}/audit"):
        assert staff.get(path).status_code == 404, path
    page = staff.get("/provider/invitations").text
    assert "已撤回（账户已删除）" in page and "企业A" not in page
    assert "企业A" not in staff.get("/provider/").text


def test_an_anonymous_scorecard_keeps_only_what_the_fact_is_built_from() -> None:
    frozen = {"zh": {"level": 3, "score": 64.5, "level_name": "三级", "explanation": {"text": ["…"]},
                     "dimensions": [{"id": "D1", "name": "数字化基础", "score": 10, "max": 20}],
                     "indicators": [{"id": "I1", "name": "x", "score": 2, "max": 4, "item": "Q1"}],
                     "ratings": {"S01": 2}},
              "en": {"level": 3}, "profile": {"name": "企业A", "uscc": "9137…", "region_code": "370102",
                                               "industry_code": "34", "size_class": "medium",
                                               "zhuanjingtexin": "none", "employees": 120}}
    assert anonymous_scorecard(frozen) == {
        "zh": {"level": 3, "score": 64.5, "dimensions": [{"id": "D1", "score": 10}],
               "indicators": [{"id": "I1", "score": 2}], "ratings": {"S01": 2}},
        "profile": {"region_code": "370102", "industry_code": "34", "size_class": "medium", "zhuanjingtexin": "none"}}
    assert anonymous_scorecard(None) is None


# --- the audit trail: pseudonymised, otherwise append-only ---------------------------------------------------

def test_the_audit_trail_allows_only_replacing_a_person_by_a_pseudonym(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    assert world.client(tenant.staff_id).post(f"/assessments/{aid}/items/Q1/validation",
                                              data={"value": ["A"], "reason": "只有办公网"}).status_code == 303
    engine = site(world.app).engine
    pseudonym = f"{PSEUDONYM_PREFIX}0123abcd"
    refused = (
        update(AuditEvent).values(reason="rewritten"),
        update(AuditEvent).values(user_id=None, user_name="someone else"),
        update(AuditEvent).values(user_name=pseudonym),  # the person stays linked
        update(AuditEvent).values(user_id=None, user_name=pseudonym, reason="rewritten"),
        update(AuditEvent).values(user_id=None, user_name=pseudonym, value=["B"]),
        update(AuditEvent).values(user_id=None, user_name=pseudonym, organisation_name="another provider"),
        delete(AuditEvent),
    )
    for statement in refused:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(statement)
    with engine.begin() as connection:
        connection.execute(update(AuditEvent).values(user_id=None, user_name=pseudonym, organisation_name=""))
    with world.session() as session:
        [entry] = providers.audit_trail(session, aid)
    assert (entry.user_id, entry.user_name, entry.organisation_name, entry.reason, entry.value) == (
        None, pseudonym, "", "只有办公网", ["A"])
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(delete(AuditEvent))


def test_migration_0006_goes_down_to_the_strict_audit_trail_and_up_again_keeping_the_data(world: World) -> None:
    scene = _build(world, consent=True)
    engine = site(world.app).engine
    pseudonym = f"{PSEUDONYM_PREFIX}0123abcd"
    command.downgrade(alembic_config(engine), "0005_security")
    try:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text("UPDATE audit_events SET user_id = NULL, user_name = :name, organisation_name = ''"),
                               {"name": pseudonym})
    finally:
        upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM assessment_facts")).scalar() == 2
        assert connection.execute(text("SELECT COUNT(*) FROM provider_clients")).scalar() == 2
    assert _delete(world, scene.a.owner_id, "owner-A@example.com").status_code == 303

"""The provider workspace's services answer for the principal's own provider, clients, staff, entries, evidence,
respondents and shares only; anything else is None or False, as the door decides."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from scene import build
from world import World

from assessment.db import queries
from assessment.services import evidence, onsite, provider_catalogue, respondents, shares, staff
from assessment.services import providers as tenancy
from assessment.services.authorization import Principal, secret_of_token
from assessment.web.site import site


@pytest.fixture
def app(app: Flask, tmp_path: Path) -> Flask:
    """The app with evidence files kept in the test's own folder."""
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    return app


@pytest.fixture
def world(app: Flask) -> World:
    """Accounts, providers and assessments made through the services (tests/web/providers/world.py)."""
    return World(app)


def _staff(user_id: int, organisation_id: int, role: str = "provider_staff") -> Principal:
    return Principal(user_id, role, organisation_id)


def test_a_provider_sees_its_own_organisation_and_clients_only(world: World) -> None:
    scene = build(world)
    a, b = scene.a, scene.b
    with world.session() as session:
        organisation = tenancy.organisation_of(session, _staff(a.staff_id, a.organisation_id))
        assert organisation is not None and organisation.id == a.organisation_id
        assert tenancy.organisation_of(session, Principal(a.owner_id, "enterprise")) is None
        client = tenancy.client_of(session, _staff(a.staff_id, a.organisation_id), a.enterprise_id)
        assert client is not None and client.id == a.enterprise_id
        assert tenancy.client_of(session, _staff(b.staff_id, b.organisation_id), a.enterprise_id) is None
        assert [line.id for line in tenancy.client_history(session, a.enterprise_id)] == [
            scene.earlier_id, scene.later_id, scene.onsite_id]
        assert scene.invitation_id in [link.id for link in tenancy.invitations(session, a.organisation_id)]


def test_an_admin_switches_and_promotes_members_of_its_own_provider_only(world: World) -> None:
    scene = build(world)
    a, b = scene.a, scene.b
    admin = _staff(a.admin_id, a.organisation_id, "provider_admin")
    with world.session() as session:
        before = queries.get_user(session, a.staff_id)
        assert before is not None
        assert staff.switch_access(session, admin, a.staff_id, False, "192.0.2.1")
        assert not staff.switch_access(session, admin, b.staff_id, False, "192.0.2.1")
        assert staff.change_role(session, admin, a.staff_id, "provider_admin", "192.0.2.1")
        assert not staff.change_role(session, admin, b.staff_id, "provider_admin", "192.0.2.1")
    with world.session() as session:
        after = queries.get_user(session, a.staff_id)
        other = queries.get_user(session, b.staff_id)
        assert after is not None and other is not None
        assert (after.active, after.role) == (False, "provider_admin")
        assert after.session_generation > before.session_generation  # their sessions end
        assert (other.active, other.role) == (True, "provider_staff")
        assert a.staff_id in [m.id for m in staff.members(session, a.organisation_id)]


def test_a_catalogue_entry_is_found_and_removed_by_its_own_provider_only(world: World) -> None:
    scene = build(world)
    a, b = scene.a, scene.b
    with world.session() as session:
        assert provider_catalogue.own_solution(session, _staff(b.staff_id, b.organisation_id), scene.solution_id) is None
        row = provider_catalogue.own_solution(session, _staff(a.staff_id, a.organisation_id), scene.solution_id)
        assert row is not None
        assert [r.id for r in provider_catalogue.solutions(session, a.organisation_id)] == [scene.solution_id]
        provider_catalogue.delete_solution(session, _staff(a.staff_id, a.organisation_id), row)
    with world.session() as session:
        assert provider_catalogue.solutions(session, a.organisation_id) == []


def test_an_evidence_file_is_found_only_through_its_own_assessment(world: World) -> None:
    scene = build(world)
    with world.session() as session:
        own = queries.get_assessment(session, scene.onsite_id)
        other = queries.get_assessment(session, scene.earlier_id)
        assert own is not None and other is not None
        found = evidence.file_of(session, own, scene.file_id)
        assert found is not None and found.filename == "network.pdf"
        assert evidence.file_of(session, other, scene.file_id) is None
        assert [f.id for f in evidence.files(session, scene.onsite_id)] == [scene.file_id]
        assert evidence.notes(session, scene.onsite_id) == {}


def test_a_respondent_answers_with_the_secret_of_their_open_link_only(world: World) -> None:
    scene = build(world)
    questionnaire = site(world.app).library.questionnaire("miit-2024")
    with world.session() as session:
        record = queries.get_assessment(session, scene.onsite_id)
        assert record is not None
        person, token = respondents.invite(session, record, questionnaire, "质量负责人", "quality", [], scene.a.staff_id)
    with world.session() as session:
        found = respondents.answering(session, person.id, secret_of_token(token))
        assert found is not None and (found[0].id, found[1].id) == (person.id, scene.onsite_id)
        assert respondents.answering(session, person.id, None) is None
        assert respondents.answering(session, scene.respondent_id, secret_of_token(token)) is None
        assert [p.id for p in respondents.people(session, scene.onsite_id)] == [scene.respondent_id, person.id]
        assert respondents.revoke(session, record, person.id)
    with world.session() as session:
        assert respondents.answering(session, person.id, secret_of_token(token)) is None


def test_an_enterprise_shares_and_revokes_its_own_submitted_results_only(world: World) -> None:
    scene = build(world)
    a, b = scene.a, scene.b
    owner = Principal(a.owner_id, "enterprise")
    with world.session() as session:
        enterprise = tenancy.client_of(session, _staff(a.staff_id, a.organisation_id), a.enterprise_id)
        assert enterprise is not None
        assert [line.id for line in shares.submitted_assessments(session, a.enterprise_id)] == [
            scene.earlier_id, scene.later_id]
        record = shares.own_assessment(session, owner, scene.earlier_id)
        assert record is not None and record.id == scene.earlier_id
        assert shares.own_assessment(session, Principal(b.owner_id, "enterprise"), scene.earlier_id) is None
        added = shares.share(session, enterprise_id=a.enterprise_id, authority="370000", assessment_id=scene.earlier_id,
                             user_id=a.owner_id)
        assert added is not None
        assert shares.share(session, enterprise_id=a.enterprise_id, authority="370000",
                            assessment_id=scene.earlier_id, user_id=a.owner_id) is None
        assert [s.id for s in shares.shares_of(session, [enterprise])] == [added]
        assert shares.statistics_consents(session, [enterprise]) == {a.enterprise_id: False}
        assert not shares.revoke(session, added, [])
        assert shares.revoke(session, added, [enterprise])
        assert not shares.revoke(session, added, [enterprise])


def test_a_result_names_its_assessor_and_where_the_history_is(world: World) -> None:
    scene = build(world)
    a = scene.a
    submitted = world.assessment(a, "onsite", submit=True)
    questionnaire = site(world.app).library.questionnaire("miit-2024")
    with world.session() as session:
        record = queries.get_assessment(session, submitted)
        assert record is not None
        workspace = onsite.result_workspace(session, questionnaire, record, "zh")
        assert (workspace.assessor, workspace.organisation, workspace.mode) == (f"staff {a.staff_id}", "provider",
                                                                               "onsite")
        assert workspace.validation is not None and workspace.validation.differences == ()
        assert not workspace.trail
        assert workspace.history_enterprise == a.enterprise_id  # three submitted results
        enterprise = onsite.enterprise_of(session, record)
        assert enterprise is not None and enterprise.id == a.enterprise_id

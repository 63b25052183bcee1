"""The world of the authorization matrix: every kind of principal and every object state, built once per module
and database through the services and the web, with one browser per principal and a way back to the built state.

Principals: visitors (no account; one holds ownerless drafts in its session, one opened respondent links, one is
a switched-off staff member), the enterprise's owner and another enterprise's, the admin and staff of the
provider the enterprise consented to, another provider's admin and staff, staff of a provider whose consent was
withdrawn, an official of the region and one elsewhere, and a site admin.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from journey import Journey
from scene import SOLUTION
from sqlalchemy import Table, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse
from world import Tenant, World, worked_example

from assessment.content.loader import Library
from assessment.db import jobs, providers, queries, tokens
from assessment.db.models import Base, User, utcnow
from assessment.services import assessments, mfa, provider_catalogue, respondents
from assessment.services import providers as tenancy
from assessment.services.evidence import store_evidence
from assessment.services.onsite import Actor
from assessment.services.providers import Principal
from assessment.web.app import create_app
from assessment.web.site import site

VISITORS = ("anonymous", "holder", "respondent", "staff_off")
"""Browsers without a valid signed-in session (a switched-off member's session is no longer one)."""
ACCOUNTS = ("owner", "other_owner", "admin", "staff", "other_admin", "other_staff", "withdrawn_staff", "official",
            "official_elsewhere", "site_admin")
UNCOMPARED = ("security_events", "throttles")
"""Logs of attempts, not state: a refused request may be counted there."""


@dataclass(frozen=True)
class Things:
    """The ids of the world's objects, by the state each one stands for."""

    organisation_a: int
    organisation_b: int
    organisation_w: int
    ea: int
    eb: int
    eh: int
    a_self: int
    a_guided: int
    a_onsite: int
    a_t0: int
    a_t1: int
    w_onsite: int
    b_sub: int
    b_onsite: int
    h_draft: int
    h_sub: int
    a_file: int
    b_file: int
    r_open: int
    r_closed: int
    r_other: int
    sol_a: int
    sol_b: int
    inv_a: int
    link_a: int
    link_b: int
    link_w: int
    share_t1: int
    share_t0: int
    users: dict[str, int]
    token_a: int = 0
    """A personal access token of the enterprise's owner."""
    job_a: int = 0
    """A finished bulk report job of provider A's staff member (its file already removed)."""


class RestorePoint:
    """The database as built, and the way back to it: a copy of the SQLite file, or PostgreSQL's rows."""

    def __init__(self, app: Flask, kind: str) -> None:
        self.app = app
        self.kind = kind
        self.tables = [t for t in Base.metadata.sorted_tables]
        engine = site(app).engine
        if kind == "sqlite":
            database = make_url(str(app.config["DATABASE_URL"])).database
            assert database
            self.file = Path(database)
            self.copy = self.file.with_name("built.sqlite3")
            engine.dispose()
            shutil.copyfile(self.file, self.copy)
        else:
            self.rows = self._rows()

    def _rows(self) -> dict[str, list[dict[str, Any]]]:
        with site(self.app).engine.connect() as connection:
            return {t.name: [dict(r._mapping) for r in connection.execute(
                select(t).order_by(*t.primary_key.columns))] for t in self.tables}  # earlier rows first (FKs)

    def restore(self) -> None:
        """Put the database back as it was built."""
        engine = site(self.app).engine
        if self.kind == "sqlite":
            engine.dispose()
            for suffix in ("-wal", "-shm"):
                Path(f"{self.file}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(self.copy, self.file)
            return
        if self._rows() == self.rows:  # reading is far cheaper than truncating and loading every table again
            return
        names = ", ".join(f'"{t.name}"' for t in self.tables)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            for table in self.tables:
                if self.rows[table.name]:
                    connection.execute(insert(table), self.rows[table.name])
                if "id" in table.columns:
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 0) + 1 FROM \"{table.name}\"), false)"))


class Matrix:
    """The app, the world's objects, one browser per principal, and the built state to go back to."""

    def __init__(self, app: Flask, things: Things, browsers: dict[str, FlaskClient], kind: str) -> None:
        self.app = app
        self.things = things
        self.browsers = browsers
        self.point = RestorePoint(app, kind)
        self.dirty = False

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A database session (committed)."""
        with site(self.app).sessions() as session:
            yield session
            session.commit()

    def client(self, name: str) -> FlaskClient:
        """A new browser with the principal's cookies (so one case's session changes stay out of the next)."""
        browser = self.app.test_client()
        cookie = self.browsers[name].get_cookie(self.app.config.get("SESSION_COOKIE_NAME", "session"))
        if cookie is not None:
            browser.set_cookie(cookie.key, cookie.value)
        return browser

    def send(self, name: str, method: str, path: str, data: Callable[[Matrix], dict[str, Any]] | None, *,
             rightful: bool) -> TestResponse:
        """One request of a principal; a rightful request that may write marks the world to be restored (pages
        only read, except the officials', whose every view is logged)."""
        if rightful and method != "GET":
            self.restore_if_written()
        browser = self.client(name)
        if method == "GET":
            response = browser.get(path)
        else:
            response = browser.post(path, data=data(self) if data else {}, content_type="multipart/form-data")
        response.close()
        if rightful and (method != "GET" or path.startswith("/official/")):
            self.dirty = True
        return response

    def written(self) -> None:
        """Something was changed on purpose: restore before the next case."""
        self.dirty = True

    def restore_if_written(self) -> None:
        """Back to the built world if a request may have changed it."""
        if self.dirty:
            self.point.restore()
            self.dirty = False

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table that holds state, in key order."""
        tables: list[Table] = [t for t in Base.metadata.sorted_tables if t.name not in UNCOMPARED]
        with site(self.app).engine.connect() as connection:
            return {t.name: [tuple(r) for r in connection.execute(select(t).order_by(*t.primary_key.columns))]
                    for t in tables}

    def version(self, assessment_id: int) -> int:
        """An assessment's current version (forms post it)."""
        with self.session() as session:
            record = queries.get_assessment(session, assessment_id)
        assert record is not None
        return record.version


def profile_form(matrix: Matrix, assessment_id: int) -> dict[str, str]:
    """The profile form as the browser posts it, with the assessment's saved profile."""
    with matrix.session() as session:
        record = queries.get_assessment(session, assessment_id)
        assert record is not None and record.enterprise_id is not None
        profile = queries.get_profile(session, record.enterprise_id)
    assert profile is not None
    return {"version": str(record.version), "action": "next", "name": profile.name, "uscc": profile.uscc,
            "province": profile.region_code[:2] + "0000", "city": profile.region_code[:4] + "00",
            "county": profile.region_code, "section": "C", "division": profile.industry_code,
            "employees": str(profile.employees), "revenue_10k_cny": str(profile.revenue_10k_cny),
            "zhuanjingtexin": profile.zhuanjingtexin, "contact_name": "", "contact_email": "", "contact_phone": ""}


def _self_draft(world: World, tenant: Tenant) -> int:
    """The enterprise owner's own self-assessment of its enterprise, answered with the worked example."""
    library = site(world.app).library
    document = worked_example()
    with world.session() as session:
        started = assessments.start(session, library.questionnaire("miit-2024"), library.default_model("miit-2024"),
                                    user_id=tenant.owner_id)
        queries.link_enterprise(session, started.record.id, tenant.enterprise_id)
        assert queries.save_draft(session, started.record.id, started.record.version, document["answers"],
                                  document.get("data", {})) is not None
    return started.record.id


def _evidence(world: World, assessment_id: int, staff_id: int) -> int:
    with world.session() as session:
        record = queries.get_assessment(session, assessment_id)
        assert record is not None
        stored = store_evidence(session, Path(world.app.config["EVIDENCE_DIR"]), record, "Q1", "network.pdf",
                                io.BytesIO(b"%PDF-1.4 network topology"),
                                Actor(staff_id, "评定人", "服务商"))
    return stored.id


def _respondent(world: World, assessment_id: int, name: str) -> tuple[int, str]:
    questionnaire = site(world.app).library.questionnaire("miit-2024")
    with world.session() as session:
        record = queries.get_assessment(session, assessment_id)
        assert record is not None
        person, token = respondents.invite(session, record, questionnaire, name, "production", [], None)
    return person.id, token


def _solution(world: World, organisation_id: int, staff_id: int) -> int:
    questionnaire = site(world.app).library.questionnaire("miit-2024")
    with world.session() as session:
        organisation = providers.get_organisation(session, organisation_id)
        assert organisation is not None
        provider_catalogue.save_entry(session, organisation, {questionnaire.id: questionnaire}, questionnaire.id,
                                      SOLUTION, staff_id)
        return providers.solutions(session, organisation_id)[0].id


def build(app: Flask) -> tuple[Things, dict[str, FlaskClient]]:
    """Every principal and object state, made through the services (and the web for the visitors' browsers)."""
    world = World(app)
    a = world.tenant("A", "91370102MA3C00001")
    b = world.tenant("B", "91370102MA3C00002")
    staff_off = world.member("provider_staff", "off-A@example.com", organisation_id=a.organisation_id, name="停用A")
    # provider W conducted an on-site draft of enterprise A, then A withdrew its consent
    organisation_w = world.organisation("服务商W")
    staff_w = world.member("provider_staff", "staff-W@example.com", organisation_id=organisation_w, name="评定人W")
    link_w = world.link(staff_w, organisation_w, a.enterprise_id, a.owner_id)
    w_onsite = world.assessment(Tenant(organisation_w, staff_w, staff_w, a.owner_id, a.enterprise_id, link_w),
                                "onsite")
    a_t0 = world.assessment(a, "guided", submit=True)
    a_t1 = world.assessment(a, "guided", submit=True)
    a_guided = world.assessment(a, "guided")
    a_onsite = world.assessment(a, "onsite")
    b_sub = world.assessment(b, "guided", submit=True)
    b_onsite = world.assessment(b, "onsite")
    a_self = _self_draft(world, a)
    a_file, b_file = _evidence(world, a_onsite, a.staff_id), _evidence(world, b_onsite, b.staff_id)
    (r_open, open_token), (r_closed, closed_token) = _respondent(world, a_onsite, "生产负责人"), \
        _respondent(world, a_onsite, "财务负责人")
    r_other, _token = _respondent(world, b_onsite, "生产负责人")
    sol_a, sol_b = _solution(world, a.organisation_id, a.staff_id), _solution(world, b.organisation_id, b.staff_id)
    official = world.member("official", region_code="370000")
    official_elsewhere = world.member("official", region_code="110000")
    site_admin = world.member("site_admin")
    with world.session() as session:
        tenancy.invite(session, Principal(a.staff_id, "provider_staff", a.organisation_id), "pending client")
        inv_a = next(x.id for x in providers.invitations_of(session, a.organisation_id) if x.status == "pending")
        assert tenancy.revoke(session, link_w, a.owner_id)
        assert providers.set_member_active(session, staff_off, a.organisation_id, False)
        share_t1 = queries.add_authority_share(session, enterprise_id=a.enterprise_id, region_code="370000",
                                               assessment_id=a_t1, user_id=a.owner_id)
        share_t0 = queries.add_authority_share(session, enterprise_id=a.enterprise_id, region_code="370000",
                                               assessment_id=a_t0, user_id=a.owner_id)
        assert share_t1 is not None and share_t0 is not None
        assert queries.revoke_authority_share(session, share_t0, [a.enterprise_id])
    # the visitors' browsers: one holds two ownerless assessments, one opened two respondent links
    holder = Journey(app.test_client())
    h_draft = holder.start()
    assert holder.fill_profile(h_draft).status_code == 303
    holder.answer_all(h_draft, worked_example())
    h_sub = holder.complete()
    respondent = app.test_client()
    for token in (open_token, closed_token):
        assert respondent.get(f"/respond/link/{token}").status_code == 303
    with world.session() as session:
        assert providers.revoke_respondent(session, r_closed, a_onsite)
        eh = queries.get_assessment(session, h_draft).enterprise_id  # type: ignore[union-attr]
    assert eh is not None
    users = {"owner": a.owner_id, "other_owner": b.owner_id, "admin": a.admin_id, "staff": a.staff_id,
             "other_admin": b.admin_id, "other_staff": b.staff_id, "withdrawn_staff": staff_w, "staff_off": staff_off,
             "official": official, "official_elsewhere": official_elsewhere, "site_admin": site_admin}
    with world.session() as session:  # the roles that must use two-step verification have it
        session.execute(update(User).where(User.role.in_(mfa.REQUIRED_ROLES))
                        .values(mfa_secret=pyotp.random_base32(), mfa_enabled_at=utcnow()))
    browsers = {name: world.client(users[name]) for name in (*ACCOUNTS, "staff_off")}
    browsers.update(anonymous=app.test_client(), holder=holder.client, respondent=respondent)
    with world.session() as session:
        token_a = tokens.add_token(session, user_id=a.owner_id, name="脚本", prefix="sat_abcdefgh", secret_hash="0" * 64,
                                   scope="read", created_at=utcnow(), expires_at=utcnow() + timedelta(days=90),
                                   address="").id
        job_a = jobs.add(session, a.staff_id, "bulk_reports", {"assessment_ids": [a_t1], "lang": "zh"}, 1, utcnow())
        jobs.move(session, job_a, ("queued",), status="done", done=1, result_key=f"{job_a}-removed")
    things = Things(a.organisation_id, b.organisation_id, organisation_w, a.enterprise_id, b.enterprise_id, eh, a_self,
                    a_guided, a_onsite, a_t0, a_t1, w_onsite, b_sub, b_onsite, h_draft, h_sub, a_file, b_file, r_open,
                    r_closed, r_other, sol_a, sol_b, inv_a, a.link_id, b.link_id, link_w, share_t1, share_t0, users,
                    token_a, job_a)
    return things, browsers


def open_matrix(server: Any, library: Library, where: Path) -> Iterator[Matrix]:
    """The matrix on a fresh database of the server's kind (emptied again afterwards)."""
    url = server.fresh(where)
    app = create_app({"TESTING": True, "SECRET_KEY": "test secret", "DATABASE_URL": url, "CONTENT_LIBRARY": library,
                      "WTF_CSRF_ENABLED": False, "EVIDENCE_DIR": str(where / "evidence"),
                      "RESUME_RATE_LIMIT": "100000 per minute", "LOGIN_RATE_LIMIT": "100000 per minute"})
    try:
        things, browsers = build(app)
        yield Matrix(app, things, browsers, server.kind)
    finally:
        site(app).engine.dispose()
        server.clean()


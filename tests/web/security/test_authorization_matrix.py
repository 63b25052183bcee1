"""The authorization matrix, generated from the app's url_map: every route and method × every principal × the
object states (own, other tenant, consent withdrawn, staff switched off, share revoked, draft, submitted).

Every route is classified in ROUTES (a route that is not makes `test_every_route_and_method_is_in_the_matrix`
fail, so a new route must say who may use it). For each one, every principal that is not rightful gets 404 or 403
(a visitor without a valid session the login page where that is the rule) and the database stays exactly as it
was; the rightful principals get what the page is for (the status, and for a redirect where it leads).

The world (tests/web/security/authorization_world.py) is built once per module and database; a request by a rightful
principal that may write is followed by a restore of the built state, so every case starts from the same world.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from api_matrix import API_PRINCIPALS, API_ROUTES, REFUSALS
from api_matrix import ROLE_GATED as API_ROLE_GATED
from api_matrix import send as api_send
from api_matrix import state as api_state
from authorization_world import ACCOUNTS, VISITORS, Matrix, Things, open_matrix, profile_form
from flask.testing import FlaskClient
from scene import SOLUTION
from werkzeug.test import TestResponse

from assessment.content.loader import Library
from assessment.db import providers, queries

PRINCIPALS = (*VISITORS, *ACCOUNTS)
ROLE_OF = {"owner": "enterprise", "other_owner": "enterprise", "admin": "provider_admin", "staff": "provider_staff",
           "other_admin": "provider_admin", "other_staff": "provider_staff", "withdrawn_staff": "provider_staff", "official": "official",
           "official_elsewhere": "official", "site_admin": "site_admin"}
A_SIDE = ("owner", "admin", "staff")
"""Tenant A: the enterprise's owner and the provider it consented to (its admin and its staff member)."""
B_SIDE = ("other_owner", "other_admin", "other_staff")
A_PROVIDER = ("admin", "staff")
B_PROVIDER = ("other_admin", "other_staff")
Data = Callable[[Matrix], dict[str, Any]]
ROLE_GATED = ("official.", "shares.")
"""Blueprints that refuse other roles with 403 before they read any object."""


@dataclass(frozen=True)
class Expect:
    """What a rightful principal gets: a status, and for a redirect the path it leads to (a prefix)."""

    status: int
    to: str = ""


OK = Expect(200)


def to(path: str) -> Expect:
    """A 303 redirect to a path starting with this."""
    return Expect(303, path)


@dataclass(frozen=True)
class Target:
    """One object a route is tried on: its state, the URL values, and what each rightful principal gets."""

    state: str
    values: Mapping[str, Any]
    rightful: Mapping[str, Expect]
    data: Data | None = None


def each(names: tuple[str, ...], expect: Expect) -> dict[str, Expect]:
    """The same outcome for several principals."""
    return dict.fromkeys(names, expect)


@dataclass(frozen=True)
class Public:
    """Open to everyone by design (start pages, sign-in, links that carry their own token): no 5xx for anyone."""

    why: str
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Signed:
    """Pages of one's own account: visitors go to the login page; accounts of these roles (None: all) use them,
    the others get 403/404."""

    roles: tuple[str, ...] | None = None
    data: Data | None = None
    costly: bool = False
    """It renders PDF reports: one account of each role shows the rightful answer."""


@dataclass(frozen=True)
class Role:
    """A part of the site for some roles, with no object in its address: the others are refused."""

    roles: tuple[str, ...]
    data: Data | None = None
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Objects:
    """A route about objects: tried on each target (object state) with every principal."""

    targets: Callable[[Things], list[Target]]
    costly: bool = False
    """It renders a PDF report: the first rightful principal of each target shows the rightful answer."""


Kind = Public | Signed | Role | Objects


def _version(assessment: str) -> Data:
    return lambda m: {"version": str(m.version(getattr(m.things, assessment)))}


def _confirm(_m: Matrix) -> dict[str, Any]:
    return {"confirm": "yes"}


def _confirmed(assessment: str) -> Data:
    return lambda m: {"version": str(m.version(getattr(m.things, assessment))), "confirm": "yes"}


def _step(assessment: str) -> Data:
    return lambda m: {"version": str(m.version(getattr(m.things, assessment))), "action": "next"}


def _profile(assessment: str) -> Data:
    return lambda m: profile_form(m, getattr(m.things, assessment))


def _evidence(_m: Matrix) -> dict[str, Any]:
    return {"file": (BytesIO(b"%PDF-1.4 evidence"), "evidence.pdf")}


def _form(**values: str) -> Data:
    return lambda _m: dict(values)


def _solution(_m: Matrix) -> dict[str, Any]:
    return {**SOLUTION, "name_zh": "轻量MES二"}


# --- object routes -------------------------------------------------------------------------------------------

def _continue(t: Things) -> list[Target]:
    return [
        Target("own draft", {"assessment_id": t.a_self}, each(A_SIDE, to(f"/assess/{t.a_self}/"))),
        Target("submitted", {"assessment_id": t.a_t1}, each(A_SIDE, to(f"/results/{t.a_t1}"))),
        Target("consent withdrawn", {"assessment_id": t.w_onsite}, each(A_SIDE, to(f"/assess/{t.w_onsite}/"))),
        Target("other tenant", {"assessment_id": t.b_sub}, each(B_SIDE, to(f"/results/{t.b_sub}"))),
        Target("ownerless draft", {"assessment_id": t.h_draft}, {"holder": to(f"/assess/{t.h_draft}/")}),
    ]


def _link(t: Things) -> list[Target]:
    return [
        Target("own draft", {"assessment_id": t.a_self}, {"owner": OK}),
        Target("guided by the provider", {"assessment_id": t.a_onsite}, {"owner": OK}),
        Target("consent withdrawn", {"assessment_id": t.w_onsite}, {"owner": OK}),
        Target("other tenant", {"assessment_id": t.b_sub}, {"other_owner": OK}),
        Target("ownerless draft", {"assessment_id": t.h_draft}, {"holder": OK}),
    ]


def _renew_link(t: Things) -> list[Target]:
    return [
        Target("own draft", {"assessment_id": t.a_self}, {"owner": to(f"/assess/{t.a_self}/link")}),
        Target("guided by the provider", {"assessment_id": t.a_onsite}, {"owner": to(f"/assess/{t.a_onsite}/link")}),
        Target("other tenant", {"assessment_id": t.b_sub}, {"other_owner": to(f"/assess/{t.b_sub}/link")}),
        Target("ownerless draft", {"assessment_id": t.h_draft}, {"holder": to(f"/assess/{t.h_draft}/link")}),
    ]


def _profile_page(t: Things) -> list[Target]:
    return [
        Target("own draft", {"assessment_id": t.a_self}, each(A_SIDE, OK)),
        Target("submitted", {"assessment_id": t.a_t1}, each(A_SIDE, to(f"/results/{t.a_t1}"))),
        Target("other tenant", {"assessment_id": t.b_sub}, each(B_SIDE, to(f"/results/{t.b_sub}"))),
        Target("ownerless draft", {"assessment_id": t.h_draft}, {"holder": OK}),
    ]


def _profile_save(t: Things) -> list[Target]:
    return [
        Target("own draft", {"assessment_id": t.a_self}, each(A_SIDE, to(f"/assess/{t.a_self}/step/")),
               _profile("a_self")),
        Target("on site", {"assessment_id": t.a_onsite}, {
            "owner": to(f"/assess/{t.a_onsite}/step/"), **each(A_PROVIDER, to(f"/assessments/{t.a_onsite}/workspace"))},
            _profile("a_onsite")),
        Target("submitted", {"assessment_id": t.a_t1}, each(A_SIDE, to(f"/results/{t.a_t1}")), _profile("a_t1")),
        Target("ownerless draft", {"assessment_id": t.h_draft}, {"holder": to(f"/assess/{t.h_draft}/step/")},
               _profile("h_draft")),
    ]


def _step_page(t: Things) -> list[Target]:
    return [
        Target("own draft", {"assessment_id": t.a_self, "section_id": "foundation"}, each(A_SIDE, OK)),
        Target("submitted", {"assessment_id": t.a_t1, "section_id": "foundation"},
               each(A_SIDE, to(f"/results/{t.a_t1}"))),
        Target("other tenant", {"assessment_id": t.b_sub, "section_id": "foundation"},
               each(B_SIDE, to(f"/results/{t.b_sub}"))),
        Target("ownerless draft", {"assessment_id": t.h_draft, "section_id": "foundation"}, {"holder": OK}),
    ]


def _step_save(t: Things) -> list[Target]:
    return [
        Target("own draft", {"assessment_id": t.a_self, "section_id": "foundation"},
               each(A_SIDE, to(f"/assess/{t.a_self}/step/")), _step("a_self")),
        Target("on site", {"assessment_id": t.a_onsite, "section_id": "foundation"}, {
            "owner": to(f"/assess/{t.a_onsite}/step/"),
            **each(A_PROVIDER, to(f"/assessments/{t.a_onsite}/interview/foundation"))}, _step("a_onsite")),
        Target("submitted", {"assessment_id": t.a_t1, "section_id": "foundation"},
               each(A_SIDE, to(f"/results/{t.a_t1}")), _step("a_t1")),
        Target("ownerless draft", {"assessment_id": t.h_draft, "section_id": "foundation"},
               {"holder": to(f"/assess/{t.h_draft}/step/")}, _step("h_draft")),
    ]


def _review(t: Things) -> list[Target]:
    return [
        Target("own draft", {"assessment_id": t.a_self}, each(A_SIDE, OK)),
        Target("submitted", {"assessment_id": t.a_t1}, each(A_SIDE, to(f"/results/{t.a_t1}"))),
        Target("consent withdrawn", {"assessment_id": t.w_onsite}, each(A_SIDE, OK)),
        Target("ownerless draft", {"assessment_id": t.h_draft}, {"holder": OK}),
    ]


def _workbook(assessment: str) -> Data:
    return lambda m: {"version": str(m.version(getattr(m.things, assessment))),
                      "workbook": (BytesIO(b"not a workbook"), "filled.xlsx")}


def _workbook_upload(t: Things) -> list[Target]:
    refused = Expect(422)  # the rightful get the review page listing the file's problem; nothing is written
    return [
        Target("own draft", {"assessment_id": t.a_self}, each(A_SIDE, refused), _workbook("a_self")),
        Target("on site", {"assessment_id": t.a_onsite}, {
            "owner": refused, **each(A_PROVIDER, to(f"/assessments/{t.a_onsite}/workspace"))}, _workbook("a_onsite")),
        Target("submitted", {"assessment_id": t.a_t1}, each(A_SIDE, to(f"/results/{t.a_t1}")), _workbook("a_t1")),
        Target("ownerless draft", {"assessment_id": t.h_draft}, {"holder": refused}, _workbook("h_draft")),
    ]


def _submit(t: Things) -> list[Target]:
    return [
        Target("own draft", {"assessment_id": t.a_self}, each(A_SIDE, to(f"/results/{t.a_self}")), _version("a_self")),
        Target("on site", {"assessment_id": t.a_onsite}, {
            "owner": to(f"/assess/{t.a_onsite}/review"), **each(A_PROVIDER, to(f"/assessments/{t.a_onsite}/workspace"))},
            _version("a_onsite")),
        Target("submitted", {"assessment_id": t.a_t1}, each(A_SIDE, to(f"/results/{t.a_t1}")), _version("a_t1")),
        Target("ownerless draft", {"assessment_id": t.h_draft}, {"holder": to(f"/results/{t.h_draft}")},
               _version("h_draft")),
    ]


def _reassess(t: Things) -> list[Target]:
    return [
        Target("submitted", {"assessment_id": t.a_t1}, {"owner": to("/assess/")}, _confirm),
        Target("own draft", {"assessment_id": t.a_self}, {"owner": to(f"/assess/{t.a_self}")}, _confirm),
        Target("other tenant", {"assessment_id": t.b_sub}, {"other_owner": to("/assess/")}, _confirm),
        Target("ownerless submitted", {"assessment_id": t.h_sub}, {"holder": to("/assess/")}, _confirm),
    ]


def _workspace(t: Things) -> list[Target]:
    return [
        Target("on site", {"assessment_id": t.a_onsite}, each(A_SIDE, OK)),
        Target("consent withdrawn", {"assessment_id": t.w_onsite}, each(A_SIDE, OK)),
        Target("other tenant", {"assessment_id": t.b_onsite}, each(B_SIDE, OK)),
        Target("ownerless draft", {"assessment_id": t.h_draft}, {}),
    ]


def _interview(t: Things) -> list[Target]:
    return [Target(x.state, {**x.values, "section_id": "foundation"}, x.rightful) for x in _workspace(t)]


def _note(t: Things) -> list[Target]:
    return [
        Target("on site", {"assessment_id": t.a_onsite, "item_id": "Q1"},
               each(A_SIDE, to(f"/assessments/{t.a_onsite}/interview/foundation")), _form(note="topology seen")),
        Target("consent withdrawn", {"assessment_id": t.w_onsite, "item_id": "Q1"},
               each(A_SIDE, to(f"/assessments/{t.w_onsite}/interview/foundation")), _form(note="topology seen")),
        Target("other tenant", {"assessment_id": t.b_onsite, "item_id": "Q1"},
               each(B_SIDE, to(f"/assessments/{t.b_onsite}/interview/foundation")), _form(note="topology seen")),
    ]


def _section_save(t: Things) -> list[Target]:
    fields = {"note-Q1": "topology seen", "item": "Q1"}
    return [
        Target("on site", {"assessment_id": t.a_onsite, "section_id": "foundation"},
               each(A_SIDE, to(f"/assessments/{t.a_onsite}/interview/foundation")), _form(**fields)),
        Target("consent withdrawn", {"assessment_id": t.w_onsite, "section_id": "foundation"},
               each(A_SIDE, to(f"/assessments/{t.w_onsite}/interview/foundation")), _form(**fields)),
        Target("other tenant", {"assessment_id": t.b_onsite, "section_id": "foundation"},
               each(B_SIDE, to(f"/assessments/{t.b_onsite}/interview/foundation")), _form(**fields)),
    ]


def _upload(t: Things) -> list[Target]:
    return [
        Target("on site", {"assessment_id": t.a_onsite, "item_id": "Q1"},
               each(A_SIDE, to(f"/assessments/{t.a_onsite}/interview/foundation")), _evidence),
        Target("other tenant", {"assessment_id": t.b_onsite, "item_id": "Q1"},
               each(B_SIDE, to(f"/assessments/{t.b_onsite}/interview/foundation")), _evidence),
    ]


def _download(t: Things) -> list[Target]:
    return [
        Target("on site", {"assessment_id": t.a_onsite, "file_id": t.a_file}, each(A_SIDE, OK)),
        Target("another assessment's file", {"assessment_id": t.a_onsite, "file_id": t.b_file}, {}),
        Target("other tenant", {"assessment_id": t.b_onsite, "file_id": t.b_file}, each(B_SIDE, OK)),
    ]


def _remove_file(t: Things) -> list[Target]:
    return [
        Target("on site", {"assessment_id": t.a_onsite, "file_id": t.a_file},
               each(A_SIDE, to(f"/assessments/{t.a_onsite}/interview/foundation"))),
        Target("another assessment's file", {"assessment_id": t.a_onsite, "file_id": t.b_file}, {}),
    ]


def _validate(t: Things) -> list[Target]:
    data = _form(value="A", reason="seen on site")
    return [
        Target("on site", {"assessment_id": t.a_onsite, "item_id": "Q1"},
               each(A_PROVIDER, to(f"/assessments/{t.a_onsite}/interview/foundation")), data),
        Target("consent withdrawn", {"assessment_id": t.w_onsite, "item_id": "Q1"}, {}, data),
        Target("other tenant", {"assessment_id": t.b_onsite, "item_id": "Q1"},
               each(B_PROVIDER, to(f"/assessments/{t.b_onsite}/interview/foundation")), data),
    ]


def _submit_validated(t: Things) -> list[Target]:
    return [
        Target("on site", {"assessment_id": t.a_onsite}, each(A_PROVIDER, to(f"/results/{t.a_onsite}")),
               _confirmed("a_onsite")),
        Target("consent withdrawn", {"assessment_id": t.w_onsite}, {}, _version("w_onsite")),
        Target("submitted", {"assessment_id": t.a_t1}, {}, _version("a_t1")),
    ]


def _audit(t: Things) -> list[Target]:
    return [
        Target("on site", {"assessment_id": t.a_onsite}, each(A_SIDE, OK)),
        Target("submitted", {"assessment_id": t.a_t1}, each(A_SIDE, OK)),
        Target("other tenant", {"assessment_id": t.b_onsite}, each(B_SIDE, OK)),
    ]


def _respondents(t: Things) -> list[Target]:
    return [
        Target("on site", {"assessment_id": t.a_onsite}, each(A_SIDE, OK)),
        Target("other tenant", {"assessment_id": t.b_onsite}, each(B_SIDE, OK)),
    ]


def _invite(t: Things) -> list[Target]:
    return [
        Target("on site", {"assessment_id": t.a_onsite},
               each(A_SIDE, to(f"/assessments/{t.a_onsite}/respondents")), _form(name="财务负责人")),
        Target("other tenant", {"assessment_id": t.b_onsite},
               each(B_SIDE, to(f"/assessments/{t.b_onsite}/respondents")), _form(name="财务负责人")),
    ]


def _close_respondent(t: Things) -> list[Target]:
    return [
        Target("on site", {"assessment_id": t.a_onsite, "respondent_id": t.r_open},
               each(A_SIDE, to(f"/assessments/{t.a_onsite}/respondents"))),
        Target("another assessment's respondent", {"assessment_id": t.b_onsite, "respondent_id": t.r_open}, {}),
    ]


def _divergence(t: Things) -> list[Target]:
    return [
        Target("on site", {"assessment_id": t.a_onsite}, each(A_SIDE, OK)),
        Target("other tenant", {"assessment_id": t.b_onsite}, each(B_SIDE, OK)),
    ]


def _adopt(t: Things) -> list[Target]:
    return [
        Target("on site", {"assessment_id": t.a_onsite}, each(A_SIDE, to(f"/assessments/{t.a_onsite}/divergence")),
               _form(reason="agreed")),
        Target("submitted", {"assessment_id": t.a_t1}, each(A_SIDE, to(f"/assessments/{t.a_t1}/divergence")),
               _form(reason="agreed")),
    ]


def _consolidate(t: Things) -> list[Target]:
    return [
        Target("guided", {"assessment_id": t.a_guided, "item_id": "Q1"},
               each(A_SIDE, to(f"/assessments/{t.a_guided}/divergence")), _form(value="A", reason="agreed")),
        Target("other tenant", {"assessment_id": t.b_onsite, "item_id": "Q1"},
               each(B_SIDE, to(f"/assessments/{t.b_onsite}/divergence")), _form(value="A", reason="agreed")),
    ]


def _respondent_start(t: Things) -> list[Target]:
    return [
        Target("open link", {"respondent_id": t.r_open}, {"respondent": OK}),
        Target("closed link", {"respondent_id": t.r_closed}, {}),
        Target("never opened here", {"respondent_id": t.r_other}, {}),
    ]


def _respondent_section(t: Things) -> list[Target]:
    return [Target(x.state, {**x.values, "section_id": "foundation"}, x.rightful) for x in _respondent_start(t)]


def _respondent_save(t: Things) -> list[Target]:
    data = _form(version="1", action="next")
    return [
        Target("open link", {"respondent_id": t.r_open, "section_id": "foundation"},
               {"respondent": to(f"/respond/{t.r_open}/")}, data),
        Target("closed link", {"respondent_id": t.r_closed, "section_id": "foundation"}, {}, data),
        Target("never opened here", {"respondent_id": t.r_other, "section_id": "foundation"}, {}, data),
    ]


def _respondent_done(t: Things) -> list[Target]:
    return [
        Target("open link", {"respondent_id": t.r_open}, {"respondent": to(f"/respond/{t.r_open}")}),
        Target("closed link", {"respondent_id": t.r_closed}, {}),
    ]


def _history(t: Things) -> list[Target]:
    return [
        Target("own", {"enterprise_id": t.ea}, each(A_SIDE, OK)),
        Target("other tenant", {"enterprise_id": t.eb}, each(B_SIDE, OK)),
        Target("ownerless enterprise", {"enterprise_id": t.eh}, {}),
    ]


def _compare(t: Things) -> list[Target]:
    return [
        Target("own", {"earlier_id": t.a_t0, "later_id": t.a_t1}, each(A_SIDE, OK)),
        Target("other tenant", {"earlier_id": t.a_t0, "later_id": t.b_sub}, {}),
    ]


def _result(t: Things) -> list[Target]:
    return [
        Target("submitted", {"assessment_id": t.a_t1}, each(A_SIDE, OK)),
        Target("draft", {"assessment_id": t.a_self}, each(A_SIDE, to(f"/assess/{t.a_self}/review"))),
        Target("other tenant", {"assessment_id": t.b_sub}, each(B_SIDE, OK)),
        Target("ownerless submitted", {"assessment_id": t.h_sub}, {"holder": OK}),
    ]


def _report(t: Things) -> list[Target]:
    return [
        Target("submitted", {"assessment_id": t.a_t1}, each(A_SIDE, OK)),
        Target("draft", {"assessment_id": t.a_self}, each(A_SIDE, to(f"/assess/{t.a_self}/review"))),
        Target("ownerless submitted", {"assessment_id": t.h_sub}, {"holder": OK}),
    ]


def _shared_result(t: Things) -> list[Target]:
    return [
        Target("shared", {"assessment_id": t.a_t1}, {"official": OK}),
        Target("share revoked", {"assessment_id": t.a_t0}, {}),
        Target("not shared", {"assessment_id": t.b_sub}, {}),
    ]


def _client_page(t: Things) -> list[Target]:
    return [
        Target("own client", {"enterprise_id": t.ea}, each(A_PROVIDER, OK)),
        Target("other tenant", {"enterprise_id": t.eb}, each(B_PROVIDER, OK)),
        Target("ownerless enterprise", {"enterprise_id": t.eh}, {}),
    ]


def _start_for_client(t: Things) -> list[Target]:
    data = _form(questionnaire="miit-2024", mode="guided")
    return [
        Target("own client", {"enterprise_id": t.ea}, each(A_PROVIDER, to("/assessments/")), data),
        Target("other tenant", {"enterprise_id": t.eb}, each(B_PROVIDER, to("/assessments/")), data),
    ]


def _withdraw_invitation(t: Things) -> list[Target]:
    return [
        Target("pending", {"link_id": t.inv_a}, each(A_PROVIDER, to("/provider/invitations"))),
        Target("accepted (consent is the enterprise's)", {"link_id": t.link_a}, {}),
    ]


def _entry(t: Things) -> list[Target]:
    return [
        Target("own", {"solution_id": t.sol_a}, each(A_PROVIDER, OK)),
        Target("other tenant", {"solution_id": t.sol_b}, each(B_PROVIDER, OK)),
    ]


def _entry_save(t: Things) -> list[Target]:
    return [
        Target("own", {"solution_id": t.sol_a}, each(A_PROVIDER, to("/provider/catalogue")), _solution),
        Target("other tenant", {"solution_id": t.sol_b}, each(B_PROVIDER, to("/provider/catalogue")), _solution),
    ]


def _entry_delete(t: Things) -> list[Target]:
    return [
        Target("own", {"solution_id": t.sol_a}, each(A_PROVIDER, to("/provider/catalogue"))),
        Target("other tenant", {"solution_id": t.sol_b}, each(B_PROVIDER, to("/provider/catalogue"))),
    ]


def _set_role(t: Things) -> list[Target]:
    return [
        Target("own staff", {"user_id": t.users["staff"]}, {"admin": to("/provider/staff")},
               _form(role="provider_admin")),
        Target("the admin itself", {"user_id": t.users["admin"]}, {}, _form(role="provider_staff")),
        Target("other tenant", {"user_id": t.users["other_staff"]}, {"other_admin": to("/provider/staff")},
               _form(role="provider_admin")),
        Target("an enterprise account", {"user_id": t.users["owner"]}, {}, _form(role="provider_admin")),
    ]


def _set_active(t: Things) -> list[Target]:
    return [
        Target("own staff", {"user_id": t.users["staff"]}, {"admin": to("/provider/staff")}, _form(active="0")),
        Target("staff switched off", {"user_id": t.users["staff_off"]}, {"admin": to("/provider/staff")},
               _form(active="1")),
        Target("the admin itself", {"user_id": t.users["admin"]}, {}, _form(active="0")),
        Target("other tenant", {"user_id": t.users["other_staff"]}, {"other_admin": to("/provider/staff")},
               _form(active="0")),
        Target("an enterprise account", {"user_id": t.users["owner"]}, {}, _form(active="0")),
    ]


def _revoke_consent(t: Things) -> list[Target]:
    return [
        Target("own", {"link_id": t.link_a}, {"owner": to("/account/providers")}),
        Target("other tenant", {"link_id": t.link_b}, {"other_owner": to("/account/providers")}),
        Target("consent withdrawn", {"link_id": t.link_w}, {}),
    ]


def _revoke_share(t: Things) -> list[Target]:
    return [
        Target("own", {"share_id": t.share_t1}, {"owner": to("/account/shares")}),
        Target("share revoked", {"share_id": t.share_t0}, {}),
    ]


def _statistics(t: Things) -> list[Target]:
    data = _form(consent_statistics="y")
    return [
        Target("own", {"enterprise_id": t.ea}, {"owner": to("/account/shares")}, data),
        Target("other tenant", {"enterprise_id": t.eb}, {"other_owner": to("/account/shares")}, data),
        Target("ownerless enterprise", {"enterprise_id": t.eh}, {}, data),
    ]


TOKEN = {"token": "not-a-real-token"}
PROVIDER_ROLES = ("provider_staff", "provider_admin")

ROUTES: dict[tuple[str, str], Kind] = {
    # open to everyone
    ("main.index", "GET"): Public("the start page"),
    ("main.health", "GET"): Public("monitoring"),
    ("main.region_children", "GET"): Public("code lists", {"code": "370000"}),
    ("main.industry_divisions", "GET"): Public("code lists", {"section": "C"}),
    ("main.set_language", "POST"): Public("the language switch"),
    ("static", "GET"): Public("style sheets and scripts", {"filename": "site.css"}),
    ("api.questionnaires", "GET"): Public("the public JSON API"),
    ("api.questionnaire", "GET"): Public("the public JSON API", {"questionnaire_id": "miit-2024"}),
    ("api.models", "GET"): Public("the public JSON API"),
    ("api.score", "POST"): Public("the public JSON API: scores what it is sent, stores nothing"),
    ("api.recommend", "POST"): Public("the public JSON API: advises on what it is sent, stores nothing"),
    ("api.report", "POST"): Public("the public JSON API: a PDF of what it is sent, stores nothing"),
    ("api_docs.openapi", "GET"): Public("the API's OpenAPI document"),
    ("api_docs.page", "GET"): Public("the API's docs page"),
    ("api_docs.swagger_file", "GET"): Public("the docs page's script and style sheet", {"name": "swagger-ui.css"}),
    ("api_docs.static", "GET"): Public("the docs page's script", {"filename": "docs.js"}),
    ("auth.login", "GET"): Public("signing in"),
    ("auth.login", "POST"): Public("signing in"),
    ("auth.register", "GET"): Public("registering"),
    ("auth.register", "POST"): Public("registering"),
    ("auth.logout", "POST"): Public("signing out"),
    ("phone.start", "GET"): Public("signing in by mobile number"),
    ("phone.start", "POST"): Public("signing in by mobile number"),
    ("phone.code", "GET"): Public("signing in by mobile number"),
    ("phone.code", "POST"): Public("signing in by mobile number"),
    ("mfa.verify", "GET"): Public("the second factor of a sign-in under way"),
    ("mfa.verify", "POST"): Public("the second factor of a sign-in under way"),
    ("mfa.enrol", "GET"): Public("setting up the second factor (sign-in under way or signed in)"),
    ("mfa.enrol", "POST"): Public("setting up the second factor (sign-in under way or signed in)"),
    ("mfa.cancel", "POST"): Public("abandoning a sign-in under way"),
    ("account.forgot_password", "GET"): Public("password reset, by email"),
    ("account.forgot_password", "POST"): Public("password reset, by email"),
    ("account.reset_password", "GET"): Public("the emailed reset link", TOKEN),
    ("account.reset_password", "POST"): Public("the emailed reset link", TOKEN),
    ("account.verify", "GET"): Public("the emailed confirmation link", TOKEN),
    ("account.invitation", "GET"): Public("a provider's invitation link", TOKEN),
    ("account.invitation", "POST"): Public("a provider's invitation link", TOKEN),
    ("account.invitation_page", "GET"): Public("the invitation whose link this browser opened"),
    ("account.invitation_page", "POST"): Public("the invitation whose link this browser opened"),
    ("account.choose_password", "GET"): Public("the reset link this browser opened"),
    ("account.choose_password", "POST"): Public("the reset link this browser opened"),
    ("assess.resume", "GET"): Public("a resume link", TOKEN),
    ("assess.resume_form", "GET"): Public("pasting a resume link"),
    ("assess.resume_form", "POST"): Public("pasting a resume link"),
    ("respondents.open_link", "GET"): Public("a respondent's link", TOKEN),
    ("assess.start", "POST"): Public("starting a self-assessment (kept in the browser or the account)"),
    ("assess.index", "GET"): Public("the assessments of this browser or account (the door filters the list)"),
    # one's own account
    ("account.show", "GET"): Signed(),
    ("account.set_name", "POST"): Signed(data=_form(display_name="Someone")),
    ("account.send_verify", "POST"): Signed(),
    ("account.reauth", "GET"): Signed(),
    ("account.reauth", "POST"): Signed(data=_form(password="not the password")),
    ("account.consents", "GET"): Signed(),
    ("account.sign_out_everywhere", "POST"): Signed(),
    ("auth.change_password", "GET"): Signed(),
    ("auth.change_password", "POST"): Signed(data=_form(current="not the password", password="x", confirm="x")),
    ("phone.change", "GET"): Signed(),
    ("phone.change", "POST"): Signed(data=_form(phone="13800138000")),
    ("phone.confirm_change", "GET"): Signed(),
    ("phone.confirm_change", "POST"): Signed(data=_form(code="000000")),
    ("phone.add_email", "GET"): Signed(),
    ("phone.add_email", "POST"): Signed(data=_form(email="")),
    ("phone.reauth", "GET"): Signed(),
    ("phone.reauth", "POST"): Signed(data=_form(code="000000")),
    ("tokens.index", "GET"): Signed(),
    ("tokens.create", "POST"): Signed(data=_form(name="", scope="read", days="90")),
    ("jobs.index", "GET"): Signed(),
    ("mfa.manage", "GET"): Signed(),
    ("mfa.disable", "POST"): Signed(data=_form(code="000000")),
    ("mfa.renew", "POST"): Signed(data=_form(code="000000")),
    ("data_rights.index", "GET"): Signed(("enterprise",)),
    ("data_rights.export", "GET"): Signed(("enterprise",), costly=True),
    ("data_rights.confirm_delete", "GET"): Signed(("enterprise",)),
    ("data_rights.delete", "POST"): Signed(("enterprise",), data=_form(confirm="not the account's address")),
    ("shares.index", "GET"): Signed(("enterprise",)),
    ("shares.create", "POST"): Signed(("enterprise",), _form(what="", action="refresh")),
    # a role's part of the site
    ("provider.dashboard", "GET"): Role(PROVIDER_ROLES),
    ("provider.invitations", "GET"): Role(PROVIDER_ROLES),
    ("provider.invitations", "POST"): Role(PROVIDER_ROLES, _form(note="a new client")),
    ("provider.catalogue", "GET"): Role(PROVIDER_ROLES),
    ("provider.new_entry", "GET"): Role(PROVIDER_ROLES),
    ("provider.new_entry", "POST"): Role(PROVIDER_ROLES, lambda _m: {**SOLUTION, "id": "mes-new"}),
    ("provider.export_entries", "GET"): Role(PROVIDER_ROLES),
    ("jobs.start", "GET"): Role(PROVIDER_ROLES),
    ("jobs.start", "POST"): Role(PROVIDER_ROLES, _form()),
    ("provider.import_entries", "POST"): Role(PROVIDER_ROLES),
    ("bulk_import.start", "GET"): Role(PROVIDER_ROLES),
    ("bulk_import.start", "POST"): Role(PROVIDER_ROLES, _form()),
    ("bulk_import.template", "GET"): Role(PROVIDER_ROLES, values={"kind": "csv"}),
    ("provider.staff", "GET"): Role(("provider_admin",)),
    ("provider.staff", "POST"): Role(("provider_admin",), _form(email="new-member@example.com", display_name="New",
                                                                  role="provider_staff")),
    ("admin.index", "GET"): Role(("site_admin",)),
    ("admin.add_organisation", "POST"): Role(("site_admin",), _form(**{"org-name": "服务商N",
                                                                       "org-email": "first@example.com"})),
    ("admin.add_official", "POST"): Role(("site_admin",), _form(**{"official-email": "o@example.com",
                                                                   "official-province": "370000",
                                                                   "official-city": "370100"})),
    ("mfa.reset", "POST"): Role(("site_admin",)),
    ("security_log.index", "GET"): Role(("site_admin",)),
    ("official.dashboard", "GET"): Role(("official",)),
    ("official.shared", "GET"): Role(("official",)),
    ("official.export", "GET"): Role(("official",), values={"kind": "csv"}),
    ("official.export_job", "GET"): Role(("official",)),
    ("official.export_job", "POST"): Role(("official",), _form(kind="csv")),
    ("official.set_target", "POST"): Role(("official",), _form(share="30", level="2")),
    # objects
    ("assess.continue_assessment", "GET"): Objects(_continue),
    ("assess.link", "GET"): Objects(_link),
    ("assess.renew_link", "POST"): Objects(_renew_link),
    ("assess.profile", "GET"): Objects(_profile_page),
    ("assess.profile", "POST"): Objects(_profile_save),
    ("assess.step", "GET"): Objects(_step_page),
    ("assess.step", "POST"): Objects(_step_save),
    ("assess.review", "GET"): Objects(_review),
    ("workbooks.draft", "GET"): Objects(_review),
    ("workbooks.upload", "POST"): Objects(_workbook_upload),
    ("assess.submit", "POST"): Objects(_submit),
    ("assess.reassess", "POST"): Objects(_reassess),
    ("onsite.workspace", "GET"): Objects(_workspace),
    ("onsite.interview", "GET"): Objects(_interview),
    ("onsite.save_note", "POST"): Objects(_note),
    ("onsite.save_section", "POST"): Objects(_section_save),
    ("onsite.upload", "POST"): Objects(_upload),
    ("onsite.download", "GET"): Objects(_download),
    ("onsite.remove_file", "POST"): Objects(_remove_file),
    ("onsite.validate", "POST"): Objects(_validate),
    ("onsite.submit", "POST"): Objects(_submit_validated),
    ("onsite.audit", "GET"): Objects(_audit),
    ("respondents.index", "GET"): Objects(_respondents),
    ("respondents.index", "POST"): Objects(_invite),
    ("respondents.revoke", "POST"): Objects(_close_respondent),
    ("respondents.divergence", "GET"): Objects(_divergence),
    ("respondents.adopt", "POST"): Objects(_adopt),
    ("respondents.consolidate", "POST"): Objects(_consolidate),
    ("respondents.answer", "GET"): Objects(_respondent_start),
    ("respondents.section", "GET"): Objects(_respondent_section),
    ("respondents.section", "POST"): Objects(_respondent_save),
    ("respondents.finish", "POST"): Objects(_respondent_done),
    ("progress.history", "GET"): Objects(_history),
    ("progress.compare", "GET"): Objects(_compare),
    ("results.show", "GET"): Objects(_result),
    ("results.report", "GET"): Objects(_report, costly=True),
    ("official.shared_result", "GET"): Objects(_shared_result),
    ("provider.client", "GET"): Objects(_client_page),
    ("provider.start", "POST"): Objects(_start_for_client),
    ("provider.withdraw", "POST"): Objects(_withdraw_invitation),
    ("provider.edit_entry", "GET"): Objects(_entry),
    ("provider.edit_entry", "POST"): Objects(_entry_save),
    ("provider.delete_entry", "POST"): Objects(_entry_delete),
    ("provider.set_active", "POST"): Objects(_set_active),
    ("provider.set_role", "POST"): Objects(_set_role),
    ("account.revoke", "POST"): Objects(_revoke_consent),
    ("tokens.confirm_revoke", "GET"): Objects(lambda t: [Target("own token", {"token_id": t.token_a}, {"owner": OK})]),
    ("tokens.revoke", "POST"): Objects(lambda t: [Target("own token", {"token_id": t.token_a},
                                                         {"owner": to("/account/tokens")}, _form(confirm="yes"))]),
    ("shares.revoke", "POST"): Objects(_revoke_share),
    ("jobs.show", "GET"): Objects(lambda t: [Target("own job", {"job_id": t.job_a}, {"staff": OK})]),
    ("jobs.download", "GET"): Objects(lambda t: [Target("own job, file removed", {"job_id": t.job_a}, {})]),
    ("jobs.cancel", "POST"): Objects(lambda t: [Target("own finished job", {"job_id": t.job_a},
                                                       {"staff": to(f"/jobs/{t.job_a}")})]),
    ("jobs.retry", "POST"): Objects(lambda t: [Target("own finished job", {"job_id": t.job_a},
                                                      {"staff": to(f"/jobs/{t.job_a}")})]),
    ("shares.statistics", "POST"): Objects(_statistics),
    ("bulk_import.show", "GET"): Objects(lambda t: [Target("own job, not an import", {"job_id": t.job_a}, {})]),
    ("bulk_import.rejected", "GET"): Objects(lambda t: [Target("own job, not an import", {"job_id": t.job_a}, {})]),
}


# --- running the matrix --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def matrix(database_server: Any, library: Library, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    """The world of principals and objects, built once per module and database."""
    yield from open_matrix(database_server, library, tmp_path_factory.mktemp("authorization-matrix"))


@pytest.fixture
def world_state(matrix: Matrix) -> Matrix:
    """The matrix with the world as built (restored if a rightful request of an earlier case wrote)."""
    matrix.restore_if_written()
    return matrix


def _refused(name: str, response: TestResponse, endpoint: str = "", objects: bool = False) -> bool:
    """404 (403 for a part of the site of another role), or the login page for a visitor; an object's existence
    is never confirmed by a 403 (only the parts of the site that say whom they are for before they look at any
    object answer 403: the officials' and the enterprise's shares)."""
    location = urlsplit(response.headers.get("Location", "")).path
    if name in VISITORS and response.status_code in (302, 303) and location == "/auth/login":
        return True
    if objects and not endpoint.startswith(ROLE_GATED):
        return response.status_code == 404
    return response.status_code in (403, 404)


def _path(matrix: Matrix, endpoint: str, method: str, values: Mapping[str, Any]) -> str:
    adapter = matrix.app.url_map.bind("localhost")
    return adapter.build(endpoint, dict(values), method=method)


def _wrong_ones(matrix: Matrix, endpoint: str, method: str, path: str, data: Data | None,
                names: list[str], *, objects: bool = False) -> None:
    """Every one of these principals is refused, and the database is left exactly as it was."""
    matrix.restore_if_written()
    before = matrix.snapshot()
    for name in names:
        response = matrix.send(name, method, path, data, rightful=False)
        if not _refused(name, response, endpoint, objects):
            matrix.written()
            pytest.fail(f"{name} was not refused {method} {path} ({endpoint}): "
                        f"{response.status_code} {response.headers.get('Location', '')}")
    after = matrix.snapshot()
    if after != before:
        matrix.written()
        changed = sorted(t for t in before if before[t] != after.get(t))
        pytest.fail(f"refused {method} {path} ({endpoint}) still changed {changed}")


def _rightful_one(matrix: Matrix, name: str, endpoint: str, method: str, path: str, data: Data | None,
                  expect: Expect) -> None:
    response = matrix.send(name, method, path, data, rightful=True)
    where = urlsplit(response.headers.get("Location", "")).path
    assert response.status_code == expect.status and where.startswith(expect.to), \
        f"{name} {method} {path} ({endpoint}): {response.status_code} {where} instead of {expect}"


def _allowed(name: str, roles: tuple[str, ...] | None) -> bool:
    return name in ROLE_OF and (roles is None or ROLE_OF[name] in roles)


@pytest.mark.parametrize("route", sorted(ROUTES), ids=lambda r: f"{r[1]} {r[0]}")
def test_every_principal_gets_only_what_the_route_gives_it(world_state: Matrix, route: tuple[str, str]) -> None:
    matrix = world_state
    endpoint, method = route
    kind = ROUTES[route]
    if not any(r.endpoint == endpoint and method in (r.methods or ()) for r in matrix.app.url_map.iter_rules()):
        pytest.fail(f"the matrix names {method} {endpoint}, which is not a route of this app: remove the row")
    if isinstance(kind, Public):
        path = _path(matrix, endpoint, method, kind.values)
        names = list(PRINCIPALS) if method == "GET" else ["anonymous"]
        for name in names:
            response = matrix.send(name, method, path, None, rightful=True)
            assert response.status_code < 500, f"{name} got {response.status_code} from {method} {path}"
        return
    if isinstance(kind, Signed | Role):
        roles = kind.roles
        path = _path(matrix, endpoint, method, kind.values if isinstance(kind, Role) else {})
        _wrong_ones(matrix, endpoint, method, path, kind.data, [n for n in PRINCIPALS if not _allowed(n, roles)])
        allowed = [n for n in PRINCIPALS if _allowed(n, roles)]
        if isinstance(kind, Signed) and kind.costly:
            allowed = list({ROLE_OF[n]: n for n in allowed}.values())  # the last of each role
        for name in allowed:
            response = matrix.send(name, method, path, kind.data, rightful=True)
            assert not _refused(name, response) and response.status_code < 500, \
                f"{name} could not use {method} {path}: {response.status_code}"
        return
    targets = kind.targets(matrix.things)
    assert targets, endpoint
    for target in targets:
        path = _path(matrix, endpoint, method, target.values)
        _wrong_ones(matrix, endpoint, method, path, target.data,
                    [n for n in PRINCIPALS if n not in target.rightful], objects=True)
        for name, expect in list(target.rightful.items())[:1 if kind.costly else None]:
            _rightful_one(matrix, name, endpoint, method, path, target.data, expect)


def test_every_route_and_method_is_in_the_matrix(matrix: Matrix) -> None:
    found = {(rule.endpoint, method) for rule in matrix.app.url_map.iter_rules()
             for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    missing = sorted(found - set(ROUTES) - set(API_ROUTES))
    assert not missing, ("routes without a row in tests/web/security/test_authorization_matrix.py ROUTES: say who may "
                         f"use them (Public, Signed, Role or Objects with targets): {missing}")


# --- withdrawal, switch-off and revocation take effect on the very next request --------------------------------

def _status(client: FlaskClient, path: str) -> int:
    response = client.get(path)
    response.close()
    return response.status_code


def test_a_provider_loses_every_object_of_a_client_on_the_request_after_consent_is_withdrawn(
        world_state: Matrix) -> None:
    matrix, t = world_state, world_state.things
    staff = matrix.client("staff")
    pages = [f"/assessments/{t.a_onsite}/workspace", f"/assess/{t.a_self}/review", f"/results/{t.a_t1}",
             f"/enterprises/{t.ea}/history", f"/provider/clients/{t.ea}", f"/assessments/{t.a_onsite}/audit"]
    assert [_status(staff, p) for p in pages] == [200] * len(pages)
    owner = matrix.client("owner")
    assert owner.post(f"/account/providers/{t.link_a}/revoke").status_code == 303
    matrix.written()
    assert [_status(staff, p) for p in pages] == [404] * len(pages)
    before = matrix.snapshot()
    for (endpoint, method), kind in ROUTES.items():
        if isinstance(kind, Objects):
            for target in kind.targets(t):
                if "staff" in target.rightful and "owner" in target.rightful:
                    path = _path(matrix, endpoint, method, target.values)
                    response = matrix.send("staff", method, path, target.data, rightful=False)
                    assert response.status_code == 404, f"after the withdrawal the provider still reached {path}"
    assert matrix.snapshot() == before
    with matrix.session() as session:
        assert providers.link_exists(session, t.organisation_a, t.ea) is False
        assert queries.get_assessment(session, t.a_onsite) is not None


def test_switched_off_staff_lose_access_on_their_next_request(world_state: Matrix) -> None:
    matrix, t = world_state, world_state.things
    staff = matrix.client("staff")
    assert _status(staff, f"/assessments/{t.a_onsite}/workspace") == 200
    with matrix.session() as session:
        generation = queries.get_user(session, t.users["staff"]).session_generation  # type: ignore[union-attr]
    admin = matrix.client("admin")
    assert admin.post(f"/provider/staff/{t.users['staff']}/active", data={"active": "0"}).status_code == 303
    matrix.written()
    assert _status(staff, f"/assessments/{t.a_onsite}/workspace") == 404
    response = staff.get("/provider/")
    assert response.status_code == 303 and urlsplit(response.headers["Location"]).path == "/auth/login"
    with matrix.session() as session:
        member = queries.get_user(session, t.users["staff"])
        assert member is not None and not member.active and member.session_generation == generation + 1
    assert admin.post(f"/provider/staff/{t.users['staff']}/active", data={"active": "1"}).status_code == 303
    assert _status(staff, f"/assessments/{t.a_onsite}/workspace") in (303, 404), \
        "switching access on again does not revive a session that was ended"


def test_an_official_loses_a_result_on_the_request_after_its_share_is_revoked(world_state: Matrix) -> None:
    matrix, t = world_state, world_state.things
    official = matrix.client("official")
    assert _status(official, f"/official/results/{t.a_t1}") == 200
    owner = matrix.client("owner")
    assert owner.post(f"/account/shares/{t.share_t1}/revoke").status_code == 303
    matrix.written()
    assert _status(official, f"/official/results/{t.a_t1}") == 404


def test_a_new_resume_link_cuts_off_every_other_browser_that_held_the_draft(world_state: Matrix) -> None:
    matrix, t = world_state, world_state.things
    laptop, phone = matrix.client("holder"), matrix.client("holder")
    assert _status(phone, f"/assess/{t.h_draft}/review") == 200
    assert laptop.post(f"/assess/{t.h_draft}/link").status_code == 303
    matrix.written()
    assert _status(laptop, f"/assess/{t.h_draft}/review") == 200
    assert _status(phone, f"/assess/{t.h_draft}/review") == 404
    assert f'id="open-{t.h_draft}"' not in phone.get("/assessments").text


def test_the_matrix_world_has_every_state_it_claims(world_state: Matrix) -> None:
    t = world_state.things
    with world_state.session() as session:
        assert not providers.link_exists(session, t.organisation_w, t.ea)
        assert providers.link_exists(session, t.organisation_a, t.ea)
        staff_off = queries.get_user(session, t.users["staff_off"])
        assert staff_off is not None and not staff_off.active
        assert providers.get_respondent(session, t.r_closed).revoked_at is not None  # type: ignore[union-attr]
        drafts = {i: queries.get_assessment(session, i) for i in (t.a_self, t.a_onsite, t.w_onsite, t.h_draft)}
        assert all(r is not None and r.draft for r in drafts.values())
        assert all(queries.get_assessment(session, i).status == "submitted"  # type: ignore[union-attr]
                   for i in (t.a_t0, t.a_t1, t.b_sub, t.h_sub))
        assert queries.get_assessment(session, t.h_draft).user_id is None  # type: ignore[union-attr]
    assert Path(world_state.app.config["EVIDENCE_DIR"]).is_dir()


def test_the_assessment_list_shows_each_principal_only_what_it_may_open(world_state: Matrix) -> None:
    matrix, t = world_state, world_state.things
    listed = {}
    for name in PRINCIPALS:
        page = matrix.client(name).get("/assessments").text
        listed[name] = {int(i) for i in re.findall(r'id="open-(\d+)"', page)}
        for assessment_id in listed[name]:
            assert _status(matrix.client(name), f"/assess/{assessment_id}") == 303, f"{name} lists {assessment_id}"
    assert listed["holder"] == {t.h_draft, t.h_sub}
    assert t.a_self in listed["owner"] and not listed["owner"] & {t.b_sub, t.h_draft, t.h_sub}
    assert not listed["anonymous"] and not listed["staff_off"] and not listed["respondent"]


# --- the JSON API's token endpoints (tests/web/security/api_matrix.py) -----------------------------------------

@pytest.mark.parametrize("route", sorted(API_ROUTES), ids=lambda r: f"{r[1]} {r[0]}")
def test_every_token_gets_only_what_the_api_route_gives_it(world_state: Matrix, route: tuple[str, str]) -> None:
    matrix = world_state
    endpoint, method = route
    kind = API_ROUTES[route]
    for target in kind.targets(matrix.things):
        path = _path(matrix, endpoint, method, target.values)
        matrix.restore_if_written()
        before = api_state(matrix)
        for name in (n for n in API_PRINCIPALS if n not in target.rightful):
            response = api_send(matrix, name, method, path, target.body, kind.headers, rightful=False)
            assert response.status_code in REFUSALS and response.mimetype == "application/problem+json", \
                f"{name} was not refused {method} {path} ({target.state}): {response.status_code}"
            assert response.status_code != 403 or ROLE_OF.get(name) != "enterprise" or name == "owner_read" \
                or endpoint.startswith(API_ROLE_GATED), \
                f"{name} learnt from a 403 that {path} exists"
        if api_state(matrix) != before:
            matrix.written()
            pytest.fail(f"refused {method} {path} still changed the database")
        for name, status in list(target.rightful.items())[:1 if kind.costly else None]:
            response = api_send(matrix, name, method, path, target.body, kind.headers, rightful=True)
            assert response.status_code == status, f"{name} {method} {path}: {response.status_code}"

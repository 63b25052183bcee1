"""Hostile input to every POST route of the app: no 5xx, no earlier answer lost, no request over one second.

A seeded generator sends ASSESSMENT_FUZZ_REQUESTS requests per database (default 2,600, so 5,200 in `make test` over
SQLite and PostgreSQL; ASSESSMENT_FUZZ_SEED changes the seed, default 12) to the POST routes of `app.url_map`, each
signed in as the principal the route is for, so that the request reaches the form handling (CSRF is off in the
test app). Each request takes the form the route's own page renders (its fields and the saved values) and spoils
it: one field set to a hostile value (huge exponents, NaN, Infinity, -0, 400 digits, NUL, full-width and other
Unicode digits, 600 KB), a list where one value goes, a field left out or sent twice, a file where text goes, an
undecodable or foreign body (invalid UTF-8, JSON, a multipart body without its boundary) or a body over the size
limit (413 is a fine answer).

After every request the drafts' answers and figures, the respondent's answers, the assessor's validated answers,
the profile and the official's target are read again: a value may change only where the spoiled field goes and
only to what that field's parser accepts from the text sent (a full-width ３ is a 3), or go away where the field
was sent empty or left out (as a browser does for an emptied field). A request that takes over a second is sent
once more before it counts (a loaded two-core machine); the slowest is reported.

The long run (docs/security.md, "Bounded input"):
    ASSESSMENT_FUZZ_REQUESTS=200000 scripts/with-postgres .venv/bin/python -m pytest -q -n 0 \
        tests/web/security/test_hostile_input.py
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from fractions import Fraction
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from scene import SOLUTION
from sqlalchemy import select
from werkzeug.routing import Rule
from world import Tenant, World, worked_example

from assessment.db import providers, queries
from assessment.db.models import Assessment, AuditEvent, Enterprise, OfficialTarget, Respondent
from assessment.db.officials import Target
from assessment.domain.answers import answers_to_document, field_rule, parse_answers, parse_value
from assessment.domain.enterprise import EMPLOYEES, REVENUE, EnterpriseProfile
from assessment.domain.numbers import NumberRefused, NumberRule, read_decimal, read_number, read_whole
from assessment.domain.questionnaire import Item, Questionnaire
from assessment.services import assessments, provider_catalogue, respondents
from assessment.services import providers as tenancy
from assessment.services.providers import Principal
from assessment.web.site import site

REQUESTS = int(os.environ.get("ASSESSMENT_FUZZ_REQUESTS", "2600"))
SEED = int(os.environ.get("ASSESSMENT_FUZZ_SEED", "12"))
SLOW = 1.0
"""Seconds: the issue's bound for any one request (item 3)."""

OVERSIZED = "9" * 600_000
"""More than the app's 512 KiB body limit (a 1 MB string is the same to it): 413."""

HOSTILE = (
    "1e20000000", "1E999999999", "-1e309", "1e309", "1e-400", "Infinity", "-Infinity", "inf", "NaN", "nan", "sNaN",
    "-0", "+0", "-0.0", "0x10", "1_000", "1/3", "0/0", "1,00", "1..2", "1.2.3", "--1", "+-1", ".", "-", "+", "",
    " ", "\u3000", "\t\n", "１２０", "１．５", "－５", "３", "٣", "²", "Ⅻ", "１e5", "12 000", "1\u00a0000", "1,000",
    "2147483647", "2147483648", "-2147483649", "99999999999", "9" * 32, "9" * 33, "9" * 400, "-" + "9" * 400,
    "0." + "0" * 400 + "1", "1" * 5000, "\x00", "1\x002", "\x00" * 50, "\ufeff1", "1\u200b", "\ud7ff", "\U0001f4a9",
    "true", "false", "null", "None", "[]", "{}", "[1]", '{"a": 1}', "'", '"', "<script>alert(1)</script>",
    "%", "30%", "３０％", "A", "Z", "level", "1;DROP TABLE users", "../../etc/passwd", "\r\n\r\n", "a" * 5000,
)

RAW_BODIES: tuple[tuple[bytes, str | None], ...] = (
    (b"version=\xff\xfe\xfd&share=\xc3\x28&employees=\xed\xa0\x80", "application/x-www-form-urlencoded"),
    (b"\x00\x00\x00=\x00", "application/x-www-form-urlencoded"),
    (b"%ZZ%%%=%&&&==&version=%FF", "application/x-www-form-urlencoded"),
    (b'{"version": 1e400, "share": "NaN", "employees": [1, 2]}', "application/json"),
    (b"{not json", "application/json"),
    (b"version=1", "text/plain"),
    (b"--x\r\nContent-Disposition: form-data; name=\"version\"\r\n\r\n\xff\r\n", "multipart/form-data"),
    (b"--x\r\nContent-Disposition: form-data; name=\"version\"\r\n\r\n1", "multipart/form-data; boundary=x"),
    (b"v\x00e\x00r\x00=\x001\x00", "application/x-www-form-urlencoded; charset=utf-16"),
    (b"", None),
    (b"a=" + b"a" * 600_000, "application/x-www-form-urlencoded"),
    (b"--x\r\nContent-Disposition: form-data; name=\"a\"; filename=\"a.pdf\"\r\n\r\n" + b"%PDF" * 150_000
     + b"\r\n--x--\r\n", "multipart/form-data; boundary=x"),
)

INCOMPLETE = ("S16", "Q8", "Q10")
"""Items no spoiled request can answer (not among the items the routes are filled with): the drafts stay
incomplete, so a submission must always be refused."""

NUMBER_ROUTES = ("assess.step", "assess.profile", "respondents.section", "official.set_target", "onsite.validate",
                 "respondents.consolidate")
"""Routes whose forms carry numbers or levels: they get more requests, and each must answer some of them with 422."""


# --- the world -----------------------------------------------------------------------------------------------

@dataclass
class Stage:
    """The objects every route is filled with, and the principals' accounts."""

    a: Tenant
    b: Tenant
    self_id: int
    eu_id: int
    onsite_id: int
    submitted_id: int
    respondent_id: int
    respondent_token: str
    victim_id: int
    invitation_token: str
    invitation_b: int
    solution_a: int
    solution_b: int
    share_b: int
    official_id: int
    site_admin_id: int
    reset_token: str
    miit: Questionnaire
    eu: Questionnaire
    stores: dict[str, Questionnaire] = field(default_factory=dict)
    seeded: dict[tuple[str, ...], Any] = field(default_factory=dict)


def _partial(questionnaire: Questionnaire, document: Mapping[str, Any], left_out: tuple[str, ...],
             figures_left_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """Answers without some items, stored as the app stores them (computed answers included)."""
    answers = {k: v for k, v in document["answers"].items() if k not in left_out}
    data = {k: v for k, v in document.get("data", {}).items() if k not in figures_left_out}
    parsed = parse_answers(questionnaire, {"questionnaire": questionnaire.id, "answers": answers, "data": data},
                           complete=False)
    stored = answers_to_document(parsed)
    return {"answers": stored["answers"], "data": stored.get("data", {})}


def _own_draft(world: World, tenant: Tenant, questionnaire: Questionnaire, document: Mapping[str, Any]) -> int:
    """A self-assessment draft of the tenant's enterprise, by its owner (incomplete, so it cannot be submitted)."""
    library = site(world.app).library
    with world.session() as session:
        started = assessments.start(session, questionnaire, library.default_model(questionnaire.id),
                                    user_id=tenant.owner_id)
        queries.link_enterprise(session, started.record.id, tenant.enterprise_id)
        assert queries.save_draft(session, started.record.id, started.record.version, document["answers"],
                                  document["data"]) is not None
    return started.record.id


def build(world: World) -> Stage:
    """Two providers with a client each, drafts in every mode, a respondent, an official and a site admin.

    Routes that end something (revoke a link or share, switch off staff, withdraw an invitation, delete an entry)
    are pointed at tenant B's objects, so that they cannot take tenant A's drafts out of the other routes' reach.
    """
    a = world.tenant("A", "91370102MA3C00001")
    b = world.tenant("B", "91370102MA3C00002")
    library = site(world.app).library
    miit, eu = library.questionnaire("miit-2024"), library.questionnaire("eu-dma-sme")
    document = worked_example()
    partial = _partial(miit, document, INCOMPLETE, ("cost_last_year",))
    self_id = _own_draft(world, a, miit, partial)
    eu_id = _own_draft(world, a, eu, {"answers": {"1.2": ["1"]}, "data": {}})
    onsite_id = world.assessment(a, "onsite", partial)
    submitted_id = world.assessment(a, "guided", submit=True)
    with world.session() as session:
        record = queries.get_assessment(session, onsite_id)
        assert record is not None
        person, token = respondents.invite(session, record, miit, "生产负责人", "production", [], a.staff_id)
        given = _partial(miit, document, ("S01", "S02", "Q14"), ("employees_last_year",))
        assert providers.save_respondent(session, person.id, person.version, given["answers"], given["data"]) \
            is not None
        victim, _token = respondents.invite(session, record, miit, "财务负责人", "finance", [], a.staff_id)
        invitation = tenancy.invite(session, Principal(a.staff_id, "provider_staff", a.organisation_id), "新客户")
        tenancy.invite(session, Principal(b.staff_id, "provider_staff", b.organisation_id), "待定客户")
        pending_b = next(link.id for link in providers.invitations_of(session, b.organisation_id)
                         if link.status == "pending")
        solutions = {}
        for tenant in (a, b):
            organisation = providers.get_organisation(session, tenant.organisation_id)
            assert organisation is not None
            provider_catalogue.save_entry(session, organisation, {miit.id: miit}, miit.id, SOLUTION, tenant.staff_id)
            solutions[tenant.organisation_id] = providers.solutions(session, tenant.organisation_id)[0].entry_id
        share_b = queries.add_authority_share(session, enterprise_id=b.enterprise_id, region_code="370000",
                                              assessment_id=None, user_id=b.owner_id)
        assert share_b is not None
    with world.session() as session:
        reset = _reset_token(world, session, a.owner_id)
        solution_ids = {organisation: _solution_id(session, organisation) for organisation in solutions}
    official = world.member("official", region_code="370000")
    site_admin = world.member("site_admin")
    stage = Stage(a, b, self_id, eu_id, onsite_id, submitted_id, person.id, token, victim.id, invitation, pending_b,
                  solution_ids[a.organisation_id], solution_ids[b.organisation_id], share_b, official, site_admin,
                  reset, miit, eu)
    stage.stores = {"self": miit, "eu": eu, "onsite": miit, "respondent": miit}
    stage.seeded = state(world.app, stage)[0]
    return stage


def _reset_token(world: World, session: Any, user_id: int) -> str:
    """A working password-reset token of the owner (the reset page then shows its form)."""
    from assessment.services import accounts

    try:
        return str(accounts.issue_token(session, str(world.app.config["SECRET_KEY"]), user_id, "reset"))
    except (TypeError, ValueError):  # the token service changed its shape: a dead token still exercises the route
        return "x" * 43


def _solution_id(session: Any, organisation_id: int) -> int:
    """The database id of the organisation's first catalogue entry (the route's <solution_id>)."""
    row = providers.solutions(session, organisation_id)[0]
    return int(row.id)


# --- the state that must not be lost ------------------------------------------------------------------------

Key = tuple[str, ...]


PROFILE_COLUMNS = tuple(f.name for f in fields(EnterpriseProfile))


def state(app: Flask, stage: Stage) -> tuple[dict[Key, Any], dict[str, int]]:
    """The watched values (answers, figures, validated answers, profile, target) and the current versions.

    Read with five plain queries: it runs after every request.
    """
    values: dict[Key, Any] = {}
    versions: dict[str, int] = {}
    stores = {stage.self_id: "self", stage.eu_id: "eu", stage.onsite_id: "onsite"}
    with site(app).engine.connect() as connection:
        for row in connection.execute(select(Assessment.id, Assessment.status, Assessment.version, Assessment.answers,
                                             Assessment.data).where(Assessment.id.in_(stores))):
            store = stores[row.id]
            versions[store] = row.version
            values[(store, "status")] = row.status
            values.update({(store, "answers", k): _frozen(v) for k, v in (row.answers or {}).items()})
            values.update({(store, "data", k): v for k, v in (row.data or {}).items()})
        person = connection.execute(select(Respondent.version, Respondent.answers, Respondent.data)
                                    .where(Respondent.id == stage.respondent_id)).one()
        versions["respondent"] = person.version
        values.update({("respondent", "answers", k): _frozen(v) for k, v in (person.answers or {}).items()})
        values.update({("respondent", "data", k): v for k, v in (person.data or {}).items()})
        for row in connection.execute(select(AuditEvent.item_id, AuditEvent.value).where(
                AuditEvent.assessment_id == stage.onsite_id, AuditEvent.kind == "validation")
                .order_by(AuditEvent.created_at, AuditEvent.id)):
            values[("validated", row.item_id)] = _frozen(row.value)
        profile = connection.execute(select(*(getattr(Enterprise, c) for c in PROFILE_COLUMNS))
                                     .where(Enterprise.id == stage.a.enterprise_id)).one()
        values.update({("profile", c): getattr(profile, c) for c in PROFILE_COLUMNS})
        target = connection.execute(select(OfficialTarget.level, OfficialTarget.share, OfficialTarget.year)
                                    .where(OfficialTarget.user_id == stage.official_id)).first()
        values[("target",)] = None if target is None else Target(target.level, target.share, target.year)
    return values, versions


def _frozen(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    return value


# --- the forms the pages render -------------------------------------------------------------------------------

class Forms(HTMLParser):
    """The POST forms of a page: their action path, the values a browser would send, and every control's name."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]], set[str]]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self.forms.append((urlsplit(a.get("action", "")).path, [], set()))
            return
        if not self.forms or not a.get("name"):
            return
        _action, sent, names = self.forms[-1]
        name = a["name"]
        names.add(name)
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    sent.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                sent.append((name, a.get("value", "")))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            sent.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self.forms:
            self.forms[-1][1].append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None


def page_forms(html: str, path: str) -> tuple[list[tuple[str, str]], set[str]] | None:
    """The first POST form on a page that is sent to this path: its values and its controls' names."""
    parser = Forms()
    parser.feed(html)
    for action, sent, names in parser.forms:
        if action == path:
            return [(k, v) for k, v in sent if k != "csrf_token"], names - {"csrf_token"}
    return None


# --- routes, principals and their URLs ----------------------------------------------------------------------

@dataclass(frozen=True)
class Route:
    """One POST route filled in: who sends, where, which page renders its form, and which store it writes."""

    endpoint: str
    principal: str
    path: str
    page: str | None
    store: str | None = None
    item: str | None = None
    section: str | None = None


PRINCIPALS = ("owner", "staff", "admin", "official", "site_admin", "anonymous")


def _principal(endpoint: str) -> str | None:
    """Who rightfully posts to a route (None: unknown route, every principal in turn)."""
    known = {
        "assess.start": "anonymous", "assess.resume_form": "anonymous", "main.set_language": "anonymous",
        "auth.login": "anonymous", "auth.register": "anonymous", "account.forgot_password": "anonymous",
        "account.reset_password": "anonymous", "auth.logout": "owner",
        "provider.set_active": "admin_b", "provider.withdraw": "staff_b", "provider.delete_entry": "staff_b",
        "provider.staff": "admin", "account.revoke": "owner_b", "shares.revoke": "owner_b",
        "shares.statistics": "owner_b", "respondents.section": "respondent", "respondents.finish": "respondent",
    }
    if endpoint in known:
        return known[endpoint]
    blueprint = endpoint.split(".", 1)[0]
    return {"assess": "owner", "account": "owner", "shares": "owner", "onsite": "staff", "respondents": "staff",
            "provider": "staff", "official": "official", "admin": "site_admin", "auth": "anonymous",
            "main": "anonymous"}.get(blueprint)


def fill(rule: Rule, stage: Stage, rng: random.Random, principal: str) -> Route:
    """The route with its URL variables taken from the stage."""
    endpoint = rule.endpoint
    values: dict[str, Any] = {}
    store = page = item = section = None
    miit_sections = [s.id for s in stage.miit.sections if s.items]
    items = ["Q1", "Q2", "Q5", "Q11", "S01", "S05"]
    for name in sorted(rule.arguments, key=lambda n: (n != "assessment_id", n)):
        if name == "assessment_id":
            if endpoint == "assess.reassess":
                values[name] = stage.submitted_id
            elif endpoint.startswith("assess."):
                store = "eu" if endpoint == "assess.step" and rng.random() < 0.3 else "self"
                values[name] = stage.eu_id if store == "eu" else stage.self_id
            else:
                store = "onsite"
                values[name] = stage.onsite_id
        elif name == "section_id":
            questionnaire = stage.eu if store == "eu" else stage.miit
            section = rng.choice([s.id for s in questionnaire.sections if s.items]) if store == "eu" \
                else rng.choice(miit_sections)
            values[name] = section
        elif name == "item_id":
            item = rng.choice(items)
            values[name] = item
        elif name == "respondent_id":
            values[name] = stage.victim_id if endpoint == "respondents.revoke" else stage.respondent_id
            store = "respondent" if endpoint == "respondents.section" else store
        elif name == "link_id":
            values[name] = stage.b.link_id if endpoint == "account.revoke" else stage.invitation_b
        elif name == "share_id":
            values[name] = stage.share_b
        elif name == "enterprise_id":
            values[name] = stage.b.enterprise_id if endpoint.startswith("shares.") else stage.a.enterprise_id
        elif name == "solution_id":
            values[name] = stage.solution_b if endpoint == "provider.delete_entry" else stage.solution_a
        elif name == "user_id":
            values[name] = stage.b.staff_id
        elif name == "token":
            values[name] = stage.reset_token if "reset" in endpoint else stage.invitation_token
        else:
            values[name] = 1 if f"<int:{name}>" in rule.rule else "x"
    path = rule.build(values, append_unknown=False)[1]
    if endpoint in ("assess.submit",):
        page = f"/assess/{stage.self_id}/review"
    elif endpoint == "onsite.submit":
        page = f"/assessments/{stage.onsite_id}/workspace"
    elif endpoint in ("onsite.validate", "onsite.save_note", "onsite.upload"):
        owner = next(s for s in stage.miit.sections if any(i.id == item for i in s.items))
        page = f"/assessments/{stage.onsite_id}/interview/{owner.id}"
    elif endpoint in ("respondents.consolidate", "respondents.adopt"):
        page = f"/assessments/{stage.onsite_id}/divergence"
    elif endpoint == "official.set_target":
        page = "/official/"
    elif endpoint == "shares.create":
        page = "/account/shares"
    elif "GET" in (rule.methods or ()):
        page = path
    return Route(endpoint, principal, path, page, store, item, section)


# --- the requests ---------------------------------------------------------------------------------------------

@dataclass
class Sent:
    """One hostile request: what was spoiled and how."""

    kind: str
    name: str | None = None
    values: list[str] = field(default_factory=list)
    """The values the spoiled field was sent with (empty: left out)."""
    form: list[tuple[str, Any]] = field(default_factory=list)
    error: str = ""

    def describe(self) -> str:
        shown = [v[:40] + "…" if isinstance(v, str) and len(v) > 40 else v for v in self.values]
        return f"{self.kind} {self.name or ''}={shown!r} {self.error}".rstrip()


GENERIC_FIELDS = ("version", "value", "share", "level", "year", "employees", "revenue_10k_cny", "code", "phone",
                  "email", "password", "confirm", "token", "id", "next", "action", "note", "reason", "name")


def hostile_value(rng: random.Random) -> str:
    """A hostile value: one of the list, or a generated long number, exponent or junk."""
    roll = rng.random()
    if roll < 0.75:
        return rng.choice(HOSTILE)
    if roll < 0.85:
        return rng.choice("-+") * rng.randint(0, 1) + "".join(rng.choice("0123456789") for _ in range(rng.randint(20, 400)))
    if roll < 0.95:
        return f"{rng.randint(1, 9)}{rng.choice('eE')}{rng.choice(['', '+', '-'])}{rng.randint(300, 10**9)}"
    return "".join(chr(rng.randint(1, 0xD7FF)) for _ in range(rng.randint(1, 60)))


def spoil(base: list[tuple[str, str]], names: set[str], rng: random.Random) -> Sent:
    """The base form with one thing spoiled."""
    candidates = sorted(names | {k for k, _ in base}) or list(GENERIC_FIELDS)
    roll = rng.random()
    target = rng.choice(candidates)
    rest = [(k, v) for k, v in base if k != target]
    own = [v for k, v in base if k == target]
    if roll < 0.55:
        value = hostile_value(rng)
        return Sent("value", target, [value], [*rest, (target, value)])
    if roll < 0.65:
        values = [hostile_value(rng), *(own or ["1"])]
        rng.shuffle(values)
        return Sent("list", target, values, [*rest, *((target, v) for v in values)])
    if roll < 0.72:
        return Sent("missing", target, [], rest)
    if roll < 0.77:
        values = (own or ["1"]) * 2
        return Sent("duplicate", target, values, [*rest, *((target, v) for v in values)])
    if roll < 0.82:
        return Sent("file", target, [], [*rest, (target, (BytesIO(b"1e20000000\x00"), "figure.txt"))])
    if roll < 0.85:
        return Sent("extra", None, [], [*base, (rng.choice(GENERIC_FIELDS) + "x", hostile_value(rng))])
    if roll < 0.88:
        return Sent("query", None, [], list(base))
    if roll < 0.99:
        return Sent("raw", None)
    return Sent("oversized", target, [OVERSIZED], [*rest, (target, OVERSIZED)])


# --- what may change ------------------------------------------------------------------------------------------

def _blank(values: list[Any]) -> bool:
    return not values or not isinstance(values[0], str) or not values[0].strip()


def _number_or_none(values: list[Any], rule: NumberRule) -> Fraction | None:
    try:
        return read_number(values[0], rule) if values and isinstance(values[0], str) else None
    except NumberRefused:
        return None


def _level(values: list[Any]) -> int | None:
    level = read_decimal(values[0]) if values and isinstance(values[0], str) else None
    return int(level) if level is not None and level.denominator == 1 else None


def expected_answer(item: Item, posted: Mapping[str, list[Any]], name: str) -> Any:
    """The answer the posted controls of an item give (a choice as sent, a level as the parser reads it), as
    stored; None when they give none or one the item refuses (then the saved answer must stay)."""
    values = posted.get(name, [])
    if item.type == "grid":
        cells: dict[str, Any] = {}
        for row in item.rows:
            sent = [v for v in posted.get(f"{name}-{row.key}", []) if isinstance(v, str) and v]
            if item.grid_multi and sent:
                cells[row.key] = [c.key for c in item.columns if c.key in sent]
            elif sent:
                cells[row.key] = sent[0]
        value: Any = cells if cells or item.grid_multi else None
    elif item.type == "multi":
        value = [v for v in values if isinstance(v, str)] or None
    elif item.type == "rating":
        value = _level(values)
    elif item.type == "number":
        value = _number_or_none(values, NumberRule(item.minimum, item.maximum))
    else:
        value = values[0].strip() if values and isinstance(values[0], str) and values[0].strip() else None
    if value is None:
        return None
    parsed, problems = parse_value(item, value)
    if problems:
        return None
    return _frozen(list(parsed) if isinstance(parsed, tuple) else parsed)


def _posted(sent: Sent) -> dict[str, list[Any]]:
    posted: dict[str, list[Any]] = {}
    for key, value in sent.form:
        posted.setdefault(key, []).append(value)
    return posted


def _figure_ok(after: Any, values: list[Any], rule: NumberRule) -> bool:
    if after is None:
        return _blank(values) or _number_or_none(values, rule) is None
    number = _number_or_none(values, rule)
    return number is not None and number == read_decimal(after)


def _step_change(key: Key, after: Any, questionnaire: Questionnaire, posted: Mapping[str, list[Any]],
                 changed: set[Key]) -> bool:
    """A step may set each answer and figure to what its own control says, or clear it where that is empty."""
    store, kind, name = key
    if kind == "data":
        for item in questionnaire.items:
            for spec in item.fields:
                if spec.id == name:
                    return _figure_ok(after, posted.get(f"{item.id}-{spec.id}", []), field_rule(spec))
        return False
    item = questionnaire.item(name)
    if item is None:
        return False
    if item.derive is not None and any((store, "data", f) in changed for f in item.derive.fields()):
        return True  # a computed answer follows its figures
    controls = [item.id, *(f"{item.id}-{row.key}" for row in item.rows)]
    if after is None:
        return all(_blank(posted.get(c, [])) for c in controls) or item.type == "grid" or item.derive is not None
    return after == expected_answer(item, posted, item.id)


def _profile_change(attribute: str, after: Any, posted: Mapping[str, list[Any]]) -> bool:
    """The profile is saved whole or not at all: each value as its control says (numbers as the parser reads them)."""
    first = {k: v[0] if v and isinstance(v[0], str) else "" for k, v in posted.items()}
    if attribute == "employees":
        return _figure_ok(after, posted.get("employees", []), EMPLOYEES)
    if attribute == "revenue_10k_cny":
        return _figure_ok(after, posted.get("revenue_10k_cny", []), REVENUE)
    if attribute == "region_code":
        return after in (first.get("county"), first.get("city"), first.get("province"))
    if attribute == "industry_code":
        return after in (first.get("division"), first.get("section"))
    if attribute == "consent_statistics":
        return True  # a checkbox: ticked or not
    if attribute in ("name", "contact_name", "contact_email", "contact_phone"):
        return (after or "") == first.get(attribute, "").strip()
    if attribute == "zhuanjingtexin":
        return after == (first.get(attribute) or "none")
    return False


def explained(key: Key, before: Any, after: Any, target: Route, sent: Sent, stage: Stage,
              now: Mapping[Key, Any], changed: set[Key]) -> bool:
    """Whether a change of one watched value is what the request rightly asked for."""
    endpoint = target.endpoint
    posted = _posted(sent)
    if sent.kind in ("raw", "oversized"):
        return False
    if len(key) == 3 and key[0] == target.store and key[0] in ("self", "eu", "respondent") and endpoint in (
            "assess.step", "respondents.section"):
        return _step_change(key, after, stage.stores[key[0]], posted, changed)
    if key[0] == "profile" and endpoint == "assess.profile" and target.store == "self":
        return _profile_change(key[1], after, posted)
    if key[0] == "validated" and endpoint == "onsite.validate" and key[1] == target.item:
        item = stage.miit.item(key[1])
        return item is not None and after is not None and after == expected_answer(item, posted, "value")
    if key[0] == "onsite" and endpoint == "respondents.consolidate" and len(key) == 3:
        item = stage.miit.item(target.item or "")
        if item is None:
            return False
        if key[1] == "data":
            return item.derive is not None and key[2] in item.derive.fields() and after is None
        return key[2] == item.id and after is not None and after == expected_answer(item, posted, "value")
    if key[0] == "onsite" and endpoint == "respondents.adopt" and len(key) == 3:
        return after is None or after == now.get(("respondent", key[1], key[2]))  # agreed answers are taken over
    if key == ("target",) and endpoint == "official.set_target":
        first = {k: v[0] for k, v in posted.items() if v and isinstance(v[0], str)}
        if after is None:
            return first.get("action") == "clear"
        share = read_decimal(first.get("share", "").strip().removesuffix("%").removesuffix("％"))
        return share is not None and after.level == read_whole(first.get("level", ""), 1, 4) and \
            abs(Fraction(after.share) - share / 100) < Fraction(1, 10_000)
    return False


def restore(world: World, stage: Stage, stores: set[str]) -> None:
    """Put changed drafts, the respondent's answers and the profile back as seeded (so no draft ever completes)."""
    seeded = stage.seeded
    with world.session() as session:
        for store, assessment_id in (("self", stage.self_id), ("eu", stage.eu_id), ("onsite", stage.onsite_id)):
            if store in stores:
                record = queries.get_assessment(session, assessment_id)
                assert record is not None
                answers = {k[2]: _thawed(v) for k, v in seeded.items() if k[:2] == (store, "answers")}
                data = {k[2]: v for k, v in seeded.items() if k[:2] == (store, "data")}
                assert queries.save_draft(session, assessment_id, record.version, answers, data) is not None
        if "respondent" in stores:
            person = providers.get_respondent(session, stage.respondent_id)
            assert person is not None
            answers = {k[2]: _thawed(v) for k, v in seeded.items() if k[:2] == ("respondent", "answers")}
            data = {k[2]: v for k, v in seeded.items() if k[:2] == ("respondent", "data")}
            assert providers.save_respondent(session, person.id, person.version, answers, data) is not None
        if "profile" in stores:
            columns = {k[1]: v for k, v in seeded.items() if k[0] == "profile"}
            profile = EnterpriseProfile(**{**columns, "revenue_10k_cny": Fraction(columns["revenue_10k_cny"])})
            queries.update_profile(session, stage.a.enterprise_id, profile)


def _thawed(value: Any) -> Any:
    if isinstance(value, tuple) and value and all(isinstance(v, tuple) and len(v) == 2 for v in value):
        return {k: _thawed(v) for k, v in value}
    if isinstance(value, tuple):
        return [_thawed(v) for v in value]
    return value


# --- the run --------------------------------------------------------------------------------------------------

@dataclass
class Tally:
    """What the run saw."""

    sent: int = 0
    slowest: float = 0.0
    slowest_request: str = ""
    statuses: dict[int, int] = field(default_factory=dict)
    by_route: dict[str, dict[int, int]] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    changed: int = 0
    """Requests that rightly changed a watched value (it was put back as seeded after each)."""


class Browsers:
    """A fresh browser per request (a logout or a language change stays out of the next request) with the
    principal's signed-in cookie, and the respondent's one browser, which opened the respondent link.

    The cookies are made again after a request that may have ended sessions (signing out, or a route this test does
    not know), since the server revokes them."""

    SESSION_ENDERS = ("auth.", "account.", "admin.", "mfa.", "phone.")

    def __init__(self, world: World, stage: Stage) -> None:
        self.world = world
        self.users = {"owner": stage.a.owner_id, "staff": stage.a.staff_id, "admin": stage.a.admin_id,
                      "owner_b": stage.b.owner_id, "staff_b": stage.b.staff_id, "admin_b": stage.b.admin_id,
                      "official": stage.official_id, "site_admin": stage.site_admin_id}
        self.cookies: dict[str, str] = {}
        self.cookie_name = str(world.app.config.get("SESSION_COOKIE_NAME", "session"))
        self.respondent = world.app.test_client()
        opened = self.respondent.get(f"/respond/link/{stage.respondent_token}")
        assert opened.status_code == 303, opened.status_code

    def __call__(self, principal: str) -> FlaskClient:
        if principal == "respondent":
            return self.respondent
        browser = self.world.app.test_client()
        if principal == "anonymous":
            return browser
        if principal not in self.cookies:
            signed_in = self.world.client(self.users[principal]).get_cookie(self.cookie_name)
            assert signed_in is not None
            self.cookies[principal] = signed_in.value
        browser.set_cookie(self.cookie_name, self.cookies[principal])
        return browser

    def after(self, endpoint: str, known: bool) -> None:
        """Forget the cookies if the request may have ended sessions."""
        if not known or endpoint.startswith(self.SESSION_ENDERS):
            self.cookies.clear()


def send(client: FlaskClient, target: Route, sent: Sent, rng: random.Random) -> tuple[int, float]:
    """Post the spoiled request; its status and how long the app took (an exception the test app lets through is
    what a server answers with 500)."""
    started = time.perf_counter()
    try:
        return _post(client, target, sent, rng)
    except Exception as exc:  # any exception is the 500 being looked for
        sent.error = f"{type(exc).__name__}: {str(exc)[:200]}"
        if os.environ.get("ASSESSMENT_FUZZ_TRACEBACKS"):
            import traceback
            traceback.print_exc()
        return 500, time.perf_counter() - started


def _post(client: FlaskClient, target: Route, sent: Sent, rng: random.Random) -> tuple[int, float]:
    path = target.path
    if sent.kind == "query":
        path += "?" + urlencode({"version": "1e999", "share": "NaN", "k": "9" * 400, "budget": "1" * 5000,
                                 "target": "²", "period": "²²²²"})
    started = time.perf_counter()
    if sent.kind == "raw":
        body, content_type = rng.choice(RAW_BODIES)
        sent.values = [repr(body[:40])]
        response = client.post(path, data=body, content_type=content_type) if content_type \
            else client.post(path, data=body)
    elif any(not isinstance(v, str) for _k, v in sent.form) or (sent.kind != "oversized" and rng.random() < 0.2):
        response = client.post(path, data=_multi(sent.form), content_type="multipart/form-data")
    else:
        response = client.post(path, data=_multi(sent.form))
    elapsed = time.perf_counter() - started
    response.close()
    return response.status_code, elapsed


def _multi(form: list[tuple[str, Any]]) -> dict[str, Any]:
    """Form pairs as the test client takes them: repeated names as lists."""
    out: dict[str, Any] = {}
    for key, value in form:
        if key in out:
            out[key] = [*out[key], value] if isinstance(out[key], list) else [out[key], value]
        else:
            out[key] = value
    return out


def fuzz(world: World, count: int, seed: int) -> Tally:
    """Send `count` hostile requests to the POST routes and check each answer and what it left in the database."""
    app = world.app
    stage = build(world)
    browsers = Browsers(world, stage)
    rng = random.Random(seed)
    rules = sorted((r for r in app.url_map.iter_rules() if "POST" in (r.methods or ())), key=lambda r: r.rule)
    weights = [6 if r.endpoint in NUMBER_ROUTES else 1 for r in rules]
    bases: dict[tuple[str, str, str | None], tuple[list[tuple[str, str]], set[str]]] = {}
    tally = Tally()
    before, versions = state(app, stage)
    unknown = iter(PRINCIPALS * (count + 1))
    reached: set[str] = set()
    while tally.sent < count:
        rule = rules[tally.sent] if tally.sent < len(rules) else rng.choices(rules, weights)[0]
        known = _principal(rule.endpoint)
        principal = known or next(unknown)
        target = fill(rule, stage, rng, principal)
        base_key = (target.endpoint, target.path, target.principal)
        if base_key not in bases:
            bases[base_key] = _base(browsers(principal), target)
        base, names = bases[base_key]
        base = [(k, str(versions.get(target.store or "", v)) if k == "version" else v) for k, v in base]
        sent = spoil(base, names, rng)
        status, elapsed = send(browsers(principal), target, sent, rng)
        if elapsed > SLOW:  # once more before it counts: the machine may have been busy
            status, elapsed = send(browsers(principal), target, sent, random.Random(seed + tally.sent))
        browsers.after(target.endpoint, known is not None)
        tally.sent += 1
        tally.statuses[status] = tally.statuses.get(status, 0) + 1
        route = tally.by_route.setdefault(f"{target.endpoint} ({target.principal})", {})
        route[status] = route.get(status, 0) + 1
        if status == 422:
            tally.refused[target.endpoint] = tally.refused.get(target.endpoint, 0) + 1
        if status < 400:
            reached.add(target.endpoint)
        where = f"{target.principal} POST {target.path} {sent.describe()}"
        if elapsed > tally.slowest:
            tally.slowest, tally.slowest_request = elapsed, where
        if status >= 500:
            tally.failures.append(f"{status} from {where}")
        if elapsed > SLOW:
            tally.failures.append(f"{elapsed:.2f} s for {where}")
        after, versions = state(app, stage)
        changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
        wrong = sorted(k for k in changed
                       if not explained(k, before.get(k), after.get(k), target, sent, stage, after, changed))
        tally.failures.extend(f"{k}: {before.get(k)!r} became {after.get(k)!r} after {status} from {where}"
                              for k in wrong)
        if changed:
            tally.changed += 1
            restore(world, stage, {k[0] for k in changed})
            bases = {k: v for k, v in bases.items() if k[0] != target.endpoint}
            after, versions = state(app, stage)
        before = after
        if len(tally.failures) >= int(os.environ.get("ASSESSMENT_FUZZ_FAILURES", "25")):
            break
    return tally


def _base(client: FlaskClient, target: Route) -> tuple[list[tuple[str, str]], set[str]]:
    """The form the route's page renders for this principal, or no fields (the spoiling then picks generic ones)."""
    if target.page is None:
        return [], set()
    response = client.get(target.page)
    text = response.get_data(as_text=True)
    response.close()
    if response.status_code != 200:
        return [], set()
    found = page_forms(text, target.path)
    return found if found is not None else ([], set())


def test_hostile_input_to_every_post_route_gets_no_5xx_loses_no_answer_and_takes_under_a_second(
        world: World, database_server: Any, tmp_path: Path) -> None:
    # jobs queued as in production (a queue no worker reads here), not run inside the request as tests otherwise do
    world.app.config.update(JOBS_IMMEDIATE=False, JOBS_DIR=str(tmp_path / "jobs"))
    tally = fuzz(world, REQUESTS, SEED + (0 if database_server.kind == "sqlite" else 1))
    print(f"\n{database_server.kind}: {tally.sent} hostile requests, slowest {tally.slowest:.3f} s "
          f"({tally.slowest_request}); statuses {dict(sorted(tally.statuses.items()))}")
    if os.environ.get("ASSESSMENT_FUZZ_REPORT"):
        for route, statuses in sorted(tally.by_route.items()):
            print(f"  {route}: {dict(sorted(statuses.items()))}")
    assert not tally.failures, "\n".join(tally.failures)
    assert tally.sent >= REQUESTS
    assert tally.slowest < SLOW
    posts = {r.endpoint for r in world.app.url_map.iter_rules() if "POST" in (r.methods or ())}
    for endpoint in NUMBER_ROUTES:
        assert endpoint in posts, endpoint
        assert tally.refused.get(endpoint, 0) > 0, f"no hostile value reached the form of {endpoint}"

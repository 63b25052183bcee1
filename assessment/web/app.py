"""create_app: the one place that wires configuration, content, database, blueprints and commands."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from assessment.content.codes import industries as shipped_industries
from assessment.content.codes import load_industries, load_regions
from assessment.content.codes import regions as shipped_regions
from assessment.content.errors import ContentInvalid
from assessment.content.loader import Library, content_root, load_library
from assessment.db.engine import ReadSessions, make_engine, make_read_engine, session_factory
from assessment.domain.numbers import ID_MAX
from assessment.services.sessions import IDLE_BY_ROLE, MAX_AGE_BY_ROLE
from assessment.services.storage import EVIDENCE_STORAGE, evidence_storage_of
from assessment.web import database
from assessment.web.bodies import FormRequest
from assessment.web.deferred import ClosingClient
from assessment.web.site import EXTENSION, Site, site

SECRET_FILE = "secret_key"


def instance_secret(instance_path: str) -> str:
    """The development secret key kept in instance/, made on first use (never shipped in the code)."""
    path = Path(instance_path) / SECRET_FILE
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


class IdConverter(IntegerConverter):
    """`<int:…>` in routes: at most 10 ASCII digits and 2**31 − 1 (the database's INTEGER); anything else is 404."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


def _library(app: Flask) -> Library:
    given = app.config.get("CONTENT_LIBRARY")
    if isinstance(given, Library):
        return given
    root = app.config.get("CONTENT_DIR")
    library = load_library(Path(root) if root else content_root())
    if library.errors:
        raise ContentInvalid(library.errors)
    return library


def _configure(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    """The defaults, then ASSESSMENT_* environment variables, then test_config; a development secret if none is set."""
    app.config.from_mapping(
        DATABASE_URL=f"sqlite:///{Path(app.instance_path) / 'assessment.sqlite3'}",
        DATABASE_REPLICA_URL=None,  # a streaming replica the officials' aggregates read from (docs/deploy.md)
        CONTENT_DIR=None,
        WTF_CSRF_TIME_LIMIT=None,  # a step may take longer than an hour; the token lives as long as the session
        WTF_I18N_ENABLED=False,  # every form message is our own msgid; WTForms' catalogue would load per request
        RESUME_RATE_LIMIT="10 per minute",
        LOGIN_RATE_LIMIT="10 per minute",
        RATELIMIT_STORAGE_URI="assessment+database://",  # shared by every node (services/rate_limits.py)
        MAX_CONTENT_LENGTH=512 * 1024,
        SESSION_LIST_LIMIT=50,
        PERMANENT_SESSION_LIFETIME=8 * 3600,  # the session cookie's idle lifetime; the server ends sessions sooner:
        SESSION_IDLE_BY_ROLE=dict(IDLE_BY_ROLE),  # idle 2 h (enterprise, staff), 30 min (admins, officials), 15 (site)
        SESSION_MAX_AGE_BY_ROLE=dict(MAX_AGE_BY_ROLE),  # after sign-in 12 h, 8 h (admins, officials), 4 h (site admin)
        SESSION_MAX_AGE=24 * 3600,  # and for every role 24 hours after the login at the latest
        REDIS_URL=None,  # shared sign-in throttle, rate limits and job queue in Redis (default: the database)
        REAUTH_AFTER=30 * 60,  # sensitive pages ask for the password again after 30 minutes
        EVIDENCE_DIR=None,  # default instance/evidence
    )
    app.config.from_prefixed_env("ASSESSMENT")
    if test_config is not None:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(app.instance_path)
    app.config.setdefault("COOKIE_SECURE", not (app.debug or app.testing))


def _site(app: Flask) -> Site:
    """The content library, the code lists and the database engine, loaded once per app."""
    library = _library(app)
    directory = app.config.get("CODES_DIR")
    regions = load_regions(Path(directory)) if directory else shipped_regions()
    industries = load_industries(Path(directory)) if directory else shipped_industries()
    engine = make_engine(str(app.config["DATABASE_URL"]))
    return Site(library, regions, industries, engine, session_factory(engine))


def _register_web(app: Flask) -> None:
    """The web app's request handling (database session, language, security, templates, tenancy) and blueprints."""
    from assessment.web import (
        access_log,
        account,
        admin,
        assess,
        auth,
        bulk_import,
        data_rights,
        database,
        jobs,
        language,
        main,
        mfa,
        official,
        onsite,
        outbox,
        phone,
        progress,
        provider,
        respondents,
        results,
        security,
        security_log,
        shares,
        templating,
        tenancy,
        tokens,
        workbooks,
    )

    database.init_app(app)
    language.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    tenancy.init_app(app)
    outbox.init_app(app, tenancy.outbox(app))  # SMS gateway; console backends refused in production unless allowed
    onsite.init_app(app)
    for blueprint in (main.bp, auth.bp, assess.bp, results.bp, account.bp, provider.bp, onsite.bp, respondents.bp,
                      progress.bp, admin.bp, official.bp, shares.bp, mfa.bp, phone.bp):
        app.register_blueprint(blueprint)
    for blueprint in (data_rights.bp, security_log.bp):  # data rights (PIPL), the security log
        app.register_blueprint(blueprint)
    app.register_blueprint(tokens.bp)  # personal access tokens for the JSON API
    app.register_blueprint(workbooks.bp)  # a draft as an Excel workbook to fill in offline
    jobs.init_app(app)  # background jobs (bulk PDF reports): the huey queue, opened on first use
    app.register_blueprint(jobs.bp)
    app.register_blueprint(bulk_import.bp)  # a provider's file of many enterprises, imported as a job
    access_log.init_app(app)  # the development server's request log without tokens


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the web application; settings come from ASSESSMENT_* environment variables, then test_config."""
    app = Flask("assessment.web", instance_relative_config=True)
    app.test_client_class = ClosingClient  # like a server, closes each response (work after the response runs)
    app.url_map.converters["int"] = IdConverter  # before any route is added: ids beyond INTEGER are simply not found
    app.request_class = FormRequest
    _configure(app, test_config)
    app.extensions[EXTENSION] = _site(app)
    if app.config.get("DATABASE_REPLICA_URL"):  # else the aggregates read the request's session on the primary
        replica = make_read_engine(str(app.config["DATABASE_REPLICA_URL"]))
        app.extensions[database.READ_SESSIONS] = ReadSessions(site(app).sessions, replica)
    app.extensions[EVIDENCE_STORAGE] = evidence_storage_of(app.config, lambda: app.instance_path)
    _register_web(app)
    from assessment.cli import accounts as account_commands
    from assessment.cli import aggregate as aggregate_commands
    from assessment.cli import database as database_commands
    from assessment.cli import evidence as evidence_commands

    database_commands.init_app(app, site(app))  # the app's own commands: database, content, accounts
    account_commands.init_app(app, site(app))
    aggregate_commands.init_app(app, site(app))  # officials' aggregates: aggregate, demo-data, facts
    evidence_commands.init_app(app, site(app))  # evidence storage: orphans
    from assessment import api

    content_dir = app.config.get("CONTENT_DIR")  # the JSON API /api/v1 over the same services and content
    api.init_app(app, site(app).library, site(app).sessions, (Path(content_dir) if content_dir else content_root()) / "catalogue",
                 app.extensions.get(database.READ_SESSIONS))
    return app

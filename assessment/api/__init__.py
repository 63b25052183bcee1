"""The JSON API /api/v1: a third adapter over the services, with its OpenAPI document and interactive docs page.

`create_app` calls `init_app` with what the API works on; the API never reaches the database but through services.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from assessment.api.problems import routing_problem
from assessment.api.schemas import advice_request_schema, answers_schema
from assessment.api.state import EXTENSION, MAX_BODY, ApiState
from assessment.content.loader import Library
from assessment.services.request_quota import quota_from_config

TITLE = "SME digital-transformation assessment API"
VERSION = "1"


def init_app(app: Flask, library: Library, sessions: sessionmaker[Session], catalogue_dir: Path,
             reads: Callable[[], Session] | None = None) -> None:
    """Register /api/v1 (views, OpenAPI document, docs page), its error answers, its quota and its CSRF exemption;
    `reads` opens the sessions the officials' aggregates read (the replica's, when one is configured)."""
    from assessment.api import docs, public

    state = ApiState(library, sessions, quota_from_config(app.config), catalogue_dir,
                     int(app.config.get("API_MAX_BODY", MAX_BODY)), reads)
    app.extensions[EXTENSION] = state
    document = docs.ApiDocument(app, spec_kwargs={"title": TITLE, "version": VERSION, "openapi_version": "3.1.0"})
    document.spec.components.schema("AnswersDocument", answers_schema())
    document.spec.components.schema("AdviceRequest", advice_request_schema())
    document.register_blueprint(public.bp)
    from assessment.api import official, provider, token_endpoints
    token_endpoints.document_bearer(document.spec)
    document.register_blueprint(official.bp)
    document.register_blueprint(provider.bp)
    from assessment.api import enterprise, enterprise_schemas, enterprise_shares
    document.spec.components.schema("NewAssessment", enterprise_schemas.new_assessment_schema())
    document.spec.components.schema("NewShare", enterprise_shares.new_share_schema())
    document.spec.components.schema("DraftChange", enterprise_schemas.draft_change_schema())
    document.register_blueprint(enterprise.bp)
    state.spec = document.spec
    app.register_blueprint(docs.bp)
    csrf = app.extensions.get("csrf")
    for blueprint in (public.bp, docs.bp, official.bp, enterprise.bp, provider.bp):
        if csrf is not None:
            csrf.exempt(blueprint)  # no cookie identifies an API caller: nothing for a forged request to ride on
    app.before_request(routing_problem)

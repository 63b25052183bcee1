"""The providers' endpoints' schemas: clients, invitations, the clients' assessments and their evidence metadata."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from assessment.api.schemas import OpenSchema

Text = ma.fields.String
Stamp = ma.fields.String  # ISO 8601 in UTC, or null


class CodeSchema(OpenSchema):
    """A code of a list (GB/T 2260 region, GB/T 4754 industry) and its name in the caller's language."""

    code = Text(required=True)
    name = Text(required=True, allow_none=True)


class LatestSchema(OpenSchema):
    """A client's latest assessment."""

    id = ma.fields.Integer(required=True)
    status = Text(required=True)
    mode = Text(required=True)
    questionnaire = Text(required=True, allow_none=True)
    updated_at = Stamp(required=True, allow_none=True)


class ClientSchema(OpenSchema):
    """A client enterprise: its latest assessment, the level of its latest submitted one, and the next step."""

    id = ma.fields.Integer(required=True)
    name = Text(required=True)
    uscc = Text(required=True)
    region = ma.fields.Nested(CodeSchema, required=True)
    industry = ma.fields.Nested(CodeSchema, required=True)
    linked_at = Stamp(required=True, allow_none=True)
    latest = ma.fields.Nested(LatestSchema, required=True, allow_none=True)
    level = ma.fields.Integer(required=True, allow_none=True)
    submitted_at = Stamp(required=True, allow_none=True)
    next_step = Text(required=True, metadata={"description": "start, continue, onsite or reassess"})


class HistorySchema(OpenSchema):
    """One assessment in a client's history (T0, T1, …)."""

    id = ma.fields.Integer(required=True)
    questionnaire = Text(required=True)
    model = Text(required=True)
    status = Text(required=True)
    mode = Text(required=True)
    created_at = Stamp(required=True, allow_none=True)
    submitted_at = Stamp(required=True, allow_none=True)
    level = ma.fields.Integer(required=True, allow_none=True)
    score = ma.fields.Float(required=True, allow_none=True)


class ClientDetailSchema(ClientSchema):
    """A client with its assessments, oldest first."""

    assessments = ma.fields.List(ma.fields.Nested(HistorySchema), required=True)


class InvitationSchema(OpenSchema):
    """An invitation and its consent state."""

    id = ma.fields.Integer(required=True)
    note = Text(required=True)
    status = Text(required=True, metadata={"description": "pending, active, expired or revoked"})
    enterprise_id = ma.fields.Integer(required=True, allow_none=True)
    enterprise_name = Text(required=True, allow_none=True)
    created_at = Stamp(required=True, allow_none=True)
    expires_at = Stamp(required=True, allow_none=True)
    accepted_at = Stamp(required=True, allow_none=True)
    revoked_at = Stamp(required=True, allow_none=True)


class NewInvitationSchema(OpenSchema):
    """A new invitation: the link for the enterprise, shown this once."""

    link = Text(required=True)
    expires_at = Text(required=True)


class ProviderAssessmentSchema(OpenSchema):
    """A client's assessment as stored: answers, data, state and, once submitted, its level."""

    id = ma.fields.Integer(required=True)
    enterprise_id = ma.fields.Integer(required=True, allow_none=True)
    questionnaire = Text(required=True)
    questionnaire_version = Text(required=True)
    model = Text(required=True)
    status = Text(required=True)
    mode = Text(required=True)
    version = ma.fields.Integer(required=True)
    answers = ma.fields.Dict(required=True)
    data = ma.fields.Dict(required=True)
    created_at = Stamp(required=True, allow_none=True)
    updated_at = Stamp(required=True, allow_none=True)
    submitted_at = Stamp(required=True, allow_none=True)
    level = ma.fields.Integer(required=True, allow_none=True)
    score = ma.fields.Float(required=True, allow_none=True)


class EvidenceFileSchema(OpenSchema):
    """An evidence file's metadata (the bytes stay in the workspace)."""

    id = ma.fields.Integer(required=True)
    item = Text(required=True)
    filename = Text(required=True)
    content_type = Text(required=True)
    size = ma.fields.Integer(required=True)
    sha256 = Text(required=True)
    uploaded_at = Stamp(required=True, allow_none=True)


class EvidenceSchema(OpenSchema):
    """An assessment's evidence files and notes."""

    files = ma.fields.List(ma.fields.Nested(EvidenceFileSchema), required=True)
    notes = ma.fields.Dict(keys=Text(), values=Text(), required=True,
                           metadata={"description": "the latest note per item"})


def invitation_body_schema() -> dict[str, Any]:
    """The body of a new invitation: whom it is for (as the web's form)."""
    return {"type": "object", "additionalProperties": False, "required": ["note"],
            "properties": {"note": {"type": "string", "minLength": 1, "maxLength": 200,
                                    "description": "whom you invite (for your list)"}}}


def client_assessment_body_schema() -> dict[str, Any]:
    """The body of a client's new draft (as the web's form): the questionnaire, guided or on site, and whether it
    starts from the answers of the client's previous submitted assessment of it."""
    return {"type": "object", "additionalProperties": False, "required": ["questionnaire"],
            "properties": {"questionnaire": {"type": "string", "minLength": 1, "maxLength": 100,
                                             "example": "miit-2024"},
                           "mode": {"type": "string", "enum": ["guided", "onsite"], "default": "guided"},
                           "reuse_previous": {"type": "boolean", "default": True}}}


def client_filter_parameters() -> list[dict[str, Any]]:
    """The web's client-list filters."""
    def query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}

    return [
        query("level", "a level number, or none (no submitted assessment)", {"type": "string", "maxLength": 12}),
        query("status", "of the latest assessment", {"type": "string", "enum": ["none", "draft", "submitted"]}),
        query("region", "a GB/T 2260 code: the client is in it or below it",
              {"type": "string", "maxLength": 12}),
        query("industry", "a GB/T 4754 section letter or division code", {"type": "string", "maxLength": 12}),
    ]

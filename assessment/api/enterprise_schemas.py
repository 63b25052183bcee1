"""Response and request schemas of the enterprise endpoints (assessments with a token)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from assessment.api.schemas import OpenSchema

Text = ma.fields.String
Stamp = ma.fields.String  # ISO 8601 with offset, as sent


class CompletionSchema(OpenSchema):
    """How far a draft is: answered and shown items, and the ids of the required items still missing."""

    answered = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True)
    missing = ma.fields.List(Text(), required=True)


class AssessmentLineSchema(OpenSchema):
    """An assessment in the list."""

    id = ma.fields.Integer(required=True)
    questionnaire = Text(required=True)
    questionnaire_version = Text(required=True)
    model = Text(required=True)
    status = Text(required=True)
    mode = Text(required=True)
    enterprise_name = Text(required=True, allow_none=True)
    updated_at = Stamp(required=True)
    submitted_at = Stamp(required=True, allow_none=True)
    level = ma.fields.Integer(required=True, allow_none=True)
    score = ma.fields.Float(required=True, allow_none=True)


class AssessmentSchema(OpenSchema):
    """An assessment: its answers, figures, profile, status and version (the ETag is what If-Match sends back)."""

    id = ma.fields.Integer(required=True)
    questionnaire = Text(required=True)
    questionnaire_version = Text(required=True)
    model = Text(required=True)
    status = Text(required=True)
    mode = Text(required=True)
    version = ma.fields.Integer(required=True)
    answers = ma.fields.Dict(required=True)
    data = ma.fields.Dict(required=True)
    profile = ma.fields.Dict(required=True, allow_none=True)
    completion = ma.fields.Nested(CompletionSchema, required=True, allow_none=True)
    created_at = Stamp(required=True)
    updated_at = Stamp(required=True)
    submitted_at = Stamp(required=True, allow_none=True)
    level = ma.fields.Integer(required=True, allow_none=True)


def new_assessment_schema() -> dict[str, Any]:
    """The body of a new draft: which questionnaire (its latest version and default model)."""
    return {"type": "object", "required": ["questionnaire"], "additionalProperties": False,
            "properties": {"questionnaire": {"type": "string", "minLength": 1, "maxLength": 100,
                                             "example": "miit-2024"}}}


def draft_change_schema() -> dict[str, Any]:
    """The body of a change: answers by item id, figures by data-field id, profile fields (each optional)."""
    return {"type": "object", "additionalProperties": False, "properties": {
        "answers": {"type": "object", "description": "answers by item id, as in the answers document; null clears"},
        "data": {"type": "object", "description": "figures by data-field id; null clears"},
        "profile": {"type": "object", "description": "the enterprise profile: name, uscc, region_code, "
                    "industry_code, employees, revenue_10k_cny, zhuanjingtexin, contact_name, contact_email, "
                    "contact_phone, consent_statistics"}}}

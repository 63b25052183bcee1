"""The API's request and response schemas: marshmallow for the responses, the content's JSON Schema for answers."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from assessment.content.schemas import SCHEMAS
from assessment.services.answer_documents import BUDGET_MAX, LIMIT_MAX, PROFILE_FIELDS, PROFILE_TEXT_MAX

Text = ma.fields.String


class OpenSchema(ma.Schema):
    """A response object that may gain fields in later versions (clients ignore what they do not know)."""

    class Meta:
        """Documented as open: additionalProperties true."""

        unknown = ma.INCLUDE


class QuestionnaireSummarySchema(OpenSchema):
    """A questionnaire version in the list."""

    id = Text(required=True)
    version = Text(required=True)
    title = Text(required=True)
    description = ma.fields.String(allow_none=True)
    languages = ma.fields.List(Text(), required=True)


class LevelSchema(OpenSchema):
    """A level of a scoring model."""

    level = ma.fields.Integer(required=True)
    name = Text(required=True)
    label = ma.fields.String(allow_none=True)


class ModelSchema(OpenSchema):
    """A scoring model version and its levels."""

    id = Text(required=True)
    version = Text(required=True)
    name = Text(required=True)
    questionnaire = Text(required=True)
    levels = ma.fields.List(ma.fields.Nested(LevelSchema), required=True)


class SectionSchema(OpenSchema):
    """A section of a questionnaire."""

    id = Text(required=True)
    title = Text(required=True)
    intro = ma.fields.String(allow_none=True)


class ItemSchema(OpenSchema):
    """An item: its options (single, multi), rating levels, grid rows and columns, number bounds or data fields."""

    id = Text(required=True)
    section = Text(required=True)
    type = Text(required=True, validate=ma.validate.OneOf(["single", "multi", "number", "rating", "grid"]))
    text = Text(required=True)
    short = ma.fields.String(allow_none=True)
    help = ma.fields.String(allow_none=True)
    required = ma.fields.Boolean(required=True)
    options = ma.fields.List(ma.fields.Dict(), required=True)
    levels = ma.fields.List(ma.fields.Dict(), required=True)
    rows = ma.fields.List(ma.fields.Dict(), required=True)
    columns = ma.fields.List(ma.fields.Dict(), required=True)
    min = ma.fields.Float(allow_none=True)
    max = ma.fields.Float(allow_none=True)
    unit = ma.fields.String(allow_none=True)
    data_fields = ma.fields.List(ma.fields.Dict(), required=True, data_key="fields")
    computed = ma.fields.Boolean(required=True)
    conditional = ma.fields.Boolean(required=True)


class ScenarioSchema(OpenSchema):
    """A rated business scenario."""

    id = Text(required=True)
    name = Text(required=True)


class QuestionnaireSchema(QuestionnaireSummarySchema):
    """A questionnaire with its sections, items and scenarios."""

    model = ma.fields.String(allow_none=True)
    sections = ma.fields.List(ma.fields.Nested(SectionSchema), required=True)
    items = ma.fields.List(ma.fields.Nested(ItemSchema), required=True)
    scenarios = ma.fields.List(ma.fields.Nested(ScenarioSchema), required=True)


class PartSchema(OpenSchema):
    """A dimension's score."""

    id = Text(required=True)
    name = Text(required=True)
    score = ma.fields.Float(required=True)
    max = ma.fields.Float(required=True)


class IndicatorSchema(PartSchema):
    """An indicator's score, its parent and the item it scores."""

    parent = ma.fields.String(allow_none=True)
    item = ma.fields.String(allow_none=True)


class ScoreSchema(OpenSchema):
    """The CLI's score object: level, score, dimensions, indicators, ratings and the explanation."""

    questionnaire = Text(required=True, metadata={"description": "id@version"})
    model = Text(required=True, metadata={"description": "id@version"})
    level = ma.fields.Integer(required=True)
    level_name = Text(required=True)
    level_label = ma.fields.String(allow_none=True)
    level_descriptor = ma.fields.String(allow_none=True)
    score = ma.fields.Float(required=True)
    score_display = Text(required=True)
    max = ma.fields.Float(required=True)
    dimensions = ma.fields.List(ma.fields.Nested(PartSchema), required=True)
    indicators = ma.fields.List(ma.fields.Nested(IndicatorSchema), required=True)
    ratings = ma.fields.Dict(keys=Text(), values=ma.fields.Integer(), required=True)
    equivalents = ma.fields.List(ma.fields.Dict(), required=True)
    explanation = ma.fields.Dict(required=True, metadata={"description": "reached, next and after_next level checks "
                                                                         "and the explanation's text lines"})


class AdviceSchema(OpenSchema):
    """The CLI's recommend object: gaps, ranked solutions and a costed roadmap."""

    questionnaire = Text(required=True)
    model = Text(required=True)
    level = ma.fields.Integer(required=True)
    level_name = Text(required=True)
    target_level = ma.fields.Integer(allow_none=True)
    target_level_name = ma.fields.String(allow_none=True)
    gaps = ma.fields.List(ma.fields.Dict(), required=True)
    recommendations = ma.fields.List(ma.fields.Dict(), required=True)
    roadmap = ma.fields.Dict(required=True)


class FieldProblemSchema(OpenSchema):
    """One field's or answer item's problem."""

    field = Text(required=True, metadata={"description": "the field or answer item (empty: the body as a whole)"})
    code = Text(required=True)
    detail = Text(required=True)


class ProblemSchema(OpenSchema):
    """RFC 9457 problem details, in the caller's language."""

    type = Text(required=True)
    title = Text(required=True)
    status = ma.fields.Integer(required=True)
    detail = Text(required=True)
    instance = Text(required=True)
    errors = ma.fields.List(ma.fields.Nested(FieldProblemSchema))


def answers_schema() -> dict[str, Any]:
    """The answers document's JSON Schema (`assessment schema answers`) as an OpenAPI 3.1 schema object."""
    return {k: v for k, v in SCHEMAS["answers"].items() if k not in ("$schema", "$id")}


def advice_request_schema() -> dict[str, Any]:
    """The body of /recommend and /report: the answers document and the optional profile and options."""
    profile = {name: {"type": ["string", "null"], "maxLength": PROFILE_TEXT_MAX} for name in PROFILE_FIELDS}
    return {
        "type": "object", "additionalProperties": False, "required": ["answers"],
        "properties": {
            "answers": {"$ref": "#/components/schemas/AnswersDocument"},
            "profile": {"type": "object", "additionalProperties": False, "properties": profile,
                        "description": "region: GB/T 2260 code; industry: GB/T 4754-2017 code; "
                                       "size_class: large, medium, small or micro"},
            "budget": {"type": "integer", "minimum": 0, "maximum": BUDGET_MAX, "description": "CNY, whole roadmap"},
            "target_level": {"type": "integer", "minimum": 1, "maximum": 99},
            "limit": {"type": "integer", "minimum": 1, "maximum": LIMIT_MAX},
        },
    }

"""The officials' endpoints' schemas: the dashboard's figures (null wherever a figure is suppressed) and the
filters of the web's dashboard as query parameters."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from assessment.api.schemas import OpenSchema
from assessment.domain.enterprise import SIZE_CLASSES, ZHUANJINGTEXIN_STATUSES
from assessment.services.aggregates.cells import FIELDS, MODES
from assessment.services.aggregates.filters import DATA_CHOICES

Count = ma.fields.Integer
Mean = ma.fields.Float


class CountRowSchema(OpenSchema):
    """A category (or the total): its count, counts by level, at the target level or above, share, mean score."""

    key = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    count = Count(required=True, allow_none=True)
    levels = ma.fields.List(Count(allow_none=True), required=True)
    at_target_level = Count(required=True, allow_none=True)
    share = Mean(required=True, allow_none=True)
    mean_score = Mean(required=True, allow_none=True)


class PeriodRowSchema(CountRowSchema):
    """One period of the trend."""

    period = ma.fields.String(required=True)


class MeanRowSchema(OpenSchema):
    """A dimension's or indicator's mean points against its maximum."""

    id = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    mean = Mean(required=True, allow_none=True)
    max = Mean(required=True)


class BreakdownSchema(OpenSchema):
    """Counts by level for each category of one field, with the total row."""

    field = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    rows = ma.fields.List(ma.fields.Nested(CountRowSchema), required=True)
    total = ma.fields.Nested(CountRowSchema, required=True)


class DashboardSchema(OpenSchema):
    """The dashboard's protected figures; null wherever the web's page shows a figure suppressed (—)."""

    jurisdiction = ma.fields.Dict(required=True)
    scope = ma.fields.String(required=True)
    filters = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), required=True)
    model = ma.fields.String(required=True)
    period = ma.fields.String(required=True, allow_none=True)
    k = Count(required=True, metadata={"description": "the smallest count published"})
    target_level = Count(required=True)
    target = ma.fields.Dict(required=True, allow_none=True)
    refusal = ma.fields.Dict(required=True, allow_none=True,
                             metadata={"description": "why nothing is published for this filter (code, detail)"})
    demo = ma.fields.Boolean(required=True)
    suppressed = ma.fields.Boolean(required=True)
    total = ma.fields.Nested(CountRowSchema, required=True, allow_none=True)
    levels = ma.fields.List(ma.fields.Dict(), required=True)
    bands = ma.fields.List(ma.fields.Dict(), required=True)
    dimensions = ma.fields.List(ma.fields.Nested(MeanRowSchema), required=True)
    indicators = ma.fields.List(ma.fields.Nested(MeanRowSchema), required=True)
    scenarios = ma.fields.List(ma.fields.Dict(), required=True)
    trend = ma.fields.List(ma.fields.Nested(PeriodRowSchema), required=True)
    breakdowns = ma.fields.List(ma.fields.Nested(BreakdownSchema), required=True)


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string", "maxLength": 50}}


def dashboard_parameters() -> list[dict[str, Any]]:
    """The web dashboard's filters; a value the web would drop is a 422 problem for that parameter."""
    return [
        _query("model", "a scoring model with data (default: miit-2024)"),
        _query("grain", "year (default) or quarter", {"type": "string", "enum": ["year", "quarter"]}),
        _query("period", "2025 or 2025Q3 (default: the latest period big enough to publish)"),
        _query("region", "a GB/T 2260 region within the jurisdiction"),
        _query("section", "a GB/T 4754 section letter"),
        _query("division", "a GB/T 4754 division of the section"),
        _query("size", "size class", {"type": "string", "enum": list(SIZE_CLASSES)}),
        _query("zjtx", "specialised-and-sophisticated status", {"type": "string", "enum": list(ZHUANJINGTEXIN_STATUSES)}),
        _query("mode", "assessment mode", {"type": "string", "enum": list(MODES)}),
        _query("data", "all (default), real or demo", {"type": "string", "enum": list(DATA_CHOICES)}),
    ]


def export_parameters(kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    """The download's format, fields and zeros, with the dashboard's filters."""
    return [
        {"name": "kind", "in": "path", "required": True, "schema": {"type": "string", "enum": list(kinds)}},
        _query("by", f"fields separated by commas, from: {', '.join(FIELDS)} (default: region,level)",
               {"type": "string", "maxLength": 200}),
        _query("zeros", "1: list combinations with no enterprise too", {"type": "string", "enum": ["0", "1"]}),
        *dashboard_parameters(),
    ]


def export_content(types: dict[str, str]) -> dict[str, Any]:
    """The download's media types: JSON (metadata, columns, rows) and the files (CSV, XLSX)."""
    return {media.split(";")[0]: {"schema": {"type": "object"} if kind == "json" else {"type": "string"}}
            for kind, media in types.items()}

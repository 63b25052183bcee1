"""JSON Schemas of the content formats (questionnaire, scoring model, answers); `assessment schema NAME` prints them."""

from __future__ import annotations

from typing import Any

TEXT: dict[str, Any] = {
    "type": "object",
    "description": "A string per language code.",
    "propertyNames": {"pattern": "^[a-z]{2}(_[A-Z]{2})?$"},
    "additionalProperties": {"type": "string", "minLength": 1},
    "minProperties": 1,
}
NUMBER: dict[str, Any] = {"type": ["number", "string"], "pattern": r"^-?\d+(\.\d+)?(/\d+)?$"}
ID = {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"}

_QUANTITY = {
    "type": "object",
    "additionalProperties": False,
    "required": ["numerator"],
    "properties": {"numerator": ID, "denominator": ID, "factor": NUMBER},
}

_CONDITION: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "item": ID,
        "in": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "not_in": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "at_least": NUMBER,
        "all": {"type": "array", "items": {"$ref": "#/$defs/condition"}, "minItems": 1},
        "any": {"type": "array", "items": {"$ref": "#/$defs/condition"}, "minItems": 1},
    },
    "oneOf": [
        {"required": ["item"], "not": {"anyOf": [{"required": ["all"]}, {"required": ["any"]}]}},
        {"required": ["all"], "not": {"anyOf": [{"required": ["item"]}, {"required": ["any"]}]}},
        {"required": ["any"], "not": {"anyOf": [{"required": ["item"]}, {"required": ["all"]}]}},
    ],
}

QUESTIONNAIRE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "questionnaire/1",
    "title": "Questionnaire",
    "type": "object",
    "additionalProperties": False,
    "required": ["format", "id", "version", "languages", "title", "sections"],
    "properties": {
        "format": {"const": "questionnaire/1"},
        "id": ID,
        "version": {"type": "string", "minLength": 1},
        "languages": {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": True},
        "title": {"$ref": "#/$defs/text"},
        "description": {"$ref": "#/$defs/text"},
        "source": {"$ref": "#/$defs/text"},
        "groups": {"type": "object", "additionalProperties": {"$ref": "#/$defs/text"}},
        "sections": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/section"}},
    },
    "$defs": {
        "text": TEXT,
        "condition": _CONDITION,
        "section": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "title", "items"],
            "properties": {
                "id": ID,
                "title": {"$ref": "#/$defs/text"},
                "intro": {"$ref": "#/$defs/text"},
                "items": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/item"}},
            },
        },
        "option": {
            "type": "object",
            "additionalProperties": False,
            "required": ["key", "text"],
            "properties": {
                "key": {"type": "string", "minLength": 1},
                "text": {"$ref": "#/$defs/text"},
                "exclusive": {"type": "boolean"},
                "excludes": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                             "description": "exclusive option: only these keys are excluded (default: all others)"},
                "note": {"$ref": "#/$defs/text"},
            },
        },
        "item": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "type", "text"],
            "properties": {
                "id": ID,
                "type": {"enum": ["single", "multi", "number", "rating", "grid"]},
                "text": {"$ref": "#/$defs/text"},
                "short": {"$ref": "#/$defs/text"},
                "help": {"$ref": "#/$defs/text"},
                "definition": {"$ref": "#/$defs/text"},
                "evidence": {"type": "array", "items": {"$ref": "#/$defs/text"}},
                "notes": {"type": "array", "items": {"$ref": "#/$defs/text"}},
                "group": ID,
                "required": {"type": "boolean"},
                "options": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/option"}},
                "levels": {
                    "type": "array",
                    "minItems": 2,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["level", "title", "descriptor"],
                        "properties": {
                            "level": {"type": "integer", "minimum": 0},
                            "title": {"$ref": "#/$defs/text"},
                            "descriptor": {"$ref": "#/$defs/text"},
                        },
                    },
                },
                "rows": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/option"}},
                "columns": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/option"}},
                "multiple": {"type": "boolean", "description": "grid: several columns per row"},
                "min": NUMBER,
                "max": NUMBER,
                "unit": {"$ref": "#/$defs/text"},
                "fields": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["id", "label"],
                        "properties": {
                            "id": ID,
                            "label": {"$ref": "#/$defs/text"},
                            "unit": {"$ref": "#/$defs/text"},
                            "min": NUMBER,
                            "max": NUMBER,
                            "integer": {"type": "boolean"},
                            "at_most": {**ID, "description": "the data field this one is a part of (never more)"},
                        },
                    },
                },
                "derive": {
                    "type": "object",
                    "additionalProperties": False,
                    "minProperties": 1,
                    "maxProperties": 1,
                    "properties": {
                        "band": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["numerator", "bands"],
                            "properties": {
                                "numerator": ID,
                                "denominator": ID,
                                "factor": NUMBER,
                                "unit": {"type": "string"},
                                "bands": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {
                                        "type": "object",
                                        "additionalProperties": False,
                                        "required": ["option"],
                                        "properties": {
                                            "option": {"type": "string"},
                                            "ge": NUMBER,
                                            "gt": NUMBER,
                                            "le": NUMBER,
                                            "lt": NUMBER,
                                        },
                                    },
                                },
                            },
                        },
                        "change": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["current", "previous", "increase", "same", "decrease"],
                            "properties": {
                                "current": _QUANTITY,
                                "previous": _QUANTITY,
                                "increase": {"type": "string"},
                                "same": {"type": "string"},
                                "decrease": {"type": "string"},
                                "tolerance": NUMBER,
                            },
                        },
                    },
                },
                "show_if": {"$ref": "#/$defs/condition"},
            },
        },
    },
}

_SCORE_COND = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"node": ID, "min": NUMBER, "above": NUMBER},
    "oneOf": [{"required": ["min"]}, {"required": ["above"]}],
}
_RATING_COND = {
    "type": "object",
    "additionalProperties": False,
    "required": ["set", "count"],
    "properties": {
        "set": ID,
        "at_least": {"type": "integer", "minimum": 0, "description": "defaults to the level itself"},
        "count": {"type": "integer", "minimum": 1},
    },
}
_LEVEL = {
    "type": "object",
    "additionalProperties": False,
    "required": ["level", "name"],
    "properties": {
        "level": {"type": "integer", "minimum": 0},
        "name": {"$ref": "#/$defs/text"},
        "label": {"$ref": "#/$defs/text"},
        "descriptor": {"$ref": "#/$defs/text"},
        "caveat": {"$ref": "#/$defs/text"},
        "conditions": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "minProperties": 1,
                "maxProperties": 1,
                "properties": {"score": _SCORE_COND, "ratings": _RATING_COND},
            },
        },
    },
}

MODEL: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "scoring-model/1",
    "title": "Scoring model",
    "type": "object",
    "additionalProperties": False,
    "required": ["format", "id", "version", "questionnaire", "name", "root", "nodes", "levels", "below"],
    "properties": {
        "format": {"const": "scoring-model/1"},
        "id": ID,
        "version": {"type": "string", "minLength": 1},
        "questionnaire": ID,
        "languages": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "name": {"$ref": "#/$defs/text"},
        "description": {"$ref": "#/$defs/text"},
        "source": {"$ref": "#/$defs/text"},
        "caveats": {"type": "array", "items": {"$ref": "#/$defs/text"}},
        "root": ID,
        "nodes": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "name", "max"],
                "properties": {
                    "id": ID,
                    "name": {"$ref": "#/$defs/text"},
                    "short": {"$ref": "#/$defs/text"},
                    "description": {"$ref": "#/$defs/text"},
                    "max": NUMBER,
                    "weight_in_parent": NUMBER,
                    "children": {"type": "array", "items": ID, "minItems": 1},
                    "aggregate": {"enum": ["sum", "mean", "weighted"]},
                    "weights": {"type": "array", "items": NUMBER},
                    "scale": NUMBER,
                    "item": ID,
                    "method": {"enum": ["options", "grid", "rating"]},
                    "points": {"type": "object", "additionalProperties": NUMBER},
                    "cap": NUMBER,
                    "scale_to": NUMBER,
                },
                "oneOf": [{"required": ["children"]}, {"required": ["item"]}],
            },
        },
        "item_sets": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "items"],
                "properties": {"name": {"$ref": "#/$defs/text"}, "items": {"type": "array", "items": ID, "minItems": 1}},
            },
        },
        "levels": {"type": "array", "minItems": 1, "items": _LEVEL},
        "below": _LEVEL,
        "equivalents": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "name", "values"],
                "properties": {
                    "id": ID,
                    "name": {"$ref": "#/$defs/text"},
                    "source": {"$ref": "#/$defs/text"},
                    "values": {"type": "object", "additionalProperties": NUMBER},
                },
            },
        },
    },
    "$defs": {"text": TEXT},
}

ANSWERS: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "answers/1",
    "title": "Answers",
    "type": "object",
    "additionalProperties": False,
    "required": ["answers"],
    "properties": {
        "questionnaire": {"type": "string", "description": "questionnaire id, e.g. miit-2024"},
        "version": {"type": "string", "description": "questionnaire version, optional"},
        "model": {"type": "string", "description": "scoring model id, optional"},
        "answers": {
            "type": "object",
            "description": "item id → option key (single), list of keys (multi), integer level (rating), "
            "number (number), or object row → column key(s) (grid)",
            "additionalProperties": {
                "type": ["string", "array", "integer", "number", "object", "null"],
            },
        },
        "data": {
            "type": "object",
            "description": "data field id → number, for computed answers",
            "additionalProperties": {"type": ["number", "string", "null"]},
        },
        "enterprise": {"type": "object", "description": "optional enterprise profile (not scored)"},
    },
}

SCHEMAS: dict[str, dict[str, Any]] = {"questionnaire": QUESTIONNAIRE, "scoring-model": MODEL, "answers": ANSWERS}

"""Content files as parsed documents: the YAML node tree (to find the line of any path), schema checks and the
checks every content format shares (numbers, translated texts)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from assessment.content.errors import ContentError, format_path
from assessment.domain.answers import to_fraction
from assessment.domain.questionnaire import Text

Path_ = tuple[str | int, ...]


@dataclass
class Document:
    """A parsed YAML file with its node tree, to find the line of any path."""

    file: str
    data: Any
    node: yaml.Node | None
    errors: list[ContentError] = field(default_factory=list)

    def line(self, path: Path_, key: bool = False) -> int:
        """1-based line of the value at path (or of its key, if key=True); nearest existing ancestor otherwise."""
        node = self.node
        line = node.start_mark.line + 1 if node is not None else 1
        for n, part in enumerate(path):
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if k.value == part:
                        last = n == len(path) - 1
                        line = (k if key and last else v).start_mark.line + 1
                        node = v
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                return line
        return line

    def error(self, path: Path_, message: str, key: bool = False) -> None:
        """Record an error at path."""
        self.errors.append(ContentError(self.file, self.line(path, key), format_path(path), message))

    @property
    def format(self) -> Any:
        """The document's `format:` value (None if it is not a mapping or has none)."""
        return self.data.get("format") if isinstance(self.data, dict) else None

    @property
    def id(self) -> Any:
        """The document's `id:` value (None if it is not a mapping or has none)."""
        return self.data.get("id") if isinstance(self.data, dict) else None


def _duplicate_keys(node: yaml.Node, path: Path_, doc: Document) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for k, v in node.value:
            if k.value in seen:
                doc.errors.append(
                    ContentError(doc.file, k.start_mark.line + 1, format_path((*path, k.value)), f"duplicate key {k.value!r}")
                )
            seen.add(k.value)
            _duplicate_keys(v, (*path, k.value), doc)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _duplicate_keys(v, (*path, i), doc)


YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser where PyYAML was built with it; the same nodes, marks and errors as the pure-Python one."""


def read_document(path: Path, display: str | None = None) -> Document:
    """Parse a YAML (or JSON) file, keeping its node tree; syntax errors become ContentErrors."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return Document(name, None, None, [ContentError(name, 1, "", f"cannot read file: {exc}")])
    loader = YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        return Document(name, None, None, [ContentError(name, line, "", f"YAML syntax error: {exc.problem}")])
    finally:
        loader.dispose()
    doc = Document(name, data, node)
    if node is not None:
        _duplicate_keys(node, (), doc)
    return doc


def check_schema(doc: Document, schema: Mapping[str, Any]) -> None:
    """Record every place the document breaks the JSON Schema, in document order, in the words of the format."""
    validator = jsonschema.Draft202012Validator(schema)
    for err in sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path))):
        path = tuple(err.absolute_path)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = set(err.schema.get("properties", {}))
            for extra in err.instance:
                if extra not in allowed:
                    doc.error((*path, extra), f"unknown key {extra!r}; allowed here: {', '.join(sorted(allowed))}", key=True)
            continue
        if err.validator == "oneOf" and err.context:
            best = min(err.context, key=lambda e: len(list(e.absolute_path)))
            doc.error(path, _schema_message(best))
            continue
        doc.error(path, _schema_message(err))


def _schema_message(err: jsonschema.ValidationError) -> str:
    if err.validator == "required":
        return str(err.message).replace("is a required property", "is required")
    if err.validator == "enum":
        return f"{err.instance!r} is not one of {', '.join(map(str, err.validator_value))}"
    if err.validator == "type" and isinstance(err.instance, bool):
        return f"{str(err.instance).lower()} is not text: YAML reads yes/no/on/off as true/false; quote it"
    if err.validator == "const":
        return f"must be {err.validator_value!r}, not {err.instance!r}"
    return str(err.message)


def number(value: Any) -> Fraction:
    """A number the schema has already admitted (int, decimal or fraction text) as an exact Fraction."""
    out = to_fraction(value)
    if out is None:
        raise ValueError(f"not a number: {value!r}")
    return out


def optional_number(value: Any) -> Fraction | None:
    """`number`, or None for a value left out."""
    return None if value is None else number(value)


class TextCheck:
    """Checks that every user-facing text has every declared language."""

    def __init__(self, doc: Document, languages: tuple[str, ...]) -> None:
        self.doc = doc
        self.languages = languages

    def __call__(self, value: Any, path: Path_) -> Text:
        """The text at path, recording an error for each declared language it lacks."""
        if not isinstance(value, dict):
            return {}
        for lang in self.languages:
            if not value.get(lang):
                self.doc.error(path, f"missing translation: no {lang!r} text")
        return dict(value)

    def opt(self, value: Any, path: Path_) -> Text | None:
        """The text at path, or None if it is left out."""
        return None if value is None else self(value, path)

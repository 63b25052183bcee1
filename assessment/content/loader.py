"""Load the questionnaires and scoring models under a content root into a Library, checking every file used."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assessment.content.documents import Document, read_document
from assessment.content.errors import ContentError
from assessment.content.questionnaires import build_questionnaire
from assessment.content.scoring_models import build_model
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Questionnaire

QUESTIONNAIRE_FORMAT = "questionnaire/1"
MODEL_FORMAT = "scoring-model/1"


@dataclass
class Library:
    """All loaded questionnaires and models, by id then version, with every error found."""

    questionnaires: dict[str, dict[str, Questionnaire]] = field(default_factory=dict)
    models: dict[str, dict[str, ScoringModel]] = field(default_factory=dict)
    errors: list[ContentError] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)

    def questionnaire(self, qid: str, version: str | None = None) -> Questionnaire:
        """A questionnaire by id (latest version unless one is named)."""
        versions = self.questionnaires[qid]
        return versions[version] if version else versions[_latest(versions)]

    def model(self, mid: str, version: str | None = None) -> ScoringModel:
        """A model by id (latest version unless one is named)."""
        versions = self.models[mid]
        return versions[version] if version else versions[_latest(versions)]

    def models_for(self, qid: str) -> list[ScoringModel]:
        """The latest version of every model for a questionnaire."""
        return [self.model(mid) for mid, vs in sorted(self.models.items()) if self.model(mid).questionnaire == qid]

    def latest_questionnaires(self) -> list[Questionnaire]:
        """The latest version of every questionnaire, by id."""
        return [self.questionnaire(qid) for qid in sorted(self.questionnaires)]

    def default_model(self, qid: str) -> ScoringModel:
        """The model with the questionnaire's own id if there is one, else the first for it."""
        if qid in self.models and self.model(qid).questionnaire == qid:
            return self.model(qid)
        found = self.models_for(qid)
        if not found:
            raise KeyError(f"no scoring model for questionnaire {qid!r}")
        return found[0]


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in version.replace("-", ".").split("."))


def _latest(versions: Mapping[str, Any]) -> str:
    return max(versions, key=_version_key)


def _files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file())


def read_documents(root: Path, extra: Iterable[Path] = (), display: Callable[[Path], str] | None = None) -> list[Document]:
    """Every questionnaire and model file under root (questionnaires/, scoring_models/) plus extra files, parsed."""
    show = display or (lambda p: _relative(p, root))
    return [read_document(p, show(p)) for p in [*_files(root / "questionnaires"), *_files(root / "scoring_models"), *extra]]


def load_library(root: Path, extra: Iterable[Path] = (), display: Callable[[Path], str] | None = None) -> Library:
    """Load every questionnaire and model under root (questionnaires/, scoring_models/) plus extra files.

    A file's kind comes from its `format:` key, so extra files may be of either kind.
    """
    return build_library(read_documents(root, extra, display))


def load_for(root: Path, questionnaire_ids: Collection[str], model_ids: Collection[str] = ()) -> Library:
    """The named questionnaires (every version), the named models, the models that may score the questionnaires and
    the questionnaires those models score, checked as load_library checks them; other files are parsed, not built.

    A file that cannot be parsed, or whose format or id is not what it should be, is checked and reported as
    load_library reports it, since it may be one of those asked for. If no file names one of the ids, everything
    is loaded, so that the caller can list what there is.
    """
    docs = read_documents(root)
    named = {(d.format, d.id) for d in docs if _named(d, QUESTIONNAIRE_FORMAT, MODEL_FORMAT)}
    asked = [(QUESTIONNAIRE_FORMAT, q) for q in questionnaire_ids] + [(MODEL_FORMAT, m) for m in model_ids]
    if any(pair not in named for pair in asked):
        return build_library(docs)
    models = [d for d in docs if _named(d, MODEL_FORMAT)]
    wanted_models = {*model_ids, *questionnaire_ids} | {d.id for d in models if _scored(d) in questionnaire_ids}
    scored = {_scored(d) for d in models if d.id in wanted_models}
    wanted = {QUESTIONNAIRE_FORMAT: {*questionnaire_ids, *scored}, MODEL_FORMAT: wanted_models}
    return build_library([d for d in docs if not _named(d, *wanted) or d.id in wanted[d.format]])


def _scored(doc: Document) -> str | None:
    """The questionnaire id a model document names (None if it names none as text)."""
    qid = doc.data.get("questionnaire")
    return qid if isinstance(qid, str) else None


def _named(doc: Document, *formats: str) -> bool:
    """Whether the document parsed, is of one of the formats and has a text id."""
    return not doc.errors and doc.format in formats and isinstance(doc.id, str)


def build_library(docs: list[Document]) -> Library:
    """Check and build parsed questionnaire and model documents; a model is built against the latest version of
    its questionnaire."""
    lib = Library()
    broken: dict[str, str] = {}
    q_docs, m_docs = _sort_documents(docs, lib, broken)
    for doc in q_docs:
        _add_questionnaire(lib, doc, broken)
    latest_q = {qid: lib.questionnaire(qid) for qid in lib.questionnaires}
    for doc in m_docs:
        _add_model(lib, doc, latest_q, broken)
    return lib


def _sort_documents(docs: list[Document], lib: Library, broken: dict[str, str]) -> tuple[list[Document], list[Document]]:
    """Questionnaire documents and model documents; the errors of unreadable files and unknown formats go to lib."""
    q_docs, m_docs = [], []
    for doc in docs:
        if doc.errors:
            lib.errors.extend(doc.errors)
            if doc.file.startswith("questionnaires") or doc.format == QUESTIONNAIRE_FORMAT:
                broken[doc.id if isinstance(doc.id, str) else Path(doc.file).stem] = doc.file
        elif doc.format == QUESTIONNAIRE_FORMAT:
            q_docs.append(doc)
        elif doc.format == MODEL_FORMAT:
            m_docs.append(doc)
        else:
            doc.error(("format",), f"unknown format {doc.format!r}; expected {QUESTIONNAIRE_FORMAT!r} or {MODEL_FORMAT!r}")
            lib.errors.extend(doc.errors)
    return q_docs, m_docs


def _add_questionnaire(lib: Library, doc: Document, broken: dict[str, str]) -> None:
    q = build_questionnaire(doc)
    lib.errors.extend(doc.errors)
    if q is None:
        if isinstance(doc.id, str):
            broken[doc.id] = doc.file
        return
    if q.version in lib.questionnaires.get(q.id, {}):
        message = f"questionnaire {q.ref} is defined twice (also in {lib.files[q.ref]})"
        lib.errors.append(ContentError(doc.file, doc.line(("version",)), "version", message))
        return
    lib.questionnaires.setdefault(q.id, {})[q.version] = q
    lib.files[q.ref] = doc.file


def _add_model(lib: Library, doc: Document, questionnaires: Mapping[str, Questionnaire], broken: Mapping[str, str]) -> None:
    m = build_model(doc, questionnaires, broken)
    lib.errors.extend(doc.errors)
    if m is None:
        return
    if m.version in lib.models.get(m.id, {}):
        message = f"model {m.ref} is defined twice (also in {lib.files['model:' + m.ref]})"
        lib.errors.append(ContentError(doc.file, doc.line(("version",)), "version", message))
        return
    lib.models.setdefault(m.id, {})[m.version] = m
    lib.files["model:" + m.ref] = doc.file


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def content_root() -> Path:
    """The default content root: the project directory holding questionnaires/ and scoring_models/."""
    return Path(__file__).resolve().parents[2]

"""Loading for some questionnaires checks every file it uses, as a full load does, and builds no other."""

from __future__ import annotations

from pathlib import Path

from shipped import ROOT, library
from test_content_validation import MODEL, QUESTIONNAIRE

from assessment.content.loader import load_for, load_library

OTHER = QUESTIONNAIRE.replace("id: tiny", "id: other")
OTHER_MODEL = MODEL.replace("id: tiny", "id: other").replace("questionnaire: tiny", "questionnaire: other")


def content(tmp_path: Path, **files: str) -> Path:
    """A content root holding the files, named questionnaires/NAME.yaml or scoring_models/NAME.yaml by their kind."""
    for name, text in files.items():
        folder = tmp_path / ("scoring_models" if "scoring-model/1" in text else "questionnaires")
        folder.mkdir(exist_ok=True)
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_the_named_questionnaire_and_its_model_load_and_others_are_not_built(tmp_path: Path) -> None:
    broken_other = OTHER.replace("type: single", "type: singel")
    root = content(tmp_path, tiny=QUESTIONNAIRE, tiny_model=MODEL, other=broken_other, other_model=OTHER_MODEL)
    lib = load_for(root, {"tiny"})
    assert lib.errors == []
    assert set(lib.questionnaires) == {"tiny"} and set(lib.models) == {"tiny"}
    assert load_library(root).errors, "the full load still reports the other questionnaire"


def test_every_version_of_the_named_questionnaire_is_checked(tmp_path: Path) -> None:
    broken_v2 = QUESTIONNAIRE.replace('version: "1"', 'version: "2"').replace("type: single", "type: singel")
    root = content(tmp_path, tiny=QUESTIONNAIRE, tiny_v2=broken_v2, tiny_model=MODEL)
    errors = load_for(root, {"tiny"}).errors
    assert [e.path for e in errors if e.file == "questionnaires/tiny_v2.yaml"] == ["sections[0].items[1].type"]


def test_a_named_model_brings_the_questionnaire_it_scores(tmp_path: Path) -> None:
    root = content(tmp_path, tiny=QUESTIONNAIRE, tiny_model=MODEL, other=OTHER, other_model=OTHER_MODEL)
    lib = load_for(root, {"tiny"}, {"other"})
    assert lib.errors == []
    assert lib.model("other").questionnaire == "other" and set(lib.questionnaires) == {"tiny", "other"}


def test_a_file_that_does_not_parse_is_reported_since_it_may_be_the_one_asked_for(tmp_path: Path) -> None:
    root = content(tmp_path, tiny=QUESTIONNAIRE, tiny_model=MODEL, other=OTHER)
    (root / "questionnaires" / "other.yaml").write_text("id: [other\n", encoding="utf-8")
    errors = load_for(root, {"tiny"}).errors
    assert [e.file for e in errors] == ["questionnaires/other.yaml"] and "YAML syntax error" in errors[0].message


def test_an_id_no_file_names_loads_everything_so_the_caller_can_list_it(tmp_path: Path) -> None:
    root = content(tmp_path, tiny=QUESTIONNAIRE, tiny_model=MODEL, other=OTHER, other_model=OTHER_MODEL)
    assert set(load_for(root, {"nope"}).questionnaires) == {"tiny", "other"}
    assert set(load_for(root, {"tiny"}, {"nope"}).models) == {"tiny", "other"}


def test_the_shipped_questionnaire_loads_as_in_the_full_library() -> None:
    lib = load_for(ROOT, {"miit-2024"})
    assert lib.errors == [] and set(lib.questionnaires) == {"miit-2024"}
    assert lib.questionnaire("miit-2024").ref == library().questionnaire("miit-2024").ref
    assert lib.default_model("miit-2024").ref == library().default_model("miit-2024").ref
    assert lib.files == {k: v for k, v in library().files.items() if "miit-2024" in k}

"""The wizard's stages (the profile, each section with questions shown, the review) and the progress bar over them.

The progress bar is on every page of the wizard; it is built here as markup in one pass rather than by a template
macro, whose loop, escaping and macro call cost more than the rest of the bar's work.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from markupsafe import Markup, escape

from assessment.domain.questionnaire import Questionnaire, tr
from assessment.services.assessments import Completion
from assessment.services.language import translations
from assessment.services.records import AssessmentRecord


@dataclass(frozen=True)
class Stage:
    """One stop of the wizard: the profile, a questionnaire section, or the review."""

    key: str
    title: str
    url: str
    done: int = 0
    total: int = 0


def stages(record: AssessmentRecord, questionnaire: Questionnaire, progress: Completion, lang: str) -> list[Stage]:
    """The wizard's stops in order, with how many questions of each are answered."""
    gettext = translations(lang).ugettext
    found = [Stage("profile", gettext("Enterprise profile"), url_for("assess.profile", assessment_id=record.id),
                   int(record.enterprise_id is not None), 1)]
    step_url = url_for("assess.step", assessment_id=record.id, section_id="-")[:-1]  # ids are URL-safe: one url_for
    for section in questionnaire.sections:
        done, total = progress.sections[section.id]
        if total:
            found.append(Stage(section.id, tr(section.title, lang), step_url + section.id, done, total))
    found.append(Stage("review", gettext("Review and submit"), url_for("assess.review", assessment_id=record.id)))
    return found


def neighbours(found: list[Stage], key: str) -> tuple[Stage | None, Stage | None, int]:
    """The stage before and after the one with this key, and its index (0 if it is not among them)."""
    index = next((n for n, s in enumerate(found) if s.key == key), 0)
    before = found[index - 1] if index > 0 else None
    after = found[index + 1] if index + 1 < len(found) else None
    return before, after, index


def _stage_item(stage: Stage, current: bool) -> str:
    state = "current" if current else "done" if stage.total and stage.done >= stage.total else ""
    here = ' aria-current="step"' if current else ""
    count = (f'\n      <span class="stage-count">{stage.done}/{stage.total}</span>'
             if stage.total and stage.key != "profile" else "")
    return (f'    <li class="{state}">\n      <a href="{escape(stage.url)}"{here}>{escape(stage.title)}</a>{count}\n'
            "    </li>\n")


def progress_bar(found: list[Stage], index: int, progress: Completion, lang: str) -> Markup:
    """The progress bar: step n of m, questions answered, and a link to every stage (the current one marked)."""
    gettext = translations(lang).ugettext
    step = Markup(gettext("Step %(step)s of %(steps)s")) % {"step": index + 1, "steps": len(found)}
    answered = Markup(gettext("%(done)s of %(total)s questions answered")) % {
        "done": progress.answered, "total": progress.total}
    items = "".join(_stage_item(stage, n == index) for n, stage in enumerate(found))
    return Markup(
        f'<nav class="progress" aria-label="{escape(gettext("Progress"))}">\n'
        f'  <p class="progress-text" id="progress-text">\n    {step} ·\n    {answered}\n  </p>\n'
        f'  <progress max="{progress.total or 1}" value="{progress.answered}" aria-labelledby="progress-text">'
        f'{progress.answered} / {progress.total}</progress>\n'
        # Phones get the list folded away so the first question is on the first screen; CSS shows one of the two.
        f'  <ol class="stages stages-wide">\n{items}  </ol>\n'
        f'  <details class="stages-narrow"><summary>{escape(gettext("All steps"))}</summary>\n'
        f'  <ol class="stages">\n{items}  </ol>\n  </details>\n</nav>\n'
    )

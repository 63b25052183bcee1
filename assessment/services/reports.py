"""Build a report: turn a questionnaire, model, answers and scorecard into one plain ReportData value."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction

from assessment.content import codes
from assessment.domain.answers import Answers, answers_to_document, to_fraction
from assessment.domain.enterprise import ZHUANJINGTEXIN_LABELS, size_class
from assessment.domain.explanation import LevelStory, number, tell
from assessment.domain.model import RatingCondition, ScoreCondition, ScoringModel
from assessment.domain.questionnaire import BandDerivation, Item, Questionnaire, tr
from assessment.domain.scoring import Scorecard
from assessment.reporting.data import (
    MODES,
    AnswerRow,
    AssessmentInfo,
    DimensionChange,
    Enterprise,
    EquivalentRow,
    ExplanationBlock,
    LevelGap,
    LevelRule,
    Mode,
    PeerComparison,
    PreviousAssessment,
    RadarAxis,
    Recommendation,
    ReportData,
    RoadmapStep,
    ScenarioRow,
    ScorecardView,
    ScoreRow,
    Validation,
)
from assessment.services.language import translator

STRONGEST_WEAKEST = 3

# Profile keys accepted for the enterprise block, with the alternative spellings other tools write.
ENTERPRISE_KEYS: Mapping[str, tuple[str, ...]] = {
    "name": ("name", "enterprise_name", "company"),
    "uscc": ("uscc", "credit_code", "unified_social_credit_code"),
    "region": ("region", "region_name"),
    "industry": ("industry", "industry_name"),
    "size_class": ("size_class", "size", "size_class_label"),
    "zjtx_status": ("zjtx_status", "zhuanjingtexin", "zjtx"),
}


def _n(value: Fraction) -> float:
    return float(value)


def _size_labels(_: Callable[[str], str]) -> Mapping[str, str]:
    return {"micro": _("Micro enterprise"), "small": _("Small enterprise"), "medium": _("Medium-sized enterprise"),
            "large": _("Large enterprise")}


def _zjtx_labels(_: Callable[[str], str]) -> Mapping[str, str]:
    return {status: _(label) for status, label in ZHUANJINGTEXIN_LABELS.items()}  # the profile's keys and labels


def _from_codes(profile: Mapping[str, str], language: str) -> dict[str, str]:
    """Region, industry and size class from the profile's GB/T 2260 / GB/T 4754 codes and figures (see
    docs/enterprise-profile.md), for profiles that carry codes rather than names; names in the report's language."""
    out: dict[str, str] = {}
    region_code = str(profile.get("region_code") or "").strip()
    industry_code = str(profile.get("industry_code") or "").strip()
    if region_code:
        separator = ", " if language == "en" else ""
        out["region"] = codes.regions().in_language(language).full_name(region_code, separator) or region_code
    if industry_code:
        name = codes.industries().in_language(language).name(industry_code)
        code = f" ({industry_code})" if language == "en" else f"（{industry_code}）"
        out["industry"] = f"{name}{code}" if name else industry_code
    employees = to_fraction(profile.get("employees"))
    if employees is not None and employees >= 0 and employees.denominator == 1:
        revenue = to_fraction(profile.get("revenue_10k_cny"))
        with contextlib.suppress(ValueError):  # figures that cannot class the enterprise leave the size out
            out["size_class"] = size_class(industry_code or None, int(employees),
                                           revenue if revenue is not None and revenue >= 0 else None)
    return out


def enterprise_block(profile: Mapping[str, str] | None, translate: Callable[[str], str],
                     language: str = "zh") -> Enterprise:
    """The enterprise block from a profile mapping; codes become names (in `language`), known size and 专精特新
    codes labels."""
    if not profile:
        return Enterprise()
    found = _from_codes(profile, language)
    for key, spellings in ENTERPRISE_KEYS.items():
        for spelling in spellings:
            value = profile.get(spelling)
            if value not in (None, ""):
                found[key] = str(value).strip()
                break
    size = found.get("size_class", "")
    zjtx = found.get("zjtx_status", "")
    return Enterprise(
        name=found.get("name", ""),
        uscc=found.get("uscc", ""),
        region=found.get("region", ""),
        industry=found.get("industry", ""),
        size_class=_size_labels(translate).get(size.lower(), size),
        zjtx_status=_zjtx_labels(translate).get(zjtx.lower(), zjtx),
    )


def report_id_for(answers: Answers, date: str) -> str:
    """A stable report id from the date and the answers' content."""
    digest = hashlib.sha256(json.dumps(answers_to_document(answers), sort_keys=True, ensure_ascii=False)
                            .encode("utf-8")).hexdigest()[:8].upper()
    return f"DR-{date.replace('-', '')}-{digest}"


def _parents(model: ScoringModel) -> dict[str, str]:
    return {c: n.id for n in model.nodes.values() for c in n.children}


def _depths(model: ScoringModel) -> dict[str, int]:
    depths = {model.root: 0}
    stack = [model.root]
    while stack:
        nid = stack.pop()
        for child in model.nodes[nid].children:
            depths[child] = depths[nid] + 1
            stack.append(child)
    return depths


def _indicator_rows(card: Scorecard, model: ScoringModel, lang: str) -> tuple[ScoreRow, ...]:
    """Every node below the root, in tree order (depth first), each with its parent's name."""
    parents = _parents(model)
    depths = _depths(model)
    rows: list[ScoreRow] = []

    def visit(nid: str) -> None:
        for child in model.nodes[nid].children:
            node = model.nodes[child]
            score = card.nodes[child]
            parent = parents.get(child)
            rows.append(ScoreRow(child, tr(node.name, lang), _n(score.value), _n(score.maximum), depths[child],
                                 tr(model.nodes[parent].name, lang) if parent and parent != model.root else "",
                                 node.scorer.item if node.scorer else ""))
            visit(child)

    visit(model.root)
    return tuple(rows)


def _areas(indicators: Sequence[ScoreRow]) -> tuple[tuple[ScoreRow, ...], tuple[ScoreRow, ...]]:
    """The strongest and weakest areas by share of their maximum: second-level indicators where the tree has them."""
    depth = 2 if any(r.depth == 2 for r in indicators) else 1
    pool = [r for r in indicators if r.depth == depth and r.maximum > 0]
    order = {r.id: n for n, r in enumerate(pool)}
    strongest = sorted((r for r in pool if r.share > 0), key=lambda r: (-r.share, -r.maximum, order[r.id]))
    weakest = sorted((r for r in pool if r.share < 1), key=lambda r: (r.share, -r.maximum, order[r.id]))
    return tuple(strongest[:STRONGEST_WEAKEST]), tuple(weakest[:STRONGEST_WEAKEST])


def _constraint_items(model: ScoringModel) -> frozenset[str]:
    """Items in an item set that lies strictly inside another set (the constraint scenarios of MIIT 2024)."""
    sets = [frozenset(s.items) for s in model.item_sets.values()]
    return frozenset(i for s in sets if any(s < other for other in sets) for i in s)


def _rated_items(questionnaire: Questionnaire, model: ScoringModel) -> list[Item]:
    rated = {i for s in model.item_sets.values() for i in s.items}
    return [item for item in questionnaire.items if item.id in rated and item.type == "rating"]


def _scenarios(card: Scorecard, questionnaire: Questionnaire, model: ScoringModel, lang: str) -> tuple[ScenarioRow, ...]:
    constraint = _constraint_items(model)
    rows = []
    for item in _rated_items(questionnaire, model):
        level = card.ratings.get(item.id, 0)
        title = next((tr(lv.title, lang) for lv in item.levels if lv.level == level), str(level))
        rows.append(ScenarioRow(item.id, tr(item.short or item.text, lang), tr(questionnaire.groups.get(item.group or ""), lang),
                                level, item.max_rating, title, item.id in constraint))
    return tuple(rows)


def _scenario_titles(questionnaire: Questionnaire, model: ScoringModel, lang: str) -> tuple[str, ...]:
    """Titles of rating levels 1..max, from the first rated item."""
    items = _rated_items(questionnaire, model)
    if not items:
        return ()
    return tuple(tr(lv.title, lang) for lv in sorted(items[0].levels, key=lambda lv: lv.level) if lv.level >= 1)


def _radar(card: Scorecard, questionnaire: Questionnaire, model: ScoringModel, lang: str,
           dimensions: Sequence[ScoreRow]) -> tuple[RadarAxis, ...]:
    axes = [RadarAxis(d.name, d.share) for d in dimensions]
    items = _rated_items(questionnaire, model)
    if items:
        share = sum(card.ratings.get(i.id, 0) / i.max_rating for i in items if i.max_rating) / len(items)
        biggest = max(model.item_sets.values(), key=lambda s: len(s.items))
        axes.append(RadarAxis(tr(biggest.name, lang), share))
    return tuple(axes)


def _explanation(card: Scorecard, questionnaire: Questionnaire, model: ScoringModel, lang: str,
                 _: Callable[[str], str]) -> tuple[ExplanationBlock, ...]:
    story = tell(card, questionnaire, model, lang)

    def block(part: LevelStory, heading: str) -> ExplanationBlock:
        return ExplanationBlock(heading.format(level=part.level_name), part.level, part.met,
                                tuple(s.render(_) for s in part.statements))

    blocks = [block(story.reached, _("Why {level}"))]
    for part in (story.next, story.after_next):
        if part is not None:
            blocks.append(block(part, _("What lifts you to {level}")))
    if story.next is None:
        blocks.append(ExplanationBlock(_("The highest level"), card.level, True, (_("This is the highest level."),)))
    return tuple(blocks)


def _next_level(card: Scorecard, model: ScoringModel, lang: str, _: Callable[[str], str]) -> LevelGap | None:
    """The unmet conditions of the next level as short sentences (score gap, scenario gaps)."""
    check = card.explanation.next
    if check is None:
        return None
    gaps = []
    for res in check.unmet:
        cond = res.condition
        if isinstance(cond, ScoreCondition):
            gaps.append(_("{node}: {short} more points (needs {required})").format(
                node=tr(model.nodes[cond.node].name, lang), short=number(res.shortfall), required=number(cond.minimum)))
        else:
            assert isinstance(cond, RatingCondition)
            gaps.append(_("{set}: {short} more at {level} or above (now {actual} of {required})").format(
                set=tr(model.item_sets[cond.item_set].name, lang), short=int(res.shortfall),
                level=tr(model.level_def(cond.at_least).name, lang), actual=int(res.actual), required=cond.count))
    return LevelGap(check.level, tr(model.level_def(check.level).name, lang), tuple(gaps))


def _level_rules(model: ScoringModel, lang: str, _: Callable[[str], str]) -> tuple[LevelRule, ...]:
    rules = []
    for lv in model.levels:
        conditions = []
        for cond in lv.conditions:
            if isinstance(cond, ScoreCondition):
                msg = _("{node} above {minimum}") if cond.strict else _("{node} at least {minimum}")
                conditions.append(msg.format(node=tr(model.nodes[cond.node].name, lang), minimum=number(cond.minimum)))
            else:
                assert isinstance(cond, RatingCondition)
                conditions.append(_("at least {count} {set} at {level} or above").format(
                    count=cond.count, set=tr(model.item_sets[cond.item_set].name, lang),
                    level=tr(model.level_def(cond.at_least).name, lang)))
        rules.append(LevelRule(lv.level, tr(lv.name, lang), tr(lv.label, lang), tuple(conditions)))
    return tuple(rules)


def _figure(value: Fraction) -> str:
    """A data figure with thousands separators and at most two decimals."""
    if value.denominator == 1:
        return f"{value.numerator:,}"
    return f"{float(value):,.2f}".rstrip("0").rstrip(".")


def short_descriptor(text: str, limit: int = 40) -> str:
    """A level descriptor cut to its first clause (at most `limit` characters), for the answers appendix."""
    text = text.strip()
    for n, ch in enumerate(text):
        if ch in "，；。;" and n >= 8:
            text = text[:n]
            break
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _answer_text(item: Item, answers: Answers, questionnaire: Questionnaire, lang: str,
                 _: Callable[[str], str]) -> str:
    value = answers.values.get(item.id)
    sep = "；" if lang == "zh" else "; "
    if value is None:
        return _("not answered")
    if item.type == "single" and isinstance(value, str):
        opt = item.option(value)
        text = f"{value}. {tr(opt.text, lang)}" if opt else value
    elif item.type == "multi" and isinstance(value, tuple):
        text = sep.join(f"{k}. {tr(o.text, lang)}" if (o := item.option(k)) else k for k in value)
    elif item.type == "rating" and isinstance(value, int):
        level = next((lv for lv in item.levels if lv.level == value), None)
        limit = 40 if lang == "zh" else 90  # about the same width: a CJK character is twice a Latin one
        text = (f"{tr(level.title, lang)} — {short_descriptor(tr(level.descriptor, lang), limit)}" if level
                else str(value))
    elif item.type == "number" and isinstance(value, (int, Fraction)):
        text = f"{_figure(Fraction(value))} {tr(item.unit, lang)}".strip()
    elif isinstance(value, Mapping):
        rows = {r.key: tr(r.text, lang) for r in item.rows}
        cols = {c.key: tr(c.text, lang) for c in item.columns}
        colon, comma = ("：", "、") if lang == "zh" else (": ", ", ")
        text = sep.join(f"{rows.get(r, r)}{colon}" + (comma.join(cols.get(x, x) for x in c) if isinstance(c, tuple)
                                                      else cols.get(c, c)) for r, c in value.items())
    else:
        text = str(value)
    if item.derive is not None and item.id in answers.derived:
        fields = questionnaire.data_fields()
        figures = sep.join(f"{tr(fields[f].label, lang)} {_figure(answers.data[f])} {tr(fields[f].unit, lang)}".strip()
                           for f in dict.fromkeys(item.derive.fields()) if f in answers.data)
        computed = answers.derived[item.id]
        if isinstance(item.derive, BandDerivation):
            result = f"{number(computed)}{item.derive.unit}"
        else:
            change = "±0%" if computed == 0 else f"{float(computed) * 100:+.1f}%"
            result = _("change {change}").format(change=change)
        text += " " + _("(computed from the figures: {figures} → {result})").format(figures=figures, result=result)
    return text


def _answer_rows(questionnaire: Questionnaire, model: ScoringModel, answers: Answers, card: Scorecard, lang: str,
                 evidence: Mapping[str, str], _: Callable[[str], str]) -> tuple[AnswerRow, ...]:
    rows = []
    for section in questionnaire.sections:
        for item in section.items:
            if item.id not in answers.values and not item.required:
                continue
            leaf = model.leaf_for_item(item.id)
            points = ""
            if leaf is not None and leaf.scorer is not None and leaf.scorer.method != "rating":
                node = card.nodes[leaf.id]
                points = f"{number(node.value)} / {number(node.maximum)}"
            rows.append(AnswerRow(item.id, tr(section.title, lang), tr(item.text, lang),
                                  _answer_text(item, answers, questionnaire, lang, _), points,
                                  evidence.get(item.id, "").strip()))
    return tuple(rows)


def previous_assessment(previous: Scorecard, date: str, questionnaire: Questionnaire, model: ScoringModel, lang: str,
                        current: Scorecard, report_id: str = "") -> PreviousAssessment:
    """The comparison block for an earlier scorecard under the same model."""
    changes = tuple(DimensionChange(tr(d.name, lang), _n(previous.nodes[d.id].value), _n(current.nodes[d.id].value),
                                    _n(current.nodes[d.id].maximum)) for d in model.dimensions)
    dims = [ScoreRow(d.id, tr(d.name, lang), _n(previous.nodes[d.id].value), _n(previous.nodes[d.id].maximum))
            for d in model.dimensions]
    radar = tuple(a.share for a in _radar(previous, questionnaire, model, lang, dims))
    indicators = tuple(DimensionChange(r.name, _n(previous.nodes[r.id].value), r.score, r.maximum)
                       for r in _indicator_rows(current, model, lang) if r.depth >= 2 and r.name != r.parent)
    scenarios = tuple(DimensionChange(tr(i.short or i.text, lang), float(previous.ratings.get(i.id, 0)),
                                      float(current.ratings.get(i.id, 0)), float(i.max_rating))
                      for i in _rated_items(questionnaire, model))
    return PreviousAssessment(date, previous.level, tr(model.level_def(previous.level).name, lang),
                              _n(previous.total.value), _n(previous.total.maximum), changes, report_id, radar,
                              indicators, scenarios)


def _disclaimer(mode: Mode, _: Callable[[str], str]) -> str:
    """What the report is and is not, by how the assessment was made."""
    if mode == "guided":
        return _("This assessment was made with the guidance of a service provider. It is not an official rating: "
                 "only an assessment by the designated body gives an official level.")
    if mode == "onsite":
        return _("This assessment was made on site by the assessor named on the cover. Unless it was issued by "
                 "the designated assessment body, it is not an official rating.")
    return _("This report is a self-assessment made with an open-source tool. It is not an official rating: "
             "only an assessment by the designated body (for example, the on-site assessment in a pilot city) "
             "gives an official level.")


def _scorecard_view(card: Scorecard, questionnaire: Questionnaire, model: ScoringModel, lang: str,
                    before: PreviousAssessment | None) -> ScorecardView:
    """The scorecard in the report's language; the radar carries the previous shares where they match its axes."""
    level_def = model.level_def(card.level)
    dimensions = tuple(ScoreRow(d.id, tr(d.name, lang), _n(card.nodes[d.id].value), _n(card.nodes[d.id].maximum))
                       for d in model.dimensions)
    radar = _radar(card, questionnaire, model, lang, dimensions)
    if before is not None and len(before.radar) == len(radar):
        radar = tuple(RadarAxis(a.name, a.share, p) for a, p in zip(radar, before.radar, strict=True))
    return ScorecardView(
        level=card.level,
        level_name=tr(level_def.name, lang),
        level_label=tr(level_def.label, lang),
        level_descriptor=tr(level_def.descriptor, lang),
        total=_n(card.total.value),
        maximum=_n(card.total.maximum),
        dimensions=dimensions,
        indicators=_indicator_rows(card, model, lang),
        scenarios=_scenarios(card, questionnaire, model, lang),
        scenario_level_titles=_scenario_titles(questionnaire, model, lang),
        equivalents=tuple(EquivalentRow(tr(e.name, lang), _n(e.values.get(card.level, Fraction(0))), tr(e.source, lang))
                          for e in model.equivalents),
        radar=radar,
        top_level=model.top_level,
    )


def _sources(questionnaire: Questionnaire, model: ScoringModel, lang: str) -> tuple[str, ...]:
    """Where the questionnaire, the model and its equivalents come from."""
    return tuple(s for s in (tr(questionnaire.source, lang), tr(model.source, lang),
                             *(f"{tr(e.name, lang)}: {tr(e.source, lang)}" for e in model.equivalents if e.source))
                 if s)


def build_report_data(questionnaire: Questionnaire, model: ScoringModel, answers: Answers, card: Scorecard, *,
                      lang: str, enterprise: Mapping[str, str] | None = None, mode: Mode = "self",
                      report_id: str | None = None, date: str | dt.date | None = None,
                      previous: PreviousAssessment | tuple[str, Scorecard] | None = None,
                      peer: PeerComparison | str | None = None,
                      recommendations: Sequence[Recommendation] | None = None,
                      roadmap: Sequence[RoadmapStep] | None = None,
                      evidence: Mapping[str, str] | None = None,
                      assessor_name: str = "", assessor_org: str = "",
                      validation: Validation | None = None) -> ReportData:
    """Everything a report shows, in one language; a string `peer` is the note shown instead of a comparison."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    _ = translator(lang)
    day = date.isoformat() if isinstance(date, dt.date) else (date or dt.date.today().isoformat())
    before = (previous_assessment(previous[1], previous[0], questionnaire, model, lang, card)
              if isinstance(previous, tuple) else previous)
    view = _scorecard_view(card, questionnaire, model, lang, before)
    strongest, weakest = _areas(view.indicators)
    return ReportData(
        language=lang,
        title=_("SME Digitalization Level Assessment Report"),
        enterprise=enterprise_block(enterprise, _, lang),
        assessment=AssessmentInfo(
            report_id=report_id or report_id_for(answers, day), date=day, questionnaire_ref=questionnaire.ref,
            questionnaire_title=tr(questionnaire.title, lang), model_ref=model.ref, model_name=tr(model.name, lang),
            mode=mode, assessor_name=assessor_name, assessor_org=assessor_org),
        scorecard=view,
        strongest=strongest,
        weakest=weakest,
        explanation=_explanation(card, questionnaire, model, lang, _),
        next_level=_next_level(card, model, lang, _),
        level_rules=_level_rules(model, lang, _),
        peer=peer if isinstance(peer, PeerComparison) else None,
        peer_note=peer if isinstance(peer, str) else "",
        recommendations=tuple(recommendations) if recommendations is not None else None,
        roadmap=tuple(roadmap) if roadmap is not None else None,
        previous=before,
        answers=_answer_rows(questionnaire, model, answers, card, lang, evidence or {}, _),
        methodology=tuple(s for s in (tr(questionnaire.description, lang), tr(model.description, lang)) if s),
        sources=_sources(questionnaire, model, lang),
        caveats=tuple(tr(c, lang) for c in model.caveats_for(card.level)),
        disclaimer=_disclaimer(mode, _),
        author=assessor_org or assessor_name or _("SME digital-transformation assessment tool"),
        validation=validation,
    )

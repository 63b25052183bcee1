"""Why something is recommended or missing: sentences as English msgids with params, translated where shown."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assessment.domain.answers import N_, AnswerValue
from assessment.domain.catalogue import Solution
from assessment.domain.explanation import number
from assessment.domain.questionnaire import Text, tr
from assessment.domain.recommend.eligibility import MatchingProfile, RecommendOptions
from assessment.domain.recommend.planner import ConditionGap, GapClosure, Planner, Rules, Upgrade

SIZE_NAMES: Mapping[str, Text] = {
    "large": {"zh": "大型", "en": "large"},
    "medium": {"zh": "中型", "en": "medium-sized"},
    "small": {"zh": "小型", "en": "small"},
    "micro": {"zh": "微型", "en": "micro"},
}


@dataclass(frozen=True)
class Reason:
    """Why something is recommended or missing: an English msgid with params, translated where shown.

    Params that are texts ({"zh": …, "en": …}) are shown in the reader's language.
    """

    kind: str
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str = "zh", translate: Callable[[str], str] = lambda s: s) -> str:
        """The sentence in `lang`, translated and filled in."""
        params = {k: tr(v, lang) if isinstance(v, Mapping) else v for k, v in self.params.items()}
        return translate(self.message).format(**params)


def _item_name(rules: Rules, iid: str) -> Text:
    item = rules.questionnaire.item(iid)
    if item is None:
        return {"zh": iid, "en": iid}
    return item.short or item.text


def _option_names(rules: Rules, iid: str, keys: Iterable[str]) -> Text:
    item = rules.questionnaire.item(iid)
    langs = rules.questionnaire.languages
    if item is None:
        return {lang: ", ".join(keys) for lang in langs}
    opts = [o for o in item.options if o.key in set(keys)]
    sep = {"zh": "、"}
    return {lang: sep.get(lang, ", ").join(f"{o.key} {tr(o.text, lang)}" for o in opts) for lang in langs}


def _in_sentence(text: Text) -> Text:
    """A set name inside an English sentence starts lower-case ("constraint scenarios")."""
    return {k: (v[:1].lower() + v[1:] if k == "en" else v) for k, v in text.items()}


def condition_reason(cond: ConditionGap, level_name: Text, with_all: bool = False) -> Reason:
    """What a level's condition needs and how far the answers are from it (now, or with every solution adopted)."""
    if cond.kind == "score":
        message = (N_("{level} needs {required} points on {node}; with all of them you would have {actual}, "
                      "still {short} short") if with_all else
                   N_("{level} needs {required} points on {node}; you have {actual}, {short} short"))
        return Reason("points_short", message,
                      {"level": level_name, "required": number(cond.required), "node": cond.name,
                       "actual": number(cond.actual), "short": number(cond.short)})
    message = (N_("{level} needs {required} {set} at L{at_least} or above; with all of them you would have "
                  "{actual}, still {short} short") if with_all else
               N_("{level} needs {required} {set} at L{at_least} or above; you have {actual}, {short} short"))
    return Reason("ratings_short", message,
                  {"level": level_name, "required": number(cond.required), "set": _in_sentence(cond.name),
                   "at_least": cond.at_least, "actual": number(cond.actual), "short": number(cond.short)})


def upgrade_reason(rules: Rules, upgrade: Upgrade) -> Reason:
    """An answer upgrade as advice: raise a rating, move up on grid rows, add options, reach an option."""
    item = rules.questionnaire.item_index[upgrade.item]
    if item.type == "rating":
        return Reason("raise_rating", N_("raise {item} from L{before} to L{after}"),
                      {"item": _item_name(rules, upgrade.item), "before": upgrade.before or 0, "after": upgrade.after})
    if item.type == "grid" and isinstance(upgrade.after, Mapping):
        old: Mapping[str, Any] = upgrade.before if isinstance(upgrade.before, Mapping) else {}
        rows = [r for r in item.rows if old.get(r.key) != upgrade.after.get(r.key)]
        sep = {"zh": "、"}
        langs = rules.questionnaire.languages
        return Reason("improve_rows", N_("{item}: move up on {rows}"),
                      {"item": _item_name(rules, upgrade.item),
                       "rows": {lang: sep.get(lang, ", ").join(tr(r.text, lang) for r in rows) for lang in langs}})
    if item.type == "multi":
        was = set(upgrade.before) if isinstance(upgrade.before, tuple) else set()
        added = [k for k in upgrade.after if k not in was]  # type: ignore[union-attr]
        return Reason("add_options", N_("{item}: also achieve {options}"),
                      {"item": _item_name(rules, upgrade.item), "options": _option_names(rules, upgrade.item, added)})
    return Reason("reach_option", N_("{item}: reach {option}"),
                  {"item": _item_name(rules, upgrade.item),
                   "option": _option_names(rules, upgrade.item, [str(upgrade.after)])})


def fit_reasons(solution: Solution, profile: MatchingProfile, options: RecommendOptions,
                rules: Rules, catalogue_names: Mapping[str, Text] | None = None) -> list[Reason]:
    """Why a solution suits this enterprise: industry, size, region, budget, prerequisites; demo data said.

    `catalogue_names` maps a catalogue's `id@version` to its title, which readers see instead of the reference.
    """
    out: list[Reason] = []
    if profile.industry is not None:
        # the profile holds codes; the page and the report name the industry and region beside the reasons
        out.append(Reason("fits_industry", N_("made for your enterprise's industry")))
    if profile.size is not None:
        out.append(Reason("fits_size", N_("offered to {size} enterprises"), {"size": SIZE_NAMES[profile.size]}))
    if profile.region is not None:
        out.append(Reason("serves_region", N_("the provider serves the region where your enterprise is registered")))
    price = solution.price
    if options.budget_cny is not None:
        out.append(Reason("within_budget", N_("{min}–{max} CNY, within your budget of {budget} CNY"),
                          {"min": price.min_cny, "max": price.max_cny, "budget": options.budget_cny}))
    for req in solution.requires:
        if req.at_least is not None:
            out.append(Reason("prerequisite_met", N_("its prerequisite holds: {item} at L{at_least} or above"),
                              {"item": _item_name(rules, req.item), "at_least": req.at_least}))
        else:
            out.append(Reason("prerequisite_met", N_("its prerequisite holds: {item} includes one of {options}"),
                              {"item": _item_name(rules, req.item), "options": _option_names(rules, req.item, req.any_of)}))
    if solution.provenance.demo:
        ref = solution.provenance.catalogue
        name = (catalogue_names or {}).get(ref) or {"zh": ref, "en": ref}
        out.append(Reason("demo", N_("an illustrative entry from “{catalogue}”, not a real product"),
                          {"catalogue": name}))
    return out


def _narrowest(rules: Rules, closes: Sequence[GapClosure]) -> dict[tuple[int, str], GapClosure]:
    """Per level and rated item, the closure of the item set with the fewest items."""
    narrowest: dict[tuple[int, str], GapClosure] = {}
    for c in closes:
        if c.kind == "ratings" and c.item is not None:
            key = (c.level, c.item)
            other = narrowest.get(key)
            if other is None or len(rules.cm.set_items[c.condition]) < len(rules.cm.set_items[other.condition]):
                narrowest[key] = c
    return narrowest


def _rating_closure(c: GapClosure, params: Mapping[str, Any]) -> Reason:
    """A rated item reaching a level's condition: which of the missing ones it is and what is left with it."""
    if c.short == 1:
        return Reason("closes_ratings", N_("raises {scenario} from L{before} to L{after} — the one more of the {set} "
                                           "you still need for {level}"), params)
    if c.met:
        return Reason("closes_ratings", N_("raises {scenario} from L{before} to L{after} — one of the {n} {set} "
                                           "{level} still needs; with this solution none is missing"), params)
    return Reason("closes_ratings", N_("raises {scenario} from L{before} to L{after} — one of the {n} {set} "
                                       "{level} still needs; with this solution, {left} more still needed"), params)


def _points_closure(c: GapClosure, params: Mapping[str, Any]) -> Reason:
    """Points toward a level's condition: what it lacked before this solution and what it still lacks with it."""
    if c.met:
        return Reason("closes_points", N_("adds {points} points to {node}, which was {short} points short of "
                                          "{level}; with this solution it is met"), params)
    if c.left > 0:
        return Reason("closes_points", N_("adds {points} points to {node}, which was {short} points short of "
                                          "{level}; with this solution {left} points are still missing"), params)
    return Reason("closes_points", N_("adds {points} points to {node}, which was {short} points short of {level}; "
                                      "with this solution it reaches the threshold but still has to exceed it"), params)


def closure_reasons(rules: Rules, closes: Sequence[GapClosure]) -> list[Reason]:
    """One sentence per gap closed; a rated item counted by several sets is named with the narrowest set."""
    out: list[Reason] = []
    model = rules.model
    narrowest = _narrowest(rules, closes)
    for c in closes:
        level = model.level_def(c.level).name
        if c.kind == "ratings" and c.item is not None:
            if narrowest[(c.level, c.item)] is not c:
                continue
            out.append(_rating_closure(c, {"scenario": _item_name(rules, c.item), "before": c.before,
                                           "after": c.after, "n": int(c.short), "left": int(c.left),
                                           "set": _in_sentence(model.item_sets[c.condition].name), "level": level}))
        else:
            out.append(_points_closure(c, {"points": number(c.points), "node": model.nodes[c.condition].name,
                                           "short": number(c.short), "left": number(c.left), "level": level}))
    return out


def progress_reasons(rules: Rules, changes: Sequence[Upgrade], closes: Sequence[GapClosure]) -> list[Reason]:
    """Changes that move toward a level without closing a condition yet."""
    closed = {c.item for c in closes if c.item is not None}
    out: list[Reason] = []
    for u in changes:
        item = rules.questionnaire.item_index[u.item]
        if item.type == "rating" and u.item not in closed:
            out.append(Reason("progress", N_("raises {scenario} from L{before} to L{after}"),
                              {"scenario": _item_name(rules, u.item), "before": u.before or 0, "after": u.after}))
    return out


def enabler_reasons(planner: Planner, before: Mapping[str, AnswerValue], after: Mapping[str, AnswerValue],
                    later: Sequence[Solution]) -> list[Reason]:
    """Later steps whose prerequisites this step makes true."""
    return [Reason("enables", N_("meets a prerequisite of {solution}, a later step"), {"solution": s.name})
            for s in later
            if not planner.prerequisites_met(s, before) and planner.prerequisites_met(s, after)]

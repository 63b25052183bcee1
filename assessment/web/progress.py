"""The progress journey: an enterprise's assessments over time (T0, T1, …) and what changed between two of them."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from assessment.services import assessments, progress
from assessment.services.authorization import may_see_enterprise
from assessment.web.access import accessible
from assessment.web.database import db
from assessment.web.language import current_language
from assessment.web.site import site
from assessment.web.tenancy import principal

bp = Blueprint("progress", __name__)


@bp.get("/enterprises/<int:enterprise_id>/history")
def history(enterprise_id: int) -> str:
    """The enterprise's submitted assessments in order, and the comparison of two of them (latest two by default)."""
    if not may_see_enterprise(db(), principal(), enterprise_id):
        abort(404)
    enterprise = assessments.enterprise_profile(db(), enterprise_id)
    points = progress.series(db(), enterprise_id)
    ids = [p.line.id for p in points]
    earlier_id = request.args.get("from", type=int)
    later_id = request.args.get("to", type=int)
    if len(ids) >= 2:
        earlier_id = earlier_id if earlier_id in ids else ids[-2]
        later_id = later_id if later_id in ids else ids[-1]
    found = None
    if earlier_id is not None and later_id is not None and earlier_id != later_id:
        first, second = sorted((earlier_id, later_id), key=ids.index)
        earlier, later = assessments.find(db(), first), assessments.find(db(), second)
        if earlier is not None and later is not None:
            found = progress.compare(earlier, later, site().questionnaire, site().model, current_language())
    labels = {p.line.id: p.label for p in points}
    return render_template("progress/history.html", enterprise=enterprise, enterprise_id=enterprise_id,
                           points=points, found=found, labels=labels, earlier_id=earlier_id, later_id=later_id)


@bp.get("/assessments/<int:earlier_id>/compare/<int:later_id>")
def compare(earlier_id: int, later_id: int) -> str:
    """Two assessments of the same enterprise compared, per dimension, indicator and scenario."""
    earlier, later = accessible(earlier_id), accessible(later_id)
    if earlier.enterprise_id is None or earlier.enterprise_id != later.enterprise_id:
        abort(404)
    found = progress.compare(earlier, later, site().questionnaire, site().model, current_language())
    if found is None:
        abort(404)
    points = progress.series(db(), earlier.enterprise_id)
    return render_template("progress/history.html", enterprise=assessments.enterprise_profile(db(), earlier.enterprise_id),
                           enterprise_id=earlier.enterprise_id, points=points, found=found,
                           labels={p.line.id: p.label for p in points}, earlier_id=earlier.id, later_id=later.id)

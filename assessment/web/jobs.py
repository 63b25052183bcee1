"""The `jobs` journey: start a provider's bulk PDF reports, follow one's own jobs, download, cancel and retry.

A running job's page refreshes itself with the HTTP `Refresh` header (no JavaScript) until the job is finished.
Every job is its owner's alone: anyone else gets 404, as the door (services/authorization.py) decides.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import login_required
from werkzeug.wrappers import Response as BaseResponse

from assessment.domain.numbers import ID_MAX, read_whole
from assessment.jobs.queue import JobQueue, job_settings
from assessment.services import jobs, security_log
from assessment.services.authorization import Refused
from assessment.services.records import AssessmentRecord
from assessment.web.database import db
from assessment.web.forms import ActionForm
from assessment.web.language import COOKIE, current_language
from assessment.web.results import report_pdf
from assessment.web.security_log import exported
from assessment.web.site import site
from assessment.web.tenancy import clock, principal, refuse, require_role

bp = Blueprint("jobs", __name__)
EXTENSION = "assessment.jobs"
REFRESH_SECONDS = 3
STATUS_NAMES = {"queued": lazy_gettext("Waiting for a worker"), "running": lazy_gettext("Running"),
                "done": lazy_gettext("Ready to download"), "failed": lazy_gettext("Failed"),
                "cancelled": lazy_gettext("Cancelled"), "expired": lazy_gettext("Expired: the file was removed")}
KIND_NAMES = {jobs.BULK_REPORTS: lazy_gettext("PDF reports as one ZIP"),
              jobs.BULK_IMPORT: lazy_gettext("Enterprises imported from a file"),
              jobs.LARGE_EXPORT: lazy_gettext("A large table of aggregates")}
REFUSALS = {"none_chosen": lazy_gettext("Choose at least one assessment."),
            "too_many": lazy_gettext("Choose at most %(most)d assessments at once."),
            "not_yours": lazy_gettext("Choose only submitted assessments of your own clients.")}


def report_renderer(app: Flask) -> jobs.Render:
    """The PDF of a submitted assessment as its download gives it, in a request context of its own (the worker's)."""
    def render(record: AssessmentRecord, lang: str) -> bytes | None:
        with app.test_request_context("/", environ_base={"HTTP_COOKIE": f"{COOKIE}={lang}"}):
            return report_pdf(record)
    return render


def init_app(app: Flask) -> None:
    """The app's job queue (huey: SQLite in the instance folder, or Redis when REDIS_URL is set)."""
    from assessment.web.official import export_file  # official.py starts export jobs through this module
    found = site(app)
    app.extensions[EXTENSION] = JobQueue(app.config, app.instance_path, found.sessions, report_renderer(app),
                                         jobs.ImportContext(found.library, found.region_list, found.industry_list),
                                         exporter=export_file(app))


def queue() -> JobQueue:
    """This app's job queue."""
    found: JobQueue = current_app.extensions[EXTENSION]
    return found


def _now() -> datetime:
    return datetime.fromtimestamp(clock(), UTC)


def _folder() -> Path:
    return job_settings(current_app.config, current_app.instance_path)[0]


# --- starting a bulk report job --------------------------------------------------------------------------------

def _chosen() -> list[int] | None:
    """The ticked assessments (None if one is not an id at all); more than the bound are not read."""
    raw = request.form.getlist("assessment_id")[:jobs.MAX_REPORTS + 1]
    ids = [read_whole(value, 1, ID_MAX) for value in raw]
    return None if None in ids else [i for i in ids if i is not None]


@bp.route("/provider/reports/bulk", methods=["GET", "POST"])
def start() -> BaseResponse | tuple[str, int] | str:
    """Choose clients' submitted assessments (all ticked at first) and queue their PDF reports as one ZIP."""
    who = require_role("provider_staff", "provider_admin")
    choices = jobs.submitted_of_clients(db(), who)
    error, ticked = None, {c.assessment_id for c in choices}
    if request.method == "POST":
        chosen = _chosen()
        ticked = set(chosen or [])
        try:
            job_id = jobs.start_bulk_reports(db(), who, chosen if chosen is not None else [0], current_language(),
                                             _now())
        except jobs.JobRefused as refused:
            error = str(REFUSALS[refused.reason]) % {"most": jobs.MAX_REPORTS}
        except Refused:
            abort(404)
        else:
            db().commit()
            queue().enqueue(job_id)
            return redirect(url_for(".show", job_id=job_id), code=303)
    page = render_template("jobs/start.html", choices=choices, ticked=ticked, error=error, most=jobs.MAX_REPORTS,
                           form=ActionForm())
    return (page, 422) if error else page


# --- one's own jobs ----------------------------------------------------------------------------------------------

@bp.get("/jobs")
@login_required  # type: ignore[untyped-decorator]
def index() -> str:
    """The account's jobs, newest first."""
    return render_template("jobs/index.html", jobs=jobs.own_jobs(db(), principal()), status_names=STATUS_NAMES,
                           kind_names=KIND_NAMES)


def _own(job_id: int) -> jobs.JobRecord:
    job = jobs.own_job(db(), principal(), job_id)
    if job is None:
        refuse("job", job_id)
    return job


@bp.get("/jobs/<int:job_id>")
@login_required  # type: ignore[untyped-decorator]
def show(job_id: int) -> BaseResponse:
    """One job: its progress (the page reloads itself while it runs), its result, cancel or retry."""
    job = _own(job_id)
    response = make_response(render_template("jobs/show.html", job=job, status_names=STATUS_NAMES,
                                             kind_names=KIND_NAMES, form=ActionForm()))
    if job.status in jobs.ACTIVE:
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/jobs/<int:job_id>/result.zip")
@login_required  # type: ignore[untyped-decorator]
def download(job_id: int) -> BaseResponse:
    """The finished job's ZIP (404 once it has expired)."""
    path = jobs.result_file(db(), principal(), job_id, _folder())
    if path is None:
        refuse("job", job_id)
    exported(security_log.EXPORT, what="bulk_reports_zip", job_id=job_id)  # many clients' reports at once
    response = make_response(path.read_bytes())
    response.headers.update({"Content-Type": "application/zip", "Cache-Control": "no-store",
                             "Content-Disposition": f'attachment; filename="reports-{job_id}.zip"'})
    return response


@bp.post("/jobs/<int:job_id>/cancel")
@login_required  # type: ignore[untyped-decorator]
def cancel(job_id: int) -> BaseResponse:
    """Cancel a queued or running job (the worker stops before the next report)."""
    _own(job_id)
    if jobs.cancel(db(), principal(), job_id, _now()):
        db().commit()
        flash(gettext("The job is cancelled."), "success")
    return redirect(url_for(".show", job_id=job_id), code=303)


@bp.post("/jobs/<int:job_id>/retry")
@login_required  # type: ignore[untyped-decorator]
def retry(job_id: int) -> BaseResponse:
    """Queue a failed or cancelled job again; it goes on from the reports already done."""
    _own(job_id)
    if jobs.retry(db(), principal(), job_id):
        db().commit()
        queue().enqueue(job_id)
        flash(gettext("The job is queued again."), "success")
    return redirect(url_for(".show", job_id=job_id), code=303)

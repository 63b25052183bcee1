"""The `main` journey: the start page, the language switch, code lists for the profile, and error pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, session
from flask_babel import gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from assessment.services import accounts
from assessment.services.language import LANGUAGES
from assessment.web.access import granted, user_id
from assessment.web.bodies import readable_body
from assessment.web.database import db
from assessment.web.forms import ActionForm
from assessment.web.language import COOKIE, COOKIE_MAX_AGE
from assessment.web.site import site

bp = Blueprint("main", __name__)

MINUTES_PER_ITEM = 0.8


def safe_next(target: str | None, default: str = "/") -> str:
    """A same-site path to go back to; anything else (other hosts, schemes) becomes the default."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


@bp.get("/")
def index() -> str:
    """What the assessment is, who it is for, how long it takes, what you get, privacy; and where to start."""
    questionnaires = site().library.latest_questionnaires()
    has_assessments = bool(granted()) or current_user.is_authenticated
    return render_template("main/index.html", questionnaires=questionnaires, form=ActionForm(),
                           has_assessments=has_assessments, minutes_per_item=MINUTES_PER_ITEM)


@bp.get("/health")
def health() -> Response:
    """A trivial page for monitoring and as the benchmark's baseline."""
    return Response("ok\n", mimetype="text/plain")


@bp.post("/language")
def set_language() -> BaseResponse:
    """Switch the interface language; remembered in the session, a cookie and the account."""
    lang = request.form.get("lang", "")
    target = safe_next(request.form.get("next"))
    response = redirect(target, code=303)
    if lang not in LANGUAGES:
        return response
    session[COOKIE] = lang
    response.set_cookie(COOKIE, lang, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
                        secure=bool(current_app.config["COOKIE_SECURE"]))
    uid = user_id()
    if uid is not None:
        accounts.set_language(db(), uid, lang)
        db().commit()
    return response


@bp.get("/codes/regions/<code>")
def region_children(code: str) -> Response:
    """The cities of a province, or the counties of a city, as JSON (for the profile's region picker)."""
    regions = site().regions
    region = regions.get(code)
    if region is None:
        return jsonify([])
    below = regions.cities(code) if region.level == "province" else regions.counties(code)
    return jsonify([{"code": r.code, "name": r.name} for r in below])


@bp.get("/codes/industries/<section>")
def industry_divisions(section: str) -> Response:
    """The industry divisions (大类) of a section (门类) as JSON (for the profile's industry picker)."""
    return jsonify([{"code": i.code, "name": i.name} for i in site().industries.divisions(section)])


@bp.app_errorhandler(CSRFError)
def csrf_failed(error: CSRFError) -> tuple[str, int]:
    """A form without a valid CSRF token: nothing was changed."""
    return render_template("errors/error.html", code=400, title=gettext("The form could not be accepted"),
                           message=gettext("The form has expired or did not come from this site, so nothing was "
                                           "saved. Go back, reload the page and try again.")), 400


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
    """Error pages in the visitor's language."""
    readable_body(request)  # the page's own forms read the body: one over the limit reads as empty
    code = error.code or 500
    titles = {
        404: gettext("Page not found"),
        405: gettext("This action is not possible here"),
        409: gettext("Changed elsewhere"),
        413: gettext("Too much data"),
        429: gettext("Too many attempts"),
        503: gettext("Temporarily unavailable"),
    }
    messages = {
        404: gettext("There is nothing at this address, or it is not yours to open. If you followed a resume "
                     "link, check that you copied all of it."),
        405: gettext("Use the buttons on the page."),
        413: gettext("The form sent more data than the site accepts."),
        429: gettext("There were too many attempts from your address. Wait a minute and try again."),
        503: gettext("The questionnaire version this assessment was made with is not installed on this server."),
    }
    if code not in titles:
        return error
    if code == 503 and error.description == "report":
        messages[503] = gettext("The PDF report cannot be made on this server right now. The results page shows "
                                "everything the report contains.")
    return render_template("errors/error.html", code=code, title=titles[code],
                           message=messages.get(code, error.description or "")), code

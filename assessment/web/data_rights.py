"""The enterprise account's data rights (PIPL): download all its data as a ZIP, and delete the account."""

from __future__ import annotations

import tempfile
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import StringField

from assessment.services import data_rights, security_log
from assessment.services.data_rights import ErasureRefused, Preview
from assessment.web.database import db
from assessment.web.onsite import evidence_storage
from assessment.web.results import report_pdf
from assessment.web.security_log import record_event
from assessment.web.tenancy import recent_login_required

bp = Blueprint("data_rights", __name__, url_prefix="/account")


class DeleteForm(FlaskForm):  # type: ignore[misc]
    """Deleting the account: the account's email address or mobile number typed as confirmation."""

    confirm = StringField(lazy_gettext("Type your email address or mobile number to confirm"))


def _preview() -> Preview:
    """What deletion would do for the signed-in account; 404 for accounts that cannot delete themselves here."""
    found = data_rights.preview(db(), int(current_user.id))
    if found is None:
        abort(404)
    return found


@bp.get("/data")
@login_required  # type: ignore[untyped-decorator]
def index() -> str:
    """The account's data: download all of it, or delete the account."""
    return render_template("account/data.html", preview=_preview())


@bp.get("/data/export.zip")
@login_required  # type: ignore[untyped-decorator]
@recent_login_required
def export() -> BaseResponse:
    """Everything stored about the account as a ZIP: data.json, PDF reports and evidence files (never cached)."""
    _preview()
    archive = tempfile.TemporaryFile()  # noqa: SIM115  (the response closes it once it is sent)
    try:
        made = data_rights.export_archive(db(), int(current_user.id), archive, evidence_dir=evidence_storage(),
                                          report=report_pdf)
        record_event(security_log.DATA_EXPORTED, assessments=made.assessments, reports=made.reports,
                     evidence_files=made.evidence_files)
        db().commit()
        archive.seek(0)
        response = send_file(archive, mimetype="application/zip", as_attachment=True, conditional=False,
                             download_name=f"assessment-account-data-{date.today().isoformat()}.zip")
    except BaseException:
        archive.close()
        raise
    response.call_on_close(archive.close)
    response.headers["Cache-Control"] = "no-store"
    return response


def _delete_page(form: DeleteForm, status: int = 200) -> tuple[str, int]:
    return render_template("account/delete.html", preview=_preview(), form=form), status


@bp.get("/delete")
@login_required  # type: ignore[untyped-decorator]
@recent_login_required
def confirm_delete() -> tuple[str, int]:
    """What deleting the account erases and keeps, and the confirmation form."""
    return _delete_page(DeleteForm())


@bp.post("/delete")
@login_required  # type: ignore[untyped-decorator]
@recent_login_required
def delete() -> BaseResponse | tuple[str, int]:
    """Delete the account once its email address or mobile number is typed; then sign out."""
    preview = _preview()
    form = DeleteForm()
    if not form.validate():
        return _delete_page(form, 400)
    if not data_rights.confirms(form.confirm.data or "", preview.contact):
        form.confirm.errors = [gettext("Type the email address or mobile number of this account exactly as shown.")]
        return _delete_page(form, 422)
    try:
        erasure = data_rights.erase_account(db(), int(current_user.id), evidence_dir=evidence_storage(),
                                            address=request.remote_addr or "")
    except ErasureRefused:
        db().rollback()
        abort(404)
    db().commit()
    data_rights.remove_evidence(erasure)
    logout_user()
    session.clear()
    flash(gettext("Your account is deleted. Its personal data is erased."), "success")
    return redirect(url_for("main.index"), code=303)

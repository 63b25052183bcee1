"""Forms of the accounts, provider, on-site, respondent and admin journeys (answers are read per item type)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length

from assessment.domain.questionnaire import Item
from assessment.web.forms import rating_value

_EMAIL = [DataRequired(lazy_gettext("Enter an email address")),
          Length(max=254, message=lazy_gettext("The email address is too long"))]


class ForgotForm(FlaskForm):  # type: ignore[misc]
    """Ask for a password-reset link."""

    email = EmailField(lazy_gettext("Email address"), validators=_EMAIL)


class PasswordForm(FlaskForm):  # type: ignore[misc]
    """Choose a new password."""

    password = PasswordField(lazy_gettext("New password"), validators=[DataRequired(lazy_gettext("Choose a password"))])
    confirm = PasswordField(lazy_gettext("New password again"), validators=[
        DataRequired(lazy_gettext("Type the password again")),
        EqualTo("password", message=lazy_gettext("The two passwords are not the same"))])


class ReauthForm(FlaskForm):  # type: ignore[misc]
    """Give the password again before a sensitive action."""

    password = PasswordField(lazy_gettext("Password"), validators=[DataRequired(lazy_gettext("Enter your password"))])


class NameForm(FlaskForm):  # type: ignore[misc]
    """The name shown for the account (as assessor, in the audit trail)."""

    display_name = StringField(lazy_gettext("Your name as shown to others"), validators=[
        Length(max=100, message=lazy_gettext("At most 100 characters"))])


class InvitationForm(FlaskForm):  # type: ignore[misc]
    """Invite an enterprise to become a client."""

    note = StringField(lazy_gettext("Who is invited (for your list, e.g. the enterprise's name)"), validators=[
        DataRequired(lazy_gettext("Say whom you invite")), Length(max=200, message=lazy_gettext("At most 200 characters"))])


class AcceptForm(FlaskForm):  # type: ignore[misc]
    """Accept an invitation for one of the account's enterprises."""

    enterprise = RadioField(lazy_gettext("For which enterprise"), validate_choice=False)
    consent = BooleanField(lazy_gettext("I agree that this provider may see this enterprise's profile and assessments "
                                        "and assess it with us, until I withdraw this consent."))


class StartForm(FlaskForm):  # type: ignore[misc]
    """Start a guided or on-site assessment for a client."""

    questionnaire = SelectField(lazy_gettext("Questionnaire"), validate_choice=False)
    mode = RadioField(lazy_gettext("Mode"), validate_choice=False, default="guided")
    reuse = BooleanField(lazy_gettext("Start from the answers of the previous assessment"), default=True)


class StaffForm(FlaskForm):  # type: ignore[misc]
    """Add a member to the provider's staff."""

    email = EmailField(lazy_gettext("Email address"), validators=_EMAIL)
    display_name = StringField(lazy_gettext("Name"), validators=[
        DataRequired(lazy_gettext("Enter the name")), Length(max=100, message=lazy_gettext("At most 100 characters"))])
    role = RadioField(lazy_gettext("Role"), validate_choice=False, default="provider_staff")


class NoteForm(FlaskForm):  # type: ignore[misc]
    """An item's evidence note."""

    note = TextAreaField(lazy_gettext("Evidence note"))


class UploadForm(FlaskForm):  # type: ignore[misc]
    """Attach a file as evidence."""

    file = FileField(lazy_gettext("Attach a file"))


class ReasonForm(FlaskForm):  # type: ignore[misc]
    """A change that needs a reason (validated or consolidated answer, adopting agreed answers)."""

    reason = TextAreaField(lazy_gettext("Reason (kept in the audit trail)"))


class RespondentForm(FlaskForm):  # type: ignore[misc]
    """Invite a respondent."""

    name = StringField(lazy_gettext("Name or position"), validators=[Length(max=100)])
    function = StringField(lazy_gettext("Responsibility (e.g. production, IT, finance)"), validators=[Length(max=100)])
    sections = SelectMultipleField(lazy_gettext("Sections to answer (none ticked: all)"), validate_choice=False)


class RegionPickerForm(FlaskForm):  # type: ignore[misc]
    """A GB/T 2260 region picked by name: province, then city, then county (codes are the options' values)."""

    province = SelectField(lazy_gettext("Province"), validate_choice=False, validators=[Length(max=6)])
    city = SelectField(lazy_gettext("City"), validate_choice=False, validators=[Length(max=6)])
    county = SelectField(lazy_gettext("County or district"), validate_choice=False, validators=[Length(max=6)])

    def region_code(self) -> str:
        """The most precise division chosen: county, else city, else province; "" if none."""
        for field in (self.county, self.city, self.province):
            if field.data:
                return str(field.data).strip()
        return ""


class OrganisationForm(RegionPickerForm):
    """A new provider organisation with its first admin; its region is optional."""

    name = StringField(lazy_gettext("Provider name"), validators=[
        DataRequired(lazy_gettext("Enter the provider's name")), Length(max=200)])
    email = EmailField(lazy_gettext("Email of its first admin"), validators=_EMAIL)
    display_name = StringField(lazy_gettext("Name of its first admin"), validators=[Length(max=100)])


class OfficialForm(RegionPickerForm):
    """A new official's account; the authority's region is required."""

    email = EmailField(lazy_gettext("Email address"), validators=_EMAIL)
    display_name = StringField(lazy_gettext("Name"), validators=[Length(max=100)])


class ImportForm(FlaskForm):  # type: ignore[misc]
    """Import catalogue entries from a spreadsheet."""

    file = FileField(lazy_gettext("CSV or XLSX file"))


def posted_value(item: Item, form: MultiDict[str, str], prefix: str = "value") -> Any:
    """The raw answer posted for one item (control names `value`, `value-<row>` for grids)."""
    if item.type == "multi":
        return form.getlist(prefix) or None
    if item.type == "rating":
        return rating_value(form.get(prefix))
    if item.type == "grid":
        cells: dict[str, Any] = {}
        for row in item.rows:
            name = f"{prefix}-{row.key}"
            cell = form.getlist(name) if item.grid_multi else form.get(name)
            if cell:
                cells[row.key] = cell
        return cells or None
    raw = form.get(prefix, "")
    return raw.strip() or None

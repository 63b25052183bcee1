"""Forms: wizard steps composed from the questionnaire (one field factory per item type), profile and accounts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, EqualTo, Length

from assessment.domain.answers import AnswerValue
from assessment.domain.numbers import ID_MAX, plain, read_decimal, read_id
from assessment.domain.questionnaire import GridRow, Item, Questionnaire, Section
from assessment.services.steps import StepInput

FieldFactory = Callable[[Item], dict[str, UnboundField]]


class VersionedForm(FlaskForm):  # type: ignore[misc]
    """A form that carries the draft version it was rendered from, to catch edits made meanwhile elsewhere."""

    version = HiddenField()

    def posted_version(self) -> int:
        """The version the page was rendered from (0 if missing or garbled, which always conflicts)."""
        return version_number(self.version.data)


def version_number(raw: object) -> int:
    """A posted draft version (0 if missing or garbled, which always conflicts: nothing is written then).

    Below 2**31 − 1, since a save stores the version after it in the same INTEGER column.
    """
    version = read_id(raw)
    return version if version is not None and version < ID_MAX else 0


def posted_version(form: Mapping[str, str]) -> int:
    """The draft version a posted page was rendered from (see version_number)."""
    return version_number(form.get("version"))


class StepForm(VersionedForm):
    """Base of the generated wizard-step forms."""

    data_fields: Mapping[str, tuple[str, str]] = {}
    """Form field name → (item id, data-field id), for the figures of computed answers."""


class ActionForm(FlaskForm):  # type: ignore[misc]
    """A button-only form (start, submit, re-assess, new link, log out); it carries the CSRF token."""


class VersionedActionForm(VersionedForm):
    """A button-only form on a draft, e.g. submit."""


def grid_name(item: Item, row: GridRow) -> str:
    """The form name of one grid row."""
    return f"{item.id}-{row.key}"


def data_name(item: Item, field_id: str) -> str:
    """The form name of one figure of a computed answer."""
    return f"{item.id}-{field_id}"


def _single(item: Item) -> dict[str, UnboundField]:
    return {item.id: RadioField(choices=[SelectChoice(k) for k in item.option_keys], validate_choice=False)}


def _multi(item: Item) -> dict[str, UnboundField]:
    return {item.id: SelectMultipleField(choices=[SelectChoice(k) for k in item.option_keys], validate_choice=False)}


def _rating(item: Item) -> dict[str, UnboundField]:
    levels = [SelectChoice(str(lv.level)) for lv in item.levels]
    return {item.id: RadioField(choices=levels, validate_choice=False)}


def _number(item: Item) -> dict[str, UnboundField]:
    return {item.id: StringField()}


def _grid(item: Item) -> dict[str, UnboundField]:
    columns = [SelectChoice(c.key) for c in item.columns]
    kind = SelectMultipleField if item.grid_multi else RadioField
    return {grid_name(item, row): kind(choices=columns, validate_choice=False) for row in item.rows}


FIELD_FACTORIES: dict[str, FieldFactory] = {
    "single": _single,
    "multi": _multi,
    "rating": _rating,
    "number": _number,
    "grid": _grid,
}


@lru_cache(maxsize=256)
def step_form_class(questionnaire: Questionnaire, section_id: str) -> type[StepForm]:
    """The form class of one wizard step, built once per questionnaire version and section."""
    section = next(s for s in questionnaire.sections if s.id == section_id)
    attributes: dict[str, Any] = {}
    data_fields: dict[str, tuple[str, str]] = {}
    for item in section.items:
        attributes.update(FIELD_FACTORIES[item.type](item))
        for spec in item.fields:
            attributes[data_name(item, spec.id)] = StringField()
            data_fields[data_name(item, spec.id)] = (item.id, spec.id)
    attributes["data_fields"] = data_fields
    name = f"Step_{questionnaire.id}_{questionnaire.version}_{section_id}".replace("-", "_").replace(".", "_")
    return type(name, (StepForm,), attributes)


def figure_text(raw: Any) -> str | None:
    """A stored number as the form shows it: plain decimal text (never 1e+31), which reads back as the same value."""
    if raw is None:
        return None
    value = read_decimal(raw)
    return plain(value) if value is not None else str(raw)


def step_initial(section: Section, answers: Mapping[str, Any], data: Mapping[str, Any],
                 version: int) -> dict[str, Any]:
    """The form's starting values from a stored draft."""
    initial: dict[str, Any] = {"version": str(version)}
    for item in section.items:
        value = answers.get(item.id)
        if item.type == "grid":
            cells = value if isinstance(value, dict) else {}
            for row in item.rows:
                initial[grid_name(item, row)] = cells.get(row.key)
        elif item.type == "rating":
            initial[item.id] = None if value is None else str(value)
        elif item.type == "number":
            initial[item.id] = figure_text(value)
        else:
            initial[item.id] = value
        for spec in item.fields:
            initial[data_name(item, spec.id)] = figure_text(data.get(spec.id))
    return initial


def rating_value(raw: Any) -> Any:
    """A posted level as a whole number; anything else as sent, for the answers' check to refuse with its message."""
    level = read_decimal(raw) if isinstance(raw, str) else None
    if level is not None and level.denominator == 1:
        return int(level)
    return raw or None


def posted_values(section: Section, formdata: MultiDict[str, Any]) -> dict[str, Any]:
    """A step's posted values by control name, as its bound step form would hold them (lists for multiple choice).

    Reading them straight from the request spares binding a generated form of a dozen fields on every save;
    the fields have no validators (the service checks the answers), and the CSRF token is checked before.
    """
    values: dict[str, Any] = {}
    for item in section.items:
        if item.type == "grid":
            for row in item.rows:
                name = grid_name(item, row)
                values[name] = formdata.getlist(name) if item.grid_multi else formdata.get(name)
        elif item.type == "multi":
            values[item.id] = formdata.getlist(item.id)
        else:
            values[item.id] = formdata.get(item.id)
        for spec in item.fields:
            name = data_name(item, spec.id)
            values[name] = formdata.get(name)
    return values


def step_input(form: StepForm | Mapping[str, Any], section: Section, shown: Iterable[str]) -> StepInput:
    """The posted answers of the shown items and their figures (a bound step form, or `posted_values`)."""
    def value(name: str) -> Any:
        return form.get(name) if isinstance(form, Mapping) else form[name].data

    visible = set(shown)
    answers: dict[str, Any] = {}
    data: dict[str, Any] = {}
    for item in section.items:
        if item.id not in visible:
            continue
        if item.type == "grid":
            cells: dict[str, Any] = {}
            for row in item.rows:
                cell = value(grid_name(item, row))
                if item.grid_multi and cell:
                    cells[row.key] = list(cell)
                elif not item.grid_multi and cell:
                    cells[row.key] = cell
            answers[item.id] = cells if (cells or item.grid_multi) else None
        elif item.type == "multi":
            answers[item.id] = list(value(item.id) or []) or None
        elif item.type == "rating":
            answers[item.id] = rating_value(value(item.id))
        else:
            raw = value(item.id)
            answers[item.id] = raw.strip() if isinstance(raw, str) and raw.strip() else None
        for spec in item.fields:
            data[spec.id] = value(data_name(item, spec.id))
    return StepInput(answers, data)


def chosen(field: Field, value: str) -> bool:
    """Whether an option is selected in a bound field (single, multi, rating or grid row)."""
    current = field.data
    if isinstance(current, (list, tuple)):
        return value in [str(v) for v in current]
    return current is not None and str(current) == value


def answer_keys(value: AnswerValue | None) -> list[str]:
    """The option keys of an answer (for review), in order."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple):
        return list(value)
    return []


class ProfileForm(VersionedForm):
    """The enterprise profile (企业基本信息)."""

    name = StringField(lazy_gettext("Registered name of the enterprise"))
    uscc = StringField(lazy_gettext("Unified social credit code"))
    province = SelectField(lazy_gettext("Province"), validate_choice=False)
    city = SelectField(lazy_gettext("City"), validate_choice=False)
    county = SelectField(lazy_gettext("County or district"), validate_choice=False)
    section = SelectField(lazy_gettext("Industry section (门类)"), validate_choice=False)
    division = SelectField(lazy_gettext("Industry division (大类)"), validate_choice=False)
    employees = StringField(lazy_gettext("Employees at the end of last year"))
    revenue_10k_cny = StringField(lazy_gettext("Operating revenue last year, in 10,000 yuan"))
    zhuanjingtexin = RadioField(lazy_gettext("专精特新 status"), validate_choice=False, default="none")
    contact_name = StringField(lazy_gettext("Contact person (optional)"))
    contact_email = EmailField(lazy_gettext("Contact email (optional)"))
    contact_phone = StringField(lazy_gettext("Contact phone (optional)"))
    consent_statistics = BooleanField(lazy_gettext("The anonymised result may be included in official statistics"))

    def region_code(self) -> str:
        """The most precise division chosen: county, else city, else province."""
        for field in (self.county, self.city, self.province):
            if field.data:
                return str(field.data)
        return ""

    def industry_code(self) -> str:
        """The division chosen, else the section."""
        return str(self.division.data or self.section.data or "")

    def fields(self) -> dict[str, Any]:
        """The raw profile fields for the service."""
        return {
            "name": self.name.data, "uscc": self.uscc.data, "region_code": self.region_code(),
            "industry_code": self.industry_code(), "employees": self.employees.data,
            "revenue_10k_cny": self.revenue_10k_cny.data, "zhuanjingtexin": self.zhuanjingtexin.data or "none",
            "contact_name": self.contact_name.data, "contact_email": self.contact_email.data,
            "contact_phone": self.contact_phone.data, "consent_statistics": bool(self.consent_statistics.data),
        }


class RegisterForm(FlaskForm):  # type: ignore[misc]
    """Create an account."""

    email = EmailField(lazy_gettext("Email address"), validators=[DataRequired(lazy_gettext("Enter your email address")),
                                                        Length(max=254, message=lazy_gettext("The email address is too long"))])
    password = PasswordField(lazy_gettext("Password"), validators=[
        DataRequired(lazy_gettext("Choose a password"))])  # the rule itself: accounts.password_problem
    confirm = PasswordField(lazy_gettext("Password again"), validators=[
        DataRequired(lazy_gettext("Type the password again")),
        EqualTo("password", message=lazy_gettext("The two passwords are not the same"))])


class ChangePasswordForm(FlaskForm):  # type: ignore[misc]
    """Change the password, giving the current one."""

    current = PasswordField(lazy_gettext("Current password"), validators=[
        DataRequired(lazy_gettext("Enter your current password"))])
    password = PasswordField(lazy_gettext("New password"), validators=[DataRequired(lazy_gettext("Choose a password"))])
    confirm = PasswordField(lazy_gettext("New password again"), validators=[
        DataRequired(lazy_gettext("Type the password again")),
        EqualTo("password", message=lazy_gettext("The two passwords are not the same"))])


class LoginForm(FlaskForm):  # type: ignore[misc]
    """Log in."""

    email = EmailField(lazy_gettext("Email address"), validators=[DataRequired(lazy_gettext("Enter your email address"))])
    password = PasswordField(lazy_gettext("Password"), validators=[DataRequired(lazy_gettext("Enter your password"))])


class ResumeForm(FlaskForm):  # type: ignore[misc]
    """Paste a resume link or token."""

    link = StringField(lazy_gettext("Your resume link"), validators=[DataRequired(lazy_gettext("Paste the resume link you were given"))])

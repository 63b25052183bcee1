"""Request bodies as this app's HTML forms read them: form fields, files only under file controls, never JSON.

Flask-WTF hands a form whatever the request carries: the files merged with the fields (so a file sent under the
name of a text control reaches that control, whose validators then fail on it), or the JSON body when there is no
form (numbers, lists and objects where text goes). Neither comes from a browser, and both ended in HTTP 500s
(docs/security.md, "Bounded input"). The JSON API (API_PREFIX) reads its bodies itself.
"""

from __future__ import annotations

from flask import Request
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage, ImmutableMultiDict
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from wtforms.fields import FileField
from wtforms.fields.core import UnboundField

API_PREFIX = "/api/"


def _form_classes() -> list[type[FlaskForm]]:
    found: list[type[FlaskForm]] = []
    waiting: list[type[FlaskForm]] = list(FlaskForm.__subclasses__())
    while waiting:
        form = waiting.pop()
        found.append(form)
        waiting.extend(form.__subclasses__())
    return found


def text_controls() -> frozenset[str]:
    """The names of the forms' controls that take text, not a file (a file under such a name is not read)."""
    text: set[str] = set()
    files: set[str] = set()
    for form in _form_classes():
        for klass in form.__mro__:
            for name, value in vars(klass).items():
                if isinstance(value, UnboundField):
                    (files if issubclass(value.field_class, FileField) else text).add(name)
    return frozenset(text - files)


class FormRequest(Request):
    """A request whose body is read as an HTML form.

    Outside the JSON API the body is never JSON to the forms; a file under a text control's name is dropped; a body
    with a NUL character is refused (400); a body over the size limit is refused (413). A refused body then reads
    as empty, so that the error page can still build its own forms (the header's logout button).
    """

    @property
    def is_json(self) -> bool:
        """Whether the body is JSON the app reads as such: only in the JSON API."""
        return self.path.startswith(API_PREFIX) and super().is_json

    def _load_form_data(self) -> None:
        if "form" in self.__dict__:
            return
        try:
            super()._load_form_data()
        except RequestEntityTooLarge:
            self.forget_body()
            raise
        files: ImmutableMultiDict[str, FileStorage] = self.__dict__.get("files", ImmutableMultiDict())
        if _holds_nul(self.__dict__.get("form", ImmutableMultiDict()), files):
            for _name, file in files.items(multi=True):
                file.close()
            self.forget_body()
            raise BadRequest("A form field holds a NUL character, which no browser sends.")
        if not files:
            return
        text = text_controls()
        kept = [(name, file) for name, file in files.items(multi=True) if name not in text]
        if len(kept) < len(list(files.items(multi=True))):
            for name, file in files.items(multi=True):
                if name in text:
                    file.close()
            setattr(self, "files", ImmutableMultiDict(kept))  # noqa: B010 (werkzeug's cached property takes the value)

    def forget_body(self) -> None:
        """Read the body as empty from now on (it was refused)."""
        setattr(self, "form", ImmutableMultiDict())  # noqa: B010 (werkzeug's cached property takes the value)
        setattr(self, "files", ImmutableMultiDict())  # noqa: B010


def _holds_nul(form: ImmutableMultiDict[str, str], files: ImmutableMultiDict[str, FileStorage]) -> bool:
    """Whether a field name, value or file name holds NUL: text no browser sends, which PostgreSQL refuses to store
    and SQLite cuts short (an empty reason then breaks the audit trail's check)."""
    return any("\x00" in name or "\x00" in value for name, value in form.items(multi=True)) or \
        any("\x00" in name or "\x00" in (file.filename or "") for name, file in files.items(multi=True))


def readable_body(request: Request) -> None:
    """Make sure a refused body reads as empty (for a page shown for another error first)."""
    try:
        request.files  # noqa: B018 (reading it parses the body once)
    except (RequestEntityTooLarge, BadRequest):
        if isinstance(request, FormRequest):
            request.forget_body()

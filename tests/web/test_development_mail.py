"""In development (`make run`: console mail, the /dev/outbox page) every mail a journey sends can be followed: the
provider invitation a site admin's new provider gets, the email verification and the password reset are printed on
the console with their link and listed on /dev/outbox, and the printed link opens the page it promises."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from world import World

from assessment.db.models import User, utcnow
from assessment.web.app import create_app
from assessment.web.site import site

ROOT = Path(__file__).resolve().parents[2]
MAKE_RUN = {"MAIL_BACKEND": "console", "SMS_BACKEND": "console", "DEV_OUTBOX": True}  # what the Makefile's run sets
PASSWORD = "correct horse battery"


@pytest.fixture
def console_app(app: Flask) -> Iterator[Flask]:
    """The app on the same database, with mail printed on the console and the outbox page, as under `make run`."""
    made = create_app({**app.config, **MAKE_RUN})
    yield made
    site(made).engine.dispose()


def _printed_link(printed: str, address: str, path: str) -> str:
    """The one link to `path` in the mail printed for `address`."""
    mails = [m for m in printed.split(" MAIL (development console, not delivered) ")
             if re.search(rf"^To:\s+{re.escape(address)}$", m, re.M)]
    assert mails, printed
    links = re.findall(rf"http://localhost{re.escape(path)}\S+", mails[-1])
    assert len(links) == 1, mails[-1]
    return str(links[0])


def _listed(client: FlaskClient, link: str) -> None:
    page = client.get("/dev/outbox").text
    assert f'<a href="{link}">{link}</a>' in page


def test_the_provider_invitation_is_printed_and_its_link_lets_the_admin_choose_a_password(
        console_app: Flask, capsys: pytest.CaptureFixture[str]) -> None:
    world = World(console_app)
    admin_id = world.member("site_admin")
    with site(console_app).sessions() as session:  # site admins use two-step verification
        session.execute(update(User).where(User.id == admin_id).values(mfa_secret="A" * 32, mfa_enabled_at=utcnow()))
        session.commit()
    response = world.client(admin_id).post("/admin/organisations", data={
        "org-name": "服务商开发", "org-email": "first-admin@example.com"})
    assert response.status_code == 303, response.text
    link = _printed_link(capsys.readouterr().out, "first-admin@example.com", "/account/password/reset/")
    visitor = console_app.test_client()
    _listed(visitor, link)
    opened = visitor.get(link.removeprefix("http://localhost"), follow_redirects=True)
    assert opened.status_code == 200 and 'id="password"' in opened.text


def test_the_verification_and_the_password_reset_are_printed_and_their_links_work(
        console_app: Flask, capsys: pytest.CaptureFixture[str]) -> None:
    client = console_app.test_client()
    assert client.post("/auth/register", data={"email": "owner@example.com", "password": PASSWORD,
                                               "confirm": PASSWORD}).status_code < 400
    verify = _printed_link(capsys.readouterr().out, "owner@example.com", "/account/verify/")
    _listed(client, verify)
    assert console_app.test_client().get(verify.removeprefix("http://localhost"),
                                         follow_redirects=True).status_code == 200

    visitor = console_app.test_client()
    assert visitor.post("/account/password/forgot", data={"email": "owner@example.com"}).status_code == 200
    reset = _printed_link(capsys.readouterr().out, "owner@example.com", "/account/password/reset/")
    _listed(visitor, reset)
    opened = visitor.get(reset.removeprefix("http://localhost"), follow_redirects=True)
    assert opened.status_code == 200 and 'id="password"' in opened.text


def test_make_run_and_the_readme_say_where_development_mail_goes() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    run = makefile[makefile.index("\nrun:"):].split("\n\n", 1)[0]
    for setting in ("ASSESSMENT_MAIL_BACKEND=console", "ASSESSMENT_ALLOW_CONSOLE_MESSAGES=1", "ASSESSMENT_DEV_OUTBOX=1"):
        assert setting in run
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "/dev/outbox" in readme and "printed on the console" in readme
    for mail in ("verification", "reset", "invitation"):
        assert mail in readme, mail

"""Account commands: `assessment admin create` makes the first site admin; `assessment user create` any account."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from assessment.db import providers
from assessment.db.migrate import current_revision, head_revision
from assessment.db.models import ROLES
from assessment.db.queries import EmailTaken
from assessment.services import accounts, security_log
from assessment.services.accounts import AccountInvalid
from assessment.services.aggregates import NATIONAL_CODE
from assessment.services.authorization import OPERATOR
from assessment.web.auth import EMAIL, normalised_email
from assessment.web.site import site

admin_group = AppGroup("admin", help="Site administrators.")
user_group = AppGroup("user", help="Accounts with a role.")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    value: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


def _create(email: str, role: str, password: str, organisation: str | None, region: str | None,
            name: str | None) -> None:
    engine = site().engine
    if current_revision(engine) != head_revision():
        raise click.ClickException("the database schema is not current; run `assessment db upgrade` first")
    address = normalised_email(email)
    if not EMAIL.fullmatch(address):
        raise click.ClickException(f"not an email address: {email!r}")
    with site().sessions() as session:
        organisation_id = None
        if organisation:
            found = providers.organisation_by_name(session, organisation)
            organisation_id = (found or providers.add_organisation(session, organisation, "provider")).id
        try:
            record = accounts.create_account(session, address, password, role=role, regions=site().regions,
                                             granted_by=OPERATOR,
                                             organisation_id=organisation_id, region_code=region, display_name=name,
                                             verified=True)
        except EmailTaken as exc:
            raise click.ClickException(f"an account with the address {address} exists already") from exc
        except AccountInvalid as exc:
            raise click.ClickException(str(exc)) from exc
        security_log.record(session, security_log.ACCOUNT_CREATED, user_id=record.id, role=role, via="command")
        session.commit()
    click.echo(f"created {role} {record.email} (id {record.id})")


@admin_group.command("create")
@click.option("--email", required=True, help="The admin's email address.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@click.option("--name", default=None, help="The name shown for the account.")
def admin_create(email: str, password_stdin: bool, name: str | None) -> None:
    """Create a site admin (the first one, typically)."""
    _create(email, "site_admin", _password(password_stdin), None, None, name)


@user_group.command("create")
@click.option("--email", required=True, help="The account's email address.")
@click.option("--role", required=True, type=click.Choice(ROLES), help="The account's role.")
@click.option("--organisation", default=None, help="Provider roles: the provider's name (made if it does not exist).")
@click.option("--region", default=None,
              help=f"Officials: the authority's GB/T 2260 region code ({NATIONAL_CODE} for the whole country).")
@click.option("--national", is_flag=True, help=f"Officials: the whole country (the same as --region {NATIONAL_CODE}).")
@click.option("--name", default=None, help="The name shown for the account.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def user_create(email: str, role: str, organisation: str | None, region: str | None, national: bool,
                name: str | None, password_stdin: bool) -> None:
    """Create an account with a role."""
    if national:
        if role != "official":
            raise click.UsageError("--national is for officials (--role official)")
        if region not in (None, NATIONAL_CODE):
            raise click.UsageError("give either --national or --region, not both")
        region = NATIONAL_CODE
    _create(email, role, _password(password_stdin), organisation, region, name)


def init_app(app: Flask) -> None:
    """Add the account commands to the app's CLI."""
    app.cli.add_command(admin_group)
    app.cli.add_command(user_group)

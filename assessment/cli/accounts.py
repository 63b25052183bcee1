"""Account commands: `assessment admin create` makes the first site admin; `assessment user create` any account."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from assessment.cli.installation import Installation, install, installation
from assessment.services import administration, maintenance
from assessment.services.accounts import EMAIL, ROLES, AccountInvalid, normalised_email
from assessment.services.aggregates import NATIONAL_CODE
from assessment.services.records import EmailTaken

admin_group = AppGroup("admin", help="Site administrators.")
user_group = AppGroup("user", help="Accounts with a role.")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    value: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


def _create(email: str, role: str, password: str, organisation: str | None, region: str | None,
            name: str | None) -> None:
    here = installation()
    if not maintenance.schema_current(here.engine):
        raise click.ClickException("the database schema is not current; run `assessment db upgrade` first")
    address = normalised_email(email)
    if not EMAIL.fullmatch(address):
        raise click.ClickException(f"not an email address: {email!r}")
    with here.sessions() as session:
        try:
            record = administration.add_by_operator(session, address, password, role=role, regions=here.regions,
                                                    organisation=organisation, region_code=region, display_name=name)
        except EmailTaken as exc:
            raise click.ClickException(f"an account with the address {address} exists already") from exc
        except AccountInvalid as exc:
            raise click.ClickException(str(exc)) from exc
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


def init_app(app: Flask, here: Installation) -> None:
    """Add the account commands to the app's CLI."""
    install(app, here)
    app.cli.add_command(admin_group)
    app.cli.add_command(user_group)

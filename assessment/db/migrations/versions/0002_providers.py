"""Providers: roles and organisations, consented client links, account tokens, guided and on-site assessments
(assessor, audit trail, evidence), respondents, provider catalogue entries, shares with authorities.

Revision ID: 0002_providers
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_providers"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ROLES = "role IN ('enterprise', 'provider_staff', 'provider_admin', 'official', 'site_admin')"
APPEND_ONLY = "audit_events is append-only"


def _timestamp(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _user_fk(table: str, column: str, ondelete: str | None = "SET NULL") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"), ondelete=ondelete)


def _append_only_triggers() -> None:
    """The database itself refuses to change or remove audit entries."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$")
        op.execute("CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
                   "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_events_no_{event.lower()} BEFORE {event} ON audit_events "
                       f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")


def upgrade() -> None:
    """Create the provider tables and the new user and assessment columns."""
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        _timestamp("created_at"),
        sa.CheckConstraint("kind IN ('provider', 'authority')", name=op.f("ck_organisations_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("role", sa.String(length=24), nullable=False, server_default="enterprise"))
        batch.add_column(sa.Column("region_code", sa.String(length=6), nullable=True))
        batch.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("display_name", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.create_check_constraint(op.f("ck_users_role"), ROLES)
        batch.create_foreign_key(op.f("fk_users_organisation_id_organisations"), "organisations",
                                 ["organisation_id"], ["id"], ondelete="SET NULL")
        batch.create_index(op.f("ix_users_organisation_id"), ["organisation_id"])
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("assessor_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("assessor_name", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("assessor_org", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("self_answers", DOCUMENT, nullable=True))
        batch.create_foreign_key(op.f("fk_assessments_organisation_id_organisations"), "organisations",
                                 ["organisation_id"], ["id"], ondelete="SET NULL")
        batch.create_foreign_key(op.f("fk_assessments_assessor_id_users"), "users", ["assessor_id"], ["id"],
                                 ondelete="SET NULL")
        batch.create_index(op.f("ix_assessments_organisation_id"), ["organisation_id"])
    op.create_table(
        "account_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        _timestamp("created_at"),
        _timestamp("expires_at"),
        _timestamp("used_at", nullable=True),
        sa.CheckConstraint("purpose IN ('verify', 'reset')", name=op.f("ck_account_tokens_purpose")),
        _user_fk("account_tokens", "user_id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_tokens")),
        sa.UniqueConstraint("nonce", name=op.f("uq_account_tokens_nonce")),
    )
    op.create_index(op.f("ix_account_tokens_user_id"), "account_tokens", ["user_id"])
    op.create_table(
        "provider_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        _timestamp("created_at"),
        _timestamp("expires_at"),
        _timestamp("accepted_at", nullable=True),
        sa.Column("accepted_by", sa.Integer(), nullable=True),
        _timestamp("revoked_at", nullable=True),
        sa.Column("revoked_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_provider_clients_organisation_id_organisations"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"],
                                name=op.f("fk_provider_clients_enterprise_id_enterprises"), ondelete="CASCADE"),
        _user_fk("provider_clients", "invited_by"),
        _user_fk("provider_clients", "accepted_by"),
        _user_fk("provider_clients", "revoked_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_clients")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_provider_clients_token_hash")),
    )
    op.create_index(op.f("ix_provider_clients_organisation_id"), "provider_clients", ["organisation_id"])
    op.create_index(op.f("ix_provider_clients_enterprise_id"), "provider_clients", ["enterprise_id"])
    active = "accepted_at IS NOT NULL AND revoked_at IS NULL"
    op.create_index("uq_provider_clients_active", "provider_clients", ["organisation_id", "enterprise_id"],
                    unique=True, postgresql_where=sa.text(active), sqlite_where=sa.text(active))
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", DOCUMENT, nullable=True),
        sa.Column("previous", DOCUMENT, nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_name", sa.String(length=254), nullable=False),
        sa.Column("organisation_name", sa.String(length=200), nullable=False),
        _timestamp("created_at"),
        sa.CheckConstraint("kind IN ('validation', 'consolidation')", name=op.f("ck_audit_events_kind")),
        sa.CheckConstraint("length(reason) > 0", name=op.f("ck_audit_events_reason")),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"],
                                name=op.f("fk_audit_events_assessment_id_assessments")),
        _user_fk("audit_events", "user_id", None),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(op.f("ix_audit_events_assessment_id"), "audit_events", ["assessment_id"])
    _append_only_triggers()
    op.create_table(
        "evidence_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        _timestamp("created_at"),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"],
                                name=op.f("fk_evidence_notes_assessment_id_assessments"), ondelete="CASCADE"),
        _user_fk("evidence_notes", "user_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_notes")),
    )
    op.create_index(op.f("ix_evidence_notes_assessment_id"), "evidence_notes", ["assessment_id"])
    op.create_table(
        "evidence_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=80), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        _timestamp("uploaded_at"),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"],
                                name=op.f("fk_evidence_files_assessment_id_assessments"), ondelete="CASCADE"),
        _user_fk("evidence_files", "uploaded_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_files")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_evidence_files_storage_key")),
    )
    op.create_index(op.f("ix_evidence_files_assessment_id"), "evidence_files", ["assessment_id"])
    op.create_table(
        "respondents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("function", sa.String(length=100), nullable=False),
        sa.Column("sections", DOCUMENT, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("answers", DOCUMENT, nullable=False),
        sa.Column("data", DOCUMENT, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        _timestamp("submitted_at", nullable=True),
        _timestamp("revoked_at", nullable=True),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"],
                                name=op.f("fk_respondents_assessment_id_assessments"), ondelete="CASCADE"),
        _user_fk("respondents", "invited_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_respondents")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_respondents_token_hash")),
    )
    op.create_index(op.f("ix_respondents_assessment_id"), "respondents", ["assessment_id"])
    op.create_table(
        "provider_solutions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("document", DOCUMENT, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_provider_solutions_organisation_id_organisations"), ondelete="CASCADE"),
        _user_fk("provider_solutions", "created_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_solutions")),
        sa.UniqueConstraint("organisation_id", "entry_id", name=op.f("uq_provider_solutions_organisation_id")),
    )
    op.create_index(op.f("ix_provider_solutions_organisation_id"), "provider_solutions", ["organisation_id"])
    op.create_table(
        "authority_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        _timestamp("created_at"),
        _timestamp("revoked_at", nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"],
                                name=op.f("fk_authority_shares_enterprise_id_enterprises"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"],
                                name=op.f("fk_authority_shares_assessment_id_assessments"), ondelete="CASCADE"),
        _user_fk("authority_shares", "created_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authority_shares")),
    )
    op.create_index(op.f("ix_authority_shares_enterprise_id"), "authority_shares", ["enterprise_id"])
    op.create_index(op.f("ix_authority_shares_region_code"), "authority_shares", ["region_code"])


def downgrade() -> None:
    """Drop the provider tables and columns."""
    op.drop_table("authority_shares")
    op.drop_table("provider_solutions")
    op.drop_table("respondents")
    op.drop_table("evidence_files")
    op.drop_table("evidence_notes")
    op.drop_table("audit_events")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    op.drop_index("uq_provider_clients_active", table_name="provider_clients")
    op.drop_table("provider_clients")
    op.drop_table("account_tokens")
    with op.batch_alter_table("assessments") as batch:
        batch.drop_index(op.f("ix_assessments_organisation_id"))
        batch.drop_constraint(op.f("fk_assessments_assessor_id_users"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_assessments_organisation_id_organisations"), type_="foreignkey")
        for column in ("self_answers", "assessor_org", "assessor_name", "assessor_id", "organisation_id"):
            batch.drop_column(column)
    with op.batch_alter_table("users") as batch:
        batch.drop_index(op.f("ix_users_organisation_id"))
        batch.drop_constraint(op.f("fk_users_organisation_id_organisations"), type_="foreignkey")
        batch.drop_constraint(op.f("ck_users_role"), type_="check")
        for column in ("active", "password_changed_at", "email_verified_at", "display_name", "organisation_id",
                       "region_code", "role"):
            batch.drop_column(column)
    op.drop_table("organisations")

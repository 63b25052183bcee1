"""Security and accounts: mobile numbers, session generation, TOTP MFA and recovery codes, shared sign-in throttles,
SMS codes, the append-only security log and the development outbox.

Revision ID: 0005_security
Revises: 0004_facts_follow_consent
Create Date: 2026-12-07
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005_security"
down_revision: str | None = "0004_facts_follow_consent"
branch_labels: str | None = None
depends_on: str | None = None

DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
APPEND_ONLY = "security_events is append-only"


def _timestamp(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _append_only_triggers() -> None:
    """The database itself refuses to change or remove security log entries."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION security_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$")
        op.execute("CREATE TRIGGER security_events_append_only BEFORE UPDATE OR DELETE ON security_events "
                   "FOR EACH ROW EXECUTE FUNCTION security_events_append_only()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER security_events_no_{event.lower()} BEFORE {event} ON security_events "
                       f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")


def upgrade() -> None:
    """Add the account columns and the security tables."""
    with op.batch_alter_table("users") as batch:
        batch.alter_column("email", existing_type=sa.String(length=254), nullable=True)
        batch.add_column(sa.Column("phone", sa.String(length=20), nullable=True))
        batch.add_column(_timestamp("phone_verified_at", nullable=True))
        batch.add_column(sa.Column("session_generation", sa.Integer(), server_default=sa.text("0"), nullable=False))
        batch.add_column(sa.Column("mfa_secret", sa.String(length=64), nullable=True))
        batch.add_column(_timestamp("mfa_enabled_at", nullable=True))
        batch.add_column(sa.Column("mfa_last_step", sa.Integer(), nullable=True))
        batch.create_unique_constraint(op.f("uq_users_phone"), ["phone"])
        batch.create_check_constraint(op.f("ck_users_contact"), "email IS NOT NULL OR phone IS NOT NULL")
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        _timestamp("created_at"),
        _timestamp("used_at", nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    op.create_index(op.f("ix_recovery_codes_user_id"), "recovery_codes", ["user_id"])
    op.create_table(
        "throttles",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        _timestamp("first_failure_at"),
        _timestamp("last_failure_at"),
        _timestamp("blocked_until", nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_throttles")),
    )
    op.create_table(
        "sms_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=45), nullable=False),
        _timestamp("created_at"),
        _timestamp("expires_at"),
        _timestamp("used_at", nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_codes")),
    )
    op.create_index(op.f("ix_sms_codes_phone"), "sms_codes", ["phone"])
    op.create_table(
        "security_events",
        sa.Column("id", sa.Integer(), nullable=False),
        _timestamp("at"),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=45), nullable=False),
        sa.Column("detail", DOCUMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_events")),
    )
    op.create_index(op.f("ix_security_events_at"), "security_events", ["at"])
    op.create_index(op.f("ix_security_events_kind"), "security_events", ["kind"])
    op.create_index(op.f("ix_security_events_user_id"), "security_events", ["user_id"])
    _append_only_triggers()
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
    )


def downgrade() -> None:
    """Drop the security tables and the account columns (accounts without an email cannot be kept)."""
    op.drop_table("outbox_messages")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS security_events_append_only ON security_events")
        op.execute("DROP FUNCTION IF EXISTS security_events_append_only()")
    op.drop_table("security_events")
    op.drop_table("sms_codes")
    op.drop_table("throttles")
    op.drop_table("recovery_codes")
    op.execute("DELETE FROM users WHERE email IS NULL")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("ck_users_contact"), type_="check")
        batch.drop_constraint(op.f("uq_users_phone"), type_="unique")
        batch.drop_column("mfa_last_step")
        batch.drop_column("mfa_enabled_at")
        batch.drop_column("mfa_secret")
        batch.drop_column("session_generation")
        batch.drop_column("phone_verified_at")
        batch.drop_column("phone")
        batch.alter_column("email", existing_type=sa.String(length=254), nullable=False)

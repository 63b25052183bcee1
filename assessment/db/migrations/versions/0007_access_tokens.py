"""Personal access tokens for the JSON API (docs/access-tokens.md): the SHA-256 hash of each token, never the token,
with its owner, name, public prefix, scope, expiry, revocation and last use.

Revision ID: 0007_access_tokens
Revises: 0006_pseudonymise
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007_access_tokens"
down_revision: str | None = "0006_pseudonymise"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add the access_tokens table."""
    op.create_table(
        "access_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_address", sa.String(length=45), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_address", sa.String(length=45), nullable=False),
        sa.CheckConstraint("scope IN ('read', 'read-write')", name=op.f("ck_access_tokens_scope")),
        sa.CheckConstraint("expires_at > created_at", name=op.f("ck_access_tokens_expiry")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_access_tokens_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_tokens")),
    )
    op.create_index(op.f("ix_access_tokens_user_id"), "access_tokens", ["user_id"])
    op.create_index(op.f("ix_access_tokens_prefix"), "access_tokens", ["prefix"])


def downgrade() -> None:
    """Drop the access_tokens table (every token stops working)."""
    op.drop_index(op.f("ix_access_tokens_prefix"), table_name="access_tokens")
    op.drop_index(op.f("ix_access_tokens_user_id"), table_name="access_tokens")
    op.drop_table("access_tokens")

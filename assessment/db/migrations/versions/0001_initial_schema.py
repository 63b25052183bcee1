"""Initial schema: users, enterprises, assessments, content versions.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _timestamp(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "content_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(length=120), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        _timestamp("first_seen_at"),
        _timestamp("last_seen_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_versions")),
        sa.UniqueConstraint("kind", "ref", name=op.f("uq_content_versions_kind")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "enterprises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("industry_code", sa.String(length=8), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=False),
        sa.Column("revenue_10k_cny", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("size_class", sa.String(length=8), nullable=False),
        sa.Column("zhuanjingtexin", sa.String(length=32), nullable=False),
        sa.Column("contact_name", sa.String(length=100), nullable=True),
        sa.Column("contact_phone", sa.String(length=40), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("consent_statistics", sa.Boolean(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_enterprises_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprises")),
    )
    op.create_index(op.f("ix_enterprises_uscc"), "enterprises", ["uscc"])
    op.create_index(op.f("ix_enterprises_user_id"), "enterprises", ["user_id"])
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("previous_assessment_id", sa.Integer(), nullable=True),
        sa.Column("questionnaire_ref", sa.String(length=120), nullable=False),
        sa.Column("model_ref", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("mode", sa.String(length=12), nullable=False),
        sa.Column("answers", DOCUMENT, nullable=False),
        sa.Column("data", DOCUMENT, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("resume_token_hash", sa.String(length=64), nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        _timestamp("submitted_at", nullable=True),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("total", sa.Numeric(precision=12, scale=4), nullable=True),
        sa.Column("scorecard", DOCUMENT, nullable=True),
        sa.CheckConstraint("mode IN ('self', 'guided', 'onsite')", name=op.f("ck_assessments_mode")),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name=op.f("ck_assessments_status")),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"],
                                name=op.f("fk_assessments_enterprise_id_enterprises"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["previous_assessment_id"], ["assessments.id"],
                                name=op.f("fk_assessments_previous_assessment_id_assessments"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_assessments_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        sa.UniqueConstraint("resume_token_hash", name=op.f("uq_assessments_resume_token_hash")),
    )
    op.create_index(op.f("ix_assessments_enterprise_id"), "assessments", ["enterprise_id"])
    op.create_index(op.f("ix_assessments_user_id"), "assessments", ["user_id"])


def downgrade() -> None:
    """Drop the tables."""
    op.drop_table("assessments")
    op.drop_table("enterprises")
    op.drop_table("users")
    op.drop_table("content_versions")

"""Officials: the aggregation fact table, the officials' access log and targets, demo flags.

Facts of assessments submitted before this revision are written by `assessment facts rebuild` (it needs the
scoring models, which a migration does not load); see docs/officials.md.

Revision ID: 0003_officials
Revises: 0002_providers
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_officials"
down_revision: str | None = "0002_providers"
branch_labels: str | None = None
depends_on: str | None = None

DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
DIMENSIONS, INDICATORS, SCENARIOS = 8, 16, 16


def upgrade() -> None:
    """Create the fact, access-log and target tables and add the demo flags."""
    with op.batch_alter_table("enterprises") as batch:
        batch.add_column(sa.Column("demo", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("demo", sa.Boolean(), nullable=False, server_default=sa.false()))
        # Deleting assessments (demo data) checks this foreign key for every row; without an index, a full scan each.
        batch.create_index(op.f("ix_assessments_previous_assessment_id"), ["previous_assessment_id"])
    op.create_table(
        "assessment_facts",
        sa.Column("assessment_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.String(length=60), nullable=False),
        sa.Column("province_code", sa.String(length=6), nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("industry_section", sa.String(length=1), nullable=False),
        sa.Column("industry_division", sa.String(length=2), nullable=False),
        sa.Column("size_class", sa.String(length=8), nullable=False),
        sa.Column("zhuanjingtexin", sa.String(length=32), nullable=False),
        sa.Column("mode", sa.String(length=12), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("latest_of_year", sa.Boolean(), nullable=False),
        sa.Column("latest_of_quarter", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        *(sa.Column(f"d{n}", sa.Integer(), nullable=True) for n in range(1, DIMENSIONS + 1)),
        *(sa.Column(f"i{n:02d}", sa.Integer(), nullable=True) for n in range(1, INDICATORS + 1)),
        *(sa.Column(f"s{n:02d}", sa.SmallInteger(), nullable=True) for n in range(1, SCENARIOS + 1)),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"],
                                name=op.f("fk_assessment_facts_assessment_id_assessments"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"],
                                name=op.f("fk_assessment_facts_enterprise_id_enterprises"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("assessment_id", name=op.f("pk_assessment_facts")),
    )
    op.create_index("ix_assessment_facts_scope", "assessment_facts",
                    ["province_code", "year", "quarter", "city_code", "region_code"])
    op.create_index("ix_assessment_facts_period", "assessment_facts", ["year", "quarter", "model_id"])
    op.create_index("ix_assessment_facts_enterprise", "assessment_facts", ["enterprise_id", "model_id", "year", "quarter"])
    op.create_table(
        "official_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("detail", DOCUMENT, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('result', 'dashboard', 'export')", name=op.f("ck_official_access_kind")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_official_access_user_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"],
                                name=op.f("fk_official_access_assessment_id_assessments"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"],
                                name=op.f("fk_official_access_enterprise_id_enterprises"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_official_access")),
    )
    op.create_index(op.f("ix_official_access_user_id"), "official_access", ["user_id"])
    op.create_index(op.f("ix_official_access_assessment_id"), "official_access", ["assessment_id"])
    op.create_table(
        "official_targets",
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("share", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_official_targets_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_official_targets")),
    )


def downgrade() -> None:
    """Drop the officials' tables and the demo flags."""
    op.drop_table("official_targets")
    op.drop_table("official_access")
    op.drop_table("assessment_facts")
    with op.batch_alter_table("assessments") as batch:
        batch.drop_index(op.f("ix_assessments_previous_assessment_id"))
        batch.drop_column("demo")
    with op.batch_alter_table("enterprises") as batch:
        batch.drop_column("demo")

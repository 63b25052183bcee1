"""Bulk imports: the rows of a provider's files carried out, so a re-run or a resumed job creates each once.

Revision ID: 0010_bulk_imports
Revises: 0009_jobs
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010_bulk_imports"
down_revision: str | None = "0009_jobs"
branch_labels: str | None = None
depends_on: str | None = None

DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Add the bulk_import_rows table."""
    op.create_table(
        "bulk_import_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("pending", DOCUMENT, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_bulk_import_rows_organisation_id_organisations"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_bulk_import_rows_job_id_jobs"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["link_id"], ["provider_clients.id"],
                                name=op.f("fk_bulk_import_rows_link_id_provider_clients"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"],
                                name=op.f("fk_bulk_import_rows_assessment_id_assessments"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_import_rows")),
        sa.UniqueConstraint("organisation_id", "fingerprint",
                            name=op.f("uq_bulk_import_rows_organisation_id")),
    )
    op.create_index(op.f("ix_bulk_import_rows_organisation_id"), "bulk_import_rows", ["organisation_id"])
    op.create_index(op.f("ix_bulk_import_rows_job_id"), "bulk_import_rows", ["job_id"])


def downgrade() -> None:
    """Drop the bulk_import_rows table (a re-run import would create its rows again)."""
    op.drop_index(op.f("ix_bulk_import_rows_job_id"), table_name="bulk_import_rows")
    op.drop_index(op.f("ix_bulk_import_rows_organisation_id"), table_name="bulk_import_rows")
    op.drop_table("bulk_import_rows")

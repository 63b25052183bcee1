"""Facts follow the enterprise's current consent to statistical use (no schema change).

Until this revision a fact kept the consent its enterprise had when the assessment was submitted. From now on every
fact of an enterprise follows the enterprise's current consent (docs/officials.md §2); this brings the stored facts
in line once. Downgrading leaves the values as they are (the consent at submission stays in each result's frozen
profile, which nothing reads for the aggregates any more).

Revision ID: 0004_facts_follow_consent
Revises: 0003_officials
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004_facts_follow_consent"
down_revision: str | None = "0003_officials"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Set every fact's consent to its enterprise's current consent."""
    facts = sa.table("assessment_facts", sa.column("enterprise_id", sa.Integer()), sa.column("consent", sa.Boolean()))
    enterprises = sa.table("enterprises", sa.column("id", sa.Integer()),
                           sa.column("consent_statistics", sa.Boolean()))
    current = (sa.select(enterprises.c.consent_statistics).where(enterprises.c.id == facts.c.enterprise_id)
               .scalar_subquery())
    op.execute(facts.update().where(facts.c.consent != current).values(consent=current))


def downgrade() -> None:
    """Nothing to undo: the facts keep following the current consent."""

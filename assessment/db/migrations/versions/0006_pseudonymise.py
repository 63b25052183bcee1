"""Data rights: an enterprise's profile can be erased (enterprises.erased_at), and the audit trail lets a deleted
account's name be replaced by a pseudonym while everything else stays append-only.

The audit_events triggers of 0002_providers refused every UPDATE. From this revision an UPDATE passes only when it
changes nothing but user_id (to NULL), user_name (to a pseudonym starting with PSEUDONYM_PREFIX) and
organisation_name (unchanged, or emptied); any other UPDATE and every DELETE is still refused (docs/data-rights.md).
A column added to audit_events later must be added to the unchanged columns here too.

Revision ID: 0006_pseudonymise
Revises: 0005_security
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006_pseudonymise"
down_revision: str | None = "0005_security"
branch_labels: str | None = None
depends_on: str | None = None

APPEND_ONLY = "audit_events is append-only"
PSEUDONYM_PREFIX = "已删除账户 #"
"""Kept equal to services.data_rights.PSEUDONYM_PREFIX."""
UNCHANGED = ("id", "assessment_id", "item_id", "kind", "value", "previous", "reason", "created_at")


def _pseudonymising(same: str) -> str:
    """The condition under which an UPDATE of an audit entry is allowed; `same` is the dialect's null-safe equality."""
    kept = " AND ".join(f"NEW.{c} {same} OLD.{c}" for c in UNCHANGED)
    return (f"NEW.user_id IS NULL AND NEW.user_name LIKE '{PSEUDONYM_PREFIX}%' "
            f"AND (NEW.organisation_name = OLD.organisation_name OR NEW.organisation_name = '') AND {kept}")


def _strict_triggers() -> None:
    """0002_providers' triggers: no UPDATE, no DELETE."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
                   f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")


def upgrade() -> None:
    """Mark erased enterprises; let audit entries be pseudonymised and nothing else."""
    op.add_column("enterprises", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        # The trigger (BEFORE UPDATE OR DELETE, FOR EACH ROW) stays; its function now lets a pseudonymisation pass.
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP = 'UPDATE' AND {_pseudonymising('IS NOT DISTINCT FROM')} THEN RETURN NEW; END IF; "
            f"RAISE EXCEPTION '{APPEND_ONLY}'; END $$")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute(f"CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
                   f"WHEN NOT ({_pseudonymising('IS')}) BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")


def downgrade() -> None:
    """Refuse every UPDATE of the audit trail again (pseudonyms already written stay); drop the erasure mark."""
    _strict_triggers()
    # In place, not by copying the table (batch mode): dropping the old enterprises table would cascade to the
    # facts, links and shares that refer to it. SQLite has had DROP COLUMN since 3.35.
    op.execute("ALTER TABLE enterprises DROP COLUMN erased_at")

"""Query functions for the provider workspace, one module per feature: organisations, staff, email tokens,
enterprises, client links, conduct of guided and on-site assessments, the audit trail, evidence, respondents and
provider catalogue entries. Rows in, plain values out (the assessment queries live in db/queries.py).

Callers may import from the feature modules; the names stay importable from here too.
"""

from assessment.db.providers.audit import AuditEntry, append_audit, audit_trail
from assessment.db.providers.catalogue import (
    SolutionRow,
    delete_solution,
    get_solution,
    put_solutions,
    rename_solution,
    solutions,
    solutions_of,
)
from assessment.db.providers.clients import (
    ClientLink,
    ClientRow,
    accept_invitation,
    add_invitation,
    client_ids,
    clients,
    invitation_by_token_hash,
    invitations_of,
    link_exists,
    links_of_enterprises,
    revoke_link,
)
from assessment.db.providers.conduct import Conduct, conduct, record_assessor, set_conduct
from assessment.db.providers.enterprises import (
    AssessmentLine,
    EnterpriseLine,
    assessments_of_enterprise,
    enterprises_of_user,
    get_enterprise,
)
from assessment.db.providers.evidence import (
    EvidenceFileRecord,
    EvidenceNoteRecord,
    add_file,
    add_note,
    delete_file,
    evidence_bytes_of_organisation,
    evidence_usage,
    files,
    get_file,
    notes,
    recorded_storage_keys,
)
from assessment.db.providers.organisations import (
    OrganisationRecord,
    add_organisation,
    get_organisation,
    organisation_by_name,
    organisations,
    providers_of_enterprise,
)
from assessment.db.providers.respondents import (
    RespondentRecord,
    add_respondent,
    get_respondent,
    respondent_by_token_hash,
    respondent_token_hash,
    respondents,
    revoke_respondent,
    save_respondent,
)
from assessment.db.providers.staff import (
    PROVIDER_ROLES,
    add_member,
    mark_verified,
    members,
    set_display_name,
    set_member_active,
    set_member_role,
    set_password,
    users_by_role,
)
from assessment.db.providers.tokens import add_token, expire_tokens, use_token

__all__ = [
    "PROVIDER_ROLES", "AssessmentLine", "AuditEntry", "ClientLink", "ClientRow", "Conduct", "EnterpriseLine", "EvidenceFileRecord",
    "EvidenceNoteRecord", "OrganisationRecord", "RespondentRecord", "SolutionRow",
    "accept_invitation", "add_file", "add_invitation", "add_member", "add_note", "add_organisation", "add_respondent",
    "add_token", "append_audit", "assessments_of_enterprise", "audit_trail", "client_ids", "clients", "conduct",
    "delete_file", "delete_solution", "enterprises_of_user", "evidence_bytes_of_organisation", "evidence_usage",
    "expire_tokens", "files", "get_enterprise", "get_file", "get_organisation", "get_respondent", "get_solution",
    "invitation_by_token_hash", "invitations_of", "link_exists", "links_of_enterprises", "mark_verified", "members",
    "notes", "organisation_by_name", "organisations", "providers_of_enterprise", "put_solutions", "record_assessor",
    "recorded_storage_keys",
    "rename_solution", "respondent_by_token_hash", "respondent_token_hash", "respondents", "revoke_link",
    "revoke_respondent", "save_respondent", "set_conduct", "set_display_name", "set_member_active", "set_member_role",
    "set_password", "solutions", "solutions_of", "use_token", "users_by_role",
]

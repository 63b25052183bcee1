"""Two tenants with every kind of object the provider workspace has, for the authorization matrix and others."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from world import Tenant, World

from assessment.db import providers, queries
from assessment.services import provider_catalogue, respondents
from assessment.services import providers as tenancy
from assessment.services.evidence import store_evidence
from assessment.services.onsite import Actor
from assessment.services.providers import Principal
from assessment.web.site import site

SOLUTION = {
    "id": "mes-lite", "name_zh": "轻量MES", "name_en": "Light MES", "summary_zh": "车间报工与排产", "summary_en": "Shop-floor "
    "reporting and scheduling", "provider_type": "product", "regions": "all", "deployment": "saas",
    "scenarios": "S06:0->2", "items": "", "industries": "C", "sizes": "medium;small;micro", "price_model": "per_year",
    "price_min_cny": "20000", "price_max_cny": "60000", "price_note_zh": "", "price_note_en": "", "weeks_min": "2",
    "weeks_max": "6", "requires": "", "effects_zh": "报工及时率提升", "effects_en": "Timelier shop-floor reports",
    "showcase_zh": "", "showcase_en": "", "listing_status": "provider_declared", "listing_source": "own list",
    "listing_date": "2026-01-15", "version": "1.0",
}


@dataclass(frozen=True)
class Scene:
    """Tenant A with one object of each kind, and tenant B beside it."""

    a: Tenant
    b: Tenant
    onsite_id: int
    earlier_id: int
    later_id: int
    file_id: int
    respondent_id: int
    solution_id: int
    invitation_id: int
    official_id: int
    site_admin_id: int

    def values(self) -> dict[str, int | str]:
        """The ids a route template is filled with."""
        return {"aid": self.onsite_id, "t0": self.earlier_id, "t1": self.later_id, "fid": self.file_id,
                "rid": self.respondent_id, "sid": self.solution_id, "inv": self.invitation_id,
                "eid": self.a.enterprise_id, "link": self.a.link_id, "staff": self.a.staff_id, "section": "foundation"}


def build(world: World) -> Scene:
    """Tenant A (provider, client, assessments, evidence, respondent, catalogue entry, invitation) and tenant B."""
    a = world.tenant("A", "91370102MA3C00001")
    b = world.tenant("B", "91370102MA3C00002")
    earlier = world.assessment(a, "guided", submit=True)
    later = world.assessment(a, "guided", submit=True)
    onsite_id = world.assessment(a, "onsite")
    library = site(world.app).library
    questionnaire = library.questionnaire("miit-2024")
    with world.session() as session:
        record = queries.get_assessment(session, onsite_id)
        assert record is not None
        evidence = store_evidence(session, Path(world.app.config["EVIDENCE_DIR"]), record, "Q1", "network.pdf",
                                  io.BytesIO(b"%PDF-1.4 network topology"),
                                  Actor(a.staff_id, "评定人A", "服务商A"))
        person, _token = respondents.invite(session, record, questionnaire, "生产负责人", "production", [], a.staff_id)
        organisation = providers.get_organisation(session, a.organisation_id)
        assert organisation is not None
        provider_catalogue.save_entry(session, organisation, {questionnaire.id: questionnaire}, questionnaire.id,
                                      SOLUTION, a.staff_id)
        solution = providers.solutions(session, a.organisation_id)[0]
        tenancy.invite(session, Principal(a.staff_id, "provider_staff", a.organisation_id), "pending client")
        invitation = next(link for link in providers.invitations_of(session, a.organisation_id)
                          if link.status == "pending")
    official = world.member("official", region_code="370000")
    site_admin = world.member("site_admin")
    return Scene(a, b, onsite_id, earlier, later, evidence.id, person.id, solution.id, invitation.id, official,
                 site_admin)

"""The reference's worked example submitted as a self-assessment, straight through the services (for fact tests)."""

from __future__ import annotations

import json
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

from flask import Flask

from assessment.db import queries
from assessment.domain.enterprise import EnterpriseProfile, uscc_check_character
from assessment.services import assessments
from assessment.web.site import site

WORKED_EXAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "miit-2024-worked-example.json"


def submitted(app: Flask, when: datetime, *, enterprise_id: int | None = None, region: str = "320102",
              consent: bool = True) -> tuple[int, int]:
    """A self-assessment of the worked example submitted at a moment; (assessment id, enterprise id)."""
    here = site(app)
    questionnaire = here.library.questionnaire("miit-2024")
    model = here.library.default_model("miit-2024")
    document: dict[str, Any] = json.loads(WORKED_EXAMPLE.read_text(encoding="utf-8"))
    body = "91320102MA1X2Y3W4"
    with here.sessions() as session:
        if enterprise_id is None:
            profile = EnterpriseProfile(name="南京测试科技有限公司", uscc=body + uscc_check_character(body),
                                        region_code=region, industry_code="3741", employees=120,
                                        revenue_10k_cny=Fraction(8000), consent_statistics=consent)
            enterprise_id = queries.add_profile(session, profile, None)
        record = queries.create_assessment(session, questionnaire_ref=questionnaire.ref, model_ref=model.ref,
                                           token_hash=f"{when.timestamp()}-{enterprise_id}",
                                           enterprise_id=enterprise_id)
        version = queries.save_draft(session, record.id, record.version, document["answers"], document.get("data", {}))
        assert version is not None
        frozen, _card = assessments.submit(session, questionnaire, model, record.id, version, now=when)
        session.commit()
        return frozen.id, enterprise_id

"""The authorization matrix: every route that returns or changes an object of one tenant answers 404 to a user of
another tenant (and to officials and site admins, who are no tenant's members), so no object leaks by id.

Each row names the route, the method and the account that rightfully uses it; the rightful account must get
anything but 404, which shows the row really reaches the object.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

import pytest
from flask.testing import FlaskClient
from scene import Scene, build
from world import World

from assessment.db import providers, queries
from assessment.web.respondents import GRANTED

OUTSIDERS = ("staff_b", "admin_b", "owner_b", "official", "site_admin")


@dataclass(frozen=True)
class Route:
    """One row of the matrix: method, path template, the rightful account, and the form to send."""

    method: str
    path: str
    insider: str
    data: tuple[tuple[str, str], ...] = ()
    client_object: bool = True
    """False for the provider's own objects (invitations, catalogue, staff), which a client's consent does not cover."""

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ROUTES = [
    # the guided and on-site workspace
    Route("GET", "/assessments/{aid}/workspace", "staff_a"),
    Route("GET", "/assessments/{aid}/interview/{section}", "staff_a"),
    Route("POST", "/assessments/{aid}/items/Q1/note", "staff_a", (("note", "topology seen"),)),
    Route("POST", "/assessments/{aid}/items/Q1/files", "staff_a"),
    Route("GET", "/assessments/{aid}/files/{fid}", "owner_a"),
    Route("POST", "/assessments/{aid}/items/Q1/validation", "staff_a", (("value", "A"), ("reason", "seen"))),
    Route("POST", "/assessments/{aid}/submit-validated", "staff_a", (("version", "2"),)),
    Route("GET", "/assessments/{aid}/audit", "owner_a"),
    # respondents and divergence
    Route("GET", "/assessments/{aid}/respondents", "owner_a"),
    Route("POST", "/assessments/{aid}/respondents", "staff_a", (("name", "财务负责人"),)),
    Route("POST", "/assessments/{aid}/respondents/{rid}/revoke", "staff_a"),
    Route("GET", "/assessments/{aid}/divergence", "staff_a"),
    Route("POST", "/assessments/{aid}/divergence", "staff_a", (("reason", "agreed"),)),
    Route("POST", "/assessments/{aid}/divergence/Q1", "staff_a", (("value", "A"), ("reason", "agreed"))),
    Route("GET", "/respond/{rid}", "respondent"),
    Route("GET", "/respond/{rid}/{section}", "respondent"),
    Route("POST", "/respond/{rid}/{section}", "respondent", (("version", "1"), ("Q1", "A"))),
    Route("POST", "/respond/{rid}/done", "respondent"),
    # progress over time
    Route("GET", "/enterprises/{eid}/history", "owner_a"),
    Route("GET", "/assessments/{t0}/compare/{t1}", "staff_a"),
    # the provider's own pages about an object
    Route("GET", "/provider/clients/{eid}", "staff_a"),
    Route("POST", "/provider/clients/{eid}/assessments", "staff_a", (("questionnaire", "miit-2024"),
                                                                     ("mode", "guided"))),
    Route("POST", "/provider/invitations/{inv}/withdraw", "staff_a", client_object=False),
    Route("GET", "/provider/catalogue/{sid}", "staff_a", client_object=False),
    Route("POST", "/provider/catalogue/{sid}", "staff_a", (("id", "mes-lite"),), client_object=False),
    Route("POST", "/provider/catalogue/{sid}/delete", "staff_a", client_object=False),
    Route("POST", "/provider/staff/{staff}/active", "admin_a", (("active", "0"),), client_object=False),
    # the enterprise's consent
    Route("POST", "/account/providers/{link}/revoke", "owner_a"),
    # the assessment journey, which a consented provider may now open too
    Route("GET", "/assess/{aid}", "staff_a"),
    Route("GET", "/assess/{aid}/profile", "owner_a"),
    Route("POST", "/assess/{aid}/profile", "owner_a", (("action", "refresh"),)),
    Route("GET", "/assess/{aid}/step/{section}", "owner_a"),
    Route("POST", "/assess/{aid}/step/{section}", "owner_a", (("version", "2"), ("action", "next"))),
    Route("GET", "/assess/{aid}/review", "staff_a"),
    Route("POST", "/assess/{aid}/submit", "owner_a", (("version", "2"),)),
    Route("GET", "/assess/{aid}/link", "owner_a"),
    Route("POST", "/assess/{aid}/link", "owner_a"),
    Route("POST", "/assess/{t1}/reassess", "owner_a"),
    Route("GET", "/results/{t1}", "staff_a"),
    Route("GET", "/results/{t1}/report.pdf", "owner_a"),
]


def _clients(world: World, scene: Scene) -> dict[str, FlaskClient]:
    accounts = {"staff_a": scene.a.staff_id, "admin_a": scene.a.admin_id, "owner_a": scene.a.owner_id,
                "staff_b": scene.b.staff_id, "admin_b": scene.b.admin_id, "owner_b": scene.b.owner_id,
                "official": scene.official_id, "site_admin": scene.site_admin_id}
    clients = {name: world.client(user) for name, user in accounts.items()}
    respondent = world.app.test_client()
    with respondent.session_transaction() as session:
        session[GRANTED] = [scene.respondent_id]
    clients["respondent"] = respondent
    return clients


def _send(client: FlaskClient, route: Route, scene: Scene) -> int:
    path = route.path.format(**scene.values())
    if route.method == "GET":
        response = client.get(path)
    else:
        data: dict[str, object] = dict(route.data)
        if route.path.endswith("/files"):
            data["file"] = (BytesIO(b"%PDF-1.4 evidence"), "evidence.pdf")
        response = client.post(path, data=data, content_type="multipart/form-data")
    response.close()
    return response.status_code


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_a_user_of_another_tenant_gets_404_for_every_object_route(world: World, route: Route) -> None:
    scene = build(world)
    clients = _clients(world, scene)
    for outsider in OUTSIDERS:
        assert _send(clients[outsider], route, scene) == 404, f"{outsider} reached {route}"
    assert _send(clients[route.insider], route, scene) != 404, f"{route.insider} could not reach {route}"


def test_a_provider_loses_every_object_of_a_client_that_withdraws_consent(world: World) -> None:
    scene = build(world)
    staff = world.client(scene.a.staff_id)
    assert staff.get(f"/assessments/{scene.onsite_id}/workspace").status_code == 200
    owner = world.client(scene.a.owner_id)
    assert owner.post(f"/account/providers/{scene.a.link_id}/revoke").status_code == 303
    for route in ROUTES:
        if route.insider == "staff_a" and route.client_object:
            assert _send(staff, route, scene) == 404, f"after withdrawal the provider still reached {route}"
    with world.session() as session:
        assert providers.link_exists(session, scene.a.organisation_id, scene.a.enterprise_id) is False
        assert queries.get_assessment(session, scene.onsite_id) is not None


def test_visitors_without_an_account_get_404_or_the_login_page(world: World) -> None:
    scene = build(world)
    visitor = world.app.test_client()
    for route in ROUTES:
        status = _send(visitor, route, scene)
        assert status in (302, 303, 404), f"a visitor got {status} from {route}"

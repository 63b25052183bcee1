"""A provider's token (staff or admin): its clients (filtered like the web's list, every page reached once), its
invitations, its clients' assessments and evidence metadata; a withdrawn consent cuts it off on the very next
request; another provider's objects are 404, and so is every provider endpoint for other roles (as on the
web); SQLite and PostgreSQL."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from api_callers import account, bearer, enrol, token
from flask import Flask
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart
from world import Tenant, World

from assessment.services import providers as tenancy

PDF = b"%PDF-1.4\n% evidence\n" + b"0" * 2000


@pytest.fixture
def app(app: Flask, tmp_path: Path) -> Flask:
    """The app with evidence files kept in the test's own folder."""
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    return app


@pytest.fixture
def world(app: Flask) -> World:
    return World(app)


def _with_evidence(world: World, tenant: Tenant) -> int:
    """An on-site draft of the tenant's client with one evidence file (uploaded through the web's workspace)."""
    aid = world.assessment(tenant)
    boundary, body = encode_multipart({"file": FileStorage(BytesIO(PDF), filename="网络拓扑.pdf")})
    uploaded = world.client(tenant.staff_id).post(f"/assessments/{aid}/items/Q1/files", data=body,
                                                  content_type=f'multipart/form-data; boundary="{boundary}"')
    assert uploaded.status_code == 303
    return aid


def test_a_provider_reads_its_clients_assessments_and_evidence_metadata(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = _with_evidence(world, tenant)
    client = world.app.test_client()
    secret = token(world.app, tenant.staff_id)
    listed = client.get("/api/v1/provider/clients", headers=bearer(secret)).json
    assert [c["id"] for c in listed["items"]] == [tenant.enterprise_id] and listed["next"] is None
    assert listed["items"][0]["latest"]["id"] == aid and listed["items"][0]["region"]["code"] == "370102"
    detail = client.get(f"/api/v1/provider/clients/{tenant.enterprise_id}", headers=bearer(secret))
    assert detail.status_code == 200 and [a["id"] for a in detail.json["assessments"]] == [aid]
    read = client.get(f"/api/v1/provider/assessments/{aid}", headers=bearer(secret))
    assert read.status_code == 200 and read.json["mode"] == "onsite" and read.json["answers"]
    assert client.get(f"/api/v1/provider/assessments/{aid}", headers={
        **bearer(secret), "If-None-Match": read.headers["ETag"]}).status_code == 304
    files = client.get(f"/api/v1/provider/assessments/{aid}/evidence", headers=bearer(secret)).json["files"]
    assert [(f["item"], f["filename"], f["size"], f["content_type"]) for f in files] == [
        ("Q1", "网络拓扑.pdf", len(PDF), "application/pdf")]
    assert "storage_key" not in files[0]


def test_a_withdrawn_consent_cuts_the_provider_off_on_the_next_request(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = _with_evidence(world, tenant)
    client = world.app.test_client()
    headers = bearer(token(world.app, tenant.staff_id))
    urls = (f"/api/v1/provider/clients/{tenant.enterprise_id}", f"/api/v1/provider/assessments/{aid}",
            f"/api/v1/provider/assessments/{aid}/evidence")
    assert [client.get(url, headers=headers).status_code for url in urls] == [200, 200, 200]
    with world.session() as session:
        assert tenancy.revoke(session, tenant.link_id, tenant.owner_id)
    assert [client.get(url, headers=headers).status_code for url in urls] == [404, 404, 404]
    assert client.get("/api/v1/provider/clients", headers=headers).json["items"] == []


def test_another_providers_client_is_a_404_and_so_is_every_provider_endpoint_for_other_roles(world: World) -> None:
    ours = world.tenant("A", "91370102MA3C00001")
    theirs = world.tenant("B", "91370102MA3C00002")
    their_assessment = world.assessment(theirs)
    client = world.app.test_client()
    enrol(world.app, ours.admin_id)
    for user in (ours.staff_id, ours.admin_id):
        headers = bearer(token(world.app, user))
        for url in (f"/api/v1/provider/clients/{theirs.enterprise_id}",
                    f"/api/v1/provider/assessments/{their_assessment}",
                    f"/api/v1/provider/assessments/{their_assessment}/evidence", "/api/v1/provider/clients/999999"):
            answer = client.get(url, headers=headers)
            assert answer.status_code == 404 and answer.mimetype == "application/problem+json", url
    assert client.get("/api/v1/provider/clients").status_code == 401
    for role, region in (("enterprise", None), ("official", "370000"), ("site_admin", None)):
        secret = token(world.app, account(world.app, f"{role}@example.com", role, region=region))
        for url in ("/api/v1/provider/clients", "/api/v1/provider/invitations",
                    f"/api/v1/provider/assessments/{their_assessment}"):
            assert client.get(url, headers=bearer(secret)).status_code == 404, (role, url)  # as the web's pages
    owner = bearer(token(world.app, theirs.owner_id))
    assert client.get(f"/api/v1/provider/assessments/{their_assessment}", headers=owner).status_code == 404


def test_every_client_is_listed_once_across_the_pages_and_the_webs_filters_apply(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    more = [world.enterprise(world.member("enterprise"), f"企业{n}", f"91370102MA3C0{n:04d}", region, industry)
            for n, (region, industry) in enumerate([("370102", "34"), ("320500", "C"), ("370102", "C3670")] * 3, 10)]
    for enterprise_id in more:
        with world.session() as session:
            owner = tenancy.providers.get_enterprise(session, enterprise_id)
        assert owner is not None and owner.user_id is not None
        world.link(tenant.staff_id, tenant.organisation_id, enterprise_id, owner.user_id)
    client = world.app.test_client()
    headers = bearer(token(world.app, tenant.staff_id))
    seen: list[int] = []
    url: str | None = "/api/v1/provider/clients?limit=3"
    while url is not None:
        page = client.get(url, headers=headers)
        assert page.status_code == 200 and len(page.json["items"]) <= 3
        seen.extend(c["id"] for c in page.json["items"])
        url = page.json["next"]
    assert sorted(seen) == sorted([tenant.enterprise_id, *more]) and len(seen) == len(set(seen))
    in_jiangsu = client.get("/api/v1/provider/clients?region=320000", headers=headers).json["items"]
    assert {c["region"]["code"][:2] for c in in_jiangsu} == {"32"} and len(in_jiangsu) == 3
    bad = client.get("/api/v1/provider/clients?region=99&status=done&level=high", headers=bearer(
        token(world.app, tenant.staff_id), "en"))
    assert bad.status_code == 422
    assert sorted(e["field"] for e in bad.json["errors"]) == ["level", "region", "status"]


def test_invitations_are_listed_and_made_with_a_read_write_token_only(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    client = world.app.test_client()
    reader = bearer(token(world.app, tenant.staff_id))
    writer = bearer(token(world.app, tenant.staff_id, "read-write"))
    assert client.post("/api/v1/provider/invitations", json={"note": "企业乙"}, headers=reader).status_code == 403
    made = client.post("/api/v1/provider/invitations", json={"note": "企业乙"}, headers=writer)
    assert made.status_code == 201 and "/invitation/" in made.json["link"]
    assert made.headers["Cache-Control"] == "no-store"
    refused = client.post("/api/v1/provider/invitations", json={"note": " ", "colour": 1}, headers=writer)
    assert refused.status_code == 422
    assert sorted(e["field"] for e in refused.json["errors"]) == ["colour", "note"]
    listed = client.get("/api/v1/provider/invitations", headers=reader).json["items"]
    assert [(i["note"], i["status"]) for i in listed] == [("企业乙", "pending"), ("client", "active")]

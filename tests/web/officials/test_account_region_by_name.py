"""An official's account page names the authority's region in words (山东省 / 济南市), never the bare GB/T 2260 code
(issue 14, item 10)."""

from __future__ import annotations

from authority import logged_in, make_account
from flask import Flask


def test_the_account_page_names_the_officials_region(app: Flask) -> None:
    app.config["MFA_REQUIRED_ROLES"] = ()
    user_id = make_account(app, "li@example.gov.cn", region="370100")
    response = logged_in(app, user_id).get("/account")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "山东省 / 济南市" in page and "370100" not in page

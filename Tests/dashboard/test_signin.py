"""Signing in to the dashboard with an API token (only when the server runs --auth token)."""

from __future__ import annotations

import pytest  # noqa: F401 (fixtures)


@pytest.fixture()
def fresh(chromium):
    context = chromium.new_context()
    yield context.new_page(), context
    context.close()


def test_a_browser_without_a_session_is_sent_to_the_form_and_back(fresh, base_url, token, seeded):
    page, context = fresh
    if not token:
        # --auth none: the pages are as open as the API, and the form sends the browser home.
        page.goto(f"{base_url}/signin")
        assert page.url == f"{base_url}/" and page.locator("form.signout").count() == 0
        return
    page.goto(f"{base_url}/experiments/{seeded['experiment_id']}")
    assert "/signin?next=" in page.url
    page.fill("#token", "cairn_not_a_token")
    page.click("form.signin button")
    assert page.locator("#signin-error").is_visible()
    page.fill("#token", token)
    page.click("form.signin button")
    page.wait_for_url(f"{base_url}/experiments/{seeded['experiment_id']}")
    assert page.locator("h1").inner_text().startswith(seeded["name"])
    assert "admin-env" in page.locator("form.signout").inner_text()
    cookie = next(c for c in context.cookies() if c["name"] == "cairn_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert cookie["value"] != token and token not in page.content()


def test_signing_out_ends_the_session(fresh, base_url, token):
    page, context = fresh
    if not token:
        page.goto(f"{base_url}/models")
        assert page.url == f"{base_url}/models", "no sign-in with --auth none"
        return
    page.goto(f"{base_url}/signin")
    page.fill("#token", token)
    page.click("form.signin button")
    page.wait_for_url(f"{base_url}/")
    session = next(c for c in context.cookies() if c["name"] == "cairn_session")["value"]
    page.click("form.signout button")
    page.wait_for_url(f"{base_url}/signin")
    assert not [c for c in context.cookies() if c["name"] == "cairn_session"]
    # The old session id no longer opens anything, even sent by hand.
    context.add_cookies([{"name": "cairn_session", "value": session, "url": base_url}])
    page.goto(f"{base_url}/models")
    assert "/signin" in page.url

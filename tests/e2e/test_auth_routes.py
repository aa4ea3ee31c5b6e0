"""The sign-in route over real HTTP: Origin checked, cookie flags set, failures slowed."""

from __future__ import annotations

import http.client
from urllib.parse import urlencode, urlsplit


def post(
    base: str, path: str, form: dict[str, str], origin: str | None
) -> http.client.HTTPResponse:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "localhost", parts.port, timeout=10)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if origin is not None:
        headers["Origin"] = origin
    conn.request("POST", path, urlencode(form), headers)
    return conn.getresponse()


def test_a_sign_in_posted_from_another_origin_is_refused(server) -> None:
    response = post(
        server.url, "/auth/login", {"username": "admin", "password": "demo"}, "http://evil.example"
    )
    assert response.status == 403
    assert response.getheader("set-cookie") is None
    missing = post(server.url, "/auth/login", {"username": "admin", "password": "demo"}, None)
    assert missing.status == 403


def test_the_session_cookie_is_httponly_samesite_and_expires(server) -> None:
    response = post(
        server.url, "/auth/login", {"username": "staff", "password": "demo"}, server.url
    )
    assert response.status == 303
    cookie = response.getheader("set-cookie") or ""
    assert cookie.startswith("roadmap_session=")
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "samesite", "max-age", "path"} <= flags
    assert "samesite=lax" in cookie.lower()


def test_a_redirect_after_sign_in_never_leaves_the_site(server) -> None:
    form = {"username": "member", "password": "demo", "next": "//evil.example/x"}
    response = post(server.url, "/auth/login", form, server.url)
    assert response.getheader("location") == "/"


def test_repeated_failures_are_slowed_with_a_sentence(fresh_server) -> None:
    # A server of its own: the lock it provokes covers this address for every account.
    server = fresh_server
    statuses = []
    for _ in range(4):
        response = post(
            server.url, "/auth/login", {"username": "lead", "password": "nope"}, server.url
        )
        statuses.append(response.status)
        body = response.read().decode()
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3] == 429
    assert "Too many failed sign-ins. Try again in" in body
    # Even the right password waits until the lock has passed.
    locked = post(server.url, "/auth/login", {"username": "lead", "password": "demo"}, server.url)
    assert locked.status == 429

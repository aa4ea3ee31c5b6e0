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


def get(base: str, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "localhost", parts.port, timeout=10)
    conn.request("GET", path, headers=headers or {})
    return conn.getresponse()


def test_a_sign_in_from_another_name_for_this_server_is_refused(server) -> None:
    """DNS rebinding: the page's name arrives as both Host and Origin; neither is ours."""
    port = urlsplit(server.url).port
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname or "localhost", parts.port, timeout=10)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Host": f"evil.example:{port}",
        "Origin": f"http://evil.example:{port}",
    }
    conn.request(
        "POST", "/auth/login", urlencode({"username": "admin", "password": "demo"}), headers
    )
    response = conn.getresponse()
    assert response.status == 403
    assert response.getheader("set-cookie") is None
    # Another port on localhost is another origin too.
    other = post(
        server.url, "/auth/login", {"username": "admin", "password": "demo"}, "http://localhost:1"
    )
    assert other.status == 403


def test_every_route_sends_the_security_headers(server) -> None:
    for path in ["/auth/login", "/auth/logout", "/api/health", "/", "/plan", "/_stcore/health"]:
        response = get(server.url, path)
        response.read()
        assert response.status == 200, path
        assert response.getheader("x-frame-options") == "DENY", path
        assert response.getheader("referrer-policy") == "same-origin", path
        assert response.getheader("x-content-type-options") == "nosniff", path
        assert "frame-ancestors 'none'" in (response.getheader("content-security-policy") or "")
    policy = get(server.url, "/auth/login").getheader("content-security-policy") or ""
    assert "default-src 'none'" in policy
    assert "form-action 'self'" in policy
    assert "script-src" not in policy  # no script may run on the sign-in page


def websocket_handshake(base: str, origin: str) -> int:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "localhost", parts.port, timeout=10)
    headers = {
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Origin": origin,
    }
    conn.request("GET", "/_stcore/stream", headers=headers)
    status = conn.getresponse().status
    conn.close()
    return status


def test_the_app_websocket_refuses_a_page_of_another_origin(server) -> None:
    assert websocket_handshake(server.url, server.url) == 101
    assert websocket_handshake(server.url, "http://localhost:1") == 403
    assert websocket_handshake(server.url, "http://evil.example") == 403


def test_guesses_at_other_accounts_are_slowed_though_the_guesser_signs_in_between(
    fresh_server,
) -> None:
    server = fresh_server

    def sign_in(username: str, password: str) -> int:
        form = {"username": username, "password": password}
        return post(server.url, "/auth/login", form, server.url).status

    for victim in ["admin", "exec"]:
        assert sign_in(victim, "x") == 401
        assert sign_in("staff", "demo") == 303  # one's own account, between the guesses
    assert sign_in("lead", "x") == 401  # the address's third failure
    assert sign_in("orgrep", "x") == 429

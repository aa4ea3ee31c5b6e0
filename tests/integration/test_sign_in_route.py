"""The sign-in route leaves the server's event loop free while it checks a password: Argon2
and the database run in a worker thread, so other requests are answered meanwhile."""

from __future__ import annotations

import asyncio
import threading
from typing import Any
from urllib.parse import urlencode

import pytest
from starlette.requests import Request
from starlette.responses import Response
from support import run_coroutine

from roadmap.domain.access import Actor
from roadmap.services import accounts, sessions
from roadmap.services.context import Context, database_problem
from roadmap.services.throttle import FailureThrottle
from roadmap.web import routes

ORIGIN = "http://roadmap.test"


def sign_in_request(username: str, password: str) -> Request:
    body = urlencode({"username": username, "password": password}).encode()
    scope = {
        "type": "http",
        "method": "POST",
        "scheme": "http",
        "path": "/auth/login",
        "query_string": b"",
        "headers": [
            (b"origin", ORIGIN.encode()),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("10.0.0.7", 40000),
        "server": ("roadmap.test", 80),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(scope, receive)


def test_the_event_loop_answers_other_requests_while_a_sign_in_checks_its_password(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts.create_user(ctx, Actor.system(), "lead", "Lead", "password-123")
    monkeypatch.setattr(routes, "default_context", lambda: ctx)
    monkeypatch.setenv("ROADMAP_PUBLIC_URL", ORIGIN)
    inside = threading.Event()
    loop_answered = threading.Event()
    answered_meanwhile: list[bool] = []
    authenticate = sessions.authenticate

    def authenticate_once_the_loop_answered(*args: Any) -> Actor | None:
        inside.set()
        # Run on the event loop itself, this wait could never be answered (it gives up).
        answered_meanwhile.append(loop_answered.wait(timeout=5))
        return authenticate(*args)

    monkeypatch.setattr(sessions, "authenticate", authenticate_once_the_loop_answered)

    async def another_request() -> None:
        while not inside.is_set():
            await asyncio.sleep(0.005)
        loop_answered.set()

    async def both() -> Response:
        response, _ = await asyncio.gather(
            routes.login(sign_in_request("lead", "password-123")), another_request()
        )
        return response

    response = run_coroutine(both)
    assert answered_meanwhile == [True]
    assert response.status_code == 303
    assert "roadmap_session=" in response.headers["set-cookie"]


def test_other_requests_read_and_write_the_database_while_a_password_is_hashed(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Argon2 runs outside any transaction: on SQLite a transaction held meanwhile would hold
    the write lock, and the health probe and every write would queue behind each sign-in."""
    accounts.create_user(ctx, Actor.system(), "lead", "Lead", "password-123")
    finished: list[str] = []
    verify = sessions.verify_password

    def verify_while_others_work(stored: str | None, password: str) -> bool:
        def probe() -> None:
            assert database_problem(ctx) is None
            finished.append("health")
            FailureThrottle().failed(ctx, ["user:someone-else"])
            finished.append("write")

        other = threading.Thread(target=probe)
        other.start()
        other.join(timeout=5)  # a lock held here would make it wait 30 s
        return verify(stored, password)

    monkeypatch.setattr(sessions, "verify_password", verify_while_others_work)
    assert sessions.authenticate(ctx, "lead", "password-123") is not None
    assert finished == ["health", "write"]

"""The origins that may post the sign-in form come from configuration, never a request."""

from __future__ import annotations

import tomllib

import pytest

from roadmap import config


def test_without_configuration_the_server_is_reached_on_localhost_at_its_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ROADMAP_PUBLIC_URL", raising=False)
    monkeypatch.delenv("ROADMAP_ALLOWED_ORIGINS", raising=False)
    assert config.public_origins(8765) == {"http://localhost:8765", "http://127.0.0.1:8765"}


def test_the_public_url_replaces_the_default_and_allowed_origins_add_to_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ROADMAP_PUBLIC_URL", "https://Roadmap.Example.org/")
    monkeypatch.setenv("ROADMAP_ALLOWED_ORIGINS", "https://lb.example.org, not a url,")
    assert config.public_origins(8501) == {
        "https://roadmap.example.org",
        "https://lb.example.org",
    }


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://localhost:8501/auth/login?next=/", "http://localhost:8501"),
        ("HTTPS://A.example", "https://a.example"),
        ("javascript:alert(1)", None),
        ("null", None),
        ("//evil.example", None),
    ],
)
def test_an_origin_is_the_scheme_and_host_of_an_http_url(url: str, origin: str | None) -> None:
    assert config.origin_of(url) == origin


def test_the_shipped_streamlit_config_is_set_for_production() -> None:
    with (config.project_root() / ".streamlit" / "config.toml").open("rb") as fh:
        shipped = tomllib.load(fh)
    assert shipped["server"]["enableCORS"] is True
    assert shipped["server"]["enableXsrfProtection"] is True
    assert shipped["client"]["showErrorDetails"] == "none"

"""The boundary's two rules as pure functions: ids the database can hold, and plain text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roadmap.domain import boundary
from roadmap.domain.errors import ValidationError
from roadmap.domain.items import ItemFields
from roadmap.domain.organizations import Organization
from roadmap.domain.validation import parse

pytestmark = pytest.mark.security


@pytest.mark.parametrize("raw", ["1", "#42", " 7 ", "+9", 2**31 - 1, "2147483647"])
def test_ids_within_postgresqls_integer_range_are_read(raw: object) -> None:
    assert 1 <= boundary.parse_id(raw) <= 2**31 - 1


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "0",
        "-1",
        "2147483648",
        "9223372036854775808",
        "1e3",
        "1.0",
        "twelve",
        "٣",
        "1\x00",
        "9" * 5000,
        True,
        0,
        2**31,
        -(2**63),
    ],
)
def test_anything_else_is_refused_with_a_sentence_naming_the_field(raw: object) -> None:
    with pytest.raises(
        ValidationError, match=r"^The dependency must be a whole number from 1 to 2,147,483,647\.$"
    ):
        boundary.parse_id(raw, "dependency")
    assert boundary.id_or_none(raw) is None


@given(st.integers())
def test_parse_id_accepts_exactly_the_32_bit_positive_integers(n: int) -> None:
    if 1 <= n <= 2**31 - 1:
        assert boundary.parse_id(str(n)) == n
    else:
        assert boundary.id_or_none(str(n)) is None


@given(st.text())
def test_plain_text_never_holds_a_forbidden_character(value: str) -> None:
    try:
        kept = boundary.text(value, "note")
    except ValidationError as exc:
        assert str(exc).startswith("The note contains a control character (U+")
        return
    assert all(c in "\n\t" or (ord(c) >= 0x20 and not 0x7F <= ord(c) <= 0x9F) for c in kept)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in kept)


def test_newline_and_tab_stay_and_crlf_becomes_lf() -> None:
    assert boundary.text("a\tb\r\nc\nd", "note") == "a\tb\nc\nd"
    with pytest.raises(ValidationError, match=r"U\+000D"):
        boundary.text("a\rb", "note")  # a bare CR starts a Markdown heading line elsewhere


def test_every_model_refuses_control_characters_naming_the_field() -> None:
    with pytest.raises(ValidationError) as refused:
        parse(
            ItemFields,
            {"title": "Faster\x00", "subcommunity": "x", "effort_low": 1, "effort_high": 2},
        )
    assert refused.value.fields == {
        "title": "The title contains a control character (U+0000); only text, newlines and "
        "tabs are allowed."
    }
    with pytest.raises(ValidationError, match="The link address contains a control"):
        parse(
            ItemFields,
            {
                "title": "Start",
                "subcommunity": "x",
                "effort_low": 1,
                "effort_high": 2,
                "links": [{"url": "https://example.org/\x1b"}],
            },
        )
    with pytest.raises(ValidationError, match="The exception reason contains a control"):
        parse(
            Organization,
            {
                "key": "acme",
                "name": "Acme",
                "kind": "company",
                "tier": "premier",
                "annual_commitment": 1,
                "term_start": "2026-01-01",
                "term_end": "2027-01-01",
                "basis": "exception",
                "exception_reason": "Because\x07",
            },
        )


@pytest.mark.parametrize("raw", ["admin\x00", "\x00", "ad\x1bmin", "admin\ud800", " Admin "])
def test_a_sign_in_name_is_made_safe_to_look_up_and_matches_no_account_when_hostile(
    raw: str,
) -> None:
    name = boundary.sign_in_name(raw)
    assert boundary.text_problem(name, "username") is None
    assert name == "admin" if raw == " Admin " else name != "admin"

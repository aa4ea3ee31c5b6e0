"""The short glossary has one source (``roadmap.domain.glossary``): docs/glossary.md's
section is its Markdown verbatim, and it defines every word issue 13 names."""

from __future__ import annotations

from pathlib import Path

from roadmap.domain.glossary import ENTRIES, HEADING, markdown

DOCS = Path(__file__).resolve().parents[2] / "docs" / "glossary.md"


def test_the_docs_section_is_the_module_s_entries_verbatim() -> None:
    text = DOCS.read_text()
    assert HEADING in text
    section = text[text.index(HEADING) :].split("\n## ")[0]
    assert section.strip() == markdown().strip(), (
        "docs/glossary.md's section differs: paste roadmap.domain.glossary.markdown() there"
    )


def test_every_word_the_issue_names_has_an_entry() -> None:
    named = {"Voice", "Envelope", "Reserve", "Floor", "Cap", "Pledge", "Equal Shares",
             "Completion", "Effective support"}  # fmt: skip
    assert named <= set(ENTRIES)
    assert all(len(text) > 40 for text in ENTRIES.values())
